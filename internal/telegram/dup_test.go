package telegram

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// TestUpdateTwiceInOneBatchIsAnsweredOnce: getUpdates returns the same update
// twice in one batch. It is answered once.
func TestUpdateTwiceInOneBatchIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.api.WaitFor(t, 5*time.Second, "the first poll", func(s *tt.Server) bool { return s.Polling() > 0 })
	u := tt.Text(anna, "hi")
	u["update_id"] = int64(7001)
	data, _ := json.Marshal(u)
	var once atomic.Bool
	h.api.Script("getUpdates", func(tt.Request) *tt.Response {
		if once.Swap(true) {
			return nil
		}
		return &tt.Response{Status: 200, Body: map[string]any{"ok": true, "result": []json.RawMessage{data, data, data}}}
	})
	h.api.AddUpdate(tt.Text(bernd, "wake up")) // ends the hanging poll
	h.waitTo(bernd.ID, 1)
	h.waitTo(anna.ID, 1)
	h.waitIdle()
	time.Sleep(50 * time.Millisecond)
	if n := len(h.sentTo(anna.ID)); n != 1 {
		t.Errorf("update 7001 answered %d times, want once", n)
	}
}

// lateAppend is an inbox whose Append of a second delivery of update id answers
// late: after it read the update as pending, it waits (up to 300 ms) for the first
// delivery to be marked done, as a descheduled goroutine or a slow disk makes it
// wait.
type lateAppend struct {
	chat.Inbox
	id   int64
	done chan struct{} // closed when Done(id) returned
	seen atomic.Int32
	once sync.Once
}

func (l *lateAppend) Append(ctx context.Context, ups []chat.Update, offset int64) ([]chat.Status, error) {
	st, err := l.Inbox.Append(ctx, ups, offset)
	for i, u := range ups {
		if err == nil && u.ID == l.id && st[i] == chat.StatusPending && l.seen.Add(1) == 1 {
			select {
			case <-l.done:
			case <-time.After(300 * time.Millisecond):
			}
		}
	}
	return st, err
}

func (l *lateAppend) Done(ctx context.Context, ids []int64, at time.Time) error {
	err := l.Inbox.Done(ctx, ids, at)
	if err == nil && slices.Contains(ids, l.id) {
		l.once.Do(func() { close(l.done) })
	}
	return err
}

// TestSecondDeliveryStoredWhileTheFirstFinishes: a webhook delivers an update
// twice; the inbox says the second is pending, but the first is answered
// and marked done before the second is handed out. It is not answered again.
func TestSecondDeliveryStoredWhileTheFirstFinishes(t *testing.T) {
	t.Parallel()
	var late *lateAppend
	h := newHarness(t, webhook, func(o *Options) {
		late = &lateAppend{Inbox: o.Store, id: 7001, done: make(chan struct{})}
		o.Store = late
	})
	// The first delivery is stored and handed out; the second comes while it is
	// in hand (its done mark is written up to 10 ms after the answer).
	for range 2 {
		if code := httptestRecorder(t, h.ch, tt.Text(anna, "hi"), 7001); code != http.StatusOK {
			t.Fatalf("the webhook answered %d", code)
		}
	}
	h.waitTo(anna.ID, 1)
	h.waitIdle()
	time.Sleep(50 * time.Millisecond)
	if late.seen.Load() == 0 {
		t.Fatal("the second delivery was not read as pending: the test did not test the race")
	}
	if n := len(h.sentTo(anna.ID)); n != 1 {
		t.Errorf("update 7001 answered %d times, want once", n)
	}
}

// TestReplicaAnswersUpdateTwiceInOneBatchOnce: the polling replica of a cluster
// gets the same update twice in one getUpdates batch, and the same update posted
// to its webhook many times at once. Each is answered once.
func TestReplicaAnswersUpdateTwiceInOneBatchOnce(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newReplicaSet(t, b)
			poller := s.start("poller", func(o *Options) { o.WebhookURL, o.WebhookSecret = "", "" })
			hook := s.start("hook")
			s.api.WaitFor(t, 5*time.Second, "the first poll", func(s *tt.Server) bool { return s.Polling() > 0 })
			u := tt.Text(anna, "hi")
			u["update_id"] = int64(7001)
			data, _ := json.Marshal(u)
			var once atomic.Bool
			s.api.Script("getUpdates", func(tt.Request) *tt.Response {
				if once.Swap(true) {
					return nil
				}
				return &tt.Response{Status: 200, Body: map[string]any{"ok": true, "result": []json.RawMessage{data, data, data}}}
			})
			s.api.AddUpdate(tt.Text(bernd, "wake up"))
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if code := httptestRecorder(t, hook.ch, tt.Text(chen, "at once"), 7100); code != http.StatusOK {
						t.Errorf("the webhook answered %d", code)
					}
				}()
			}
			wg.Wait()
			s.waitFor(func() bool {
				t := s.texts()
				return len(t[anna.ID]) >= 1 && len(t[bernd.ID]) >= 1 && len(t[chen.ID]) >= 1
			})
			s.waitDepth(poller.db)
			time.Sleep(100 * time.Millisecond)
			got := s.texts()
			for _, c := range []tt.User{anna, bernd, chen} {
				if n := len(got[c.ID]); n != 1 {
					t.Errorf("chat %d got %d answers, want 1", c.ID, n)
				}
			}
		})
	}
}
