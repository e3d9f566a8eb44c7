package conversation

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/clock"
	"github.com/oldenburg/ankommen/internal/metrics"
	"github.com/oldenburg/ankommen/internal/store"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

const testSecret = "s3cret-Webhook_token"

// testLimits switch the rate limits off and make retries fast.
var testLimits = telegram.Limits{Off: true, RetryAfterUnit: 10 * time.Millisecond, BackoffMin: 4 * time.Millisecond, BackoffMax: 20 * time.Millisecond}

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

// harness runs the conversation end to end: the real transport against the fake Bot
// API, a real database (SQLite, or PostgreSQL with ANKOMMEN_TEST_STORE=postgres,
// see apptest.OpenStore) and the test content.
type harness struct {
	t       testing.TB
	api     *tt.Server
	db      store.Store
	dbFile  string // the SQLite file (newHarnessSQLite only)
	snap    *apptest.Snapshot
	clock   *clock.Fake
	logs    *logBuffer
	metrics *metrics.Metrics
	opt     telegram.Options
	conv    Options
	ch      *telegram.Channel
	c       *Conversation
	hook    *httptest.Server // webhook mode: serves ch.WebhookHandler
	cancel  context.CancelFunc
	done    chan error
	nextID  int64
	// nextUser numbers the users of h.user.
	nextUser int64
}

type mode string

const (
	polling mode = "polling"
	webhook mode = "webhook"
)

// testContent is the content the tests answer from.
const testContent = "testdata/content"

// newHarness starts the bot in mode on the test content; edit may change the
// conversation's options.
func newHarness(tb testing.TB, m mode, edit ...func(*Options)) *harness {
	tb.Helper()
	return newHarnessOn(tb, m, testContent, edit...)
}

// newHarnessOn starts the bot in mode on the content in dir (apptest.Shipped: the
// shipped content).
func newHarnessOn(tb testing.TB, m mode, dir string, edit ...func(*Options)) *harness {
	tb.Helper()
	return startHarness(tb, m, dir, apptest.OpenStore(tb), "", edit...)
}

// newHarnessSQLite starts the bot in mode on a SQLite file, whichever store the
// other tests use: for the tests of what the file holds.
func newHarnessSQLite(tb testing.TB, m mode, edit ...func(*Options)) *harness {
	tb.Helper()
	db, file := apptest.OpenSQLite(tb)
	return startHarness(tb, m, testContent, db, file, edit...)
}

func startHarness(tb testing.TB, m mode, dir string, db store.Store, file string, edit ...func(*Options)) *harness {
	tb.Helper()
	h := &harness{t: tb, api: tt.New(tb), clock: clock.NewFake(time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC)), logs: &logBuffer{}}
	h.db, h.dbFile = db, file
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.snap = apptest.Load(tb, dir)
	h.metrics = metrics.New()
	h.opt = telegram.Options{
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
	h.conv = Options{
		Answering:     fixed(answering(h.snap, db)),
		Store:         db,
		Metrics:       h.metrics,
		Logger:        logger,
		Now:           h.clock.Now,
		Handoffs:      db,
		Subscriptions: db,
	}
	for _, e := range edit {
		e(&h.conv)
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

// start starts a new transport and conversation on the same database and fake API
// (a restart).
func (h *harness) start() {
	h.t.Helper()
	h.build()
	ch := h.ch
	if h.opt.WebhookURL != "" {
		mux := http.NewServeMux()
		mux.Handle(ch.WebhookPath(), ch.WebhookHandler())
		h.hook = httptest.NewServer(mux)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- ch.Run(ctx, h.c) }()
	h.waitReady()
}

// build makes a new transport and conversation without running them.
func (h *harness) build() {
	h.t.Helper()
	ch, err := telegram.New(h.opt)
	if err != nil {
		h.t.Fatal(err)
	}
	o := h.conv
	o.Sender = ch
	c, err := New(o)
	if err != nil {
		h.t.Fatal(err)
	}
	h.ch, h.c = ch, c
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
		req.Header.Set(telegram.SecretHeader, secret)
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

// waitCallbacks waits for n answered callback queries.
func (h *harness) waitCallbacks(n int) []tt.Request {
	h.t.Helper()
	return h.api.WaitSent(h.t, "answerCallbackQuery", n)
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
		// Updates leave the inbox when they and their messages are done. The fake
		// API may record a call just after answering it: idle twice in a row, with
		// nothing new recorded in between.
		if len(p) == 0 && h.api.Pending() == 0 {
			n := len(h.api.Sent())
			time.Sleep(20 * time.Millisecond)
			if p, _ := h.db.Pending(context.Background()); len(p) == 0 && h.api.Pending() == 0 && len(h.api.Sent()) == n {
				return
			}
			continue
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("not idle: %d pending in the inbox, %d at the fake API", len(p), h.api.Pending())
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

// answering is the answering part of snap, recording unanswered questions in db.
func answering(snap *apptest.Snapshot, db store.Store) Answering {
	var a *assistant.Assistant
	if db != nil {
		a = snap.Assistant(db)
	} else {
		a = snap.Assistant(nil)
	}
	return Answering{Answerer: a, Corpus: snap.Corpus, Renderer: snap.Renderer}
}

// fixed returns an Answering function that always returns a.
func fixed(a Answering) func() Answering { return func() Answering { return a } }
