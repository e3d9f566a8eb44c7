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
	"strconv"
	"strings"
	"sync"
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
	// WebhookAddr is a second, public listen address that serves the webhook path
	// and nothing else; the webhook is then not served on Addr. "": the webhook is
	// served on Addr.
	WebhookAddr string
	// Ready reports why the process cannot serve yet (nil: ready).
	Ready func(ctx context.Context) error
	// Ask answers a question for GET /ask; nil: no such endpoint.
	Ask func(ctx context.Context, question, lang string) (any, error)
	// AskLimit is how many /ask requests one client address may make a minute
	// (a token bucket holding AskLimit/4, at least 1); 0: 60. Beyond it: 429 with
	// Retry-After.
	AskLimit int
	// Now is the clock of the rate limit (default time.Now).
	Now func() time.Time
	// Status is the text of GET / (what runs, how to use it).
	Status func() string
	// Staff serves the staff page under /staff/; nil: none.
	Staff  http.Handler
	Logger *slog.Logger
}

// Server is the HTTP server: the internal listener (Addr) and, when WebhookAddr is
// set, the public one that serves only the webhook.
type Server struct {
	opt     Options
	srv     *http.Server
	ln      net.Listener
	pub     *http.Server // nil: no public listener
	pubLn   net.Listener
	log     *slog.Logger
	askRate *buckets
}

// New returns a server; Listen binds it.
func New(opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.AskLimit <= 0 {
		opt.AskLimit = 60
	}
	s := &Server{opt: opt, log: opt.Logger, askRate: newBuckets(opt.AskLimit, time.Minute, max(opt.AskLimit/4, 1), opt.Now)}
	s.srv = s.httpServer(s.Handler())
	if opt.WebhookAddr != "" && opt.Webhook != nil {
		s.pub = s.httpServer(s.PublicHandler())
	}
	return s
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       90 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opt.Logger.Handler(), slog.LevelWarn),
	}
}

// PublicHandler returns the routes of the public listener: the webhook path, and
// 404 for everything else.
func (s *Server) PublicHandler() http.Handler {
	mux := http.NewServeMux()
	if s.opt.Webhook != nil {
		mux.Handle("POST "+s.opt.WebhookPath, s.opt.Webhook)
	}
	return s.logRequests(mux)
}

// Handler returns the routes of the internal listener.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		text(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	if s.opt.Metrics != nil {
		mux.Handle("GET /metrics", s.opt.Metrics)
	}
	if s.opt.Webhook != nil && s.opt.WebhookAddr == "" {
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
	if wait := s.askRate.take(clientAddr(r)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many questions from this address; try again later"})
		return
	}
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

// Listen binds the addresses, so that a busy port fails start-up at once.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.opt.Addr, err)
	}
	s.ln = ln
	if s.pub != nil {
		pl, err := net.Listen("tcp", s.opt.WebhookAddr)
		if err != nil {
			ln.Close()
			s.ln = nil
			return fmt.Errorf("server: listen on %s (webhook): %w", s.opt.WebhookAddr, err)
		}
		s.pubLn = pl
	}
	return nil
}

// Addr returns the bound internal address (after Listen), e.g. with the port chosen
// for ":0".
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.opt.Addr
	}
	return s.ln.Addr().String()
}

// WebhookAddr returns the bound public address, "" when there is none.
func (s *Server) WebhookAddr() string {
	if s.pubLn == nil {
		return s.opt.WebhookAddr
	}
	return s.pubLn.Addr().String()
}

// Serve serves until Shutdown; it returns nil after a shutdown.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	errs := make(chan error, 1)
	if s.pub != nil {
		go func() { errs <- serve(s.pub, s.pubLn) }()
	} else {
		errs <- nil
	}
	err := serve(s.srv, s.ln)
	if err != nil && s.pub != nil {
		s.pub.Close()
	}
	return errors.Join(err, <-errs)
}

func serve(srv *http.Server, ln net.Listener) error {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// Shutdown stops taking connections and waits for requests in progress until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	if s.pub != nil {
		errs = append(errs, s.pub.Shutdown(ctx))
	}
	errs = append(errs, s.srv.Shutdown(ctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}

// clientAddr is the client's IP address as the server sees it; forwarding headers
// are not trusted (anyone could send them to get around the limit).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// buckets are token buckets per key: each holds up to burst tokens and gains rate
// tokens per period. It is safe for concurrent use.
type buckets struct {
	mu     sync.Mutex
	every  time.Duration // time for one token
	burst  float64
	now    func() time.Time
	tokens map[string]bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(rate int, period time.Duration, burst int, now func() time.Time) *buckets {
	return &buckets{every: period / time.Duration(rate), burst: float64(burst), now: now, tokens: map[string]bucket{}}
}

// take takes a token for key; it returns 0, or how long until one is there.
func (b *buckets) take(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if len(b.tokens) > 100_000 {
		clear(b.tokens) // many addresses: forget rather than grow without bound
	}
	bk, ok := b.tokens[key]
	if !ok {
		bk = bucket{tokens: b.burst, at: now}
	}
	bk.tokens = min(b.burst, bk.tokens+float64(now.Sub(bk.at))/float64(b.every))
	bk.at = now
	if bk.tokens < 1 {
		b.tokens[key] = bk
		return time.Duration((1 - bk.tokens) * float64(b.every))
	}
	bk.tokens--
	b.tokens[key] = bk
	return 0
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
