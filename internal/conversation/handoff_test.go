package conversation

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

const staffChat = -1009999

// lastData returns the last callback data of the last message to chat.
func (h *harness) lastData(chatID int64) string {
	msgs := h.sentTo(chatID)
	if len(msgs) == 0 {
		return ""
	}
	data := msgs[len(msgs)-1].Data()
	if len(data) == 0 {
		return ""
	}
	return data[len(data)-1]
}

// service is the staff side, delivering through the harness's channel.
func (h *harness) service() *handoff.Service {
	return handoff.NewService(handoff.Options{Store: h.db, Notifier: h.c, Now: h.clock.Now, DeliveryWait: 10 * time.Second})
}

// TestHandoff runs a conversation with the city team end to end: a question the
// bot cannot answer, consent, the staff chat notice, messages passed to the team,
// an emergency still answered, a staff reply delivered, closing, and the bot
// answering again.
func TestHandoff(t *testing.T) {
	h := newHarness(t, polling, func(o *Options) {
		o.StaffChatID = staffChat
		o.StaffURL = "https://bot.example.org/staff"
	})
	ctx := context.Background()
	u := tt.User{ID: 301, Lang: "en"}
	svc := h.service()

	h.deliver(tt.Text(u, "xylophone quantum zebra, 0176 1234567 or anna@example.org"))
	notSure := h.waitTo(u.ID, 1)[0]
	mustContain(t, "not sure", notSure.Params["text"], "I am not sure", "0441 235-0", "The button stores your question")
	consent := h.lastData(u.ID)
	if !strings.HasPrefix(consent, "c:en:") {
		t.Fatalf("no consent button: %v", notSure.Data())
	}
	h.waitIdle()
	// Stored anonymously before consent: masked, no chat.
	us, err := h.db.UnansweredSince(ctx, time.Time{}, 10)
	if err != nil || len(us) != 1 {
		t.Fatalf("unanswered: %+v, %v", us, err)
	}
	if us[0].ChatID != 0 || us[0].Text != "xylophone quantum zebra, [phone] or [e-mail]" {
		t.Fatalf("stored before consent: %+v", us[0])
	}
	if _, err := h.db.ActiveHandoff(ctx, u.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Fatalf("a handoff exists before consent: %v", err)
	}

	// Consent.
	h.deliver(tt.Callback(u, consent))
	mustContain(t, "opened", h.waitTo(u.ID, 2)[1].Params["text"], "Your question is now with the team", "112")
	ho, err := h.db.ActiveHandoff(ctx, u.ID)
	if err != nil || ho.Text != us[0].Text || ho.Lang != "en" || ho.QuestionID != us[0].ID {
		t.Fatalf("handoff after consent: %+v, %v", ho, err)
	}
	if c, err := h.db.Chat(ctx, u.ID); err != nil || c.Consent.IsZero() {
		t.Errorf("chat consent not recorded: %+v, %v", c, err)
	}
	notice := h.waitTo(staffChat, 1)[0]
	mustContain(t, "staff chat notice", notice.Params["text"], "Neue Anfrage", "#1", "xylophone quantum zebra", "https://bot.example.org/staff/handoffs/1")

	// Tapping again does not open a second one.
	h.deliver(tt.Callback(u, consent))
	mustContain(t, "again", h.waitTo(u.ID, 3)[2].Params["text"], "already writing with the city team")

	// Further messages go to the team; the bot does not answer them itself.
	h.deliver(tt.Text(u, "Where is the immigration office?"))
	mustContain(t, "forwarded", h.waitTo(u.ID, 4)[3].Params["text"], "Passed on to the city team")
	// An emergency still gets 112/110 at once.
	h.deliver(tt.Text(u, "fire! my kitchen is burning"))
	mustContain(t, "emergency", h.waitTo(u.ID, 5)[4].Params["text"], "112", "110")
	h.waitIdle()
	_, msgs, err := h.db.Handoff(ctx, ho.ID)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "Where is the immigration office?" || msgs[1].Author != handoff.AuthorUser {
		t.Fatalf("thread: %+v, %v", msgs, err)
	}

	// A staff reply reaches the user, marked as from the city team.
	m, err := svc.Reply(ctx, ho.ID, msgs[1].ID, "anna", "Hello! The office is at Pferdemarkt 14. <b>Bring</b> your passport.")
	if err != nil || m.Delivery != handoff.DeliverySent {
		t.Fatalf("reply: %+v, %v", m, err)
	}
	reply := h.waitTo(u.ID, 6)[5]
	mustContain(t, "staff reply", reply.Params["text"], "<b>🏛 Reply from the City of Oldenburg team:</b>\n",
		"Pferdemarkt 14. &lt;b&gt;Bring&lt;/b&gt; your passport.")
	if reply.Params["parse_mode"] != "HTML" {
		t.Errorf("parse mode %q", reply.Params["parse_mode"])
	}
	// A second reply to the thread as it was is refused: the thread has changed.
	if _, err := svc.Reply(ctx, ho.ID, msgs[1].ID, "bernd", "Me too"); !errors.Is(err, handoff.ErrConflict) {
		t.Errorf("stale reply: %v", err)
	}

	// Closing: the user is told, and the bot answers again.
	if err := svc.Close(ctx, handoff.KindHandoff, ho.ID, handoff.StatusClosed, "anna"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "closed", h.waitTo(u.ID, 7)[6].Params["text"], "ended the conversation", "answer your questions myself again")
	h.deliver(tt.Text(u, "Where is the immigration office?"))
	mustContain(t, "answered again", h.waitTo(u.ID, 8)[7].Params["text"], "<b>Immigration office (Ausländerbüro)</b>")
	if q, err := h.db.Question(ctx, us[0].ID); err != nil || q.Status != handoff.StatusClosed {
		t.Errorf("question after closing its handoff: %+v, %v", q, err)
	}
	if got := metricSum(t, h, "ankommen_escalations_total", map[string]string{"reason": "handoff"}); got != 1 {
		t.Errorf("handoff escalations = %v", got)
	}
}

