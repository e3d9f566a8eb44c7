// Package telegramtest is an in-process fake of the Telegram Bot API for tests and
// benchmarks: it records every request, serves updates to getUpdates, and lets a test
// script answers (429 with retry_after, 403, 5xx, hanging calls).
package telegramtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Token is the bot token the fake accepts.
const Token = "123456789:AAHfakeTOKENfakeTOKENfakeTOKEN_test-1"

// Username is the fake bot's username.
const Username = "ankommen_test_bot"

// BotID is the fake bot's user id.
const BotID = 123456789

// Request is one recorded Bot API call.
type Request struct {
	Method string
	Params map[string]string // form or JSON fields; objects as JSON text
	At     time.Time
	Status int // the HTTP status answered
}

// Int returns a numeric parameter, 0 when missing.
func (r Request) Int(key string) int64 {
	n, _ := strconv.ParseInt(r.Params[key], 10, 64)
	return n
}

// Keyboard returns the callback data of the inline keyboard, row by row.
func (r Request) Keyboard() [][]Button {
	var kb struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(r.Params["reply_markup"]), &kb)
	return kb.InlineKeyboard
}

// Button is an inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// Data returns all callback data of the keyboard, in order.
func (r Request) Data() []string {
	var out []string
	for _, row := range r.Keyboard() {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}

type queued struct {
	id   int64
	data json.RawMessage
}

// Response is a scripted answer.
type Response struct {
	Status int
	Body   any // marshalled as the whole JSON body
	// Hang makes the fake wait until the request is cancelled (or Release is
	// called) and then answer Status/Body.
	Hang bool
}

// TooMany is a 429 answer with retry_after.
func TooMany(retryAfter int) *Response {
	return &Response{Status: 429, Body: map[string]any{"ok": false, "error_code": 429,
		"description": "Too Many Requests: retry after " + strconv.Itoa(retryAfter),
		"parameters":  map[string]any{"retry_after": retryAfter}}}
}

// Forbidden is the 403 Telegram answers when the user blocked the bot.
func Forbidden() *Response {
	return &Response{Status: 403, Body: map[string]any{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}}
}

// ServerError is a 5xx answer.
func ServerError(status int) *Response {
	return &Response{Status: status, Body: map[string]any{"ok": false, "error_code": status, "description": http.StatusText(status)}}
}

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	tb testing.TB

	mu       sync.Mutex
	reqs     []Request
	updates  []queued // not confirmed yet, by update_id
	forced   []queued // sent once whatever the offset
	served   map[int64]time.Time
	nextID   int64
	nextMsg  int
	script   map[string][]func(Request) *Response
	release  chan struct{}
	arrived  chan struct{} // closed and replaced on every update or request
	closed   bool
	maxBatch int
	polls    atomic.Int32
	drop     bool
	counts   map[string]int // successful calls by method
	last     map[int64]time.Time
}

// Count returns how many calls of method succeeded.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// LastSent returns when the last successful sendMessage or editMessageText to
// each chat arrived.
func (s *Server) LastSent() map[int64]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]time.Time, len(s.last))
	for k, v := range s.last {
		out[k] = v
	}
	return out
}

// SentChats returns how many chats got a message.
func (s *Server) SentChats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.last)
}

// AddRaw queues an update given as JSON with its update_id.
func (s *Server) AddRaw(id int64, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID = max(s.nextID, id+1)
	s.updates = append(s.updates, queued{id, data})
	s.signal()
}

// KeepRequests switches the recording of requests off (false) for long benchmarks;
// counts and LastSent are kept.
func (s *Server) KeepRequests(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = !keep
}

// Polling reports how many getUpdates calls are waiting for updates.
func (s *Server) Polling() int { return int(s.polls.Load()) }

// New starts a fake Bot API; it closes when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{tb: tb, served: map[int64]time.Time{}, counts: map[string]int{}, last: map[int64]time.Time{}, nextID: 1000, nextMsg: 1, script: map[string][]func(Request) *Response{},
		release: make(chan struct{}), arrived: make(chan struct{}), maxBatch: 100}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// Close releases hanging calls and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.release)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// Script adds a scripted answer for method: f sees each call in turn and returns an
// answer, or nil to answer normally. Several scripts of a method are tried in order.
func (s *Server) Script(method string, f func(Request) *Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[method] = append(s.script[method], f)
}

// FailNext makes the next n calls of method answer r.
func (s *Server) FailNext(method string, n int, r *Response) {
	var mu sync.Mutex
	s.Script(method, func(Request) *Response {
		mu.Lock()
		defer mu.Unlock()
		if n <= 0 {
			return nil
		}
		n--
		return r
	})
}

// AddUpdate queues an update for getUpdates; update_id is set when it is 0. It
// returns the update's JSON.
func (s *Server) AddUpdate(u map[string]any) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := u["update_id"]; !ok || id == 0 {
		u["update_id"] = s.nextID
	}
	id := toInt(u["update_id"])
	if id >= s.nextID {
		s.nextID = id + 1
	}
	data, err := json.Marshal(u)
	if err != nil {
		s.tb.Fatal(err)
	}
	s.updates = append(s.updates, queued{id, data})
	s.signal()
	return data
}

// Redeliver sends an update once more with the next getUpdates, whatever the
// offset: a duplicate delivery, as a webhook retry or a lost confirmation makes.
func (s *Server) Redeliver(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, queued{updateID(data), data})
	s.signal()
}

// Served returns when getUpdates first returned each update.
func (s *Server) Served() map[int64]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]time.Time, len(s.served))
	for k, v := range s.served {
		out[k] = v
	}
	return out
}

