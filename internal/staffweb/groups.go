package staffweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// maxGroups is how many groups the page shows: the largest; `ankommen backlog`
// prints all.
const maxGroups = 60

// examplesPerLang is how many questions of each language a group shows.
const examplesPerLang = 3

type langExamples struct {
	Lang  string
	N     int
	Items []backlog.Item
}

type groupRow struct {
	G        backlog.Group
	Keys     []string // every item of the group: what an action applies to
	Examples []langExamples
	Topics   []topicOption // the suggestion first
	Title    string        // a title proposed for a new need
}

type groupsData struct {
	Groups    []groupRow
	More      int // groups not shown
	Questions int // open items in all
	// Flash is the message id of the last action's outcome, with its counts (the
	// layout's flash takes no counts).
	Flash         string
	Done, Skipped int
}

// grouper groups with the models the bot answers with now.
func (h *Handler) grouper() *backlog.Grouper {
	a := h.opt.Answering()
	return backlog.NewGrouper(a.Models, a.Needs, backlog.Options{})
}

// groups shows the open questions grouped across languages, largest first, with
// the actions on a whole group.
func (h *Handler) groups(w http.ResponseWriter, r *http.Request) {
	gs, err := h.backlog.Groups(r.Context(), h.grouper())
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	lang := uiLang(r)
	d := groupsData{Flash: groupFlash(r)}
	d.Done, _ = strconv.Atoi(r.URL.Query().Get("n"))
	d.Skipped, _ = strconv.Atoi(r.URL.Query().Get("skipped"))
	for i, g := range gs {
		d.Questions += g.Size()
		if i >= maxGroups {
			d.More++
			continue
		}
		row := groupRow{G: g, Topics: h.topicOptions(lang, []handoff.Candidate{{TopicID: g.Topic}})}
		for _, it := range g.Items {
			row.Keys = append(row.Keys, it.Key())
		}
		for _, l := range g.Langs {
			row.Examples = append(row.Examples, langExamples{Lang: l.Lang, N: l.N, Items: g.Examples(l.Lang, examplesPerLang)})
		}
		row.Title = needTitle(g)
		d.Groups = append(d.Groups, row)
	}
	h.render(w, r, http.StatusOK, "groups.html", pageData{Title: "StaffGroupsTitle", Nav: "groups", Data: d})
}

// needTitle proposes a title for a group's need: its German question if it has one
// (the content's source language), else its newest question.
func needTitle(g backlog.Group) string {
	if ex := g.Examples(content.SourceLang, 1); len(ex) > 0 {
		return cut(backlog.MaxTitle, ex[0].Text)
	}
	return cut(backlog.MaxTitle, g.Items[0].Text)
}

// groupFlash reads the outcome of a group action from the redirect's query.
func groupFlash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "learned":
		return "StaffFlashGroupLearned"
	case "need":
		return "StaffFlashGroupNeed"
	case "spam":
		return "StaffFlashGroupSpam"
	case "needdone":
		return "StaffFlashNeedDone"
	}
	return ""
}

// groupDone redirects after a group action, with its counts for the flash.
func groupDone(w http.ResponseWriter, r *http.Request, what string, o backlog.Outcome) {
	redirect(w, r, "/staff/groups?done="+what+"&n="+strconv.Itoa(o.Done)+"&skipped="+strconv.Itoa(o.Skipped))
}

// groupAnswer teaches the chosen topic every phrasing of the group.
func (h *Handler) groupAnswer(w http.ResponseWriter, r *http.Request) {
	// authenticated parsed the form (PostFormValue of the CSRF token): PostForm is set.
	topic := r.PostFormValue("topic")
	if h.opt.Answering().Corpus.Topic(topic) == nil {
		h.fail(w, r, http.StatusBadRequest, "StaffErrorInvalid")
		return
	}
	o, err := h.backlog.Answer(r.Context(), r.PostForm["item"], topic, session(r).Name)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	h.log.Info("staff: group answered by a topic", "staff", session(r).Name, "topic", topic, "learned", o.Done, "skipped", o.Skipped)
	groupDone(w, r, "learned", o)
}

// groupNeed puts the group into the backlog as a need for a new topic.
func (h *Handler) groupNeed(w http.ResponseWriter, r *http.Request) {
	n, err := h.backlog.NewTopic(r.Context(), r.PostForm["item"], r.PostFormValue("title"), session(r).Name)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	h.log.Info("staff: group put into the backlog", "staff", session(r).Name, "need", n.ID, "asked", n.Asked)
	groupDone(w, r, "need", backlog.Outcome{Done: n.Asked, Skipped: len(r.PostForm["item"]) - n.Asked})
}

// groupSpam dismisses every question of the group as spam.
func (h *Handler) groupSpam(w http.ResponseWriter, r *http.Request) {
	o, err := h.backlog.Spam(r.Context(), r.PostForm["item"], session(r).Name)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	h.log.Info("staff: group dismissed as spam", "staff", session(r).Name, "dismissed", o.Done, "skipped", o.Skipped)
	groupDone(w, r, "spam", o)
}

type demandData struct {
	backlog.Demand
	Days int // the period the counts of topics cover, today included
}

// demandRows bounds each list of the demand page.
const demandRows = 30

// demand shows the work ranked by demand: topics shown most per language, missing
// and stale translations weighted by it, the largest groups and the backlog of
// needs.
func (h *Handler) demand(w http.ResponseWriter, r *http.Request) {
	now := h.opt.Now().In(handoff.Zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, handoff.Zone)
	counts, err := h.opt.Store.TopicDemand(r.Context(), today.AddDate(0, 0, 1-handoff.DemandDays))
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	gs, err := h.backlog.Groups(r.Context(), h.grouper())
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	needs, err := h.opt.Store.Needs(r.Context())
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	d := backlog.RankDemand(h.opt.Answering().Corpus, counts, gs, needs)
	d.Topics = d.Topics[:min(len(d.Topics), demandRows)]
	d.Translations = d.Translations[:min(len(d.Translations), demandRows)]
	var big []backlog.Group
	for _, g := range d.Groups {
		if g.Size() > 1 && len(big) < demandRows {
			big = append(big, g)
		}
	}
	d.Groups = big
	h.render(w, r, http.StatusOK, "demand.html", pageData{Title: "StaffDemandTitle", Nav: "demand", Flash: groupFlash(r),
		Data: demandData{Demand: d, Days: handoff.DemandDays}})
}

// needDone marks a need of the backlog as done: a topic now answers it.
func (h *Handler) needDone(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	if err := h.backlog.Done(r.Context(), id, session(r).Name); err != nil {
		h.failErr(w, r, err)
		return
	}
	h.log.Info("staff: need done", "staff", session(r).Name, "need", id)
	redirect(w, r, "/staff/demand?done=needdone")
}
