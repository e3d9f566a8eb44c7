package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
)

// count returns the result of a count(*) query.
func count(t *testing.T, d DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Raw(fmt.Sprintf(query, args...), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// testNotifySubscription: consent links a recorded question to a chat; the answer
// is claimed once; a spam or unknown question takes no link.
func testNotifySubscription(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	q1 := record(t, d, "Kita Platz bekommen, Telefon 0176 1234567?", "de", "aaaaaaaaaaaaaaaa", t0)
	q2 := record(t, d, "where do I get a fishing licence", "en", "bbbbbbbbbbbbbbbb", t0.Add(time.Minute))
	q3 := record(t, d, "buy cheap pills", "en", "cccccccccccccccc", t0)
	if err := d.SetQuestionStatus(ctx, q3, handoff.StatusSpam, "", "erika", t0); err != nil {
		t.Fatal(err)
	}

	if _, err := d.Subscribe(ctx, "zzzzzzzzzzzzzzzz", 10, "de", t0); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("unknown reference: %v, want ErrNotFound", err)
	}
	if _, err := d.Subscribe(ctx, "cccccccccccccccc", 10, "en", t0); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("spam question: %v, want ErrNotFound", err)
	}
	if created, err := d.Subscribe(ctx, "aaaaaaaaaaaaaaaa", 10, "de", t0.Add(2*time.Minute)); err != nil || !created {
		t.Fatalf("subscribe: %v, %v", created, err)
	}
	if created, err := d.Subscribe(ctx, "aaaaaaaaaaaaaaaa", 10, "de", t0.Add(3*time.Minute)); err != nil || created {
		t.Errorf("second tap: created=%v, %v; want false, nil", created, err)
	}
	if _, err := d.Subscribe(ctx, "bbbbbbbbbbbbbbbb", 11, "en", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The chats are stored, so that /forget finds the links.
	if n := count(t, d, "SELECT count(*) FROM chat WHERE id IN (10, 11)"); n != 2 {
		t.Errorf("%d chat rows for the subscribers, want 2", n)
	}

	w, err := d.Waiting(ctx)
	if err != nil || len(w) != 2 {
		t.Fatalf("waiting: %+v, %v", w, err)
	}
	want := notify.Subscription{QuestionID: q1, ChatID: 10, Lang: "de", Text: "Kita Platz bekommen, Telefon [phone]?", Asked: t0}
	if !w[0].Asked.Equal(want.Asked) || w[0].QuestionID != want.QuestionID || w[0].ChatID != 10 || w[0].Lang != "de" || w[0].Text != want.Text {
		t.Errorf("waiting[0] = %+v, want %+v (masked text)", w[0], want)
	}
	if w[1].QuestionID != q2 || w[1].ChatID != 11 || w[1].Lang != "en" {
		t.Errorf("waiting[1] = %+v, want question %d of chat 11", w[1], q2)
	}

	s, ok, err := d.ClaimNotice(ctx, q1, "childcare", t0.Add(time.Hour))
	if err != nil || !ok || s.ChatID != 10 || s.Lang != "de" || s.QuestionID != q1 || s.Text != want.Text || !s.Asked.Equal(t0) {
		t.Fatalf("claim: %+v, %v, %v", s, ok, err)
	}
	if _, ok, err := d.ClaimNotice(ctx, q1, "childcare", t0.Add(2*time.Hour)); err != nil || ok {
		t.Errorf("second claim: ok=%v, %v; want false", ok, err)
	}
	if _, ok, err := d.ClaimNotice(ctx, 999, "childcare", t0); err != nil || ok {
		t.Errorf("claim of an unknown question: ok=%v, %v; want false", ok, err)
	}
	// Told: the chat id is gone, the mark stays; tapping again links nothing.
	if n := count(t, d, "SELECT count(*) FROM notify WHERE question_id = %d AND chat_id IS NULL AND topic_id = 'childcare' AND notified_at = %d",
		q1, t0.Add(time.Hour).UnixMilli()); n != 1 {
		t.Error("after the claim the link keeps its chat id, or lacks topic and time")
	}
	if created, err := d.Subscribe(ctx, "aaaaaaaaaaaaaaaa", 10, "de", t0.Add(3*time.Hour)); err != nil || created {
		t.Errorf("tap after being told: created=%v, %v; want false", created, err)
	}
	if w, _ := d.Waiting(ctx); len(w) != 1 || w[0].QuestionID != q2 {
		t.Errorf("waiting after claim: %+v", w)
	}
	// A question dismissed as spam after the tap is not listed.
	if err := d.SetQuestionStatus(ctx, q2, handoff.StatusSpam, "", "erika", t0); err != nil {
		t.Fatal(err)
	}
	if w, _ := d.Waiting(ctx); len(w) != 0 {
		t.Errorf("waiting lists a spam question: %+v", w)
	}
}

// testNotifyForgetBlockRetention: /forget deletes the link with the chat; a chat
// that blocked the bot is neither listed nor claimed, and the retention job deletes
// its links; the question's retention deletes the link with the question.
func testNotifyForgetBlockRetention(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	q1 := record(t, d, "question one", "en", "aaaaaaaaaaaaaaaa", t0)
	q2 := record(t, d, "question two", "en", "bbbbbbbbbbbbbbbb", t0)
	q3 := record(t, d, "question three", "en", "cccccccccccccccc", t0.AddDate(0, 0, 100))
	for _, s := range []struct {
		ref  string
		chat int64
	}{{"aaaaaaaaaaaaaaaa", 20}, {"bbbbbbbbbbbbbbbb", 21}, {"cccccccccccccccc", 22}} {
		if _, err := d.Subscribe(ctx, s.ref, s.chat, "en", t0); err != nil {
			t.Fatal(err)
		}
	}
	links := func() int { return count(t, d, "SELECT count(*) FROM notify") }

	if err := d.Forget(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := d.ClaimNotice(ctx, q1, "x", t0); ok || links() != 2 {
		t.Errorf("after /forget: claimed=%v, %d links; want false, 2", ok, links())
	}

	if err := d.SetActive(ctx, 21, false); err != nil {
		t.Fatal(err)
	}
	if w, _ := d.Waiting(ctx); len(w) != 1 || w[0].QuestionID != q3 {
		t.Errorf("waiting lists a blocked chat: %+v", w)
	}
	if _, ok, _ := d.ClaimNotice(ctx, q2, "x", t0); ok {
		t.Error("claimed for a chat that blocked the bot")
	}
	// The next run of the retention job: the blocked chat's link goes.
	ret := handoff.Retention{HandoffDays: 30, QuestionDays: 180}
	p, err := d.Purge(ctx, ret, t0.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subscriptions != 1 || links() != 1 {
		t.Errorf("purge: %+v, %d links left; want 1 subscription purged, 1 left", p, links())
	}
	// The chat with a waiting link stays past the handoff cutoff, and so does its link.
	if _, err := d.Purge(ctx, ret, t0.AddDate(0, 0, 181)); err != nil {
		t.Fatal(err)
	}
	if links() != 1 {
		t.Errorf("%d links after 181 days; want 1 (question three is 81 days old)", links())
	}
	if _, err := d.Chat(ctx, 22); err != nil {
		t.Errorf("chat 22 with a waiting link was purged: %v", err)
	}
	// The question's retention ends: the link goes with it, and then the chat.
	if _, err := d.Purge(ctx, ret, t0.AddDate(0, 0, 281)); err != nil {
		t.Fatal(err)
	}
	if links() != 0 {
		t.Errorf("%d links left after the question's retention", links())
	}
	if _, err := d.Purge(ctx, ret, t0.AddDate(0, 0, 282)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Chat(ctx, 22); err == nil {
		t.Error("chat 22 kept after its last link went")
	}
}

// testConcurrentClaimNotice: replicas that claim the same subscription at once tell
// the user once.
func testConcurrentClaimNotice(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	q := record(t, d, "Wo bekomme ich einen Angelschein?", "de", "aaaaaaaaaaaaaaaa", t0)
	if _, err := d.Subscribe(ctx, "aaaaaaaaaaaaaaaa", 30, "de", t0); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	claimed, failed := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := d.ClaimNotice(ctx, q, "fishing", t0.Add(time.Duration(i)*time.Second))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("claim %d: %v", i, err)
				failed++
			}
			if ok {
				claimed++
			}
		}()
	}
	wg.Wait()
	if claimed != 1 || failed != 0 {
		t.Fatalf("%d of %d concurrent claims succeeded (%d failed), want exactly 1", claimed, n, failed)
	}
}

// testBacklogStore: open items are the open questions and the open handoffs with a
// text; a need closes its open questions and links them, leaves others alone, and
// keeps its counts after the questions are purged.
func testBacklogStore(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	itoa := func(id int64) string { return strconv.FormatInt(id, 10) }
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
	if len(keys) != len(want) || len(items) != len(want) {
		t.Fatalf("open items %v, want %v", keys, want)
	}
	for _, k := range want {
		if _, ok := keys[k]; !ok {
			t.Fatalf("open items %v lack %s", keys, k)
		}
	}
	if it := keys["h"+itoa(h.ID)]; it.Kind != handoff.KindHandoff || it.Text != "handed over" || it.Lang != "ar" || len(it.Candidates) != 2 || !it.At.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("handoff item %+v", it)
	}
	if it := keys["q"+itoa(q1)]; it.Kind != handoff.KindQuestion || it.Candidates[0].TopicID != "work" || !it.At.Equal(t0) || it.Text != "Führerschein umschreiben?" {
		t.Errorf("question item %+v", it)
	}

	n, err := d.AddNeed(ctx, backlog.Need{Title: "Führerschein", Asked: 3, CreatedAt: t0.Add(time.Hour), CreatedBy: "anna",
		Langs: []backlog.LangCount{{Lang: "de", N: 1}, {Lang: "ru", N: 1}, {Lang: "ar", N: 1}}}, []int64{q1, q2, q3}, nil)
	if err != nil || n.ID == 0 {
		t.Fatalf("add need: %+v, %v", n, err)
	}
	for _, id := range []int64{q1, q2} {
		q, err := d.Question(ctx, id)
		if err != nil || q.Status != handoff.StatusClosed || q.HandledBy != "anna" || !q.HandledAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("question %d: %+v, %v; want closed by anna", id, q, err)
		}
		if c := count(t, d, "SELECT count(*) FROM unanswered WHERE id = %d AND need_id = %d", id, n.ID); c != 1 {
			t.Errorf("question %d is not linked to need %d", id, n.ID)
		}
	}
	if q, _ := d.Question(ctx, q3); q.Status != handoff.StatusSpam {
		t.Errorf("spam question became %s", q.Status)
	}
	if c := count(t, d, "SELECT count(*) FROM unanswered WHERE id = %d AND need_id IS NULL", q3); c != 1 {
		t.Error("the spam question was linked to the need")
	}
	if items, _ := d.OpenItems(ctx); len(items) != 1 || items[0].Kind != handoff.KindHandoff {
		t.Errorf("open items after the need: %+v, want only the handoff", items)
	}
	// A second need, asked less: listed after the first.
	n2, err := d.AddNeed(ctx, backlog.Need{Title: "Angelschein", Asked: 1, CreatedAt: t0.Add(2 * time.Hour), CreatedBy: "ben"}, nil, nil)
	if err != nil || n2.ID == 0 || n2.ID == n.ID {
		t.Fatalf("add a second need: %+v, %v", n2, err)
	}
	needs, err := d.Needs(ctx)
	if err != nil || len(needs) != 2 || needs[0].ID != n.ID || needs[0].Title != "Führerschein" || needs[0].Asked != 3 || needs[0].CreatedBy != "anna" ||
		!needs[0].CreatedAt.Equal(t0.Add(time.Hour)) || len(needs[0].Langs) != 3 || needs[0].Langs[1] != (backlog.LangCount{Lang: "ru", N: 1}) ||
		needs[1].ID != n2.ID || len(needs[1].Langs) != 0 {
		t.Fatalf("needs %+v, %v", needs, err)
	}
	// The open handoff put to a need: it leaves the groups but stays open (a person
	// waits for a reply), with a note for staff in its thread; a second need does
	// not take it again.
	nh, err := d.AddNeed(ctx, backlog.Need{Title: "Wohnung", Asked: 1, CreatedAt: t0.Add(3 * time.Hour), CreatedBy: "anna"}, nil, []int64{h.ID})
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := d.OpenItems(ctx); len(items) != 0 {
		t.Errorf("open items after the handoff's need: %+v, want none", items)
	}
	if got, _, err := d.Handoff(ctx, h.ID); err != nil || got.Status != handoff.StatusOpen {
		t.Errorf("the handoff put to a need: %+v, %v; want it open", got, err)
	}
	nh2, err := d.AddNeed(ctx, backlog.Need{Title: "Wohnung 2", Asked: 1, CreatedAt: t0.Add(4 * time.Hour), CreatedBy: "ben"}, nil, []int64{h.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, thread, err := d.Handoff(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, m := range thread {
		if m.Author == handoff.AuthorSystem {
			notes++
			if m.Text != backlog.NoteNeed || m.StaffName != "anna" || !m.At.Equal(t0.Add(3*time.Hour)) {
				t.Errorf("note %+v, want %q by anna", m, backlog.NoteNeed)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d system notes in the thread %+v, want 1", notes, thread)
	}
	if c := count(t, d, "SELECT count(*) FROM handoff WHERE id = %d AND need_id IS NOT NULL", h.ID); c != 1 {
		t.Error("the handoff is not linked to its need")
	}
	for _, id := range []int64{nh.ID, nh2.ID} {
		if err := d.SetNeedDone(ctx, id, "anna", t0); err != nil {
			t.Fatal(err)
		}
	}
	// The questions go after the retention; the need and its counts stay.
	if _, err := d.Purge(ctx, handoff.DefaultRetention, t0.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if needs, _ := d.Needs(ctx); len(needs) != 2 || needs[0].Asked != 3 {
		t.Errorf("after purge: %+v", needs)
	}
	if err := d.SetNeedDone(ctx, n.ID, "ben", t0); err != nil {
		t.Fatal(err)
	}
	if needs, _ := d.Needs(ctx); len(needs) != 1 || needs[0].ID != n2.ID {
		t.Errorf("a done need is listed: %+v", needs)
	}
	if err := d.SetNeedDone(ctx, n.ID, "ben", t0); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("done twice: %v", err)
	}
	if err := d.SetNeedDone(ctx, 999, "ben", t0); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("unknown need: %v", err)
	}
}

// testSummaryFigures: the weekly summary's figures: emergencies counted by day in
// Oldenburg's zone, the delay to the first staff reply of the handoffs opened in
// the week, and the last week sent, which never goes back.
func testSummaryFigures(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	// Monday 2 March 2026, 00:00 in Oldenburg, and the Monday after.
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, handoff.Zone)
	to := from.AddDate(0, 0, 7)
	for _, c := range []struct {
		at   time.Time
		kind assistant.Kind
	}{
		{from.Add(30 * time.Minute), assistant.KindEmergency}, // 23:30 UTC on Sunday, Monday in Oldenburg
		{from.Add(2 * 24 * time.Hour), assistant.KindEmergency},
		{from.Add(2 * 24 * time.Hour), assistant.KindEmergency},
		{from.Add(3 * 24 * time.Hour), assistant.KindAnswer},
		{from.Add(-time.Minute), assistant.KindEmergency}, // the week before
		{to, assistant.KindEmergency},                     // the week after
	} {
		if err := d.CountAnswer(ctx, c.at, "de", c.kind); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := d.Emergencies(ctx, from, to); err != nil || n != 3 {
		t.Errorf("emergencies: %d, %v; want 3", n, err)
	}
	if n, err := d.Emergencies(ctx, to, to.AddDate(0, 0, 7)); err != nil || n != 1 {
		t.Errorf("emergencies of the next week: %d, %v; want 1", n, err)
	}
	if n, err := d.Emergencies(ctx, to.AddDate(0, 0, 7), to.AddDate(0, 0, 14)); err != nil || n != 0 {
		t.Errorf("emergencies of a week without any: %d, %v; want 0", n, err)
	}

	// Handoffs: replied after 90 minutes (twice; the first counts), not replied,
	// replied after 10 minutes, and one opened the week before.
	open1 := func(chatID int64, at time.Time, replies ...time.Duration) {
		t.Helper()
		h, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: chatID, Lang: "de", At: at})
		if err != nil {
			t.Fatal(err)
		}
		m, err := d.AddUserMessage(ctx, h.ID, chatID*100, "Hallo", at.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		last := m.ID
		for _, r := range replies {
			msg, err := d.AddStaffReply(ctx, h.ID, last, "anna", "Antwort", at.Add(r))
			if err != nil {
				t.Fatal(err)
			}
			last = msg.ID
		}
		if _, err := d.CloseHandoff(ctx, h.ID, handoff.StatusClosed, "anna", at.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	open1(1, from.Add(10*time.Hour), 90*time.Minute, 3*time.Hour)
	open1(2, from.Add(20*time.Hour))
	open1(3, from.Add(30*time.Hour), 10*time.Minute)
	open1(4, from.Add(-2*time.Hour), 20*time.Minute)
	got, err := d.FirstReplyDelays(ctx, from, to)
	if err != nil || len(got) != 2 || got[0] != 90*time.Minute || got[1] != 10*time.Minute {
		t.Errorf("first reply delays: %v, %v; want [1h30m 10m]", got, err)
	}

	if k, err := d.SummaryWeek(ctx); err != nil || k != 0 {
		t.Errorf("summary week before any: %d, %v; want 0", k, err)
	}
	for _, s := range []struct{ set, want int64 }{{202610, 202610}, {202609, 202610}, {202611, 202611}, {202611, 202611}} {
		if err := d.SetSummaryWeek(ctx, s.set); err != nil {
			t.Fatal(err)
		}
		if k, err := d.SummaryWeek(ctx); err != nil || k != s.want {
			t.Errorf("after setting %d: summary week %d, %v; want %d", s.set, k, err, s.want)
		}
	}
}
