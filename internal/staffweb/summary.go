package staffweb

import (
	"net/http"

	"github.com/oldenburg/ankommen/internal/summary"
)

type summaryData struct {
	S       summary.Summary
	Heading string
	Week    string // the Monday shown, YYYY-MM-DD
	Prev    string // Mondays of the weeks before and after; Next "" for a future week
	Next    string
	Median  string
	Chat    bool
}

// summary shows the weekly summary of ?week= (any day of it, YYYY-MM-DD); by
// default the last complete week.
func (h *Handler) summary(w http.ResponseWriter, r *http.Request) {
	if h.opt.Summary == nil {
		h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
		return
	}
	now := h.opt.Now()
	wk, status, flash := summary.WeekOf(now).Prev(), http.StatusOK, ""
	if q := r.URL.Query().Get("week"); q != "" {
		p, err := summary.ParseWeek(q)
		if err != nil {
			status, flash = http.StatusBadRequest, "StaffFilterInvalid"
		} else {
			wk = p
		}
	}
	s, err := h.opt.Summary(r.Context(), wk)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	loc := h.opt.Answering().Locale
	lang := uiLang(r)
	d := summaryData{S: s, Week: wk.Monday(), Prev: wk.Prev().Monday(), Chat: h.opt.SummaryChat,
		Heading: summary.Heading(wk, func(id string, data map[string]any) string { return loc.T(lang, id, data) })}
	if wk.To.Before(now) {
		d.Next = wk.Next().Monday()
	}
	if s.Replied > 0 {
		d.Median = summary.Duration(s.MedianReply)
	}
	pd := pageData{Title: "StaffSummaryTitle", Nav: "summary", Data: d, Error: flash}
	h.render(w, r, status, "summary.html", pd)
}