// Pending returns how many updates getUpdates has not had confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates) + len(s.forced)
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func (s *Server) signal() {
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// Requests returns the recorded calls of the given methods (all calls when none).
func (s *Server) Requests(methods ...string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if len(methods) == 0 || contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	return out
}

// Sent returns the successful calls of the given methods.
func (s *Server) Sent(methods ...string) []Request {
	var out []Request
	for _, r := range s.Requests(methods...) {
		if r.Status == http.StatusOK {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor waits until cond holds for the recorded calls, and fails the test after
// timeout.
func (s *Server) WaitFor(tb testing.TB, timeout time.Duration, what string, cond func(*Server) bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		ch := s.arrived
		s.mu.Unlock()
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s; calls: %s", timeout, what, s.Summary())
		}
		select {
		case <-ch:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// WaitSent waits until n successful calls of method were made and returns them.
func (s *Server) WaitSent(tb testing.TB, method string, n int) []Request {
	tb.Helper()
	s.WaitFor(tb, 10*time.Second, fmt.Sprintf("%d × %s", n, method), func(s *Server) bool { return len(s.Sent(method)) >= n })
	return s.Sent(method)
}

// Summary lists the recorded calls, for failure messages.
func (s *Server) Summary() string {
	var b strings.Builder
	for _, r := range s.Requests() {
		if r.Method == "getUpdates" {
			continue
		}
		text := r.Params["text"]
		if len(text) > 60 {
			text = text[:60] + "…"
		}
		fmt.Fprintf(&b, "\n  %s %d chat=%s %q %s", r.Method, r.Status, r.Params["chat_id"], text, r.Params["callback_query_id"])
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/bot") {
		http.NotFound(w, r)
		return
	}
	req := Request{Method: method, Params: params(r), At: time.Now()}
	if token != Token {
		s.answer(w, req, &Response{Status: 401, Body: map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"}})
		return
	}
	s.mu.Lock()
	scripts := append([]func(Request) *Response(nil), s.script[method]...)
	release := s.release
	s.mu.Unlock()
	for _, f := range scripts {
		if resp := f(req); resp != nil {
			if resp.Hang {
				select {
				case <-r.Context().Done():
					s.record(req, 0)
					return
				case <-release:
				}
			}
			if resp.Status == 0 {
				break
			}
			s.answer(w, req, resp)
			return
		}
	}
	switch method {
	case "getUpdates":
		s.getUpdates(w, r, req)
	case "getMe":
		s.ok(w, req, map[string]any{"id": BotID, "is_bot": true, "first_name": "Ankommen", "username": Username})
	case "sendMessage", "editMessageText":
		s.mu.Lock()
		id := s.nextMsg
		if method == "sendMessage" {
			s.nextMsg++
		} else {
			id = int(req.Int("message_id"))
		}
		s.mu.Unlock()
		s.ok(w, req, map[string]any{"message_id": id, "date": time.Now().Unix(), "text": req.Params["text"],
			"chat": map[string]any{"id": req.Int("chat_id"), "type": "private"}})
	default:
		s.ok(w, req, true)
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, req Request) {
	s.polls.Add(1)
	defer s.polls.Add(-1)
	offset := req.Int("offset")
	timeout := time.Duration(req.Int("timeout")) * time.Second
	deadline := time.Now().Add(timeout)
	for {
		if r.Context().Err() != nil {
			s.record(req, 0)
			return
		}
		s.mu.Lock()
		// getUpdates with an offset confirms every update below it.
		drop := 0
		for drop < len(s.updates) && s.updates[drop].id < offset {
			drop++
		}
		s.updates = s.updates[drop:]
		n := min(len(s.updates), s.maxBatch)
		var batch []json.RawMessage
		now := time.Now()
		for _, u := range append(s.forced, s.updates[:n]...) {
			batch = append(batch, u.data)
			if _, ok := s.served[u.id]; !ok {
				s.served[u.id] = now
			}
		}
		s.forced = nil
		ch := s.arrived
		s.mu.Unlock()
		if len(batch) > 0 || time.Now().After(deadline) {
			if batch == nil {
				batch = []json.RawMessage{}
			}
			s.ok(w, req, batch)
			return
		}
		select {
		case <-r.Context().Done():
			s.record(req, 0)
			return
		case <-ch:
		case <-time.After(time.Until(deadline)):
		}
	}
}

func updateID(u json.RawMessage) int64 {
	var v struct {
		ID int64 `json:"update_id"`
	}
	_ = json.Unmarshal(u, &v)
	return v.ID
}

func (s *Server) ok(w http.ResponseWriter, req Request, result any) {
	s.answer(w, req, &Response{Status: 200, Body: map[string]any{"ok": true, "result": result}})
}

func (s *Server) answer(w http.ResponseWriter, req Request, resp *Response) {
	s.record(req, resp.Status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	_ = json.NewEncoder(w).Encode(resp.Body)
}

func (s *Server) record(req Request, status int) {
	req.Status = status
	s.mu.Lock()
	if !s.drop {
		s.reqs = append(s.reqs, req)
	}
	if status == http.StatusOK {
		s.counts[req.Method]++
		if req.Method == "sendMessage" || req.Method == "editMessageText" {
			s.last[req.Int("chat_id")] = req.At
		}
	}
	s.signal()
	s.mu.Unlock()
}

// params reads a request's fields: multipart form (the library), JSON (the poller)
// or URL-encoded form.
func params(r *http.Request) map[string]string {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err == nil {
			for k, v := range r.MultipartForm.Value {
				out[k] = v[0]
			}
		}
	case "application/json":
		var m map[string]json.RawMessage
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				var s string
				if json.Unmarshal(v, &s) == nil {
					out[k] = s
				} else {
					out[k] = string(v)
				}
			}
		}
	default:
		if err := r.ParseForm(); err == nil {
			for k, v := range r.Form {
				out[k] = v[0]
			}
		}
	}
	return out
}
