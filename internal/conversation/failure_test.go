package conversation

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

func TestForbiddenMarksChatInactive(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	ctx := context.Background()
	h.api.FailNext("sendMessage", 1, tt.Forbidden())
	// The long guide needs several messages: after the 403 the rest is dropped.
	h.deliver(tt.Text(anna, "Is there a detailed guide for newcomers?"))
	h.api.WaitFor(t, 10*time.Second, "403", func(s *tt.Server) bool { return len(s.Requests("sendMessage")) >= 1 })
	h.waitIdle()
	if n := len(h.api.Requests("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls after the 403, want 1: %s", n, h.api.Summary())
	}
	c, err := h.db.Chat(ctx, anna.ID)
	if err != nil || c.Active {
		t.Fatalf("chat after 403: %+v, %v", c, err)
	}
	// Writing again means the user unblocked the bot.
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 1)
	if c, _ := h.db.Chat(ctx, anna.ID); !c.Active {
		t.Error("chat still inactive after a new message")
	}
	// my_chat_member tells the same without a failed call.
	h.deliver(tt.Blocked(bernd))
	h.waitIdle()
	if c, err := h.db.Chat(ctx, bernd.ID); err != nil || c.Active {
		t.Errorf("chat after blocking: %+v, %v", c, err)
	}
	h.deliver(tt.Unblocked(bernd))
	h.waitIdle()
	if c, _ := h.db.Chat(ctx, bernd.ID); !c.Active {
		t.Error("chat inactive after unblocking")
	}
}

func TestFloodControl(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling, func(o *Options) { o.FloodLimit = 3 })
	for i := 0; i < 6; i++ {
		h.deliver(tt.Text(anna, "hi"))
	}
	h.deliver(tt.Text(bernd, "hallo")) // another user is not slowed down
	h.waitTo(bernd.ID, 1)
	h.waitTo(anna.ID, 4)
	h.waitIdle()
	msgs := h.sentTo(anna.ID)
	if len(msgs) != 4 {
		t.Fatalf("%d messages to a flooding user, want 3 answers and 1 notice", len(msgs))
	}
	mustContain(t, "notice", msgs[3].Params["text"], "a lot of messages")
	h.deliver(tt.Callback(anna, "v:en:+:work")) // buttons count too: ignored
	h.waitIdle()
	if n := len(h.api.Sent("answerCallbackQuery")); n != 0 {
		t.Errorf("%d callback answers during the pause", n)
	}
	// An emergency gets through the pause.
	h.deliver(tt.Text(anna, "my house is on fire"))
	h.waitTo(anna.ID, 5)
	mustContain(t, "emergency during the pause", h.sentTo(anna.ID)[4].Params["text"], "112")

	h.clock.Advance(61 * time.Second)
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 6)
	if n := metricSum(t, h, "ankommen_updates_ignored_total", map[string]string{"reason": "flood"}); n != 4 {
		t.Errorf("flood ignored = %v, want 4", n)
	}
}

func TestChatStatusUnknownByDefault(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	if _, err := h.db.Chat(context.Background(), anna.ID); err != chat.ErrNotFound {
		t.Fatalf("a new user is stored before choosing anything: %v", err)
	}
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 1)
	h.waitIdle()
	if _, err := h.db.Chat(context.Background(), anna.ID); err != chat.ErrNotFound {
		t.Errorf("answering stored the chat: %v", err)
	}
}

// TestCoreErrors: a failing search gets a polite sentence, never the error text; a
// failure to record an unanswered question does not cost the user the answer.
func TestCoreErrors(t *testing.T) {
	t.Parallel()
	fail := &fakeAnswerer{}
	h := newHarness(t, polling, func(o *Options) {
		k := o.Answering()
		k.Answerer = fail
		o.Answering = fixed(k)
	})
	fail.set(func(context.Context, assistant.Question) (assistant.Result, error) {
		return assistant.Result{}, errors.New("bleve: index corrupted at /secret/path")
	})
	h.deliver(tt.Text(anna, "Where is the immigration office?"))
	msg := h.waitTo(anna.ID, 1)[0]
	mustContain(t, "error reply", msg.Params["text"], "Sorry, something went wrong")
	if strings.Contains(msg.Params["text"], "bleve") {
		t.Error("internal error shown to the user")
	}
	fail.set(func(context.Context, assistant.Question) (assistant.Result, error) {
		return assistant.Result{Kind: assistant.KindNotSure, Lang: "en"}, errors.New("sqlite: disk full")
	})
	h.deliver(tt.Text(anna, "xyzzy"))
	mustContain(t, "not sure despite the error", h.waitTo(anna.ID, 2)[1].Params["text"], "I am not sure")
	h.waitIdle()
	if n := metricSum(t, h, "ankommen_answers_total", map[string]string{"outcome": "error"}); n != 1 {
		t.Errorf("error answers counted: %v", n)
	}
}

// fakeAnswerer is an Answerer whose answer a test sets; nothing is an emergency.
type fakeAnswerer struct {
	answer atomic.Pointer[func(context.Context, assistant.Question) (assistant.Result, error)]
}

func (f *fakeAnswerer) set(a func(context.Context, assistant.Question) (assistant.Result, error)) {
	f.answer.Store(&a)
}

func (f *fakeAnswerer) Answer(ctx context.Context, q assistant.Question) (assistant.Result, error) {
	return (*f.answer.Load())(ctx, q)
}

func (f *fakeAnswerer) IsEmergency(string) bool { return false }
