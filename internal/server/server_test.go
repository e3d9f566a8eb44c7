package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
