package staffweb

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// TestWeeklySummaryPage: the page shows the last complete week by default (the
// test clock is Monday 2 March 2026), in German, from real data in SQLite:
// questions, the share answered per language, the most frequent unanswered
// questions, emergencies as a count, handoffs and the median time to the first
// staff reply; another week by any of its days; a malformed date is a 400.
func TestWeeklySummaryPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wed := time.Date(2026, 2, 25, 10, 0, 0, 0, handoff.Zone)
	for kind, n := range map[assistant.Kind]int{assistant.KindAnswer: 3, assistant.KindNotSure: 1, assistant.KindEmergency: 2} {
		for range n {
			if err := e.db.CountAnswer(ctx, wed, "ar", kind); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 2 {
		if err := e.db.RecordUnanswered(ctx, assistant.Unanswered{Text: "روضة أطفال <script>", Lang: "ar", At: wed}); err != nil {
			t.Fatal(err)
		}
	}
	h, _, err := e.db.OpenHandoff(ctx, handoff.Opening{ChatID: 9, Lang: "ar", At: wed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddStaffReply(ctx, h.ID, 0, "anna", "مرحبا", wed.Add(135*time.Minute)); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.mustLogin("anna")
	p := b.get("/staff/summary")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, "summary", p.body, "Wochenübersicht", "Kalenderwoche 9/2026, 23.02.2026 – 01.03.2026",
		"<strong>6</strong> Fragen", "<strong>75 %</strong> beantwortet", "<strong>2</strong> Notfälle",
		"<strong>1</strong> Anfragen an das Team (davon mit Antwort: 1)", "<strong>2 h 15 min</strong>",
		"Arabisch", "Häufigste unbeantwortete Fragen", "روضة أطفال &lt;script&gt;", "<strong>2</strong>",
		`href="/staff/summary?week=2026-02-16"`, `href="/staff/summary?week=2026-03-02"`, `aria-current="page">Woche<`)
	if strings.Contains(p.body, "<script>") {
		t.Error("a question's text is not escaped")
	}
	// The week before, picked by a Thursday of it: nothing happened.
	p = b.get("/staff/summary?week=2026-02-19")
	mustContain(t, "week before", p.body, "Kalenderwoche 8/2026", "<strong>0</strong> Fragen", "–</strong> Zeit bis zur ersten Antwort")
	if p := b.get("/staff/summary?week=25.02.2026"); p.status != http.StatusBadRequest {
		t.Errorf("malformed week: %d", p.status)
	}
}
