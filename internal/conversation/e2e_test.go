package conversation

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/store"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var (
	anna  = tt.User{ID: 101, Lang: "en", Name: "Anna"}
	bernd = tt.User{ID: 102, Lang: "de-DE", Name: "Bernd"}
	chen  = tt.User{ID: 103, Lang: "zh-hans", Name: "Chen"} // unsupported: English
	dana  = tt.User{ID: 104, Name: "Dana"}                  // no language_code: German
)

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func langData() []string {
	return []string{"l:de", "l:en", "l:ar", "l:uk", "l:ru", "l:tr", "l:fa"}
}

// TestConversation runs every conversation flow in polling and in webhook mode.
func TestConversation(t *testing.T) {
	for _, m := range []mode{polling, webhook} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			testConversation(t, m)
		})
	}
}

// user returns a user of its own for a subtest: subtests share the bot but not
// their chats, so each sets up what it needs and runs in any order.
func (h *harness) user(lang string) tt.User {
	h.nextUser++
	return tt.User{ID: 2000 + h.nextUser, Lang: lang, Name: "User"}
}

// callbacksOf returns the answered callback queries of u.
func (h *harness) callbacksOf(u tt.User) []tt.Request {
	var out []tt.Request
	for _, r := range h.api.Sent("answerCallbackQuery") {
		if strings.HasPrefix(r.Params["callback_query_id"], tt.CallbackPrefix(u)) {
			out = append(out, r)
		}
	}
	return out
}

// waitCallbacksOf waits for n answered callback queries of u.
func (h *harness) waitCallbacksOf(u tt.User, n int) []tt.Request {
	h.t.Helper()
	h.api.WaitFor(h.t, 10*time.Second, "callback answers", func(*tt.Server) bool { return len(h.callbacksOf(u)) >= n })
	return h.callbacksOf(u)
}