// TestHandoffWithoutQuestion: /contact offers the team; after consent the next
// message becomes the handoff's question. /forget deletes it all at once.
func TestHandoffWithoutQuestion(t *testing.T) {
	h := newHarness(t, polling)
	ctx := context.Background()
	u := tt.User{ID: 302, Lang: "de"}

	h.deliver(tt.Text(u, "/contact"))
	h.waitTo(u.ID, 1)
	if d := h.lastData(u.ID); d != "c:de" {
		t.Fatalf("contact keyboard ends with %q", d)
	}
	h.deliver(tt.Callback(u, "c:de"))
	mustContain(t, "ask", h.waitTo(u.ID, 2)[1].Params["text"], "Bitte schreiben Sie Ihre Frage")
	h.deliver(tt.Text(u, "Ich brauche einen Termin, meine Nummer ist 0176 1234567"))
	mustContain(t, "forwarded", h.waitTo(u.ID, 3)[2].Params["text"], "An das Team der Stadt weitergegeben")
	h.waitIdle()
	ho, err := h.db.ActiveHandoff(ctx, u.ID)
	// With consent the text is kept as written: the user gave it to the team.
	if err != nil || ho.Text != "Ich brauche einen Termin, meine Nummer ist 0176 1234567" || ho.QuestionID != 0 {
		t.Fatalf("handoff: %+v, %v", ho, err)
	}
	// A stale reference in a consent button opens a handoff without a question.
	if _, created, err := h.db.OpenHandoff(ctx, handoff.Opening{ChatID: 999, Lang: "en", Ref: "abcdefghabcdefgh"}); err != nil || !created {
		t.Fatalf("stale reference: %v %v", created, err)
	}

	h.deliver(tt.Text(u, "/forget"))
	mustContain(t, "forget", h.waitTo(u.ID, 4)[3].Params["text"], "Erledigt")
	h.waitIdle()
	if _, _, err := h.db.Handoff(ctx, ho.ID); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("handoff after /forget: %v", err)
	}
	if _, err := h.db.Chat(ctx, u.ID); !errors.Is(err, chat.ErrNotFound) {
		t.Errorf("chat after /forget: %v", err)
	}
	items, _, err := h.db.ReviewItems(ctx, handoff.Filter{Kind: handoff.KindHandoff})
	for _, it := range items {
		if it.ID == ho.ID {
			t.Errorf("the forgotten handoff is still in the inbox: %+v", it)
		}
	}
	// The bot answers again.
	h.deliver(tt.Text(u, "Wo ist das Ausländerbüro?"))
	mustContain(t, "answer", h.waitTo(u.ID, 5)[4].Params["text"], "<b>Ausländerbüro</b>")
}

