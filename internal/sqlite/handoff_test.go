package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/staff"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func record(t *testing.T, d *DB, text, lang, ref string, at time.Time) int64 {
	t.Helper()
	if err := d.RecordUnanswered(context.Background(), assistant.Unanswered{Text: text, Lang: lang, Ref: ref, At: at,
		Candidates: []assistant.Hit{{TopicID: "work", Score: 0.25}, {TopicID: "housing", Score: 0.125}}}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := d.w.QueryRow("SELECT max(id) FROM unanswered").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestUnansweredAnonymousAndMasked: a question is stored without a chat and with
// phone numbers and e-mail addresses masked, whatever the caller passed.
func TestUnansweredAnonymousAndMasked(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	id := record(t, d, "ruf mich an: +49 176 12345678, mail: ali@example.org", "de", "ref0000000000001", t0)
	var chatID any
	var text, ref string
	if err := d.w.QueryRow("SELECT chat_id, text, ref FROM unanswered WHERE id = ?", id).Scan(&chatID, &text, &ref); err != nil {
		t.Fatal(err)
	}
	if chatID != nil || text != "ruf mich an: [phone], mail: [e-mail]" || ref != "ref0000000000001" {
		t.Fatalf("stored: chat %v, text %q, ref %q", chatID, text, ref)
	}
	q, err := d.Question(ctx, id)
	if err != nil || q.Status != handoff.StatusOpen || len(q.Candidates) != 2 || q.Candidates[0].TopicID != "work" || q.Candidates[0].Score != 0.25 {
		t.Fatalf("question: %+v, %v", q, err)
	}
	if _, err := d.Question(ctx, 999); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("unknown question: %v", err)
	}
}

func TestHandoffLifecycle(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	qid := record(t, d, "wo parken", "de", "refrefrefrefref1", t0)
	o := handoff.Opening{ChatID: 42, Lang: "de", Ref: "refrefrefrefref1", At: t0.Add(time.Minute)}
	h, created, err := d.OpenHandoff(ctx, o)
	if err != nil || !created || h.Text != "wo parken" || h.QuestionID != qid || h.ChatID != 42 || len(h.Candidates) != 2 {
		t.Fatalf("open: %+v %v %v", h, created, err)
	}
	// Opening again returns the open one; the reference is used up.
	again, created, err := d.OpenHandoff(ctx, o)
	if err != nil || created || again.ID != h.ID {
		t.Fatalf("open again: %+v %v %v", again, created, err)
	}
	if q, _ := d.Question(ctx, qid); q.Status != handoff.StatusHandoff || q.HandoffID != h.ID {
		t.Errorf("question after handing over: %+v", q)
	}
	if c, err := d.Chat(ctx, 42); err != nil || !c.Consent.Equal(t0.Add(time.Minute)) {
		t.Errorf("consent: %+v, %v", c, err)
	}
	m1, err := d.AddUserMessage(ctx, h.ID, 1001, "und wo ist das Amt?", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The same Telegram message again (its update handled twice after a crash).
	if again, err := d.AddUserMessage(ctx, h.ID, 1001, "und wo ist das Amt?", t0.Add(9*time.Minute)); err != nil || again.ID != m1.ID {
		t.Fatalf("the same message again: %+v, %v", again, err)
	}
	// A reply to an older state of the thread is refused.
	if _, err := d.AddStaffReply(ctx, h.ID, 0, "anna", "x", t0.Add(3*time.Minute)); !errors.Is(err, handoff.ErrConflict) {
		t.Errorf("stale reply: %v", err)
	}
	r, err := d.AddStaffReply(ctx, h.ID, m1.ID, "anna", "Pferdemarkt 14", t0.Add(3*time.Minute))
	if err != nil || r.Delivery != handoff.DeliveryPending {
		t.Fatalf("reply: %+v, %v", r, err)
	}
	if err := d.SetDelivery(ctx, r.ID, handoff.DeliverySent, t0.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, msgs, err := d.Handoff(ctx, h.ID)
	if err != nil || len(msgs) != 2 || msgs[1].Delivery != handoff.DeliverySent || !msgs[1].DeliveredAt.Equal(t0.Add(4*time.Minute)) ||
		msgs[1].StaffName != "anna" || !got.UpdatedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("handoff: %+v %+v %v", got, msgs, err)
	}
	items, total, err := d.ReviewItems(ctx, handoff.Filter{})
	if err != nil || total != 1 || items[0].Kind != handoff.KindHandoff || items[0].Messages != 2 || items[0].Waiting {
		t.Fatalf("inbox: %+v %d %v", items, total, err)
	}
	closed, err := d.CloseHandoff(ctx, h.ID, handoff.StatusClosed, "anna", t0.Add(5*time.Minute))
	if err != nil || closed.Status != handoff.StatusClosed || closed.ClosedBy != "anna" {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	if _, err := d.CloseHandoff(ctx, h.ID, handoff.StatusSpam, "bernd", t0); !errors.Is(err, handoff.ErrClosed) {
		t.Errorf("close twice: %v", err)
	}
	if _, err := d.AddUserMessage(ctx, h.ID, 0, "hallo?", t0); !errors.Is(err, handoff.ErrClosed) {
		t.Errorf("message to a closed handoff: %v", err)
	}
	if _, err := d.AddStaffReply(ctx, h.ID, 99, "anna", "x", t0); !errors.Is(err, handoff.ErrClosed) {
		t.Errorf("reply to a closed handoff: %v", err)
	}
	if _, err := d.ActiveHandoff(ctx, 42); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("active after close: %v", err)
	}
	if q, _ := d.Question(ctx, qid); q.Status != handoff.StatusClosed {
		t.Errorf("question after closing: %+v", q)
	}
	// A new handoff may open after the old one closed.
	if h2, created, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 42, Lang: "en"}); err != nil || !created || h2.ID == h.ID || h2.Text != "" {
		t.Fatalf("second handoff: %+v %v %v", h2, created, err)
	}
}

