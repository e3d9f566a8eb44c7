package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/staff"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func record(t *testing.T, d DB, text, lang, ref string, at time.Time) int64 {
	t.Helper()
	if err := d.RecordUnanswered(context.Background(), assistant.Unanswered{Text: text, Lang: lang, Ref: ref, At: at,
		Candidates: []assistant.Hit{{TopicID: "work", Score: 0.25}, {TopicID: "housing", Score: 0.125}}}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := d.Raw("SELECT max(id) FROM unanswered", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func testChats(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	if _, err := d.Chat(ctx, 1); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("unknown chat: err = %v, want ErrNotFound", err)
	}
	// Marking an unknown chat active stores nothing.
	if err := d.SetActive(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Chat(ctx, 1); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("SetActive(true) stored a row: %v", err)
	}
	steps := []struct {
		name string
		do   func() error
		want chat.Chat
	}{
		{"choose language", func() error { return d.SetLang(ctx, 1, "ar") }, chat.Chat{ID: 1, Lang: "ar", Active: true}},
		{"block", func() error { return d.SetActive(ctx, 1, false) }, chat.Chat{ID: 1, Lang: "ar", Active: false}},
		{"unblock", func() error { return d.SetActive(ctx, 1, true) }, chat.Chat{ID: 1, Lang: "ar", Active: true}},
		{"change language", func() error { return d.SetLang(ctx, 1, "fa") }, chat.Chat{ID: 1, Lang: "fa", Active: true}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			got, err := d.Chat(ctx, 1)
			if err != nil || got != s.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, s.want)
			}
		})
	}
	// A blocked chat that was never stored is stored inactive.
	if err := d.SetActive(ctx, 2, false); err != nil {
		t.Fatal(err)
	}
	if c, err := d.Chat(ctx, 2); err != nil || c.Active {
		t.Fatalf("chat 2: %+v, %v; want inactive", c, err)
	}
}

