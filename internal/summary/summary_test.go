package summary_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/summary"
)

// monday is a Monday, 00:00 in Oldenburg.
var monday = time.Date(2026, 11, 30, 0, 0, 0, 0, handoff.Zone)

func TestWeek(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"Monday morning", monday.Add(time.Minute), "2026-11-30"},
		{"Sunday night", monday.Add(7*24*time.Hour - time.Minute), "2026-11-30"},
		{"Sunday 23:30 in Oldenburg is Sunday 22:30 UTC", time.Date(2026, 12, 6, 22, 30, 0, 0, time.UTC), "2026-11-30"},
		{"Monday 00:30 in Oldenburg is Sunday 23:30 UTC", time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC), "2026-12-07"},
		{"across the change of year", time.Date(2027, 1, 1, 12, 0, 0, 0, handoff.Zone), "2026-12-28"},
		{"across the summer time change", time.Date(2026, 3, 29, 12, 0, 0, 0, handoff.Zone), "2026-03-23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := summary.WeekOf(tc.at)
			if w.Monday() != tc.want || w.To.Sub(w.From) < 167*time.Hour || w.To.Sub(w.From) > 169*time.Hour {
				t.Errorf("week of %v = %v – %v, want from %s", tc.at, w.From, w.To, tc.want)
			}
		})
	}
	w := summary.WeekOf(monday)
	if w.Prev().Monday() != "2026-11-23" || w.Next().Monday() != "2026-12-07" || w.Key() != 20261130 || w.Prev().Key() >= w.Key() {
		t.Errorf("prev %s next %s key %d", w.Prev().Monday(), w.Next().Monday(), w.Key())
	}
	if y, n := w.Number(); y != 2026 || n != 49 {
		t.Errorf("ISO week %d/%d, want 49/2026", n, y)
	}
	if _, err := summary.ParseWeek("30.11.2026"); err == nil {
		t.Error("a German date was taken as YYYY-MM-DD")
	}
}

func TestMedianAndDuration(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		in   []time.Duration
		want time.Duration
	}{{nil, 0}, {[]time.Duration{5 * m}, 5 * m}, {[]time.Duration{9 * m, m, 5 * m}, 5 * m}, {[]time.Duration{4 * m, m, 2 * m, 10 * m}, 3 * m}} {
		if got := summary.Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := summary.Duration(125 * m); got != "2 h 05 min" {
		t.Errorf("Duration = %q", got)
	}
	if got := summary.Duration(59*m + 20*time.Second); got != "59 min" {
		t.Errorf("Duration = %q", got)
	}
}