// TestConcurrentStaffReplies: two staff members reply to what they both saw; exactly
// one reply is stored.
func TestConcurrentStaffReplies(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	h, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 7, Lang: "en", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := d.AddUserMessage(ctx, h.ID, 0, "hello?", t0)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.AddStaffReply(ctx, h.ID, m.ID, fmt.Sprint("staff", i), "reply", t0)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, handoff.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	_, msgs, _ := d.Handoff(ctx, h.ID)
	if ok != 1 || len(msgs) != 2 {
		t.Fatalf("%d replies accepted, %d messages; want exactly one reply", ok, len(msgs))
	}
}

// TestForgetDeletesHandoffs: /forget deletes the chat's handoffs and messages at
// once; the question it started from stays anonymous.
func TestForgetDeletesHandoffs(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	qid := record(t, d, "frage", "de", "forgetforgetfor1", t0)
	h, _, _ := d.OpenHandoff(ctx, handoff.Opening{ChatID: 5, Lang: "de", Ref: "forgetforgetfor1", At: t0})
	d.AddUserMessage(ctx, h.ID, 0, "noch etwas", t0)
	other, _, _ := d.OpenHandoff(ctx, handoff.Opening{ChatID: 6, Lang: "de", At: t0})
	if err := d.Forget(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Handoff(ctx, h.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("handoff after forget: %v", err)
	}
	var n int
	d.w.QueryRow("SELECT count(*) FROM handoff_message WHERE handoff_id = ?", h.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages left", n)
	}
	if _, _, err := d.Handoff(ctx, other.ID); err != nil {
		t.Errorf("another chat's handoff: %v", err)
	}
	if q, err := d.Question(ctx, qid); err != nil || q.HandoffID != 0 {
		t.Errorf("question after forget: %+v, %v", q, err)
	}
}

// TestRetention runs the retention job with a fake clock: closed handoffs go after
// the handoff period, open ones stay; anonymous questions go after theirs.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	now := t0
	clock := func() time.Time { return now }
	record(t, d, "old question", "de", "", t0)
	h1, _, _ := d.OpenHandoff(ctx, handoff.Opening{ChatID: 1, Lang: "de", At: t0})
	d.AddUserMessage(ctx, h1.ID, 0, "hi", t0)
	d.CloseHandoff(ctx, h1.ID, handoff.StatusClosed, "anna", t0.Add(time.Hour))
	h2, _, _ := d.OpenHandoff(ctx, handoff.Opening{ChatID: 2, Lang: "de", At: t0}) // stays open
	d.Vote(ctx, chat.Vote{ChatID: 3, TopicID: "work", Lang: "de", Helpful: true, At: t0})
	d.SetLang(ctx, 4, "uk") // a language choice stays until /forget
	hash, _ := staff.Hash("a long password!", 4)
	acc, _ := d.AddStaff(ctx, "anna", hash, t0)
	d.CreateSession(ctx, staff.Session{TokenHash: "h", StaffID: acc.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)})

	job := handoff.RetentionJob{Store: d, Policy: handoff.DefaultRetention, Now: clock}
	steps := []struct {
		after time.Duration
		want  handoff.Purged
	}{
		{29 * 24 * time.Hour, handoff.Purged{Sessions: 1}},
		// The chat of the handoff and the chat of the vote hold nothing else now.
		{30*24*time.Hour + 2*time.Hour, handoff.Purged{Handoffs: 1, Chats: 2, Votes: 1}},
		{179 * 24 * time.Hour, handoff.Purged{}},
		{180*24*time.Hour + time.Minute, handoff.Purged{Questions: 1}},
	}
	for _, s := range steps {
		now = t0.Add(s.after)
		got, err := job.Once(ctx)
		if err != nil || got != s.want {
			t.Fatalf("after %v: purged %+v, %v; want %+v", s.after, got, err, s.want)
		}
	}
	if _, _, err := d.Handoff(ctx, h1.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("closed handoff kept: %v", err)
	}
	if _, _, err := d.Handoff(ctx, h2.ID); err != nil {
		t.Errorf("open handoff deleted: %v", err)
	}
	if c, err := d.Chat(ctx, 4); err != nil || c.Lang != "uk" {
		t.Errorf("language choice: %+v, %v", c, err)
	}
	if _, err := d.Chat(ctx, 1); !errors.Is(err, chat.ErrNotFound) {
		t.Errorf("the chat of the deleted handoff is kept: %v", err)
	}
	if votes, _ := d.VotesByTopic(ctx); len(votes) != 1 || votes[0].Helpful != 1 {
		t.Errorf("votes: %+v", votes)
	}
}