func testForgetKeepsVotesAnonymous(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	if err := d.SetLang(ctx, 5, "de"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []chat.Vote{
		{ChatID: 5, TopicID: "housing", Lang: "de", Helpful: false},
		{ChatID: 5, TopicID: "housing", Lang: "en", Helpful: true}, // replaces the first
		{ChatID: 6, TopicID: "housing", Lang: "de", Helpful: true},
		{ChatID: 5, TopicID: "work", Lang: "de", Helpful: false},
	} {
		if err := d.Vote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordUnanswered(ctx, assistant.Unanswered{Text: "wo parken", Lang: "de",
		Candidates: []assistant.Hit{{TopicID: "housing", Score: 0.1234}}}); err != nil {
		t.Fatal(err)
	}
	want := []handoff.TopicVotes{{TopicID: "housing", Helpful: 2}, {TopicID: "work", Useless: 1}}
	check := func() {
		t.Helper()
		got, err := d.VotesByTopic(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("votes = %+v, want %+v", got, want)
		}
	}
	check()
	if err := d.Forget(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Chat(ctx, 5); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("chat 5 after Forget: %v", err)
	}
	check() // the votes stay
	var linked int
	if err := d.Raw("SELECT count(*) FROM vote WHERE chat_id = 5", &linked); err != nil || linked != 0 {
		t.Fatalf("votes still linked to chat 5: %d, %v", linked, err)
	}
	us, err := d.UnansweredSince(ctx, time.Time{}, 10)
	if err != nil || len(us) != 1 {
		t.Fatalf("unanswered: %+v, %v", us, err)
	}
	if us[0].ChatID != 0 || us[0].Text != "wo parken" || us[0].Candidates != "housing:0.123" {
		t.Fatalf("unanswered after Forget: %+v", us[0])
	}
}

func testInbox(t *testing.T, open Opener) {
	ctx := context.Background()
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	d := open(t, func() time.Time { return now })
	up := func(id int64) chat.Update {
		return chat.Update{ID: id, ChatID: 100 + id, Payload: []byte(`{"update_id":1}`), Received: now}
	}
	st, err := d.Append(ctx, []chat.Update{up(3), up(1), up(2)}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		if s != chat.StatusNew {
			t.Fatalf("status[%d] = %v, want new", i, s)
		}
	}
	if off, err := d.Offset(ctx); err != nil || off != 4 {
		t.Fatalf("offset = %d, %v; want 4", off, err)
	}
	if err := d.Done(ctx, []int64{1}, now); err != nil {
		t.Fatal(err)
	}
	// A second delivery: 1 is done, 2 pending, 4 new. The offset never goes back.
	st, err = d.Append(ctx, []chat.Update{up(1), up(2), up(4)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []chat.Status{chat.StatusDone, chat.StatusPending, chat.StatusNew}; st[0] != want[0] || st[1] != want[1] || st[2] != want[2] {
		t.Fatalf("statuses = %v, want %v", st, want)
	}
	if off, _ := d.Offset(ctx); off != 4 {
		t.Fatalf("offset went back to %d", off)
	}
	pend, err := d.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range pend {
		ids = append(ids, p.ID)
		if string(p.Payload) != `{"update_id":1}` || p.ChatID != 100+p.ID || !p.Received.Equal(now) {
			t.Errorf("pending %d: %+v", p.ID, p)
		}
	}
	if len(ids) != 3 || ids[0] != 2 || ids[1] != 3 || ids[2] != 4 {
		t.Fatalf("pending = %v, want [2 3 4]", ids)
	}
	// Done drops the payload.
	var payload []byte
	if err := d.Raw("SELECT payload FROM inbox WHERE update_id = 1", &payload); err != nil || payload != nil {
		t.Fatalf("payload of a handled update = %q, %v", payload, err)
	}
	// Many ids at once (more than one chunk).
	var many []chat.Update
	var manyIDs []int64
	for i := int64(10); i < 1210; i++ {
		many = append(many, up(i))
		manyIDs = append(manyIDs, i)
	}
	if _, err := d.Append(ctx, many, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.Done(ctx, append(manyIDs, 2, 3, 4), now); err != nil {
		t.Fatal(err)
	}
	if pend, _ := d.Pending(ctx); len(pend) != 0 {
		t.Fatalf("%d pending after Done", len(pend))
	}
	n, err := d.Prune(ctx, now.Add(time.Second))
	if err != nil || n != 1204 {
		t.Fatalf("pruned %d, %v; want 1204", n, err)
	}
}

func testConcurrentWriters(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			var err error
			for i := range 50 {
				id := int64(w*1000 + i)
				if _, err = d.Append(ctx, []chat.Update{{ID: id, Received: time.Now()}}, id+1); err != nil {
					break
				}
				if err = d.Done(ctx, []int64{id}, time.Now()); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if off, _ := d.Offset(ctx); off != 7050 {
		t.Fatalf("offset = %d, want 7050", off)
	}
}

func testUnansweredAnonymousAndMasked(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	id := record(t, d, "ruf mich an: +49 176 12345678, mail: ali@example.org", "de", "ref0000000000001", t0)
	var chatID any
	var text, ref string
	if err := d.Raw(fmt.Sprintf("SELECT chat_id, text, ref FROM unanswered WHERE id = %d", id), &chatID, &text, &ref); err != nil {
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

func testHandoffLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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

func testConcurrentStaffReplies(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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

func testForgetDeletesHandoffs(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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
	d.Raw(fmt.Sprintf("SELECT count(*) FROM handoff_message WHERE handoff_id = %d", h.ID), &n)
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

func testRetention(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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

func testReviewItemsFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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
	d.Raw("SELECT count(*) FROM unanswered", &n)
	if n != 30 {
		t.Errorf("%d questions after the injection attempts", n)
	}
}

func testLearnedAndStats(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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

func testStaffAndSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
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

func testTopicDemandCountsByTopicAndLanguage(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, handoff.Zone)
	// 2026-03-02 00:30 in Berlin is still 1 March in UTC: days are the city's.
	early := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		at          time.Time
		lang, topic string
	}{
		{t0, "de", "residence"}, {t0, "de", "residence"}, {early, "uk", "residence"},
		{t0.AddDate(0, 0, 1), "uk", "residence"}, {t0, "ar", "kita"},
		{t0.AddDate(0, 0, -1), "de", "kita"}, // the day before since: not counted
	} {
		if err := d.CountTopic(ctx, c.at, c.lang, c.topic); err != nil {
			t.Fatal(err)
		}
	}
	since := time.Date(2026, 3, 2, 0, 0, 0, 0, handoff.Zone)
	got, err := d.TopicDemand(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []handoff.TopicCount{{TopicID: "kita", Lang: "ar", N: 1}, {TopicID: "residence", Lang: "de", N: 2}, {TopicID: "residence", Lang: "uk", N: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("demand %+v, want %+v", got, want)
	}

	// Kept DemandDays even when anonymous questions go sooner; no text or chat to
	// keep longer than that.
	r := handoff.Retention{HandoffDays: 7, QuestionDays: 30}
	for _, c := range []struct {
		name string
		now  time.Time
		rows int64
		left int
	}{
		{"younger than DemandDays", t0.AddDate(0, 0, 60), 0, 4},
		{"the oldest day goes", t0.AddDate(0, 0, handoff.DemandDays), 1, 3},
		{"the next day goes a day later", t0.AddDate(0, 0, handoff.DemandDays+1), 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := d.Purge(ctx, r, c.now)
			if err != nil {
				t.Fatal(err)
			}
			all, _ := d.TopicDemand(ctx, time.Time{})
			if p.Topics != c.rows || len(all) != c.left {
				t.Errorf("purged %d rows, %d topic languages left %+v; want %d, %d", p.Topics, len(all), all, c.rows, c.left)
			}
		})
	}
}
