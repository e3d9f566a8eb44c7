package telegram

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(100*time.Millisecond, 3)
	var waits []time.Duration
	for range 5 {
		waits = append(waits, l.reserve(now))
	}
	want := []time.Duration{0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if w := l.reserve(now.Add(time.Second)); w != 0 {
		t.Errorf("after a pause: wait %v", w)
	}
	p := &pacer{every: time.Second}
	p.sent(now)
	if p.wait(now.Add(300*time.Millisecond)) != 700*time.Millisecond || p.idle(now) {
		t.Error("pacer")
	}
	p.delay(now.Add(5 * time.Second))
	if p.wait(now) != 5*time.Second {
		t.Error("pacer delay")
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err   error
		kind  errKind
		after int
	}{
		{&bot.TooManyRequestsError{RetryAfter: 7}, errRetryAfter, 7},
		{fmt.Errorf("x: %w", &bot.TooManyRequestsError{RetryAfter: 2}), errRetryAfter, 2},
		{fmt.Errorf("%w, blocked", bot.ErrorForbidden), errForbidden, 0},
		{fmt.Errorf("%w, bad", bot.ErrorUnauthorized), errUnauthorized, 0},
		{fmt.Errorf("do: %w", &ServerError{Status: 502}), errTransient, 0},
		{&NetworkError{Err: errors.New("refused")}, errTransient, 0},
		{&NetworkError{Err: context.Canceled}, errAborted, 0},
		{errors.Join(errStopped, context.Canceled), errAborted, 0},
		{fmt.Errorf("%w, chat not found", bot.ErrorBadRequest), errPermanent, 0},
	}
	for _, c := range cases {
		if k, a := classify(c.err); k != c.kind || a != c.after {
			t.Errorf("classify(%v) = %v, %d; want %v, %d", c.err, k, a, c.kind, c.after)
		}
	}
}

func TestDecodeRecord(t *testing.T) {
	r, err := decodeRecord([]byte(`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":-7,"type":"group"},"text":"x"}}`), time.Unix(1, 0))
	if err != nil || r.id != 5 || r.chatID != -7 || r.upd == nil {
		t.Errorf("message: %+v, %v", r, err)
	}
	// A chat member status newer than the library: the update is kept by its id.
	r, err = decodeRecord([]byte(`{"update_id":6,"my_chat_member":{"chat":{"id":1,"type":"private"},"new_chat_member":{"status":"future"}}}`), time.Unix(1, 0))
	if err != nil || r.id != 6 || r.upd != nil {
		t.Errorf("undecodable update: %+v, %v", r, err)
	}
	for _, bad := range []string{`{}`, `[]`, `nope`, `{"message":{}}`} {
		if _, err := decodeRecord([]byte(bad), time.Time{}); err == nil {
			t.Errorf("decodeRecord(%s) accepted", bad)
		}
	}
}