func TestReviewItemsFilters(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	for i := range 30 {
		lang := "de"
		if i%3 == 0 {
			lang = "ar"
		}
		record(t, d, fmt.Sprintf("Frage %02d über 100%% Miete_Wohnung", i), lang, "", t0.Add(time.Duration(i)*time.Hour))
	}
	h, _, _ := d.OpenHandoff(ctx, handoff.Opening{ChatID: 9, Lang: "en", At: t0.Add(100 * time.Hour)})
	d.AddUserMessage(ctx, h.ID, 0, "my question", t0.Add(101*time.Hour))
	if err := d.SetQuestionStatus(ctx, 1, handoff.StatusSpam, "", "anna", t0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		f     handoff.Filter
		total int
		first string
	}{
		{"open, newest first", handoff.Filter{}, 30, "my question"},
		{"page 2", handoff.Filter{Page: 2, Per: 10}, 30, "Frage 20 über 100% Miete_Wohnung"},
		{"language", handoff.Filter{Lang: "ar"}, 9, "Frage 27 über 100% Miete_Wohnung"},
		{"kind", handoff.Filter{Kind: handoff.KindHandoff}, 1, "my question"},
		{"status", handoff.Filter{Status: handoff.StatusSpam}, 1, "Frage 00 über 100% Miete_Wohnung"},
		{"dates", handoff.Filter{From: t0.Add(5 * time.Hour), To: t0.Add(8 * time.Hour)}, 3, "Frage 07 über 100% Miete_Wohnung"},
		{"search", handoff.Filter{Query: "frage 1"}, 10, "Frage 19 über 100% Miete_Wohnung"},
		{"search: % is a character", handoff.Filter{Query: "100%"}, 29, "Frage 29 über 100% Miete_Wohnung"},
		{"search: _ is a character", handoff.Filter{Query: "e_W"}, 29, "Frage 29 über 100% Miete_Wohnung"},
		{"search: no wildcard", handoff.Filter{Query: "%_%"}, 0, ""},
		{"injection in the search", handoff.Filter{Query: "' OR 1=1 --"}, 0, ""},
		{"injection in the language", handoff.Filter{Lang: "de' OR '1'='1"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, total, err := d.ReviewItems(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.total {
				t.Errorf("total %d, want %d", total, tc.total)
			}
			first := ""
			if len(items) > 0 {
				first = items[0].Text
			}
			if first != tc.first {
				t.Errorf("first %q, want %q", first, tc.first)
			}
		})
	}
	var n int
	d.w.QueryRow("SELECT count(*) FROM unanswered").Scan(&n)
	if n != 30 {
		t.Errorf("%d questions after the injection attempts", n)
	}
}

func TestLearnedAndStats(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	for _, l := range []handoff.Learned{
		{TopicID: "work", Lang: "de", Text: "Jobcenter Termin", By: "anna", At: t0},
		{TopicID: "housing", Lang: "de", Text: "JOBCENTER termin", By: "bernd", At: t0}, // the same phrasing: kept once
		{TopicID: "work", Lang: "en", Text: "Jobcenter Termin", By: "anna", At: t0},
	} {
		if err := d.Learn(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	ls, err := d.LearnedPhrasings(ctx)
	if err != nil || len(ls) != 2 || ls[0].TopicID != "work" || ls[1].Lang != "en" {
		t.Fatalf("learned: %+v, %v", ls, err)
	}
	if err := d.MarkExported(ctx, []int64{ls[0].ID}, t0); err != nil {
		t.Fatal(err)
	}
	if ls, _ := d.LearnedPhrasings(ctx); ls[0].ExportedAt.IsZero() || !ls[1].ExportedAt.IsZero() {
		t.Errorf("exported: %+v", ls)
	}

	// 2026-03-02 00:30 in Berlin is still 1 March in UTC: days are the city's.
	late := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		lang string
		kind assistant.Kind
	}{
		{late, "de", assistant.KindAnswer}, {t0, "de", assistant.KindAnswer}, {t0, "de", assistant.KindNotSure},
		{t0, "uk", assistant.KindNotSure}, {t0, "uk", assistant.KindEmergency}, {t0.AddDate(0, 0, 1), "en", assistant.KindAnswer},
	} {
		if err := d.CountAnswer(ctx, c.at, c.lang, c.kind); err != nil {
			t.Fatal(err)
		}
	}
	record(t, d, "Wo parken?", "de", "", t0)
	record(t, d, "wo parken?", "de", "", t0.Add(time.Hour))
	record(t, d, "other", "en", "", t0)
	d.Vote(ctx, chat.Vote{ChatID: 1, TopicID: "work", Lang: "de", Helpful: false, At: t0})
	d.Vote(ctx, chat.Vote{ChatID: 2, TopicID: "work", Lang: "de", Helpful: true, At: t0})
	d.OpenHandoff(ctx, handoff.Opening{ChatID: 3, Lang: "de", At: t0})

	from := time.Date(2026, 3, 1, 0, 0, 0, 0, handoff.Zone)
	s, err := d.Stats(ctx, from, from.AddDate(0, 0, 3), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Days) != 3 || s.Days[0].Day != "2026-03-01" || s.Days[1] != (handoff.DayCount{Day: "2026-03-02", Answered: 2, NotSure: 2, Other: 1}) ||
		s.Days[2].Answered != 1 || s.Days[0].Total() != 0 {
		t.Errorf("days: %+v", s.Days)
	}
	if len(s.Langs) != 3 || s.Langs[0].Lang != "de" || s.Langs[1].Lang != "en" || s.Langs[2] != (handoff.LangCount{Lang: "uk", NotSure: 1, Other: 1}) {
		t.Errorf("languages: %+v", s.Langs)
	}
	if len(s.Votes) != 1 || s.Votes[0] != (handoff.TopicVotes{TopicID: "work", Helpful: 1, Useless: 1}) {
		t.Errorf("votes: %+v", s.Votes)
	}
	if len(s.Frequent) != 2 || s.Frequent[0].Count != 2 || s.Frequent[0].Lang != "de" {
		t.Errorf("frequent: %+v", s.Frequent)
	}
	if s.Handoffs != 1 {
		t.Errorf("handoffs: %d", s.Handoffs)
	}
}

func TestStaffAndSessions(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	hash, err := staff.Hash("twelve chars!", 4)
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.AddStaff(ctx, "Anna", hash, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddStaff(ctx, "anna", hash, t0); !errors.Is(err, staff.ErrExists) {
		t.Errorf("same name in another case: %v", err)
	}
	got, err := d.StaffByName(ctx, "ANNA")
	if err != nil || got.ID != a.ID || !staff.Verify(got.Hash, "twelve chars!") || staff.Verify(got.Hash, "twelve chars?") {
		t.Fatalf("by name: %+v, %v", got, err)
	}
	s := staff.Session{TokenHash: staff.TokenHash("tok"), StaffID: a.ID, CSRF: "csrf", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := d.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Session(ctx, s.TokenHash, t0.Add(time.Minute)); err != nil || got.Name != "Anna" || got.CSRF != "csrf" {
		t.Errorf("session: %+v, %v", got, err)
	}
	if _, err := d.Session(ctx, s.TokenHash, t0.Add(time.Hour)); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	if list, _ := d.ListStaff(ctx); len(list) != 1 || !list[0].LastLogin.Equal(t0) || list[0].Hash != nil {
		t.Errorf("list: %+v", list)
	}
	if err := d.RemoveStaff(ctx, "anna"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Session(ctx, s.TokenHash, t0); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("session of a removed account: %v", err)
	}
	if err := d.RemoveStaff(ctx, "anna"); !errors.Is(err, staff.ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
}

// TestMigrateFromVersion1: a database of version 1 with data moves to the current
// version; questions keep their text (masked) and lose any chat link, chats and
// votes stay, handled inbox entries lose their chat.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	raw, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrations.ReadFile("migrations/0001_channel.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
		string(v1),
		"INSERT INTO schema_migration VALUES (1, '0001_channel.sql', 0)",
		"INSERT INTO chat (id, lang, created_at, updated_at) VALUES (5, 'uk', 0, 0)",
		"INSERT INTO unanswered (at, lang, text, chat_id, candidates) VALUES (1, 'uk', 'старе питання', 5, 'work:0.100')",
		"INSERT INTO unanswered (at, lang, text, candidates) VALUES (2, 'de', 'ruf an: 0176 1234567 oder ۰۹۱۲۳۴۵۶۷۸۹', '')",
		"INSERT INTO inbox (update_id, chat_id, payload, received_at, done_at) VALUES (7, 5, NULL, 1, 2), (8, 5, x'7b7d', 1, NULL)",
		"INSERT INTO vote (chat_id, topic_id, lang, helpful, at) VALUES (5, 'work', 'uk', 1, 1)",
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, _ := d.Version(ctx); v != latest(t) {
		t.Fatalf("version %d", v)
	}
	var chats int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM inbox WHERE chat_id != 0").Scan(&chats); err != nil || chats != 1 {
		t.Errorf("%d inbox entries with a chat, want only the pending one: %v", chats, err)
	}
	q, err := d.Question(ctx, 1)
	if err != nil || q.Text != "старе питання" || q.Status != handoff.StatusOpen || len(q.Candidates) != 1 {
		t.Fatalf("question: %+v, %v", q, err)
	}
	us, _ := d.UnansweredSince(ctx, time.Time{}, 10)
	if len(us) != 2 || us[0].ChatID != 0 {
		t.Errorf("chat link kept: %+v", us)
	}
	if len(us) == 2 && us[1].Text != "ruf an: [phone] oder [phone]" {
		t.Errorf("an old question is not masked: %q", us[1].Text)
	}
	if c, err := d.Chat(ctx, 5); err != nil || c.Lang != "uk" || !c.Consent.IsZero() {
		t.Errorf("chat: %+v, %v", c, err)
	}
}

// TestPurgeLeavesNothingInTheFile: what retention deletes — a closed handoff's
// messages, an old anonymous question — is not readable from the database file or
// its write-ahead log afterwards.
func TestPurgeLeavesNothingInTheFile(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	const inHandoff, inQuestion = "Handoffmarke8K2Z", "Fragemarke3J7W"
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	h, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 77, Lang: "de", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddUserMessage(ctx, h.ID, 1, "Ich bin "+inHandoff, at); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseHandoff(ctx, h.ID, handoff.StatusClosed, "anna", at); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordUnanswered(ctx, assistant.Unanswered{Text: "Wo " + inQuestion, Lang: "de", At: at}); err != nil {
		t.Fatal(err)
	}
	grep := func() (found []string) {
		for _, suffix := range []string{"", "-wal"} {
			data, _ := os.ReadFile(file + suffix)
			for _, m := range []string{inHandoff, inQuestion} {
				if bytes.Contains(data, []byte(m)) {
					found = append(found, m+" in "+filepath.Base(file+suffix))
				}
			}
		}
		return found
	}
	if len(grep()) < 2 {
		t.Fatal("the markers are not in the files before the purge: the test proves nothing")
	}
	p, err := d.Purge(ctx, handoff.Retention{HandoffDays: 30, QuestionDays: 180}, at.AddDate(1, 0, 0))
	if err != nil || p.Handoffs != 1 || p.Questions != 1 {
		t.Fatalf("purge: %+v, %v", p, err)
	}
	if found := grep(); len(found) > 0 {
		t.Errorf("after the purge: %v", found)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if found := grep(); len(found) > 0 {
		t.Errorf("after the purge and close: %v", found)
	}
}
