package staffweb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
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
// checked (a slot is taken in one step in the store, for all replicas), so that
// parallel guesses cannot all get past the limit before the first failure is
// counted. Failures are limited per
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
	ctx := r.Context()
	at, allowed, err := h.limit.reserve(ctx, keys...)
	if err != nil {
		h.log.Error("staff: login: cannot count the attempt", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "StaffErrorInternal")
		return
	}
	if !allowed {
		h.log.Warn("staff: login refused: too many failed attempts", "addr", addr)
		h.showLogin(w, r, http.StatusTooManyRequests, "StaffLoginTooMany", name, next)
		return
	}
	ok := false
	defer func() {
		// The outcome is recorded even when the client went away meanwhile.
		ctx := context.WithoutCancel(ctx)
		var err error
		if ok {
			err = h.limit.succeeded(ctx, at, keys...)
		} else {
			err = h.limit.failed(ctx, nameKey(name))
		}
		if err != nil {
			h.log.Error("staff: login: cannot record the outcome of the attempt", "err", err)
		}
	}()
	d, err := h.limit.slowdown(ctx, nameKey(name))
	if err != nil {
		h.log.Error("staff: login: cannot read the attempts", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "StaffErrorInternal")
		return
	}
	if d > 0 {
		if sleep(ctx, d) != nil {
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
	return []string{"addr:" + addr, "pair:" + addr + "/" + nameHash(name)}
}

// nameKey is the key under which failures for a name from any address are counted.
func nameKey(name string) string { return "name:" + nameHash(name) }

// nameHash stands for a name typed into the login form in the store's keys: what
// strangers type is not kept as it is, and any bytes they send (a NUL, invalid
// UTF-8) make a key a database takes.
func nameHash(name string) string {
	h := sha256.Sum256([]byte(strings.ToLower(name)))
	return hex.EncodeToString(h[:16])
}

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

// limiter counts login attempts per key in a sliding window, in the store, so
// that every replica of the staff page applies the same limit. An attempt takes a
// slot on each key with reserve before the password is checked; the slot becomes
// a failure (failed: it stays) or is given back (succeeded). A key is refused while
// its failures and attempts in progress reach max. Should the process die between
// the two, the slot counts as a failure: the limit errs on the safe side.
type limiter struct {
	store  staff.Attempts
	max    int
	window time.Duration
	slow   time.Duration // slowdown per failure for a name beyond max; 0: none
	now    func() time.Time
}

func newLimiter(store staff.Attempts, max int, window, slow time.Duration, now func() time.Time) *limiter {
	return &limiter{store: store, max: max, window: window, slow: slow, now: now}
}

// maxSlowdown bounds the wait slowdown adds to one attempt.
const maxSlowdown = 10 * time.Second

// reserve takes a slot for an attempt on every key, or none when one of them is at
// the limit. It returns when the slots were taken, for giving them back.
func (l *limiter) reserve(ctx context.Context, keys ...string) (time.Time, bool, error) {
	now := l.now()
	ok, err := l.store.ReserveAttempt(ctx, keys, l.max, now.Add(-l.window), now)
	return now, ok, err
}

// failed keeps the attempt's slots as failures, and counts one for the name of the
// attempt from any address (its nameKey).
func (l *limiter) failed(ctx context.Context, nameKey string) error {
	return l.store.CountAttempt(ctx, nameKey, l.now())
}

// succeeded gives the slots taken at at back and forgets the failures of the
// address with the name (the person knows the password); the address's own count
// stays, so that a login to one's own account does not open more guesses at others.
func (l *limiter) succeeded(ctx context.Context, at time.Time, keys ...string) error {
	var errs []error
	for _, k := range keys {
		if strings.HasPrefix(k, "pair:") {
			errs = append(errs, l.store.ClearAttempts(ctx, k))
		} else {
			errs = append(errs, l.store.ReleaseAttempt(ctx, k, at))
		}
	}
	return errors.Join(errs...)
}

// slowdown is how long an attempt for the name key waits before the password is
// checked: nothing up to max failures in the window from anywhere, then slow for
// each further one, up to maxSlowdown.
func (l *limiter) slowdown(ctx context.Context, key string) (time.Duration, error) {
	if l.slow <= 0 {
		return 0, nil
	}
	fails, err := l.store.Attempts(ctx, key, l.now().Add(-l.window))
	if err != nil {
		return 0, err
	}
	n := fails - l.max + 1
	if n <= 0 {
		return 0, nil
	}
	return min(time.Duration(n)*l.slow, maxSlowdown), nil
}
