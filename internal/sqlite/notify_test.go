package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
)

// TestNotifySubscription: consent links a recorded question to a chat; the answer
// is claimed once; a spam or unknown question takes no link.
func TestNotifySubscription(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	q1 := record(t, d, "Kita Platz bekommen, Telefon 0176 1234567?", "de", "aaaaaaaaaaaaaaaa", t0)
	q2 := record(t, d, "where do I get a fishing licence", "en", "bbbbbbbbbbbbbbbb", t0.Add(time.Minute))
	record(t, d, "buy cheap pills", "en", "cccccccccccccccc", t0)
	if err := d.SetQuestionStatus(ctx, 3, handoff.StatusSpam, "", "erika", t0); err != nil {
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

	w, err := d.Waiting(ctx)
	if err != nil || len(w) != 2 {
		t.Fatalf("waiting: %+v, %v", w, err)
	}
	want := notify.Subscription{QuestionID: q1, ChatID: 10, Lang: "de", Text: "Kita Platz bekommen, Telefon [phone]?", Asked: t0}
	if !w[0].Asked.Equal(want.Asked) || w[0].QuestionID != want.QuestionID || w[0].ChatID != 10 || w[0].Lang != "de" || w[0].Text != want.Text {
		t.Errorf("waiting[0] = %+v, want %+v (masked text)", w[0], want)
	}

	s, ok, err := d.ClaimNotice(ctx, q1, "childcare", t0.Add(time.Hour))
	if err != nil || !ok || s.ChatID != 10 || s.Lang != "de" {
		t.Fatalf("claim: %+v, %v, %v", s, ok, err)
	}
	if _, ok, err := d.ClaimNotice(ctx, q1, "childcare", t0.Add(2*time.Hour)); err != nil || ok {
		t.Errorf("second claim: ok=%v, %v; want false", ok, err)
	}
	// Told: the chat id is gone, the mark stays; tapping again links nothing.
	var chatID any
	var topic string
	if err := d.r.QueryRowContext(ctx, "SELECT chat_id, topic_id FROM notify WHERE question_id = ?", q1).Scan(&chatID, &topic); err != nil || chatID != nil || topic != "childcare" {
		t.Errorf("after claim: chat_id=%v topic=%q, %v; want NULL, childcare", chatID, topic, err)
	}
	if created, err := d.Subscribe(ctx, "aaaaaaaaaaaaaaaa", 10, "de", t0.Add(3*time.Hour)); err != nil || created {
		t.Errorf("tap after being told: created=%v, %v; want false", created, err)
	}
	if w, _ := d.Waiting(ctx); len(w) != 1 || w[0].QuestionID != q2 {
		t.Errorf("waiting after claim: %+v", w)
	}
}

// TestNotifyForgetBlockRetention: /forget deletes the link with the chat; a chat
// that blocked the bot is neither listed nor claimed, and the retention job deletes
// its links; the question's retention deletes the link with the question.
func TestNotifyForgetBlockRetention(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
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
	count := func() int {
		var n int
		if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM notify").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := d.Forget(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := d.ClaimNotice(ctx, q1, "x", t0); ok || count() != 2 {
		t.Errorf("after /forget: claimed=%v, %d links; want false, 2", ok, count())
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
	p, err := d.Purge(ctx, handoff.Retention{HandoffDays: 30, QuestionDays: 180}, t0.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subscriptions != 1 || count() != 1 {
		t.Errorf("purge: %+v, %d links left; want 1 subscription purged, 1 left", p, count())
	}
	// The chat with a waiting link stays past the handoff cutoff, and so does its link.
	if _, err := d.Purge(ctx, handoff.Retention{HandoffDays: 30, QuestionDays: 180}, t0.AddDate(0, 0, 181)); err != nil {
		t.Fatal(err)
	}
	if count() != 1 {
		t.Errorf("%d links after 181 days; want 1 (question three is 81 days old)", count())
	}
	if _, err := d.Chat(ctx, 22); err != nil {
		t.Errorf("chat 22 with a waiting link was purged: %v", err)
	}
	// The question's retention ends: the link goes with it.
	if _, err := d.Purge(ctx, handoff.Retention{HandoffDays: 30, QuestionDays: 180}, t0.AddDate(0, 0, 281)); err != nil {
		t.Fatal(err)
	}
	if count() != 0 {
		t.Errorf("%d links left after the question's retention", count())
	}
}