// fill writes a week of real data: answers in three languages, emergencies,
// unanswered questions, handoffs with and without a staff reply; and some of the
// weeks before and after, which the summary must leave out.
func fill(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	day := func(d int, h int) time.Time { return monday.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	count := func(at time.Time, lang string, kind assistant.Kind, n int) {
		for range n {
			if err := db.CountAnswer(ctx, at, lang, kind); err != nil {
				t.Fatal(err)
			}
		}
	}
	count(day(0, 9), "de", assistant.KindAnswer, 6)
	count(day(1, 9), "de", assistant.KindNotSure, 2)
	count(day(2, 9), "ar", assistant.KindAnswer, 1)
	count(day(6, 22), "ar", assistant.KindAskBack, 3)
	count(day(3, 9), "uk", assistant.KindEmergency, 2)
	count(day(4, 9), "de", assistant.KindGreeting, 1)
	count(day(-1, 9), "de", assistant.KindEmergency, 5) // the week before
	count(day(7, 1), "de", assistant.KindAnswer, 9)     // the week after
	rec := func(at time.Time, lang, text, ref string) {
		if err := db.RecordUnanswered(ctx, assistant.Unanswered{Text: text, Lang: lang, At: at, Ref: ref}); err != nil {
			t.Fatal(err)
		}
	}
	rec(day(1, 9), "de", "Kita Platz <b>bekommen</b>?", "")
	rec(day(2, 9), "de", "kita platz <b>bekommen</b>?", "")
	rec(day(3, 9), "de", "Kita Platz <b>bekommen</b>?", "")
	rec(day(2, 10), "ar", "روضة أطفال", "")
	rec(day(2, 11), "ar", "روضة أطفال", "")
	rec(day(4, 11), "uk", "Де купити квиток?", "rrrrrrrrrrrrrrr1")
	rec(day(-2, 11), "en", "last week's question", "rrrrrrrrrrrrrrr2")
	// Handoffs: replied after 30 and 90 minutes and 4 hours, one without a reply, one
	// from the week before.
	open := func(chatID int64, at time.Time, replyAfter time.Duration) {
		h, _, err := db.OpenHandoff(ctx, handoff.Opening{ChatID: chatID, Lang: "de", At: at})
		if err != nil {
			t.Fatal(err)
		}
		if replyAfter > 0 {
			if _, err := db.AddStaffReply(ctx, h.ID, 0, "anna", "Hallo", at.Add(replyAfter)); err != nil {
				t.Fatal(err)
			}
			_, msgs, _ := db.Handoff(ctx, h.ID)
			if _, err := db.AddStaffReply(ctx, h.ID, msgs[len(msgs)-1].ID, "anna", "Noch etwas", at.Add(replyAfter+time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	open(1, day(0, 10), 30*time.Minute)
	open(2, day(1, 10), 90*time.Minute)
	open(3, day(5, 10), 4*time.Hour)
	open(4, day(6, 10), 0)
	open(5, day(-3, 10), time.Minute)
}

func TestBuildOnRealData(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill(t, db)
	s, err := summary.Builder{Store: db}.Build(ctx, summary.WeekOf(monday))
	if err != nil {
		t.Fatal(err)
	}
	if s.Questions != 15 || s.Answered != 7 || s.NotSure != 5 || s.Emergencies != 2 || s.Handoffs != 4 || s.Replied != 3 || s.MedianReply != 90*time.Minute {
		t.Errorf("summary = %+v", s)
	}
	want := map[string][3]int{"de": {6, 2}, "ar": {1, 3}, "uk": {0, 0}}
	for _, l := range s.Langs {
		w, ok := want[l.Lang]
		if !ok || l.Answered != w[0] || l.NotSure != w[1] {
			t.Errorf("language %+v, want %v", l, w)
		}
	}
	if len(s.Langs) != 3 || s.Langs[0].Lang != "de" || s.Langs[0].Share != 0.75 {
		t.Errorf("languages %+v", s.Langs)
	}
	if s.Grouped || len(s.Groups) != 3 || s.Groups[0].Count != 3 || s.Groups[0].Langs["de"] != 3 || s.Groups[1].Count != 2 {
		t.Errorf("groups %+v", s.Groups)
	}

	text := summary.Text(s, func(id string, data map[string]any) string {
		if id == "StaffSummaryHeading" {
			return "KW " + fmt.Sprint(data["Week"], "/", data["Year"]) + " " + data["From"].(string) + "–" + data["To"].(string)
		}
		return id
	}, strings.ToUpper)
	for _, w := range []string{
		"KW 49/2026 30.11.2026–06.12.2026",
		"StaffSummaryQuestions: 15 · StaffSummaryShare: 58 %",
		"DE 75 % (6/8) · AR 25 % (1/4) · UK 0 % (0/0)",
		"<b>StaffSummaryFrequent</b>",
		"1. „Kita Platz &lt;b&gt;bekommen&lt;/b&gt;?“ – 3 (de 3)",
		"StaffSummaryEmergencies: 2",
		"StaffSummaryHandoffs: 4, StaffSummaryReplied: 3",
		"StaffSummaryMedian: 1 h 30 min",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "last week") || strings.Contains(text, "<b>bekommen") {
		t.Errorf("text shows another week's question or unescaped HTML:\n%s", text)
	}

	// With the grouping across languages wired in, its groups are listed.
	groups := func(ctx context.Context, from, to time.Time, n int) ([]summary.GroupLine, error) {
		if !from.Equal(monday) || n != summary.TopN {
			t.Errorf("groups asked for %v, %d", from, n)
		}
		return []summary.GroupLine{{Label: "Kita", Count: 5, Langs: map[string]int{"de": 3, "ar": 2}}}, nil
	}
	g, err := summary.Builder{Store: db, Groups: groups}.Build(ctx, summary.WeekOf(monday))
	if err != nil || !g.Grouped || len(g.Groups) != 1 {
		t.Fatalf("grouped: %+v, %v", g, err)
	}
	if text := summary.Text(g, func(id string, _ map[string]any) string { return id }, strings.ToUpper); !strings.Contains(text, "<b>StaffSummaryGroups</b>\n1. „Kita“ – 5 (de 3, ar 2)") {
		t.Errorf("grouped text:\n%s", text)
	}
}

// TestJobOncePerWeekAcrossRestarts: the job sends the last complete week once; a
// second look, and a restart on the same database file, send nothing; a failed send
// is tried again; the next week is sent when it is over.
func TestJobOncePerWeekAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), sqlite.FileName)
	db, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db)
	now := monday.AddDate(0, 0, 7).Add(8 * time.Hour) // the Monday after, 08:00
	var sent []string
	var fail error
	job := func(db *sqlite.DB) *summary.Job {
		return &summary.Job{Builder: summary.Builder{Store: db}, Now: func() time.Time { return now },
			Localize: func(id string, _ map[string]any) string { return id }, LangName: func(s string) string { return s },
			Send: func(_ context.Context, text string) error {
				if fail != nil {
					return fail
				}
				sent = append(sent, text)
				return nil
			}}
	}
	// Monday 07:59: last week's summary is not due yet; the week before it, never
	// sent, is (its 5 emergencies).
	early := now.Add(-time.Minute)
	j := job(db)
	j.Now = func() time.Time { return early }
	if ok, err := j.Once(ctx); !ok || err != nil || len(sent) != 1 || !strings.Contains(sent[0], "StaffSummaryEmergencies: 5") {
		t.Fatalf("before 08:00: %v, %v, %q", ok, err, sent)
	}
	sent = nil
	fail = context.DeadlineExceeded
	if ok, err := job(db).Once(ctx); ok || err == nil {
		t.Fatalf("failed send: %v, %v", ok, err)
	}
	fail = nil
	if ok, err := job(db).Once(ctx); !ok || err != nil || len(sent) != 1 || !strings.Contains(sent[0], "StaffSummaryEmergencies: 2") {
		t.Fatalf("first: %v, %v, %q", ok, err, sent)
	}
	if ok, err := job(db).Once(ctx); ok || err != nil {
		t.Errorf("second look: %v, %v", ok, err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now = now.Add(48 * time.Hour)
	if ok, err := job(db).Once(ctx); ok || err != nil || len(sent) != 1 {
		t.Errorf("after a restart in the same week: %v, %v, %d sent", ok, err, len(sent))
	}
	now = now.AddDate(0, 0, 7)
	if ok, err := job(db).Once(ctx); !ok || err != nil || len(sent) != 2 || !strings.Contains(sent[1], "StaffSummaryEmergencies: 0") {
		t.Errorf("the next week: %v, %v, %q", ok, err, sent)
	}
}