func testConversation(t *testing.T, m mode) {
	h := newHarness(t, m)
	ctx := context.Background()

	t.Run("start with language picker", func(t *testing.T) {
		anna := h.user("en")
		h.deliver(tt.Text(anna, "/start"))
		msg := h.waitTo(anna.ID, 1)[0]
		mustContain(t, "welcome", msg.Params["text"], "Welcome!", "choose your language")
		if msg.Params["parse_mode"] != "HTML" {
			t.Errorf("parse_mode = %q", msg.Params["parse_mode"])
		}
		if got := msg.Data(); !slices.Equal(got, langData()) {
			t.Errorf("picker = %v, want %v", got, langData())
		}
		if kb := msg.Keyboard(); kb[0][0].Text != "Deutsch" || kb[1][0].Text != "العربية" {
			t.Errorf("picker labels = %+v", kb)
		}
	})

	t.Run("start in German by language_code, addressed with @name", func(t *testing.T) {
		bernd := h.user("de-DE")
		h.deliver(tt.Text(bernd, "/start@"+tt.Username))
		mustContain(t, "welcome", h.waitTo(bernd.ID, 1)[0].Params["text"], "Willkommen!")
	})

	t.Run("language picker stores the choice", func(t *testing.T) {
		anna := h.user("en")
		h.deliver(tt.Callback(anna, "l:de"))
		h.waitCallbacksOf(anna, 1)
		msgs := h.waitTo(anna.ID, 1)
		mustContain(t, "confirmation", msgs[0].Params["text"], "Ich antworte Ihnen jetzt auf Deutsch")
		c, err := h.db.Chat(ctx, anna.ID)
		if err != nil || c.Lang != "de" {
			t.Fatalf("stored chat = %+v, %v", c, err)
		}
		h.deliver(tt.Text(anna, "/help"))
		mustContain(t, "help after choosing German", h.waitTo(anna.ID, 2)[1].Params["text"], "Schreiben Sie Ihre Frage")
	})

	t.Run("a question in another language is answered in it, with a switch button", func(t *testing.T) {
		anna := h.user("en")
		h.deliver(tt.Callback(anna, "l:en"))
		h.waitTo(anna.ID, 1)
		h.deliver(tt.Text(anna, "Wo ist das Ausländerbüro, bitte?"))
		msg := h.waitTo(anna.ID, 2)[1]
		mustContain(t, "answer in German", msg.Params["text"], "Quelle:")
		if !slices.Contains(msg.Data(), "l:de") {
			t.Errorf("keyboard %v lacks the switch to German", msg.Data())
		}
		for _, row := range msg.Keyboard() {
			for _, b := range row {
				if b.CallbackData == "l:de" && b.Text != "🌐 Deutsch" {
					t.Errorf("the switch to German is labelled %q, want %q", b.Text, "🌐 Deutsch")
				}
			}
		}
		h.deliver(tt.Text(anna, "ok"))
		msg = h.waitTo(anna.ID, 3)[2]
		if slices.Contains(msg.Data(), "l:de") || slices.Contains(msg.Data(), "l:en") {
			t.Errorf("a language-less text offered a language switch: %v", msg.Data())
		}
	})

	t.Run("free text gets an answer with buttons", func(t *testing.T) {
		chen := h.user("zh-hans") // unsupported: English
		h.deliver(tt.Text(chen, "Where is the immigration office?"))
		msg := h.waitTo(chen.ID, 1)[0]
		mustContain(t, "answer", msg.Params["text"],
			"<b>Immigration office (Ausländerbüro)</b>",
			"<b>Ausländerbüro</b>",
			`<a href="https://www.oldenburg.de/termine">the booking page</a>`,
			"passport &amp; a biometric photo",
			`Source: <a href="https://www.oldenburg.de/immigration-office.html">oldenburg.de</a>`)
		data := msg.Data()
		for _, want := range []string{"v:en:+:immigration-office", "v:en:-:immigration-office", "h:en:immigration-office"} {
			if !slices.Contains(data, want) {
				t.Errorf("keyboard %v lacks %s", data, want)
			}
		}
		// The test content has no short answers: no More, but the German card.
		if kb := msg.Keyboard(); kb[0][0].Text != "🇩🇪 Show in German" || kb[1][0].Text != "👍 Helpful" || kb[2][0].Text != "🙋 Ask a person" {
			t.Errorf("keyboard labels: %+v", kb)
		}
		for _, d := range data {
			if len(d) > 64 {
				t.Errorf("callback data over 64 bytes: %q", d)
			}
		}
	})

	t.Run("not sure: suggestions, contact, and the question recorded", func(t *testing.T) {
		chen := h.user("zh-hans")
		h.deliver(tt.Text(chen, "xylophone quantum zebra parking"))
		msg := h.waitTo(chen.ID, 1)[0]
		mustContain(t, "not sure", msg.Params["text"], "I am not sure", "0441 235-0",
			"The button stores your question and this chat&#39;s number")
		if data := msg.Data(); len(data) == 0 || !strings.HasPrefix(data[len(data)-1], "c:en:") || len(data[len(data)-1]) != len("c:en:")+16 {
			t.Errorf("keyboard = %v, want the consent button with the question's reference last", data)
		}
		h.waitIdle()
		us, err := h.db.UnansweredSince(ctx, time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(us, func(u store.Unanswered) bool { return u.Text == "xylophone quantum zebra parking" && u.ChatID == 0 }) {
			t.Errorf("unanswered question not recorded: %+v", us)
		}
	})

	t.Run("emergency is answered", func(t *testing.T) {
		chen := h.user("zh-hans")
		h.deliver(tt.Text(chen, "fire! my kitchen is burning"))
		msg := h.waitTo(chen.ID, 1)[0]
		mustContain(t, "emergency", msg.Params["text"], "Emergency?", "112", "110")
		h.waitIdle()
		if n := metricSum(t, h, "ankommen_emergencies_total", nil); n < 1 {
			t.Errorf("emergencies = %v", n)
		}
	})

	t.Run("non-text messages get a localized reply", func(t *testing.T) {
		dana := h.user("") // no language_code: German
		kinds := []string{"photo", "sticker", "voice", "document", "location", "contact", "video", "video_note"}
		for _, k := range kinds {
			h.deliver(tt.Media(dana, k))
		}
		for _, msg := range h.waitTo(dana.ID, len(kinds)) {
			mustContain(t, "reply to media", msg.Params["text"], "Ich kann nur Text lesen")
		}
	})

	t.Run("edited message and channel post", func(t *testing.T) {
		dana := h.user("")
		h.deliver(tt.Edited(dana, "Wo ist das Ausländerbüro?"))
		mustContain(t, "edited", h.waitTo(dana.ID, 1)[0].Params["text"], "Ich lese nur neue Nachrichten")
		channel := -1000 - dana.ID
		h.deliver(tt.ChannelPost(channel, "News"))
		mustContain(t, "channel post", h.waitTo(channel, 1)[0].Params["text"], "privaten Chat")
	})

	t.Run("stale and unknown buttons get a polite answer", func(t *testing.T) {
		chen := h.user("zh-hans")
		for _, d := range []string{"t:en:gone-topic", "v:en:+:gone-topic", "zz:1", "t:xx:work", "", "p:en:-3"} {
			h.deliver(tt.Callback(chen, d))
		}
		for _, cb := range h.waitCallbacksOf(chen, 6) {
			mustContain(t, "stale button", cb.Params["text"], "This button is out of date")
		}
	})

	t.Run("votes are stored per topic", func(t *testing.T) {
		chen, dana := h.user("zh-hans"), h.user("")
		h.deliver(tt.Callback(chen, "v:en:+:work"))
		h.deliver(tt.Callback(dana, "v:de:-:work"))
		mustContain(t, "vote notice", h.waitCallbacksOf(chen, 1)[0].Params["text"], "Thank you for your feedback!")
		mustContain(t, "vote notice", h.waitCallbacksOf(dana, 1)[0].Params["text"], "Danke! Schade")
		h.waitIdle()
		votes, err := h.db.VotesByTopic(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(votes, handoff.TopicVotes{TopicID: "work", Helpful: 1, Useless: 1}) {
			t.Errorf("votes = %+v", votes)
		}
	})

	t.Run("topic and person buttons", func(t *testing.T) {
		chen := h.user("zh-hans")
		h.deliver(tt.Callback(chen, "t:en:naturalisation"))
		mustContain(t, "topic", h.waitTo(chen.ID, 1)[0].Params["text"], "<b>Naturalisation</b>")
		h.deliver(tt.Callback(chen, "h:en:work"))
		mustContain(t, "person", h.waitTo(chen.ID, 2)[1].Params["text"], "reach a person", `<a href="tel:04412350">0441 235-0</a>`)
	})

	t.Run("topics are paged", func(t *testing.T) {
		chen := h.user("zh-hans")
		h.deliver(tt.Text(chen, "/topics"))
		msg := h.waitTo(chen.ID, 1)[0]
		mustContain(t, "topics page", msg.Params["text"], "page 1 of 2")
		data := msg.Data()
		if len(data) != topicsPerPage+1 || data[0] != "t:en:emergency" || data[len(data)-1] != "p:en:1" {
			t.Errorf("page 1 keyboard = %v", data)
		}
		h.deliver(tt.Callback(chen, "p:en:1"))
		var edit tt.Request
		h.api.WaitFor(t, 10*time.Second, "the page edit", func(s *tt.Server) bool {
			for _, r := range s.Sent("editMessageText") {
				if r.Int("chat_id") == chen.ID {
					edit = r
					return true
				}
			}
			return false
		})
		mustContain(t, "page 2", edit.Params["text"], "page 2 of 2")
		if edit.Int("message_id") != 7 || !slices.Contains(edit.Data(), "p:en:0") || len(edit.Data()) != 11-topicsPerPage+1 {
			t.Errorf("page 2 edit: message %d, keyboard %v", edit.Int("message_id"), edit.Data())
		}
	})

	t.Run("contact, privacy, forget, unknown command", func(t *testing.T) {
		bernd := h.user("de-DE")
		h.deliver(tt.Callback(bernd, "l:uk"))
		h.deliver(tt.Text(bernd, "/contact"))
		h.deliver(tt.Text(bernd, "/privacy"))
		h.deliver(tt.Text(bernd, "/forget"))
		h.deliver(tt.Text(bernd, "/frobnicate"))
		msgs := h.waitTo(bernd.ID, 5)
		mustContain(t, "language chosen", msgs[0].Params["text"], "українською")
		// The test content has no Ukrainian contact topic: the English one is shown.
		mustContain(t, "contact", msgs[1].Params["text"], "<b>Integration officer</b>", "integration@example.org",
			"30 днів після завершення розмови") // the consent line says what is stored and how long
		if data := msgs[1].Data(); !slices.Equal(data, []string{"c:uk"}) {
			t.Errorf("contact keyboard = %v, want the consent button", data)
		}
		// What is stored, why, how long, and whom to contact (the contact topic).
		mustContain(t, "privacy", msgs[2].Params["text"], "Захист даних", "через 180 днів",
			"через 30 днів після завершення розмови", "/forget одразу видаляє все", "integration@example.org")
		mustContain(t, "forget", msgs[3].Params["text"], "Erledigt") // back to the app's language
		mustContain(t, "unknown", msgs[4].Params["text"], "Diesen Befehl kenne ich nicht", "/topics")
		if _, err := h.db.Chat(ctx, bernd.ID); err != chat.ErrNotFound {
			t.Errorf("chat after /forget: %v", err)
		}
	})

	t.Run("commands for another bot are ignored", func(t *testing.T) {
		dana := h.user("")
		h.deliver(tt.Text(dana, "/start@OtherBot"))
		h.deliver(tt.Text(dana, "/help"))
		msgs := h.waitTo(dana.ID, 1)
		h.waitIdle()
		if len(h.sentTo(dana.ID)) != 1 {
			t.Fatalf("got %d replies, want only the one to /help", len(h.sentTo(dana.ID)))
		}
		mustContain(t, "help", msgs[0].Params["text"], "/topics")
	})

	t.Run("long answers are split at paragraphs", func(t *testing.T) {
		anna := h.user("en")
		h.deliver(tt.Text(anna, "Is there a detailed guide for newcomers?"))
		h.api.WaitFor(t, 10*time.Second, "split answer", func(*tt.Server) bool {
			msgs := h.sentTo(anna.ID)
			return len(msgs) > 1 && len(msgs[len(msgs)-1].Data()) > 0
		})
		msgs := h.sentTo(anna.ID)
		whole := ""
		for i, msg := range msgs {
			text := msg.Params["text"]
			if len16(text) > telegram.MaxMessage {
				t.Errorf("piece %d has %d characters", i, len16(text))
			}
			if (i == len(msgs)-1) != (msg.Params["reply_markup"] != "") {
				t.Errorf("piece %d of %d: keyboard %q", i, len(msgs), msg.Params["reply_markup"])
			}
			whole += text + "\n\n"
		}
		mustContain(t, "pieces", whole, "<b>Guide for newcomers</b>", "Paragraph 1:", "Paragraph 40:", "Source:")
		if strings.Index(whole, "Paragraph 39:") > strings.Index(whole, "Paragraph 40:") {
			t.Error("pieces out of order")
		}
	})

	t.Run("groups: only when addressed", func(t *testing.T) {
		chen, dana := h.user("zh-hans"), h.user("")
		groupID := -100000 - chen.ID
		group := tt.GroupChat(groupID)
		h.deliver(tt.TextIn(group, chen, "where is the immigration office"))
		h.deliver(tt.TextIn(group, chen, "@"+tt.Username+" where is the immigration office?"))
		h.deliver(tt.ReplyTo(group, dana, "Wo ist das Ausländerbüro?"))
		h.deliver(tt.TextIn(group, chen, "/help@"+tt.Username))
		msgs := h.waitTo(groupID, 3)
		h.waitIdle()
		if len(h.sentTo(groupID)) != 3 {
			t.Fatalf("%d messages to the group, want 3", len(h.sentTo(groupID)))
		}
		mustContain(t, "mention", msgs[0].Params["text"], "Immigration office")
		mustContain(t, "reply", msgs[1].Params["text"], "Ausländerbüro")
		mustContain(t, "help", msgs[2].Params["text"], "/topics")
		if !strings.Contains(msgs[0].Params["reply_parameters"], `"message_id"`) {
			t.Errorf("group answer is not a reply: %q", msgs[0].Params["reply_parameters"])
		}
	})
}

// TestCommandMenus checks setMyCommands for the default and every language.
func TestCommandMenus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	calls := h.api.WaitSent(t, "setMyCommands", 8)
	codes := map[string]string{}
	for _, c := range calls {
		codes[c.Params["language_code"]] = c.Params["commands"]
	}
	for _, code := range []string{"", "de", "en", "ar", "uk", "ru", "tr", "fa"} {
		var cmds []struct{ Command, Description string }
		if err := json.Unmarshal([]byte(codes[code]), &cmds); err != nil || len(cmds) != len(commandOrder) {
			t.Errorf("commands for %q: %v %s", code, err, codes[code])
			continue
		}
		if cmds[0].Command != "start" || cmds[0].Description == "" || cmds[0].Description == "Cmd_start" {
			t.Errorf("commands for %q: %+v", code, cmds[0])
		}
	}
	if !strings.Contains(codes["de"], "Sprache ändern") || !strings.Contains(codes[""], "Change the language") {
		t.Errorf("menus: de %s, default %s", codes["de"], codes[""])
	}
	if got := h.api.Sent("deleteWebhook"); len(got) != 1 {
		t.Errorf("polling mode: %d deleteWebhook calls, want 1", len(got))
	}
}

// TestCoreReload: each update uses the snapshot current when it arrives, so content
// reloaded while the bot runs (app.Live) shows in the next answer.
func TestCoreReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(testContent)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "work.en.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte("title: Working"), []byte("title: Working in Germany"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	var current atomic.Pointer[Answering]
	h := newHarness(t, polling, func(o *Options) {
		first := o.Answering()
		current.Store(&first)
		o.Answering = func() Answering { return *current.Load() }
	})
	anna := h.user("en")
	h.deliver(tt.Callback(anna, "t:en:work"))
	mustContain(t, "before", h.waitTo(anna.ID, 1)[0].Params["text"], "<b>Working</b>")
	edited := answering(apptest.Load(t, dir), nil)
	current.Store(&edited)
	h.deliver(tt.Callback(anna, "t:en:work"))
	mustContain(t, "after", h.waitTo(anna.ID, 2)[1].Params["text"], "<b>Working in Germany</b>")
}

// len16 is the length of s in UTF-16 code units, as Telegram counts.
func len16(s string) int { return len(utf16.Encode([]rune(s))) }
