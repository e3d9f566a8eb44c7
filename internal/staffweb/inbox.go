package staffweb

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// perPage is how many items one inbox page shows.
const perPage = 25

type inboxData struct {
	Items    []handoff.Item
	Total    int
	Page     int
	Pages    int
	Filter   filterForm
	Prev     string // URL of the previous page, "" on the first
	Next     string
	Statuses []handoff.Status
}

// filterForm is the inbox filter as the form shows it.
type filterForm struct {
	Kind, Lang, Status, From, To, Query string
}

// parseFilter reads the inbox filter from the query. A value that is not one of
// the allowed ones is ignored (and the form shows "all"): no query text reaches
// the store except the search words, and those as a parameter.
func parseFilter(q url.Values) (handoff.Filter, filterForm, bool) {
	var f handoff.Filter
	var form filterForm
	ok := true
	if k := handoff.Kind(q.Get("kind")); k == handoff.KindQuestion || k == handoff.KindHandoff {
		f.Kind, form.Kind = k, string(k)
	} else if q.Get("kind") != "" {
		ok = false
	}
	if l := q.Get("lang"); content.IsLanguage(l) {
		f.Lang, form.Lang = l, l
	} else if l != "" {
		ok = false
	}
	if s := handoff.Status(q.Get("status")); slices.Contains(handoff.Statuses, s) {
		f.Status, form.Status = s, string(s)
	} else if q.Get("status") != "" {
		ok = false
	}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("from"), handoff.Zone); err == nil {
		f.From, form.From = d, q.Get("from")
	} else if q.Get("from") != "" {
		ok = false
	}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("to"), handoff.Zone); err == nil {
		f.To, form.To = d.AddDate(0, 0, 1), q.Get("to") // to is inclusive in the form
	} else if q.Get("to") != "" {
		ok = false
	}
	if s := trimmed(q.Get("q")); s != "" {
		f.Query, form.Query = cut(200, s), cut(200, s)
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(1, f.Page)
	f.Per = perPage
	return f, form, ok
}

// query returns the filter as URL query for page.
func (f filterForm) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"kind": f.Kind, "lang": f.Lang, "status": f.Status, "from": f.From, "to": f.To, "q": f.Query} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/staff/"
	}
	return "/staff/?" + v.Encode()
}

// inbox lists unanswered questions and handoffs, newest first, filtered and paged.
func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) {
	f, form, ok := parseFilter(r.URL.Query())
	items, total, err := h.opt.Store.ReviewItems(r.Context(), f)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	d := inboxData{Items: items, Total: total, Page: f.Page, Pages: max(1, (total+perPage-1)/perPage), Filter: form, Statuses: handoff.Statuses}
	if f.Page > 1 {
		d.Prev = form.query(f.Page - 1)
	}
	if f.Page < d.Pages {
		d.Next = form.query(f.Page + 1)
	}
	status := http.StatusOK
	pd := pageData{Title: "StaffInboxTitle", Nav: "inbox", Data: d}
	if !ok {
		status, pd.Error = http.StatusBadRequest, "StaffFilterInvalid"
	}
	h.render(w, r, status, "inbox.html", pd)
}
