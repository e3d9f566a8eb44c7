package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/clock"
	"github.com/oldenburg/ankommen/internal/metrics"
	"github.com/oldenburg/ankommen/internal/sqlite"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

const testSecret = "s3cret-Webhook_token"

// testLimits switch the rate limits off and make retries fast.
var testLimits = Limits{Off: true, RetryAfterUnit: 10 * time.Millisecond, BackoffMin: 4 * time.Millisecond, BackoffMax: 20 * time.Millisecond}

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness runs a Channel against the fake Bot API, with a real SQLite database and
// the echo handler.
type harness struct {
	t       testing.TB
	api     *tt.Server
	db      *sqlite.DB
	dbFile  string
	echo    *echo
	clock   *clock.Fake
	logs    *logBuffer
	metrics *metrics.Metrics
	opt     Options
	ch      *Channel
	hook    *httptest.Server // webhook mode: serves ch.WebhookHandler
	cancel  context.CancelFunc
	done    chan error
	nextID  int64
}

type mode string

const (
	polling mode = "polling"
	webhook mode = "webhook"
)

// newHarness starts a channel in mode with the echo handler; edit may change the
// options.
func newHarness(tb testing.TB, m mode, edit ...func(*Options)) *harness {
	tb.Helper()
	h := &harness{t: tb, api: tt.New(tb), clock: clock.NewFake(time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC)), logs: &logBuffer{}, echo: &echo{}}
	h.dbFile = filepath.Join(tb.TempDir(), sqlite.FileName)
	db, err := sqlite.Open(context.Background(), h.dbFile)
	if err != nil {
		tb.Fatal(err)
	}
	h.db = db
	tb.Cleanup(func() { db.Close() })
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.metrics = metrics.New()
	h.opt = Options{
		Token:        tt.Token,
		APIURL:       h.api.URL,
		Store:        db,
		Metrics:      h.metrics,
		Logger:       logger,
		Limits:       testLimits,
		Workers:      4,
		PollTimeout:  2 * time.Second,
		DrainTimeout: 2 * time.Second,
		Retry:        5 * time.Millisecond,
		Now:          h.clock.Now,
	}
	if m == webhook {
		h.opt.WebhookURL = "https://bot.example.org/telegram/hook"
		h.opt.WebhookSecret = testSecret
	}
	for _, e := range edit {
		e(&h.opt)
	}
	h.start()
	tb.Cleanup(func() {
		h.stop()
		if logs := h.logs.String(); strings.Contains(logs, tt.Token) || strings.Contains(logs, strings.SplitN(tt.Token, ":", 2)[1]) {
			tb.Errorf("the token appears in the logs")
		}
	})
	return h
}

// start starts a new Channel on the same database and fake API (a restart).
func (h *harness) start() {
	h.t.Helper()
	ch, err := New(h.opt)
	if err != nil {
		h.t.Fatal(err)
	}
	h.ch = ch
	h.echo.setChannel(ch)
	if h.opt.WebhookURL != "" {
		mux := http.NewServeMux()
		mux.Handle(ch.WebhookPath(), ch.WebhookHandler())
		h.hook = httptest.NewServer(mux)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- ch.Run(ctx, h.echo) }()
	h.waitReady()
}

