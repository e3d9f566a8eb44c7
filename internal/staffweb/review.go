package staffweb

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// soonDays: a topic whose review date comes within this many days is listed too,
// marked as soon, so that an office can plan the check before it is overdue.
const soonDays = 30

// Review states of a listed topic; each has a message StaffReviewDue_<state>.
const (
	dueOverdue = "overdue" // the review date has passed (or is today)
	dueSoon    = "soon"    // the review date comes within soonDays
	dueMissing = "missing" // no valid review date: check says so; it is due
)

// reviewRow is one topic of the review list.
type reviewRow struct {
	ID, Title, Owner string
	ReviewBy         time.Time // zero when missing
	Due              string    // dueOverdue, dueSoon or dueMissing
	Total            int       // times shown in the period, all languages
	Langs            []handoff.TopicCount
}

type reviewData struct {
	Rows     []reviewRow
	Days     int // the period the counts cover, today included
	SoonDays int
}

// dueState says whether t is due for review at now, and how; "" when it is not.
func dueState(t *content.Topic, now time.Time) string {
	if _, err := time.Parse(time.DateOnly, t.ReviewBy); err != nil {
		return dueMissing
	}
	switch {
	case t.DueForReview(now):
		return dueOverdue
	case t.DueForReview(now.AddDate(0, 0, soonDays)):
		return dueSoon
	}
	return ""
}

// review lists the topics due for review (and those due soon) with their owner,
// review date and how often the bot showed them in the last handoff.DemandDays
// days, per language and in all: most asked first, because a wrong answer there
// misleads the most people.
func (h *Handler) review(w http.ResponseWriter, r *http.Request) {
	now := h.opt.Now()
	local := now.In(handoff.Zone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, handoff.Zone)
	counts, err := h.opt.Store.TopicDemand(r.Context(), today.AddDate(0, 0, 1-handoff.DemandDays))
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	byTopic := map[string][]handoff.TopicCount{}
	for _, c := range counts {
		byTopic[c.TopicID] = append(byTopic[c.TopicID], c)
	}
	lang := uiLang(r)
	corpus := h.opt.Answering().Corpus
	d := reviewData{Days: handoff.DemandDays, SoonDays: soonDays}
	for _, id := range corpus.IDs {
		t := corpus.Topic(id)
		due := dueState(t, now)
		if due == "" {
			continue
		}
		tr, _ := t.Best(lang)
		row := reviewRow{ID: id, Title: tr.Title, Owner: t.Owner, Due: due, Langs: byTopic[id]}
		row.ReviewBy, _ = time.ParseInLocation(time.DateOnly, t.ReviewBy, handoff.Zone)
		for _, c := range row.Langs {
			row.Total += c.N
		}
		slices.SortFunc(row.Langs, func(a, b handoff.TopicCount) int {
			return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(langOrder(a.Lang), langOrder(b.Lang)), cmp.Compare(a.Lang, b.Lang))
		})
		d.Rows = append(d.Rows, row)
	}
	// Most asked first; among equals the longest overdue (no date counts as oldest).
	slices.SortFunc(d.Rows, func(a, b reviewRow) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), a.ReviewBy.Compare(b.ReviewBy), cmp.Compare(a.ID, b.ID))
	})
	h.render(w, r, http.StatusOK, "review.html", pageData{Title: "StaffReviewTitle", Nav: "review", Data: d})
}

// langOrder is the place of lang in content.Languages; unknown languages last.
func langOrder(lang string) int {
	if i := slices.Index(content.Languages, lang); i >= 0 {
		return i
	}
	return len(content.Languages)
}
