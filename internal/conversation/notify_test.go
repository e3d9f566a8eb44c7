package conversation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// notifyData returns the data of the "tell me" button of the last message to chat.
func (h *harness) notifyData(chatID int64) string {
	h.t.Helper()
	msgs := h.sentTo(chatID)
	if len(msgs) == 0 {
		h.t.Fatalf("no message to chat %d", chatID)
	}
	for _, d := range msgs[len(msgs)-1].Data() {
		if strings.HasPrefix(d, "n:") {
			return d
		}
	}
	h.t.Fatalf("no button to be told of an answer: %v", msgs[len(msgs)-1].Data())
	return ""
}

// questionID returns the id of the recorded question with text.
func (h *harness) questionID(text string) int64 {
	h.t.Helper()
	us, err := h.db.UnansweredSince(context.Background(), time.Time{}, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, u := range us {
		if u.Text == text {
			return u.ID
		}
	}
	h.t.Fatalf("question %q not recorded: %+v", text, us)
	return 0
}

// TestTellTheAsker: a question the bot cannot answer offers, beside handing it
// over, to be told of an answer; a tap stores the consent and says what is kept
// and how long; when staff answer the question by a topic, the asker gets the
// answer once, through the fake Bot API, in their language, with the date and text
// of their question, the topic's short answer and its source. Told once only; not
// after /forget; not after a block.
func TestTellTheAsker(t *testing.T) {
	h := newHarness(t, polling)
	ctx := context.Background()
	svc := notify.New(h.db, h.c, h.clock.Now, nil)

	// Consent, in German.
	u := tt.User{ID: 401, Lang: "de"}
	h.deliver(tt.Text(u, "xylophone quantum zebra Kita"))
	h.waitTo(u.ID, 1)
	data := h.notifyData(u.ID)
	if !strings.HasPrefix(data, "n:de:") {
		t.Fatalf("button data %q", data)
	}
	if last := h.lastData(u.ID); !strings.HasPrefix(last, "c:de:") {
		t.Errorf("the handoff's button is not the last one: %q", last)
	}
	h.deliver(tt.Callback(u, data))
	mustContain(t, "consent", h.waitTo(u.ID, 2)[1].Params["text"], "schicke ich sie Ihnen hier – einmal", "180 Tage", "/forget")
	h.deliver(tt.Callback(u, data))
	mustContain(t, "second tap", h.waitTo(u.ID, 3)[2].Params["text"], "schon Bescheid")
	h.waitIdle()

	// Staff decide that the topic housing answers it: the asker is told.
	qid := h.questionID("xylophone quantum zebra Kita")
	if told, err := svc.Answered(ctx, qid, "housing"); err != nil || !told {
		t.Fatalf("answered: %v, %v", told, err)
	}
	q, err := h.db.Question(ctx, qid)
	if err != nil {
		t.Fatal(err)
	}
	msg := h.waitTo(u.ID, 4)[3]
	mustContain(t, "the answer", msg.Params["text"], "<b>Ihre Frage vom "+q.At.In(handoff.Zone).Format("02.01.2006")+" („xylophone quantum zebra Kita“) hat jetzt eine Antwort:</b>",
		"<b>Wohnung finden</b>\nWohnungen finden Sie", `Quelle: <a href="https://www.oldenburg.de/housing.html">oldenburg.de</a>`)
	if kb := msg.Data(); len(kb) == 0 || !strings.HasPrefix(kb[0], "v:de:+:housing") {
		t.Errorf("buttons under the answer: %v", kb)
	}
	// Told once: staff answering again, or a rebuild finding it, sends nothing.
	if told, err := svc.Answered(ctx, qid, "work"); err != nil || told {
		t.Errorf("answered twice: %v, %v", told, err)
	}
	if n, err := svc.Recheck(ctx, func(context.Context, string, string) (string, bool) { return "housing", true }); err != nil || n != 0 {
		t.Errorf("recheck after being told: %d, %v", n, err)
	}
	h.waitIdle()
	if got := len(h.sentTo(u.ID)); got != 4 {
		t.Errorf("%d messages to the asker, want 4", got)
	}

	// /forget: the consent is gone with the chat.
	f := tt.User{ID: 402, Lang: "en"}
	h.deliver(tt.Text(f, "xylophone quantum zebra forget"))
	h.waitTo(f.ID, 1)
	h.deliver(tt.Callback(f, h.notifyData(f.ID)))
	mustContain(t, "consent", h.waitTo(f.ID, 2)[1].Params["text"], "I will send it to you here – once", "180 days")
	h.deliver(tt.Text(f, "/forget"))
	h.waitTo(f.ID, 3)
	h.waitIdle()
	if told, err := svc.Answered(ctx, h.questionID("xylophone quantum zebra forget"), "housing"); err != nil || told {
		t.Errorf("told after /forget: %v, %v", told, err)
	}

	// A block: the chat is not written to, now or after the retention job ran.
	b := tt.User{ID: 403, Lang: "en"}
	h.deliver(tt.Text(b, "xylophone quantum zebra blocked"))
	h.waitTo(b.ID, 1)
	h.deliver(tt.Callback(b, h.notifyData(b.ID)))
	h.waitTo(b.ID, 2)
	h.deliver(tt.Blocked(b))
	h.waitIdle()
	bq := h.questionID("xylophone quantum zebra blocked")
	if w, err := h.db.Waiting(ctx); err != nil || len(w) != 0 {
		t.Errorf("waiting after a block: %+v, %v", w, err)
	}
	if told, err := svc.Answered(ctx, bq, "housing"); err != nil || told {
		t.Errorf("told after a block: %v, %v", told, err)
	}
	if p, err := h.db.Purge(ctx, handoff.DefaultRetention, h.clock.Now()); err != nil || p.Subscriptions != 1 {
		t.Errorf("retention after a block: %+v, %v", p, err)
	}
	h.waitIdle()
	for _, id := range []int64{f.ID, b.ID} {
		for _, m := range h.sentTo(id) {
			if strings.Contains(m.Params["text"], "now has an answer") {
				t.Errorf("chat %d was told: %s", id, m.Params["text"])
			}
		}
	}

	// A button for a question that is gone says so.
	g := tt.User{ID: 404, Lang: "en"}
	before := len(h.api.Sent("answerCallbackQuery"))
	h.deliver(tt.Callback(g, "n:en:aaaaaaaaaaaaaaaa"))
	cb := h.waitCallbacks(before + 1)
	if got := cb[len(cb)-1].Params["text"]; got != "This question is no longer stored." {
		t.Errorf("gone question: %q", got)
	}
}

// TestToldInTheirLanguage: the answer goes out in the language of the reply the
// user tapped under (Arabic, right to left).
func TestToldInTheirLanguage(t *testing.T) {
	h := newHarness(t, polling)
	ctx := context.Background()
	svc := notify.New(h.db, h.c, h.clock.Now, nil)
	u := tt.User{ID: 411, Lang: "ar"}
	h.deliver(tt.Text(u, "xylophone quantum zebra ar"))
	h.waitTo(u.ID, 1)
	h.deliver(tt.Callback(u, h.notifyData(u.ID)))
	h.waitTo(u.ID, 2)
	h.waitIdle()
	if _, err := svc.Answered(ctx, h.questionID("xylophone quantum zebra ar"), "immigration-office"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "Arabic answer", h.waitTo(u.ID, 3)[2].Params["text"], "سؤالك بتاريخ", "له الآن إجابة")
}
