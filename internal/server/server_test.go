package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRoutes(t *testing.T) {
	ready := errors.New("telegram: not connected yet")
	s := New(Options{
		Metrics:     http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "metric 1\n") }),
		Webhook:     http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }),
		WebhookPath: "/tg/hook",
		Ready:       func(context.Context) error { return ready },
		Ask: func(_ context.Context, q, lang string) (any, error) {
			if lang == "xx" {
				return nil, BadRequest("unsupported language")
			}
			if lang == "boom" {
				return nil, errors.New("secret internals")
			}
			return map[string]string{"q": q, "lang": lang}, nil
		},
		Status: func() string { return "status page\n" },
	})
	h := s.Handler()
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/healthz", 200, "ok"},
		{"GET", "/readyz", 503, "not ready: telegram: not connected yet"},
		{"GET", "/metrics", 200, "metric 1"},
		{"POST", "/tg/hook", 418, ""},
		{"GET", "/tg/hook", 405, ""},
		{"GET", "/ask?q=hallo&lang=de", 200, `"q": "hallo"`},
		{"GET", "/ask", 400, "add a question"},
		{"GET", "/ask?q=x&lang=xx", 400, "unsupported language"},
		{"GET", "/ask?q=x&lang=boom", 500, "internal error"},
		{"GET", "/", 200, "status page"},
		{"GET", "/nope", 404, ""},
		{"POST", "/healthz", 405, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("body %q lacks %q", rec.Body.String(), c.body)
			}
			if strings.Contains(rec.Body.String(), "secret internals") {
				t.Error("internal error shown to the client")
			}
		})
	}
	ready = nil
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 {
		t.Errorf("ready: %d", rec.Code)
	}
}

func TestListenServeShutdown(t *testing.T) {
	s := New(Options{Addr: "127.0.0.1:0"})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// A second server on the same port fails at Listen.
	if err := New(Options{Addr: s.Addr()}).Listen(); err == nil {
		t.Error("listened twice on one port")
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
}

// TestPublicListenerServesOnlyTheWebhook: with a public address, Telegram's webhook
// is served there and nowhere else; health, metrics, /ask and the staff page are
// only on the internal address.
func TestPublicListenerServesOnlyTheWebhook(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "reached\n") }
	s := New(Options{
		Addr: "127.0.0.1:0", WebhookAddr: "127.0.0.1:0",
		Metrics: http.HandlerFunc(ok), Staff: http.HandlerFunc(ok),
		Webhook: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }), WebhookPath: "/tg/hook",
		Ask: func(context.Context, string, string) (any, error) { return "answer", nil },
	})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	defer func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if s.WebhookAddr() == s.Addr() || strings.HasSuffix(s.WebhookAddr(), ":0") {
		t.Fatalf("addresses %s and %s", s.Addr(), s.WebhookAddr())
	}
	do := func(method, addr, path string) int {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		method, path     string
		public, internal int
	}{
		{"POST", "/tg/hook", 418, 404},
		{"GET", "/healthz", 404, 200},
		{"GET", "/readyz", 404, 200},
		{"GET", "/metrics", 404, 200},
		{"GET", "/ask?q=hallo", 404, 200},
		{"GET", "/staff/", 404, 200},
		{"GET", "/staff/login", 404, 200},
		{"POST", "/staff/login", 404, 200},
		{"GET", "/", 404, 200},
	} {
		if got := do(c.method, s.WebhookAddr(), c.path); got != c.public {
			t.Errorf("public %s %s: %d, want %d", c.method, c.path, got, c.public)
		}
		if got := do(c.method, s.Addr(), c.path); got != c.internal {
			t.Errorf("internal %s %s: %d, want %d", c.method, c.path, got, c.internal)
		}
	}
}

// TestAskRateLimit: /ask answers a burst from one address, then 429 with
// Retry-After until the bucket has refilled; other addresses are not affected.
func TestAskRateLimit(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := New(Options{AskLimit: 12, Now: func() time.Time { return now },
		Ask: func(context.Context, string, string) (any, error) { return "answer", nil }})
	h := s.Handler()
	ask := func(addr string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/ask?q=hallo", nil)
		req.RemoteAddr = addr + ":4711"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 3 { // the burst: 12 a minute / 4
		if rec := ask("192.0.2.1"); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := ask("192.0.2.1")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "5" || !strings.Contains(rec.Body.String(), "too many") {
		t.Fatalf("over the limit: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := ask("192.0.2.2"); rec.Code != 200 {
		t.Errorf("another address: %d", rec.Code)
	}
	now = now.Add(5 * time.Second) // one token (12 a minute)
	if rec := ask("192.0.2.1"); rec.Code != 200 {
		t.Errorf("after Retry-After: %d", rec.Code)
	}
	if rec := ask("192.0.2.1"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the token is used: %d", rec.Code)
	}
}