// TestHandoffBlocked: a reply to a user who blocked the bot shows "not delivered"
// (blocked), found out from Telegram's 403 or known from the chat's state.
func TestHandoffBlocked(t *testing.T) {
	h := newHarness(t, polling)
	ctx := context.Background()
	u := tt.User{ID: 303, Lang: "en"}
	svc := h.service()
	h.deliver(tt.Text(u, "/contact"))
	h.waitTo(u.ID, 1)
	h.deliver(tt.Callback(u, "c:en"))
	h.waitTo(u.ID, 2)
	h.waitIdle()
	ho, err := h.db.ActiveHandoff(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.api.Script("sendMessage", func(r tt.Request) *tt.Response {
		if r.Int("chat_id") == u.ID {
			return tt.Forbidden()
		}
		return nil
	})
	m, err := svc.Reply(ctx, ho.ID, 0, "anna", "Hello?")
	if err != nil || m.Delivery != handoff.DeliveryBlocked {
		t.Fatalf("reply to a blocked user: %+v, %v", m, err)
	}
	_, msgs, _ := h.db.Handoff(ctx, ho.ID)
	if len(msgs) != 1 || msgs[0].Delivery != handoff.DeliveryBlocked {
		t.Fatalf("stored delivery: %+v", msgs)
	}
	if c, _ := h.db.Chat(ctx, u.ID); c.Active {
		t.Error("chat still active after 403")
	}
	// Known blocked: not even tried.
	n := len(h.api.Requests("sendMessage"))
	m, err = svc.Reply(ctx, ho.ID, msgs[0].ID, "anna", "Hello again?")
	if err != nil || m.Delivery != handoff.DeliveryBlocked || len(h.api.Requests("sendMessage")) != n {
		t.Errorf("second reply: %+v, %v; %d calls", m, err, len(h.api.Requests("sendMessage"))-n)
	}
}

// TestHandoffLongReply: a reply longer than a Telegram message goes out in pieces,
// the first marked as from the city team, all delivered.
func TestHandoffLongReply(t *testing.T) {
	h := newHarness(t, polling)
	ctx := context.Background()
	u := tt.User{ID: 304, Lang: "en"}
	h.deliver(tt.Text(u, "/contact"))
	h.waitTo(u.ID, 1)
	h.deliver(tt.Callback(u, "c:en"))
	h.waitTo(u.ID, 2)
	h.waitIdle()
	ho, err := h.db.ActiveHandoff(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	for i := range 25 {
		paras = append(paras, strings.Repeat("Paragraph "+string(rune('A'+i%26))+" with words & more words. ", 12))
	}
	text := strings.Join(paras, "\n\n")
	m, err := h.service().Reply(ctx, ho.ID, 0, "anna", text)
	if err != nil || m.Delivery != handoff.DeliverySent {
		t.Fatalf("long reply: %+v, %v", m, err)
	}
	pieces := h.sentTo(u.ID)[2:]
	if len(pieces) < 3 {
		t.Fatalf("%d pieces", len(pieces))
	}
	whole := ""
	for _, p := range pieces {
		if len16(p.Params["text"]) > telegram.MaxMessage {
			t.Errorf("piece of %d characters", len16(p.Params["text"]))
		}
		whole += p.Params["text"] + "\n\n"
	}
	mustContain(t, "first piece", pieces[0].Params["text"], "Reply from the City of Oldenburg team")
	if strings.Count(whole, "with words &amp; more words.") != 25*12 {
		t.Errorf("words lost: %d", strings.Count(whole, "with words &amp; more words."))
	}
	if _, err := h.service().Reply(ctx, ho.ID, m.ID, "anna", strings.Repeat("x", handoff.MaxReply+1)); !errors.Is(err, handoff.ErrInvalid) {
		t.Errorf("over-long reply: %v", err)
	}
}

// TestHandoffOnlyInPrivateChats: in a group the bot offers the contact card but no
// handoff, and a consent button there opens nothing.
func TestHandoffOnlyInPrivateChats(t *testing.T) {
	h := newHarness(t, polling)
	u := tt.User{ID: 305, Lang: "en"}
	group := tt.GroupChat(-4242)
	h.deliver(tt.TextIn(group, u, "@"+tt.Username+" xylophone quantum zebra"))
	msg := h.waitTo(-4242, 1)[0]
	if data := msg.Data(); slices.ContainsFunc(data, func(d string) bool { return strings.HasPrefix(d, "c:") }) || !slices.Contains(data, "h:en") {
		t.Errorf("group keyboard: %v", data)
	}
	if strings.Contains(msg.Params["text"], "The button stores") {
		t.Error("consent line in a group")
	}
	cb := tt.Callback(u, "c:en")
	cb["callback_query"].(map[string]any)["message"].(map[string]any)["chat"] = group
	h.deliver(cb)
	mustContain(t, "stale", h.waitCallbacks(1)[0].Params["text"], "out of date")
	h.waitIdle()
	if _, err := h.db.ActiveHandoff(context.Background(), -4242); !errors.Is(err, handoff.ErrNotFound) {
		t.Errorf("handoff in a group: %v", err)
	}
}

// TestForgetLeavesNothingInTheFile: after /forget, the words of a handed-over
// question are not in the database file, its write-ahead log or its shared memory
// file — not in a free page, not in an old log frame, not in the inbox.
func TestForgetLeavesNothingInTheFile(t *testing.T) {
	h := newHarnessSQLite(t, polling)
	u := tt.User{ID: 303, Lang: "de"}
	const marker = "Zebrafink7Q4XWortmarke"
	h.deliver(tt.Text(u, "/contact"))
	h.waitTo(u.ID, 1)
	h.deliver(tt.Callback(u, "c:de"))
	h.waitTo(u.ID, 2)
	h.deliver(tt.Text(u, "Ich heiße "+marker+" und brauche Hilfe"))
	mustContain(t, "forwarded", h.waitTo(u.ID, 3)[2].Params["text"], "An das Team der Stadt weitergegeben")
	h.waitIdle()
	grep := func() []string {
		var found []string
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(h.dbFile + suffix)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(marker)) {
				found = append(found, filepath.Base(h.dbFile+suffix))
			}
		}
		return found
	}
	if found := grep(); len(found) == 0 {
		t.Fatal("the marker is not in the database before /forget: the test proves nothing")
	}
	h.deliver(tt.Text(u, "/forget"))
	mustContain(t, "forget", h.waitTo(u.ID, 4)[3].Params["text"], "Erledigt")
	h.waitIdle()
	if found := grep(); len(found) > 0 {
		t.Errorf("after /forget, while running, the marker is in %v", found)
	}
	h.stop()
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	if found := grep(); len(found) > 0 {
		t.Errorf("after /forget and close, the marker is in %v", found)
	}
}
