package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// serveBuffer is stderr shared by the server's goroutines and the test.
type serveBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveProcess is `ankommen serve` running in the test.
type serveProcess struct {
	t      *testing.T
	stderr *serveBuffer
	cancel context.CancelFunc
	code   chan int
	addr   string
	data   string
}

var addrRe = regexp.MustCompile(`serve: started" addr=(127\.0\.0\.1:\d+)`)

// startServe runs serve with env (ANKOMMEN_ADDR defaults to a free port) and waits
// until it listens.
func startServe(t *testing.T, env map[string]string) *serveProcess {
	t.Helper()
	vars := map[string]string{
		"ANKOMMEN_ADDR":      "127.0.0.1:0",
		"ANKOMMEN_CONTENT":   "../conversation/testdata/content",
		"ANKOMMEN_LOG_LEVEL": "debug",
	}
	for k, v := range env {
		vars[k] = v
	}
	p := &serveProcess{t: t, stderr: &serveBuffer{}, code: make(chan int, 1), data: vars["ANKOMMEN_DATA"]}
	e := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: p.stderr, Getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	fast := app.WithChannelOptions(func(o *telegram.Options) {
		o.Limits = telegram.Limits{Off: true, RetryAfterUnit: time.Millisecond, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond}
		o.PollTimeout = time.Second
		o.Retry = 5 * time.Millisecond
	})
	go func() { p.code <- serve(ctx, e, nil, fast) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := addrRe.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			break
		}
		select {
		case code := <-p.code:
			t.Fatalf("serve exited with %d:\n%s", code, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// stop sends the equivalent of SIGTERM and returns the exit code.
func (p *serveProcess) stop() int {
	p.t.Helper()
	if p.cancel == nil {
		return -1
	}
	p.cancel()
	p.cancel = nil
	select {
	case code := <-p.code:
		if strings.Contains(p.stderr.String(), strings.SplitN(tt.Token, ":", 2)[1]) {
			p.t.Error("the token appears in the log")
		}
		return code
	case <-time.After(20 * time.Second):
		p.t.Fatal("serve did not stop")
	}
	return -1
}

func (p *serveProcess) get(path string) (int, string) {
	p.t.Helper()
	resp, err := http.Get("http://" + p.addr + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (p *serveProcess) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := p.get("/readyz"); code == 200 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("not ready:\n%s", p.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestServeConfigErrors(t *testing.T) {
	stderr := &serveBuffer{}
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN":   "12345:short",
		"ANKOMMEN_ADDR":        "nope",
		"TELEGRAM_WEBHOOK_URL": "http://insecure.example/hook",
		"ANKOMMEN_FLOOD_LIMIT": "lots",
	}
	e := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return vars[k] }}
	if code := Run(context.Background(), e, []string{"serve"}); code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	out := stderr.String()
	for _, want := range []string{"TELEGRAM_BOT_TOKEN does not look like", "ANKOMMEN_ADDR must be host:port", "must start with https://",
		"TELEGRAM_WEBHOOK_SECRET must be set", "ANKOMMEN_FLOOD_LIMIT must be a whole number"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "short") {
		t.Errorf("the token appears:\n%s", out)
	}
}

func TestServeWithoutTelegram(t *testing.T) {
	p := startServe(t, map[string]string{"ANKOMMEN_DATA": t.TempDir()})
	if !strings.Contains(p.stderr.String(), "Telegram is off") {
		t.Errorf("does not say that Telegram is off:\n%s", p.stderr.String())
	}
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "ready",
		"/":        "Telegram is off",
		"/metrics": "ankommen_update_handling_seconds",
		// http.Get follows the redirect from the staff page to its login.
		"/staff/": `<form method="post" action="/staff/login"`,
	} {
		if code, body := p.get(path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q", path, code, body)
		}
	}
	code, body := p.get("/ask?q=Where+is+the+immigration+office%3F")
	var a app.AskAnswer
	if err := json.Unmarshal([]byte(body), &a); code != 200 || err != nil || a.Kind != "answer" || a.Topic != "immigration-office" || a.Lang != "en" {
		t.Errorf("/ask: %d %s", code, body)
	}
	if code, _ := p.get("/ask?q=x&lang=xx"); code != 400 {
		t.Errorf("/ask with a bad language: %d", code)
	}
	// /ask records nothing by default: no unanswered question, no count.
	if code, body := p.get("/ask?q=xylophone+quantum+zebra+marker"); code != 200 || !strings.Contains(body, `"confident": false`) {
		t.Errorf("/ask not sure: %d %s", code, body)
	}
	if code := p.stop(); code != ExitOK {
		t.Errorf("exit %d", code)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(p.data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, _, err := db.ReviewItems(context.Background(), handoff.Filter{})
	stats, err2 := db.Stats(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 10)
	if err != nil || err2 != nil || len(items) != 0 || len(stats.Days) != 0 {
		t.Errorf("/ask recorded something: %d questions, %+v, %v %v", len(items), stats.Days, err, err2)
	}
}

// TestServeReadyzReportsDatabaseTrouble: serve on PostgreSQL is ready while the
// database answers; when the database goes away under it, /readyz answers 503 and
// names the database, and serve keeps running and stops cleanly.
func TestServeReadyzReportsDatabaseTrouble(t *testing.T) {
	url := pgtest.URL(t)
	p := startServe(t, map[string]string{"ANKOMMEN_DATABASE_URL": url, "ANKOMMEN_DATA": filepath.Join(t.TempDir(), "unused")})
	p.waitReady()
	if _, err := os.Stat(p.data); err == nil {
		t.Error("serve on PostgreSQL made the SQLite data directory")
	}
	if !strings.Contains(p.stderr.String(), "database=\"PostgreSQL 127.0.0.1:5432/ankommen_test_") {
		t.Errorf("the start log does not name the database:\n%s", p.stderr.String())
	}
	pgtest.Drop(t, url)
	code, body := p.get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: database: cannot reach PostgreSQL 127.0.0.1:5432/ankommen_test_") {
		t.Errorf("/readyz without the database: %d %q; want 503 naming the database", code, body)
	}
	// Our part names the database once; PostgreSQL's own cause after it may name it
	// again (`database "…" does not exist`), depending on when the drop lands.
	ours, _, _ := strings.Cut(body, " as postgres: ")
	if n := strings.Count(ours, "ankommen_test_"); n != 1 || strings.Count(body, "cannot reach") != 1 {
		t.Errorf("/readyz names the database %d times before the cause, want once: %q", n, body)
	}
	if code, _ := p.get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d; the process lives on", code)
	}
	if code := p.stop(); code != ExitOK {
		t.Errorf("exit %d:\n%s", code, p.stderr.String())
	}
}

// TestServeAskRecordsWhenConfigured: with ANKOMMEN_ASK_RECORD, /ask records an
// unanswered question as Telegram does.
func TestServeAskRecordsWhenConfigured(t *testing.T) {
	p := startServe(t, map[string]string{"ANKOMMEN_DATA": t.TempDir(), "ANKOMMEN_ASK_RECORD": "true"})
	if code, _ := p.get("/ask?q=xylophone+quantum+zebra"); code != 200 {
		t.Fatalf("/ask: %d", code)
	}
	p.stop()
	db, err := sqlite.Open(context.Background(), filepath.Join(p.data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if items, _, err := db.ReviewItems(context.Background(), handoff.Filter{}); err != nil || len(items) != 1 {
		t.Errorf("%d questions recorded, want 1: %v", len(items), err)
	}
}

// TestServePublicWebhookListener: with ANKOMMEN_WEBHOOK_ADDR the webhook is served
// there and only there; the internal routes are not reachable on it.
func TestServePublicWebhookListener(t *testing.T) {
	api := tt.New(t)
	p := startServe(t, map[string]string{"ANKOMMEN_DATA": t.TempDir(), "TELEGRAM_BOT_TOKEN": tt.Token, "TELEGRAM_API_URL": api.URL,
		"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/updates", "TELEGRAM_WEBHOOK_SECRET": "topsecret", "ANKOMMEN_WEBHOOK_ADDR": "127.0.0.1:0"})
	p.waitReady()
	m := regexp.MustCompile(`serve: started" addr=\S+ webhook_addr=(127\.0\.0\.1:\d+)`).FindStringSubmatch(p.stderr.String())
	if m == nil {
		t.Fatalf("no public address in the log:\n%s", p.stderr.String())
	}
	public := m[1]
	body, _ := json.Marshal(map[string]any{"update_id": 9, "message": tt.Text(tt.User{ID: 5, Lang: "en"}, "/help")["message"]})
	do := func(method, addr, path string) int {
		req, _ := http.NewRequest(method, "http://"+addr+path, bytes.NewReader(body))
		req.Header.Set(telegram.SecretHeader, "topsecret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := do("POST", p.addr, "/tg/updates"); code != 404 {
		t.Errorf("webhook on the internal address: %d, want 404", code)
	}
	if code := do("POST", public, "/tg/updates"); code != 200 {
		t.Errorf("webhook on the public address: %d", code)
	}
	api.WaitSent(t, "sendMessage", 1)
	for _, path := range []string{"/", "/healthz", "/readyz", "/metrics", "/ask?q=hallo", "/staff/", "/staff/login"} {
		if code := do("GET", public, path); code != 404 {
			t.Errorf("GET %s on the public address: %d, want 404", path, code)
		}
		if code := do("GET", p.addr, path); code != 200 {
			t.Errorf("GET %s on the internal address: %d", path, code)
		}
	}
}

// TestServePollingRestart runs serve against the fake Bot API, stops it and starts
// it again on the same data directory.
func TestServePollingRestart(t *testing.T) {
	api := tt.New(t)
	env := map[string]string{"ANKOMMEN_DATA": t.TempDir(), "TELEGRAM_BOT_TOKEN": tt.Token, "TELEGRAM_API_URL": api.URL}
	u := tt.User{ID: 42, Lang: "de"}
	p := startServe(t, env)
	p.waitReady()
	api.AddUpdate(tt.Text(u, "/start"))
	api.WaitSent(t, "sendMessage", 1)
	if code, body := p.get("/metrics"); code != 200 || !strings.Contains(body, `ankommen_updates_total{type="command"} 1`) {
		t.Errorf("metrics: %s", body)
	}
	if code := p.stop(); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	p = startServe(t, env)
	p.waitReady()
	api.AddUpdate(tt.Text(u, "Wo ist das Ausländerbüro?"))
	msgs := api.WaitSent(t, "sendMessage", 2)
	time.Sleep(50 * time.Millisecond)
	if n := len(api.Sent("sendMessage")); n != 2 {
		t.Errorf("%d messages after the restart, want 2: %s", n, api.Summary())
	}
	if !strings.Contains(msgs[0].Params["text"], "Willkommen") || !strings.Contains(msgs[1].Params["text"], "<b>Ausländerbüro</b>") {
		t.Errorf("messages: %s", api.Summary())
	}
	if code := p.stop(); code != ExitOK {
		t.Errorf("exit %d", code)
	}
}

func TestServeWebhook(t *testing.T) {
	api := tt.New(t)
	p := startServe(t, map[string]string{"ANKOMMEN_DATA": t.TempDir(), "TELEGRAM_BOT_TOKEN": tt.Token, "TELEGRAM_API_URL": api.URL,
		"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/updates", "TELEGRAM_WEBHOOK_SECRET": "topsecret"})
	p.waitReady()
	if hooks := api.Sent("setWebhook"); len(hooks) != 1 || hooks[0].Params["secret_token"] != "topsecret" {
		t.Fatalf("setWebhook: %s", api.Summary())
	}
	body, _ := json.Marshal(map[string]any{"update_id": 9, "message": tt.Text(tt.User{ID: 5, Lang: "en"}, "/help")["message"]})
	post := func(secret string) int {
		req, _ := http.NewRequest("POST", "http://"+p.addr+"/tg/updates", bytes.NewReader(body))
		req.Header.Set(telegram.SecretHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("wrong"); code != 401 {
		t.Errorf("wrong secret: %d", code)
	}
	if code := post("topsecret"); code != 200 {
		t.Errorf("right secret: %d", code)
	}
	api.WaitSent(t, "sendMessage", 1)
	if strings.Contains(p.stderr.String(), "topsecret") {
		t.Error("the webhook secret appears in the log")
	}
}

func TestServeRejectedToken(t *testing.T) {
	api := tt.New(t)
	stderr := &serveBuffer{}
	vars := map[string]string{"ANKOMMEN_DATA": t.TempDir(), "ANKOMMEN_ADDR": "127.0.0.1:0", "ANKOMMEN_CONTENT": "../conversation/testdata/content",
		"TELEGRAM_BOT_TOKEN": "999:" + strings.Repeat("x", 35), "TELEGRAM_API_URL": api.URL}
	e := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if code := Run(ctx, e, []string{"serve"}); code != ExitFail {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if out := stderr.String(); !strings.Contains(out, "rejected the bot token") || strings.Contains(out, strings.Repeat("x", 35)) {
		t.Errorf("log:\n%s", out)
	}
}
