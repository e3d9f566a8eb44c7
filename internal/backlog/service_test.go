package backlog_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	d, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// ask records an unanswered question and returns its key.
func ask(t *testing.T, d *sqlite.DB, text, lang string, at time.Time) string {
	t.Helper()
	if err := d.RecordUnanswered(context.Background(), assistant.Unanswered{Text: text, Lang: lang, At: at}); err != nil {
		t.Fatal(err)
	}
	items, err := d.OpenItems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last backlog.Item
	for _, it := range items {
		if it.Kind == handoff.KindQuestion && it.ID > last.ID {
			last = it
		}
	}
	return last.Key()
}

// TestServiceActsOnWholeGroups: "answered by topic" teaches every phrasing through
// handoff.Service.Learn (each question learned, the rebuild once), "new topic
// needed" puts the questions into one need, "spam" dismisses them; what a colleague
// handled meanwhile is skipped, not an error.
func TestServiceActsOnWholeGroups(t *testing.T) {
	ctx := context.Background()
	d := openDB(t)
	rebuilds := 0
	hs := handoff.NewService(handoff.Options{Store: d, OnLearned: func() { rebuilds++ }, Now: func() time.Time { return t0 }})
	svc := backlog.NewService(d, hs, func() time.Time { return t0 })

	a := []string{
		ask(t, d, "Wie bekomme ich einen Kita-Platz?", "de", t0),
		ask(t, d, "как получить место в детском саду", "ru", t0.Add(time.Minute)),
		ask(t, d, "روضة لابني كيف اسجل", "ar", t0.Add(2*time.Minute)),
	}
	out, err := svc.Answer(ctx, a, "kita", "anna")
	if err != nil || out.Done != 3 || out.Skipped != 0 {
		t.Fatalf("answer: %+v, %v", out, err)
	}
	if rebuilds != 1 {
		t.Errorf("%d rebuilds, want 1", rebuilds)
	}
	ls, _ := d.LearnedPhrasings(ctx)
	if len(ls) != 3 || ls[0].TopicID != "kita" || ls[1].Lang != "ru" || ls[2].By != "anna" {
		t.Errorf("learned %+v", ls)
	}
	for _, k := range a {
		_, id, _ := backlog.ParseKey(k)
		if q, _ := d.Question(ctx, id); q.Status != handoff.StatusLearned || q.TopicID != "kita" {
			t.Errorf("question %s: %s %s", k, q.Status, q.TopicID)
		}
	}
	// Answered already: skipped.
	if out, err := svc.Answer(ctx, a[:1], "kita", "ben"); err != nil || out.Done != 0 || out.Skipped != 1 || rebuilds != 1 {
		t.Errorf("again: %+v, %v, %d rebuilds", out, err, rebuilds)
	}

	b := []string{
		ask(t, d, "Führerschein umschreiben", "de", t0.Add(3*time.Minute)),
		ask(t, d, "ehliyet değiştirme", "tr", t0.Add(4*time.Minute)),
		ask(t, d, "گواهینامه رانندگی", "fa", t0.Add(5*time.Minute)),
	}
	n, err := svc.NewTopic(ctx, append(b, "q999"), "  Führerschein\tumschreiben ", "anna")
	if err != nil || n.ID == 0 || n.Title != "Führerschein umschreiben" || n.Asked != 3 || len(n.Langs) != 3 {
		t.Fatalf("new topic: %+v, %v", n, err)
	}
	needs, _ := d.Needs(ctx)
	if len(needs) != 1 || needs[0].ID != n.ID {
		t.Errorf("needs %+v", needs)
	}
	if _, err := svc.NewTopic(ctx, b, "again", "ben"); !errors.Is(err, handoff.ErrClosed) {
		t.Errorf("need of closed questions: %v", err)
	}
	for _, bad := range [][]string{nil, {"x1"}, {"q0"}, {"q-3"}} {
		if _, err := svc.Spam(ctx, bad, "anna"); !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("spam %q: %v", bad, err)
		}
	}
	if _, err := svc.NewTopic(ctx, b, "   ", "anna"); !errors.Is(err, handoff.ErrInvalid) {
		t.Errorf("empty title: %v", err)
	}

	c := []string{ask(t, d, "buy cheap followers", "en", t0.Add(6*time.Minute)), ask(t, d, "casino bonus", "en", t0.Add(7*time.Minute))}
	if out, err := svc.Spam(ctx, c, "anna"); err != nil || out.Done != 2 {
		t.Fatalf("spam: %+v, %v", out, err)
	}
	items, _ := d.OpenItems(ctx)
	if len(items) != 0 {
		t.Errorf("open after all actions: %+v", items)
	}
	if err := svc.Done(ctx, n.ID, "anna"); err != nil {
		t.Fatal(err)
	}
}

// TestGroupsFromTheStore: the service groups what the store holds open.
func TestGroupsFromTheStore(t *testing.T) {
	ctx := context.Background()
	d := openDB(t)
	svc := backlog.NewService(d, handoff.NewService(handoff.Options{Store: d}), nil)
	ask(t, d, "Wo finde ich einen Zahnarzt?", "de", t0)
	ask(t, d, "I need a dentist", "en", t0.Add(time.Minute))
	ask(t, d, "شباك التذاكر", "ar", t0.Add(2*time.Minute))
	groups, err := svc.Groups(ctx, backlog.NewGrouper(nil, shippedNeeds(t), backlog.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].Size() != 2 || !slices.Equal(groups[0].Needs, []string{"dentist"}) {
		t.Fatalf("groups %+v", groups)
	}
	if l := groups[0].Langs; len(l) != 2 || l[0].Lang != "de" || l[1].Lang != "en" {
		t.Errorf("languages %+v", l)
	}
}
