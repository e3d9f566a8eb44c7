package staffweb

import (
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

// login checks name and password; failed attempts are limited per client address
// and per name.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !equal(r.PostFormValue("csrf"), c.Value) {
		h.showLogin(w, r, http.StatusForbidden, "StaffLoginExpired", "", r.PostFormValue("next"))
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	keys := []string{"addr:" + clientAddr(r), "name:" + strings.ToLower(name)}
	if !h.limit.allowed(keys...) {
		h.log.Warn("staff: login refused: too many failed attempts", "addr", clientAddr(r))
		h.showLogin(w, r, http.StatusTooManyRequests, "StaffLoginTooMany", name, next)
		return
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
		h.limit.failed(keys...)
		h.log.Info("staff: login failed", "addr", clientAddr(r))
		h.showLogin(w, r, http.StatusUnauthorized, "StaffLoginWrong", name, next)
		return
	}
	h.limit.reset(keys...)
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

// limiter counts failed logins per key in a sliding window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

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

// allowed reports whether every key is below the limit.
func (l *limiter) allowed(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		if len(l.recent(k, now)) >= l.max {
			return false
		}
	}
	return true
}

func (l *limiter) failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100_000 {
		clear(l.fails) // a flood of names: forget rather than grow without bound
	}
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
}

func (l *limiter) reset(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.fails, k)
	}
}