func (h *harness) waitReady() {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.ch.Ready() != nil {
		select {
		case err := <-h.done:
			h.t.Fatalf("Run returned before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			h.t.Fatal("channel not ready")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop stops the channel and waits for Run; it is safe to call twice.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Fatal("Run did not return after cancel")
	}
	if h.hook != nil {
		h.hook.Close()
	}
}

// deliver hands an update to the channel: through getUpdates, or posted to the
// webhook with the right secret.
func (h *harness) deliver(u map[string]any) {
	h.t.Helper()
	if h.opt.WebhookURL == "" {
		h.api.AddUpdate(u)
		return
	}
	h.nextID++
	u["update_id"] = 5000 + h.nextID
	data, err := json.Marshal(u)
	if err != nil {
		h.t.Fatal(err)
	}
	resp := h.post(data, testSecret)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

// post posts body to the webhook with secret ("" sends no header).
func (h *harness) post(body []byte, secret string) *http.Response {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.hook.URL+h.ch.WebhookPath(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// sentTo returns the successful sendMessage calls to chat.
func (h *harness) sentTo(chatID int64) []tt.Request {
	var out []tt.Request
	for _, r := range h.api.Sent("sendMessage") {
		if r.Int("chat_id") == chatID {
			out = append(out, r)
		}
	}
	return out
}

// waitTo waits for n successful messages to chat and returns them.
func (h *harness) waitTo(chatID int64, n int) []tt.Request {
	h.t.Helper()
	h.api.WaitFor(h.t, 10*time.Second, "messages to chat", func(*tt.Server) bool { return len(h.sentTo(chatID)) >= n })
	return h.sentTo(chatID)
}

// waitIdle waits until every update received is handled and marked done.
func (h *harness) waitIdle() {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := h.db.Pending(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if len(p) == 0 && h.api.Pending() == 0 && h.ch.backlog() == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("not idle: %d pending in the inbox, %d at the fake API, backlog %d", len(p), h.api.Pending(), h.ch.backlog())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// metricSum adds up the samples of a metric whose labels include want.
func metricSum(tb testing.TB, h *harness, name string, want map[string]string) float64 {
	tb.Helper()
	mfs, err := h.metrics.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue metric
				}
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// httptestRecorder posts update u (with id) to ch's webhook handler directly.
func httptestRecorder(tb testing.TB, ch *Channel, u map[string]any, id int64) int {
	tb.Helper()
	u["update_id"] = id
	data, _ := json.Marshal(u)
	req := httptest.NewRequest(http.MethodPost, ch.WebhookPath(), bytes.NewReader(data))
	req.Header.Set(SecretHeader, testSecret)
	rec := httptest.NewRecorder()
	ch.WebhookHandler().ServeHTTP(rec, req)
	return rec.Code
}

// echo is the handler of the transport's tests. It answers a text with "echo: "
// and the text, a text with "guide" in it with guideText and a keyboard (in
// pieces), and a button with a callback answer; in groups it replies to the
// message. It records the chats that blocked the bot.
type echo struct {
	mu      sync.Mutex
	ch      *Channel
	blocked []int64
}

// guideText is a reply that takes two messages.
var guideText = func() string {
	var paras []string
	for i := range 40 {
		paras = append(paras, fmt.Sprintf("Paragraph %d: %s", i+1, strings.Repeat("words & more words ", 8)))
	}
	return strings.Join(paras, "\n\n")
}()

func (e *echo) setChannel(ch *Channel) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ch = ch
}

func (e *echo) Handle(ctx context.Context, u Update) {
	e.mu.Lock()
	ch := e.ch
	e.mu.Unlock()
	switch {
	case u.Message != nil && u.Message.Text != "":
		c := u.Message.Chat
		m := Message{ChatID: c.ID, Group: c.Type == models.ChatTypeGroup || c.Type == models.ChatTypeSupergroup,
			Text: "echo: " + html.EscapeString(u.Message.Text)}
		if strings.Contains(u.Message.Text, "guide") {
			m.Text = html.EscapeString(guideText)
			m.Keyboard = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "ok", CallbackData: "ok"}}}}
		}
		if m.Group {
			m.ReplyTo = u.Message.ID
		}
		ch.Send(ctx, m)
	case u.CallbackQuery != nil:
		ch.Send(ctx, Message{ChatID: u.CallbackQuery.From.ID, Callback: u.CallbackQuery.ID, Text: "pressed"})
	}
}

func (e *echo) Blocked(_ context.Context, chatID int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.blocked = append(e.blocked, chatID)
}

func (e *echo) blockedChats() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int64(nil), e.blocked...)
}

// Menus are two menus, the default and the German one.
func (e *echo) Menus() []Menu {
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}}
	return []Menu{{LanguageCode: "", Commands: cmds}, {LanguageCode: "de", Commands: cmds}}
}
