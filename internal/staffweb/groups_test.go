package staffweb

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	contentfs "github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// shippedNeeds is the needs lexicon of the shipped content (the test content has
// none).
func shippedNeeds(t *testing.T) *backlog.Needs {
	t.Helper()
	n, issues := backlog.LoadNeeds(contentfs.FS)
	if len(issues) > 0 {
		t.Fatal(issues)
	}
	return n
}

// groupItems returns the item keys of each group's answer form, in page order.
func groupItems(t *testing.T, body string) [][]string {
	t.Helper()
	var out [][]string
	for _, f := range regexp.MustCompile(`(?s)<form method="post" action="/staff/groups/answer".*?</form>`).FindAllString(body, -1) {
		var keys []string
		for _, m := range regexp.MustCompile(`name="item" value="([^"]+)"`).FindAllStringSubmatch(f, -1) {
			keys = append(keys, m[1])
		}
		out = append(out, keys)
	}
	return out
}

// TestGroupsPage: the open questions show grouped across languages, largest group
// first with its counts per language; staff answer a whole group by a topic (every
// phrasing learned, the core rebuilt once), put one into the backlog, dismiss one as
// spam, and mark the need done on the demand page.
func TestGroupsPage(t *testing.T) {
	e := newEnv(t)
	e.core.Needs = shippedNeeds(t)
	ctx := context.Background()
	e.record("Kann ich meinen Führerschein umschreiben lassen?", "de")
	e.record("how do I convert my driving licence", "en")
	e.record("ehliyetimi nasıl değiştiririm", "tr")
	e.record("where can I buy a sim card", "en")
	e.record("Wo bekomme ich eine SIM-Karte?", "de")
	e.record("win money now click", "en")
	b := e.browser()
	tok := b.mustLogin("anna")

	p := b.get("/staff/groups")
	if p.status != http.StatusOK {
		t.Fatalf("groups page: %d", p.status)
	}
	mustContain(t, "groups page", p.body, "Gruppe mit 3 Fragen", "Gruppe mit 2 Fragen", "Führerschein umschreiben", "ehliyetimi", `href="/staff/groups"`, "driving-licence")
	groups := groupItems(t, p.body)
	if len(groups) != 3 || len(groups[0]) != 3 || len(groups[1]) != 2 || len(groups[2]) != 1 {
		t.Fatalf("groups on the page: %v", groups)
	}

	// Answer the largest by a topic: three phrasings learned, one rebuild.
	p = b.do("POST", "/staff/groups/answer", url.Values{"csrf": {tok}, "topic": {"work"}, "item": groups[0]})
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=learned&n=3") {
		t.Fatalf("answer: %d %s", p.status, p.header.Get("Location"))
	}
	ls, _ := e.db.LearnedPhrasings(ctx)
	if len(ls) != 3 || e.learned != 1 {
		t.Errorf("%d phrasings learned, %d rebuilds; want 3 and 1", len(ls), e.learned)
	}
	p = b.get(p.header.Get("Location"))
	mustContain(t, "page after answering", p.body, "Gelernt: 3 Formulierungen", "Schon erledigt: 0")

	// New topic needed for the next.
	groups = groupItems(t, p.body)
	p = b.do("POST", "/staff/groups/need", url.Values{"csrf": {tok}, "title": {"SIM-Karte kaufen"}, "item": groups[0]})
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=need&n=2") {
		t.Fatalf("need: %d %s", p.status, p.header.Get("Location"))
	}
	needs, _ := e.db.Needs(ctx)
	if len(needs) != 1 || needs[0].Title != "SIM-Karte kaufen" || needs[0].Asked != 2 {
		t.Fatalf("needs %+v", needs)
	}

	// Spam for the last.
	groups = groupItems(t, b.get("/staff/groups").body)
	if len(groups) != 1 {
		t.Fatalf("groups left: %v", groups)
	}
	if p := b.do("POST", "/staff/groups/spam", url.Values{"csrf": {tok}, "item": groups[0]}); p.status != http.StatusSeeOther {
		t.Fatalf("spam: %d", p.status)
	}
	items, _ := e.db.OpenItems(ctx)
	if len(items) != 0 {
		t.Errorf("open items left: %+v", items)
	}
	mustContain(t, "empty groups page", b.get("/staff/groups").body, "keine offenen Fragen")
	// Spam again: all handled already.
	if p := b.do("POST", "/staff/groups/spam", url.Values{"csrf": {tok}, "item": groups[0]}); p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "n=0&skipped=1") {
		t.Errorf("spam again: %d %s", p.status, p.header.Get("Location"))
	}

	// The demand page lists the need; done takes it off.
	e.db.CountTopic(ctx, e.clock.Now(), "ar", "work")
	p = b.get("/staff/demand")
	mustContain(t, "demand page", p.body, "SIM-Karte kaufen", "Rückstand", "Meistgezeigte Themen", "Arabisch: 1")
	p = b.do("POST", "/staff/needs/"+itoa(needs[0].ID)+"/done", url.Values{"csrf": {tok}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("need done: %d", p.status)
	}
	if needs, _ := e.db.Needs(ctx); len(needs) != 0 {
		t.Errorf("needs after done: %+v", needs)
	}
}

// TestGroupActionsRefuseBadInput: unknown item keys, no items, an unknown topic or
// an empty title give a clear error page, never a change.
func TestGroupActionsRefuseBadInput(t *testing.T) {
	e := newEnv(t)
	id := e.record("Führerschein umschreiben", "de")
	b := e.browser()
	tok := b.mustLogin("anna")
	key := "q" + itoa(id)
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
	}{
		{"bad key", "/staff/groups/spam", url.Values{"item": {"x1"}}, http.StatusBadRequest},
		{"no items", "/staff/groups/spam", url.Values{}, http.StatusBadRequest},
		{"unknown topic", "/staff/groups/answer", url.Values{"item": {key}, "topic": {"nope"}}, http.StatusBadRequest},
		{"empty title", "/staff/groups/need", url.Values{"item": {key}, "title": {"  "}}, http.StatusBadRequest},
		{"unknown need", "/staff/needs/999/done", url.Values{}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("csrf", tok)
			p := b.do("POST", tc.path, tc.form)
			if p.status != tc.status {
				t.Errorf("status %d, want %d", p.status, tc.status)
			}
			if strings.Contains(p.body, "goroutine") || strings.Contains(p.body, "handoff:") {
				t.Errorf("internal error text shown:\n%s", p.body)
			}
		})
	}
	if q, _ := e.db.Question(context.Background(), id); q.Status != handoff.StatusOpen {
		t.Errorf("the question changed: %s", q.Status)
	}
}
