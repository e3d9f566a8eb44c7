package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// The tests in this file run the conversation without a transport: an update and
// the core's result go in, the messages the bot would send come out.

// said is the Sender of these tests: it keeps what the conversation says.
type said struct {
	mu   sync.Mutex
	msgs []telegram.Message
}

func (s *said) Send(_ context.Context, m telegram.Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	if m.Done != nil {
		m.Done(nil)
	}
}

func (s *said) all() []telegram.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// stub is an Answerer with a fixed result.
type stub struct {
	result    assistant.Result
	err       error
	emergency bool
}

func (s stub) Answer(context.Context, assistant.Question) (assistant.Result, error) {
	return s.result, s.err
}

func (s stub) IsEmergency(string) bool { return s.emergency }

var testBot = models.User{ID: tt.BotID, IsBot: true, Username: tt.Username}

// newTurnTest returns a conversation on a real database and the test content whose
// core answers with a; edit may change its options.
func newTurnTest(t *testing.T, a Answerer, edit ...func(*Options)) (*Conversation, *said, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	snap := apptest.Load(t, testContent)
	out := &said{}
	o := Options{Answering: fixed(Answering{Answerer: a, Corpus: snap.Corpus, Renderer: snap.Renderer}), Store: db, Sender: out, Handoffs: db,
		Now: func() time.Time { return time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC) }}
	for _, e := range edit {
		e(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, out, db
}

// upd turns an update built by telegramtest into what the transport hands over.
func upd(t *testing.T, u map[string]any) telegram.Update {
	t.Helper()
	u["update_id"] = 1
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var upd models.Update
	if err := json.Unmarshal(data, &upd); err != nil {
		t.Fatal(err)
	}
	return telegram.Update{Update: &upd, ChatID: chatID(&upd), Bot: testBot}
}

// chatID is the chat of u, as the transport finds it.
func chatID(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message.Chat.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

func keyboardData(m telegram.Message) []string {
	if m.Keyboard == nil {
		return nil
	}
	var data []string
	for _, row := range m.Keyboard.InlineKeyboard {
		for _, b := range row {
			data = append(data, b.CallbackData)
		}
	}
	return data
}

// TestTurns: for each update and result of the core, the messages the bot sends.
func TestTurns(t *testing.T) {
	snap := apptest.Load(t, testContent)
	topic := snap.Corpus.Topic("immigration-office")
	tr, _ := topic.Best("en")
	answer := assistant.Result{Kind: assistant.KindAnswer, Lang: "en", Topic: topic, Text: tr, AnswerLang: "en", Confident: true}
	contact, _ := snap.Corpus.Contact().Best("en")
	notSure := assistant.Result{Kind: assistant.KindNotSure, Lang: "en", Contact: contact, Escalated: true, Ref: "abcdefgh234567zz",
		Alternatives: []assistant.Alternative{{TopicID: "work", Title: "Working"}}}
	emergency := assistant.Result{Kind: assistant.KindEmergency, Lang: "en", Emergency: snap.Corpus.Topic("emergency").In("en")}
	en, de := tt.User{ID: 11, Lang: "en"}, tt.User{ID: 12}
	group := tt.GroupChat(-500)

	tests := []struct {
		name   string
		update map[string]any
		result assistant.Result
		err    error
		// what the messages must be: how many, and of the last one its text
		// (substrings), its keyboard (exactly), whether it is urgent, a reply in a
		// group, or a callback answer
		n        int
		text     []string
		data     []string
		urgent   bool
		replyTo  bool
		callback bool
	}{
		{name: "/start shows the language picker", update: tt.Text(en, "/start"), n: 1,
			text: []string{"Welcome!"}, data: []string{"l:de", "l:en", "l:ar", "l:uk", "l:ru", "l:tr", "l:fa"}},
		{name: "/help without a language code is German", update: tt.Text(de, "/help"), n: 1,
			text: []string{"Schreiben Sie Ihre Frage"}, data: []string{"p:de:0"}},
		{name: "an unknown command", update: tt.Text(en, "/frobnicate"), n: 1, text: []string{"I do not know this command", "/topics"}},
		{name: "a command for another bot is not for us", update: tt.Text(en, "/start@OtherBot"), n: 0},
		{name: "a photo", update: tt.Media(de, "photo"), n: 1, text: []string{"Ich kann nur Text lesen"}},
		{name: "an edited message", update: tt.Edited(en, "hello"), n: 1, text: []string{"I only read new messages"}},
		{name: "an answer with its buttons", update: tt.Text(en, "Where is the immigration office?"), result: answer, n: 1,
			text: []string{"<b>Immigration office (Ausländerbüro)</b>", "Source:"},
			data: []string{"g:en:immigration-office", "v:en:+:immigration-office", "v:en:-:immigration-office", "h:en:immigration-office"}},
		{name: "not sure: suggestions, contact and consent", update: tt.Text(en, "xylophone"), result: notSure, n: 1,
			text: []string{"I am not sure", "The button stores your question"}, data: []string{"t:en:work", "c:en:abcdefgh234567zz"}},
		{name: "not sure in a group: no consent, a reply", update: tt.TextIn(group, en, "@"+tt.Username+" xylophone"), result: notSure, n: 1,
			text: []string{"I am not sure"}, data: []string{"t:en:work", "h:en"}, replyTo: true},
		{name: "group chatter is not for us", update: tt.TextIn(group, en, "xylophone"), result: notSure, n: 0},
		{name: "an emergency goes first", update: tt.Text(en, "fire!"), result: emergency, n: 1, text: []string{"112"}, urgent: true},
		{name: "the core fails: a polite sentence", update: tt.Text(en, "hello"), err: errors.New("bleve: broken"), n: 1,
			text: []string{"Sorry, something went wrong"}},
		{name: "an unsupported language gets the picker", update: tt.Text(en, "bonjour"), result: assistant.Result{Kind: assistant.KindUnsupported, Lang: "en"}, n: 1,
			data: []string{"l:de", "l:en", "l:ar", "l:uk", "l:ru", "l:tr", "l:fa"}},
		{name: "a stale button", update: tt.Callback(en, "t:en:gone"), n: 1, text: []string{"This button is out of date"}, callback: true},
		{name: "a vote", update: tt.Callback(en, "v:en:+:work"), n: 1, text: []string{"Thank you for your feedback!"}, callback: true},
		{name: "a topic button", update: tt.Callback(en, "t:en:naturalisation"), n: 2, text: []string{"<b>Naturalisation</b>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, out, _ := newTurnTest(t, stub{result: tc.result, err: tc.err, emergency: tc.result.Kind == assistant.KindEmergency})
			c.Handle(context.Background(), upd(t, tc.update))
			msgs := out.all()
			if len(msgs) != tc.n {
				t.Fatalf("%d messages, want %d: %+v", len(msgs), tc.n, msgs)
			}
			if tc.n == 0 {
				return
			}
			last := msgs[len(msgs)-1]
			for _, w := range tc.text {
				if !strings.Contains(last.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, last.Text)
				}
			}
			if tc.data != nil && !slices.Equal(keyboardData(last), tc.data) {
				t.Errorf("keyboard %v, want %v", keyboardData(last), tc.data)
			}
			if last.Urgent != tc.urgent {
				t.Errorf("urgent = %v", last.Urgent)
			}
			if (last.ReplyTo != 0) != tc.replyTo || last.Group != tc.replyTo {
				t.Errorf("reply to %d, group %v", last.ReplyTo, last.Group)
			}
			if (last.Callback != "") != tc.callback {
				t.Errorf("callback answer %q", last.Callback)
			}
		})
	}
}

// TestFloodLetsEmergenciesThrough: over the limit a user gets one notice, then
// nothing, except for an emergency.
func TestFloodLetsEmergenciesThrough(t *testing.T) {
	a := &switchable{}
	c, out, _ := newTurnTest(t, a, func(o *Options) { o.FloodLimit = 1 })
	u := tt.User{ID: 21, Lang: "en"}
	for range 3 {
		c.Handle(context.Background(), upd(t, tt.Text(u, "hello")))
	}
	msgs := out.all()
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "a lot of messages") {
		t.Fatalf("messages %+v, want an answer and the notice", msgs)
	}
	a.emergency = true
	c.Handle(context.Background(), upd(t, tt.Text(u, "fire!")))
	if n := len(out.all()); n != 3 {
		t.Errorf("%d messages; the emergency did not get through", n)
	}
}

