package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
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

func testConversation(t *testing.T, m mode) {
	h := newHarness(t, m)
	ctx := context.Background()

	t.Run("start with language picker", func(t *testing.T) {
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
		h.deliver(tt.Text(bernd, "/start@"+tt.Username))
		mustContain(t, "welcome", h.waitTo(bernd.ID, 1)[0].Params["text"], "Willkommen!")
	})

	t.Run("language picker stores the choice", func(t *testing.T) {
		h.deliver(tt.Callback(anna, "l:de"))
		h.waitCallbacks(1)
		msgs := h.waitTo(anna.ID, 2)
		mustContain(t, "confirmation", msgs[1].Params["text"], "Ich antworte Ihnen jetzt auf Deutsch")
		c, err := h.db.Chat(ctx, anna.ID)
		if err != nil || c.Lang != "de" {
			t.Fatalf("stored chat = %+v, %v", c, err)
		}
		h.deliver(tt.Text(anna, "/help"))
		mustContain(t, "help after choosing German", h.waitTo(anna.ID, 3)[2].Params["text"], "Schreiben Sie Ihre Frage")
		h.deliver(tt.Callback(anna, "l:en"))
		h.waitTo(anna.ID, 4)
	})

	t.Run("a question in another language is answered in it, with a switch button", func(t *testing.T) {
		n := len(h.sentTo(anna.ID)) // anna chose English above
		h.deliver(tt.Text(anna, "Wo ist das Ausländerbüro, bitte?"))
		msg := h.waitTo(anna.ID, n+1)[n]
		mustContain(t, "answer in German", msg.Params["text"], "Quelle:")
		if !slices.Contains(msg.Data(), "l:de") {
			t.Errorf("keyboard %v lacks the switch to German", msg.Data())
		}
		h.deliver(tt.Text(anna, "ok"))
		msg = h.waitTo(anna.ID, n+2)[n+1]
		if slices.Contains(msg.Data(), "l:de") || slices.Contains(msg.Data(), "l:en") {
			t.Errorf("a language-less text offered a language switch: %v", msg.Data())
		}
	})

	t.Run("free text gets an answer with buttons", func(t *testing.T) {
		n := len(h.sentTo(chen.ID))
		h.deliver(tt.Text(chen, "Where is the immigration office?"))
		msg := h.waitTo(chen.ID, n+1)[n]
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
		if kb := msg.Keyboard(); kb[0][0].Text != "👍 Helpful" || kb[1][0].Text != "🙋 Ask a person" {
			t.Errorf("keyboard labels: %+v", kb)
		}
		for _, d := range data {
			if len(d) > 64 {
				t.Errorf("callback data over 64 bytes: %q", d)
			}
		}
	})

	t.Run("not sure: suggestions, contact, and the question recorded", func(t *testing.T) {
		n := len(h.sentTo(chen.ID))
		h.deliver(tt.Text(chen, "xylophone quantum zebra parking"))
		msg := h.waitTo(chen.ID, n+1)[n]
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
		if !slices.ContainsFunc(us, func(u sqliteUnanswered) bool { return u.Text == "xylophone quantum zebra parking" && u.ChatID == 0 }) {
			t.Errorf("unanswered question not recorded: %+v", us)
		}
	})

	t.Run("emergency is answered", func(t *testing.T) {
		n := len(h.sentTo(chen.ID))
		h.deliver(tt.Text(chen, "fire! my kitchen is burning"))
		msg := h.waitTo(chen.ID, n+1)[n]
		mustContain(t, "emergency", msg.Params["text"], "Emergency?", "112", "110")
	})

	t.Run("non-text messages get a localized reply", func(t *testing.T) {
		kinds := []string{"photo", "sticker", "voice", "document", "location", "contact", "video", "video_note"}
		n := len(h.sentTo(dana.ID))
		for _, k := range kinds {
			h.deliver(tt.Media(dana, k))
		}
		msgs := h.waitTo(dana.ID, n+len(kinds))
		for _, msg := range msgs[n:] {
			mustContain(t, "reply to media", msg.Params["text"], "Ich kann nur Text lesen")
		}
	})

	t.Run("edited message and channel post", func(t *testing.T) {
		n := len(h.sentTo(dana.ID))
		h.deliver(tt.Edited(dana, "Wo ist das Ausländerbüro?"))
		mustContain(t, "edited", h.waitTo(dana.ID, n+1)[n].Params["text"], "Ich lese nur neue Nachrichten")
		h.deliver(tt.ChannelPost(-1009, "News"))
		mustContain(t, "channel post", h.waitTo(-1009, 1)[0].Params["text"], "privaten Chat")
	})

	t.Run("stale and unknown buttons get a polite answer", func(t *testing.T) {
		n := len(h.api.Sent("answerCallbackQuery"))
		for _, d := range []string{"t:en:gone-topic", "v:en:+:gone-topic", "zz:1", "t:xx:work", "", "p:en:-3"} {
			h.deliver(tt.Callback(chen, d))
		}
		cbs := h.waitCallbacks(n + 6)
		for _, cb := range cbs[n:] {
			mustContain(t, "stale button", cb.Params["text"], "This button is out of date")
		}
	})

	t.Run("votes are stored per topic", func(t *testing.T) {
		n := len(h.api.Sent("answerCallbackQuery"))
		h.deliver(tt.Callback(chen, "v:en:+:work"))
		h.deliver(tt.Callback(dana, "v:de:-:work"))
		cbs := h.waitCallbacks(n + 2)
		texts := []string{cbs[n].Params["text"], cbs[n+1].Params["text"]}
		slices.Sort(texts)
		mustContain(t, "vote notices", strings.Join(texts, "|"), "Danke! Schade", "Thank you for your feedback!")
		h.waitIdle()
		votes, err := h.db.VotesByTopic(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(votes, sqliteTopicVotes{TopicID: "work", Helpful: 1, Useless: 1}) {
			t.Errorf("votes = %+v", votes)
		}
	})

	t.Run("topic and person buttons", func(t *testing.T) {
		n := len(h.sentTo(chen.ID))
		h.deliver(tt.Callback(chen, "t:en:naturalisation"))
		mustContain(t, "topic", h.waitTo(chen.ID, n+1)[n].Params["text"], "<b>Naturalisation</b>")
		h.deliver(tt.Callback(chen, "h:en:work"))
		mustContain(t, "person", h.waitTo(chen.ID, n+2)[n+1].Params["text"], "reach a person", `<a href="tel:04412350">0441 235-0</a>`)
	})

	t.Run("topics are paged", func(t *testing.T) {
		n := len(h.sentTo(chen.ID))
		h.deliver(tt.Text(chen, "/topics"))
		msg := h.waitTo(chen.ID, n+1)[n]
		mustContain(t, "topics page", msg.Params["text"], "page 1 of 2")
		data := msg.Data()
		if len(data) != TopicsPerPage+1 || data[0] != "t:en:emergency" || data[len(data)-1] != "p:en:1" {
			t.Errorf("page 1 keyboard = %v", data)
		}
		e := len(h.api.Sent("editMessageText"))
		h.deliver(tt.Callback(chen, "p:en:1"))
		edits := h.api.WaitSent(t, "editMessageText", e+1)
		edit := edits[e]
		mustContain(t, "page 2", edit.Params["text"], "page 2 of 2")
		if edit.Int("message_id") != 7 || !slices.Contains(edit.Data(), "p:en:0") || len(edit.Data()) != 11-TopicsPerPage+1 {
			t.Errorf("page 2 edit: message %d, keyboard %v", edit.Int("message_id"), edit.Data())
		}
	})

	t.Run("contact, privacy, forget, unknown command", func(t *testing.T) {
		n := len(h.sentTo(bernd.ID))
		h.deliver(tt.Callback(bernd, "l:uk"))
		h.deliver(tt.Text(bernd, "/contact"))
		h.deliver(tt.Text(bernd, "/privacy"))
		h.deliver(tt.Text(bernd, "/forget"))
		h.deliver(tt.Text(bernd, "/frobnicate"))
		msgs := h.waitTo(bernd.ID, n+5)[n:]
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
		n := len(h.sentTo(dana.ID))
		h.deliver(tt.Text(dana, "/start@OtherBot"))
		h.deliver(tt.Text(dana, "/help"))
		msgs := h.waitTo(dana.ID, n+1)
		h.waitIdle()
		if len(h.sentTo(dana.ID)) != n+1 {
			t.Fatalf("got %d replies, want only the one to /help", len(h.sentTo(dana.ID))-n)
		}
		mustContain(t, "help", msgs[n].Params["text"], "/topics")
	})

	t.Run("long answers are split at paragraphs", func(t *testing.T) {
		n := len(h.sentTo(anna.ID))
		h.deliver(tt.Text(anna, "Is there a detailed guide for newcomers?"))
		h.api.WaitFor(t, 10*time.Second, "split answer", func(*tt.Server) bool {
			msgs := h.sentTo(anna.ID)
			return len(msgs) > n+1 && len(msgs[len(msgs)-1].Data()) > 0
		})
		msgs := h.sentTo(anna.ID)[n:]
		whole := ""
		for i, msg := range msgs {
			text := msg.Params["text"]
			if len16(text) > MaxMessage {
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
		group := tt.GroupChat(-100200)
		h.deliver(tt.TextIn(group, chen, "where is the immigration office"))
		h.deliver(tt.TextIn(group, chen, "@"+tt.Username+" where is the immigration office?"))
		h.deliver(tt.ReplyTo(group, dana, "Wo ist das Ausländerbüro?"))
		h.deliver(tt.TextIn(group, chen, "/help@"+tt.Username))
		msgs := h.waitTo(-100200, 3)
		h.waitIdle()
		if len(h.sentTo(-100200)) != 3 {
			t.Fatalf("%d messages to the group, want 3", len(h.sentTo(-100200)))
		}
		mustContain(t, "mention", msgs[0].Params["text"], "Immigration office")
		mustContain(t, "reply", msgs[1].Params["text"], "Ausländerbüro")
		mustContain(t, "help", msgs[2].Params["text"], "/topics")
		if !strings.Contains(msgs[0].Params["reply_parameters"], `"message_id"`) {
			t.Errorf("group answer is not a reply: %q", msgs[0].Params["reply_parameters"])
		}
	})

	t.Run("metrics", func(t *testing.T) {
		h.waitIdle()
		if n := metricSum(t, h, "ankommen_emergencies_total", nil); n < 1 {
			t.Errorf("emergencies = %v", n)
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
		if err := json.Unmarshal([]byte(codes[code]), &cmds); err != nil || len(cmds) != len(Commands) {
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

// TestCoreReload: each update uses the core current when it arrives, so content
// reloaded while the bot runs (app.Live) shows in the next answer.
func TestCoreReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/content")); err != nil {
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
	var current atomic.Pointer[Core]
	h := newHarness(t, polling, func(o *Options) {
		first := o.Core()
		current.Store(&first)
		o.Core = func() Core { return *current.Load() }
	})
	h.deliver(tt.Callback(anna, "t:en:work"))
	mustContain(t, "before", h.waitTo(anna.ID, 1)[0].Params["text"], "<b>Working</b>")
	edited := loadCore(t, os.DirFS(dir), slog.New(slog.DiscardHandler), nil)
	current.Store(&Core{Answerer: edited.Assistant, Corpus: edited.Corpus, Locale: edited.Locale, Renderer: edited.Renderer})
	h.deliver(tt.Callback(anna, "t:en:work"))
	mustContain(t, "after", h.waitTo(anna.ID, 2)[1].Params["text"], "<b>Working in Germany</b>")
}
