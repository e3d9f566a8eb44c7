package sqlite

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// TestBacklogStore: open items are the open questions and the open handoffs with a
// text; a need closes its open questions and links them, leaves others alone, and
// keeps its counts after the questions are purged.
func TestBacklogStore(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	q1 := record(t, d, "Führerschein umschreiben?", "de", "", t0)
	q2 := record(t, d, "водительские права обменять", "ru", "", t0.Add(time.Minute))
	q3 := record(t, d, "spam spam", "en", "", t0.Add(2*time.Minute))
	record(t, d, "handed over", "ar", "refhanded0000001", t0.Add(3*time.Minute))
	if err := d.SetQuestionStatus(ctx, q3, handoff.StatusSpam, "", "anna", t0); err != nil {
		t.Fatal(err)
	}
	h, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 9, Lang: "ar", Ref: "refhanded0000001", At: t0.Add(4 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 10, Lang: "tr", At: t0}); err != nil { // no text yet
		t.Fatal(err)
	}
	items, err := d.OpenItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]backlog.Item{}
	for _, it := range items {
		keys[it.Key()] = it
	}
	want := []string{"q" + itoa(q1), "q" + itoa(q2), "h" + itoa(h.ID)}
	if len(keys) != len(want) {
		t.Fatalf("open items %v, want %v", keys, want)
	}
	for _, k := range want {
		if _, ok := keys[k]; !ok {
			t.Fatalf("open items %v lack %s", keys, k)
		}
	}
	if it := keys["h"+itoa(h.ID)]; it.Text != "handed over" || it.Lang != "ar" || len(it.Candidates) != 2 {
		t.Errorf("handoff item %+v", it)
	}
	if it := keys["q"+itoa(q1)]; it.Candidates[0].TopicID != "work" || !it.At.Equal(t0) {
		t.Errorf("question item %+v", it)
	}

	n, err := d.AddNeed(ctx, backlog.Need{Title: "Führerschein", Asked: 3, CreatedAt: t0.Add(time.Hour), CreatedBy: "anna",
		Langs: []backlog.LangCount{{Lang: "de", N: 1}, {Lang: "ru", N: 1}, {Lang: "ar", N: 1}}}, []int64{q1, q2, q3})
	if err != nil || n.ID == 0 {
		t.Fatalf("add need: %+v, %v", n, err)
	}
	for _, id := range []int64{q1, q2} {
		q, _ := d.Question(ctx, id)
		var need int64
		d.r.QueryRow("SELECT need_id FROM unanswered WHERE id = ?", id).Scan(&need)
		if q.Status != handoff.StatusClosed || q.HandledBy != "anna" || need != n.ID {
			t.Errorf("question %d: %s by %q, need %d", id, q.Status, q.HandledBy, need)
		}
	}
	if q, _ := d.Question(ctx, q3); q.Status != handoff.StatusSpam {
		t.Errorf("spam question became %s", q.Status)
	}
	needs, err := d.Needs(ctx)
	if err != nil || len(needs) != 1 || needs[0].Title != "Führerschein" || needs[0].Asked != 3 || len(needs[0].Langs) != 3 || needs[0].Langs[1] != (backlog.LangCount{Lang: "ru", N: 1}) {
		t.Fatalf("needs %+v, %v", needs, err)
	}
	// The questions go after the retention; the need and its counts stay.
	if _, err := d.Purge(ctx, handoff.DefaultRetention, t0.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if needs, _ := d.Needs(ctx); len(needs) != 1 || needs[0].Asked != 3 {
		t.Errorf("after purge: %+v", needs)
	}
	if err := d.SetNeedDone(ctx, n.ID, "ben", t0); err != nil {
		t.Fatal(err)
	}
	if needs, _ := d.Needs(ctx); len(needs) != 0 {
		t.Errorf("a done need is listed: %+v", needs)
	}
	if err := d.SetNeedDone(ctx, n.ID, "ben", t0); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("done twice: %v", err)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