// switchable is a stub whose emergency verdict a test changes between turns.
type switchable struct{ emergency bool }

func (s *switchable) Answer(context.Context, assistant.Question) (assistant.Result, error) {
	return assistant.Result{Kind: assistant.KindGreeting, Lang: "en"}, nil
}

func (s *switchable) IsEmergency(string) bool { return s.emergency }

// TestBlockedChatGetsNothing: after the transport reports a block, nothing is sent
// to the chat until its user writes again.
func TestBlockedChatGetsNothing(t *testing.T) {
	c, out, db := newTurnTest(t, stub{result: assistant.Result{Kind: assistant.KindGreeting, Lang: "en"}})
	u := tt.User{ID: 31, Lang: "en"}
	ctx := context.Background()
	c.Blocked(ctx, u.ID)
	if ch, err := db.Chat(ctx, u.ID); err != nil || ch.Active {
		t.Fatalf("chat after Blocked: %+v, %v", ch, err)
	}
	c.Handle(ctx, upd(t, tt.ChannelPost(u.ID, "news"))) // not the user writing
	if n := len(out.all()); n != 0 {
		t.Errorf("%d messages to a blocked chat", n)
	}
	c.Handle(ctx, upd(t, tt.Text(u, "hi")))
	if n := len(out.all()); n != 1 {
		t.Errorf("%d messages after the user wrote again, want 1", n)
	}
}

// TestMenus: one command menu per supported language and a default in English,
// each with every command described.
func TestMenus(t *testing.T) {
	c, _, _ := newTurnTest(t, stub{})
	menus := c.Menus()
	if len(menus) != 8 || menus[0].LanguageCode != "" {
		t.Fatalf("menus: %+v", menus)
	}
	for _, m := range menus {
		if len(m.Commands) != len(commandOrder) {
			t.Errorf("menu %q has %d commands", m.LanguageCode, len(m.Commands))
		}
		for _, cmd := range m.Commands {
			if cmd.Description == "" || strings.HasPrefix(cmd.Description, "Cmd_") {
				t.Errorf("menu %q: %s is not described", m.LanguageCode, cmd.Command)
			}
		}
	}
	if menus[0].Commands[3].Description != "Change the language" {
		t.Errorf("default menu: %+v", menus[0].Commands[3])
	}
}
