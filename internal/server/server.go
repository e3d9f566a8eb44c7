// Package server is the HTTP side of `ankommen serve`: liveness and readiness,
// Prometheus metrics, the Telegram webhook, and a small question endpoint that makes
// the server useful without Telegram.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Options configure the server.
type Options struct {
	Addr string // listen address, host:port
	// Metrics serves /metrics; nil: no metrics.
	Metrics http.Handler
	// Webhook receives Telegram's POSTs at WebhookPath; nil: no webhook.
	Webhook     http.Handler
	WebhookPath string
	// Ready reports why the process cannot serve yet (nil: ready).
	Ready func(ctx context.Context) error
	// Ask answers a question for GET /ask; nil: no such endpoint.
	Ask func(ctx context.Context, question, lang string) (any, error)
	// Status is the text of GET / (what runs, how to use it).
	Status func() string
	// Staff serves the staff page under /staff/; nil: none.
	Staff  http.Handler
	Logger *slog.Logger
}

// Server is the HTTP server.
type Server struct {
	opt Options
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
}

// New returns a server; Listen binds it.
func New(opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opt: opt, log: opt.Logger}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(opt.Logger.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		text(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	if s.opt.Metrics != nil {
		mux.Handle("GET /metrics", s.opt.Metrics)
	}
	if s.opt.Webhook != nil {
		mux.Handle("POST "+s.opt.WebhookPath, s.opt.Webhook)
	}
	if s.opt.Ask != nil {
		mux.HandleFunc("GET /ask", s.ask)
	}
	if s.opt.Staff != nil {
		mux.Handle("/staff/", s.opt.Staff)
		mux.Handle("GET /staff", http.RedirectHandler("/staff/", http.StatusMovedPermanently))
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		status := "ankommen is running.\n"
		if s.opt.Status != nil {
			status = s.opt.Status()
		}
		text(w, http.StatusOK, status)
	})
	return s.logRequests(mux)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.opt.Ready != nil {
		if err := s.opt.Ready(r.Context()); err != nil {
			text(w, http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
			return
		}
	}
	text(w, http.StatusOK, "ready\n")
}

// ask answers GET /ask?q=…&lang=… as JSON.
func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "add a question: /ask?q=Where+is+the+immigration+office%3F (and optionally &lang=en)"})
		return
	}
	res, err := s.opt.Ask(r.Context(), q, r.URL.Query().Get("lang"))
	if err != nil {
		var bad BadRequest
		if errors.As(err, &bad) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": bad.Error()})
			return
		}
		s.log.Error("ask failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// BadRequest is an error of the request itself, shown to the client.
type BadRequest string

func (b BadRequest) Error() string { return string(b) }

// logRequests logs each request at debug level: method, path and status, never the
// query (it holds user text) or headers (the webhook secret).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Listen binds the address, so that a busy port fails start-up at once.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.opt.Addr, err)
	}
	s.ln = ln
	return nil
}

// Addr returns the bound address (after Listen), e.g. with the port chosen for ":0".
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.opt.Addr
	}
	return s.ln.Addr().String()
}

// Serve serves until Shutdown; it returns nil after a shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// Shutdown stops taking connections and waits for requests in progress until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}

func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
