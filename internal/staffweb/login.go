package staffweb

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/staff"
)

type loginData struct {
	Token string // the login form's CSRF token
	Name  string
	Next  string
}

// loginPage shows the login form. Its CSRF token is a random value in a cookie
// that the form repeats: another site can neither read the cookie nor send it
// (SameSite=Strict).
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.currentSession(r); ok {
		redirect(w, r, localPath(r.URL.Query().Get("next")))
		return
	}
	h.showLogin(w, r, http.StatusOK, "", "", r.URL.Query().Get("next"))
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, errID, name, next string) {
	token := staff.NewToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/staff/login", MaxAge: 3600,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
	h.render(w, r, status, "login.html", pageData{Title: "StaffLoginTitle", Error: errID,
		Data: loginData{Token: token, Name: name, Next: localPath(next)}})
}

// login checks name and password. Each attempt is counted before the password is
// checked (a slot is taken under a lock), so that parallel guesses cannot all get
// past the limit before the first failure is counted. Failures are limited per
// client address and per address and name: a stranger guessing a colleague's
// password elsewhere locks out only their own address. Failures for one name from
// everywhere slow the answers for that name down, without locking it.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !equal(r.PostFormValue("csrf"), c.Value) {
		h.showLogin(w, r, http.StatusForbidden, "StaffLoginExpired", "", r.PostFormValue("next"))
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	addr := clientAddr(r)
	keys := loginKeys(addr, name)
	if !h.limit.reserve(keys...) {
		h.log.Warn("staff: login refused: too many failed attempts", "addr", addr)
		h.showLogin(w, r, http.StatusTooManyRequests, "StaffLoginTooMany", name, next)
		return
	}
	ok := false
	defer func() {
		if ok {
			h.limit.succeeded(keys...)
		} else {
			h.limit.failed(keys...)
		}
	}()
	if d := h.limit.slowdown(nameKey(name)); d > 0 {
		if sleep(r.Context(), d) != nil {
			return
		}
	}
	acc, err := h.opt.Store.StaffByName(r.Context(), name)
	var hash []byte
	if err == nil {
		hash = acc.Hash
	} else if !errors.Is(err, staff.ErrNotFound) {
		h.log.Error("staff: login: cannot read the account", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "StaffErrorInternal")
		return
	}
	// Verify takes as long for an unknown name as for a wrong password.
	if !staff.Verify(hash, password) || name == "" {
		h.log.Info("staff: login failed", "addr", addr)
		h.showLogin(w, r, http.StatusUnauthorized, "StaffLoginWrong", name, next)
		return
	}
	ok = true
	token := staff.NewToken()
	now := h.opt.Now()
	s := staff.Session{TokenHash: staff.TokenHash(token), StaffID: acc.ID, Name: acc.Name, CSRF: staff.NewToken(),
		CreatedAt: now, ExpiresAt: now.Add(h.opt.SessionTTL)}
	if err := h.opt.Store.CreateSession(r.Context(), s); err != nil {
		h.log.Error("staff: cannot store a session", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "StaffErrorInternal")
		return
	}
	h.log.Info("staff: logged in", "staff", acc.Name)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/staff/",
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/staff/login", MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
	redirect(w, r, localPath(next))
}

// loginKeys are the limiter's keys of an attempt: the address, and the address
// with the name.
func loginKeys(addr, name string) []string {
	return []string{"addr:" + addr, "pair:" + addr + "\x00" + strings.ToLower(name)}
}

// nameKey is the key under which failures for a name from any address are counted.
func nameKey(name string) string { return "name:" + strings.ToLower(name) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// logout ends the session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s := session(r)
	if err := h.opt.Store.DeleteSession(r.Context(), s.TokenHash); err != nil {
		h.log.Error("staff: cannot end a session", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/staff/", MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
	redirect(w, r, "/staff/login")
}

// clientAddr is the client's IP address as the server sees it. Forwarding headers
// are not trusted: anyone could send them to get around the login limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts login attempts per key in a sliding window. An attempt takes a
// slot with reserve before the password is checked; the slot becomes a failure
// (failed) or is given back (succeeded). A key is refused while its failures and
// attempts in progress reach max.
type limiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	slow    time.Duration // slowdown per failure for a name beyond max; 0: none
	now     func() time.Time
	fails   map[string][]time.Time
	pending map[string]int
}

func newLimiter(max int, window, slow time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, slow: slow, now: now, fails: map[string][]time.Time{}, pending: map[string]int{}}
}

// maxSlowdown bounds the wait slowdown adds to one attempt.
const maxSlowdown = 10 * time.Second

// recent drops failures older than the window; l.mu is held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

// reserve takes a slot for an attempt on every key, or none when one of them is at
// the limit.
func (l *limiter) reserve(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		if len(l.recent(k, now))+l.pending[k] >= l.max {
			return false
		}
	}
	for _, k := range keys {
		l.pending[k]++
	}
	return true
}

// release gives the slots of keys back; l.mu is held.
func (l *limiter) release(keys []string) {
	for _, k := range keys {
		if l.pending[k] <= 1 {
			delete(l.pending, k)
		} else {
			l.pending[k]--
		}
	}
}

// failed turns the attempt's slots into failures, and counts one for the name of
// the attempt (the last key's name) from any address.
func (l *limiter) failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100_000 {
		clear(l.fails) // a flood of names: forget rather than grow without bound
	}
	l.release(keys)
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
	if n := len(keys); n > 0 {
		if _, name, ok := strings.Cut(keys[n-1], "\x00"); ok {
			k := nameKey(name)
			l.fails[k] = append(l.recent(k, now), now)
		}
	}
}

// succeeded gives the slots back and forgets the failures of the address with the
// name (the person knows the password); the address's own count stays, so that a
// login to one's own account does not open more guesses at others.
func (l *limiter) succeeded(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.release(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "pair:") {
			delete(l.fails, k)
		}
	}
}

// slowdown is how long an attempt for the name key waits before the password is
// checked: nothing up to max failures in the window from anywhere, then slow for
// each further one, up to maxSlowdown.
func (l *limiter) slowdown(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.recent(key, l.now())) - l.max + 1
	if l.slow <= 0 || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*l.slow, maxSlowdown)
}
