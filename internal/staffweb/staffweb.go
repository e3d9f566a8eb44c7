// Package staffweb is the staff review page of `ankommen serve`, under /staff/:
// login, the inbox of unanswered questions and handoffs, replies to users, teaching
// the bot, a "try it" page, statistics, the weekly summary, the topics due for
// review, open questions grouped across languages and the work ranked by demand.
// Pages are server-rendered html/template with embedded assets; they work without
// JavaScript. The interface is German, with English selectable; its strings are in
// locales/staff.<lang>.toml.
package staffweb

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/locale"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/staff"
	"github.com/oldenburg/ankommen/internal/summary"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the staff page is served.
const Prefix = "/staff/"

// Cookie names.
const (
	sessionCookie = "ankommen_staff"
	loginCookie   = "ankommen_login" // CSRF token of the login form
	langCookie    = "ankommen_staff_lang"
)

// Store is what the staff page reads and writes.
type Store interface {
	handoff.Store
	staff.Store
	staff.Attempts
	backlog.Store
	staff.Attempts
}

// Answering is what the page shows topics from and tries questions on: the current
// snapshot of content and locales.
type Answering struct {
	Corpus    *content.Corpus
	Locale    *locale.Bundle
	Assistant *assistant.Assistant
	Renderer  reply.Renderer
	// Models and Needs group open questions as the bot understands them now; nil
	// groups by the stored candidates and the words alone.
	Models backlog.Models
	Needs  *backlog.Needs
}

// Options configure the staff page.
type Options struct {
	Store   Store
	Service *handoff.Service
	// Answering returns what the page answers with now.
	Answering func() Answering
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // nil: discard
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration
	// LoginAttempts failed logins per LoginWindow are allowed for one client address,
	// and for one name from one address (default 5 in 15 minutes). Beyond that
	// many failures for one name from all addresses together, each further one
	// makes the next attempts for the name wait LoginSlowdown longer (default 1s,
	// at most 10s): slower, never locked, so strangers cannot lock a colleague out.
	LoginAttempts int
	LoginWindow   time.Duration
	LoginSlowdown time.Duration
	// Telegram reports whether the Telegram channel is on: replies can be delivered.
	Telegram bool
	// Summary computes the weekly summary of a week; nil: the page says there is
	// none.
	Summary func(ctx context.Context, w summary.Week) (summary.Summary, error)
	// SummaryChat reports whether the summary is also sent to a staff chat.
	SummaryChat bool
}

// Handler serves the staff page.
type Handler struct {
	opt   Options
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template
	limit *limiter
	// backlog acts on groups of questions.
	backlog *backlog.Service
	// grouping is the Grouper of the models the bot answers with now: kept while
	// they stay, so that reloading the groups and demand pages reuses its last
	// grouping instead of comparing every pair of open questions again.
	grouping struct {
		sync.Mutex
		models backlog.Models
		needs  *backlog.Needs
		g      *backlog.Grouper
	}
}

// route is one route of the staff page.
type route struct {
	method, path string
	public       bool // reachable without login
	h            func(w http.ResponseWriter, r *http.Request)
}

func (h *Handler) routes() []route {
	return []route{
		{"GET", "/staff/login", true, h.loginPage},
		{"POST", "/staff/login", true, h.login},
		{"GET", "/staff/lang/{lang}", true, h.setLang},
		{"GET", "/staff/static/", true, h.static},
		{"POST", "/staff/logout", false, h.logout},
		{"GET", "/staff/{$}", false, h.inbox},
		{"GET", "/staff/questions/{id}", false, h.question},
		{"POST", "/staff/questions/{id}/close", false, h.closeItem(handoff.KindQuestion, handoff.StatusClosed)},
		{"POST", "/staff/questions/{id}/spam", false, h.closeItem(handoff.KindQuestion, handoff.StatusSpam)},
		{"POST", "/staff/questions/{id}/learn", false, h.learn(handoff.KindQuestion)},
		{"GET", "/staff/handoffs/{id}", false, h.handoffPage},
		{"POST", "/staff/handoffs/{id}/reply", false, h.reply},
		{"POST", "/staff/handoffs/{id}/close", false, h.closeItem(handoff.KindHandoff, handoff.StatusClosed)},
		{"POST", "/staff/handoffs/{id}/spam", false, h.closeItem(handoff.KindHandoff, handoff.StatusSpam)},
		{"POST", "/staff/handoffs/{id}/learn", false, h.learn(handoff.KindHandoff)},
		{"GET", "/staff/try", false, h.try},
		{"GET", "/staff/stats", false, h.stats},
		{"GET", "/staff/stats.csv", false, h.statsCSV},
		{"GET", "/staff/review", false, h.review},
		{"GET", "/staff/summary", false, h.summary},
		{"GET", "/staff/groups", false, h.groups},
		{"POST", "/staff/groups/answer", false, h.groupAnswer},
		{"POST", "/staff/groups/need", false, h.groupNeed},
		{"POST", "/staff/groups/spam", false, h.groupSpam},
		{"GET", "/staff/demand", false, h.demand},
		{"POST", "/staff/needs/{id}/done", false, h.needDone},
		{"GET", "/staff/", false, h.notFound},
	}
}

// New returns the staff page's handler; it fails when a template does not parse.
func New(opt Options) (*Handler, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if opt.LoginAttempts <= 0 {
		opt.LoginAttempts = 5
	}
	if opt.LoginWindow <= 0 {
		opt.LoginWindow = 15 * time.Minute
	}
	if opt.LoginSlowdown == 0 {
		opt.LoginSlowdown = time.Second
	}
	h := &Handler{opt: opt, log: opt.Logger, mux: http.NewServeMux(), pages: map[string]*template.Template{},
		limit:   newLimiter(opt.Store, opt.LoginAttempts, opt.LoginWindow, opt.LoginSlowdown, opt.Now),
		backlog: backlog.NewService(opt.Store, opt.Service, opt.Now)}
	if err := h.parse(); err != nil {
		return nil, err
	}
	for _, rt := range h.routes() {
		var handler http.Handler = http.HandlerFunc(rt.h)
		if !rt.public {
			handler = h.authenticated(handler)
		}
		h.mux.Handle(rt.method+" "+rt.path, handler)
	}
	return h, nil
}

// ServeHTTP serves the staff page with its security headers: no framing, no
// scripts, nothing cached (pages show what users wrote).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/staff/static/") {
		hd.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
		if !sameOrigin(r) {
			h.fail(w, r, http.StatusForbidden, "StaffErrorForbidden")
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// sameOrigin rejects a POST whose Origin header names another site. SameSite
// cookies and the CSRF token already stop such requests; this is a second wall.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

type sessionKey struct{}

// session returns the request's session (set by authenticated).
func session(r *http.Request) staff.Session {
	s, _ := r.Context().Value(sessionKey{}).(staff.Session)
	return s
}

// authenticated lets a request through with a valid session, and a POST only with
// the session's CSRF token; without a session it goes to the login page.
func (h *Handler) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.currentSession(r)
		if !ok {
			target := "/staff/login"
			if r.Method == http.MethodGet && r.URL.Path != "/staff/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !equal(r.PostFormValue("csrf"), s.CSRF) {
			h.log.Warn("staff: form without a valid CSRF token", "path", r.URL.Path, "staff", s.Name)
			h.fail(w, r, http.StatusForbidden, "StaffErrorForbidden")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

func (h *Handler) currentSession(r *http.Request) (staff.Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return staff.Session{}, false
	}
	s, err := h.opt.Store.Session(r.Context(), staff.TokenHash(c.Value), h.opt.Now())
	if err != nil {
		if !errors.Is(err, staff.ErrNotFound) {
			h.log.Error("staff: cannot read a session", "err", err)
		}
		return staff.Session{}, false
	}
	return s, true
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// secure reports whether the request came over TLS (directly or through a proxy
// that says so): cookies then carry the Secure flag.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// uiLang is the page's language: the cookie's choice, else German.
func uiLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "de" || c.Value == "en") {
		return c.Value
	}
	return "de"
}

// setLang stores the language choice and goes back to the page it came from.
func (h *Handler) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if lang != "de" && lang != "en" {
		h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/staff/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// localPath returns p when it is a path of the staff page, else the inbox: a
// redirect target from a query never leads elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/staff/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/staff/"
	}
	return p
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(staticFS, "static")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/staff/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}

// pathID reads the {id} of the path; ok is false (and a 404 sent) when it is no
// positive number.
func (h *Handler) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
		return 0, false
	}
	return id, true
}

// failErr answers a failed action: a localized page with the status the error
// calls for; internal errors are logged, never shown.
func (h *Handler) failErr(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, handoff.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
	case errors.Is(err, handoff.ErrInvalid):
		h.fail(w, r, http.StatusBadRequest, "StaffErrorInvalid")
	case errors.Is(err, handoff.ErrClosed):
		h.fail(w, r, http.StatusConflict, "StaffErrorClosed")
	case errors.Is(err, handoff.ErrConflict):
		h.fail(w, r, http.StatusConflict, "StaffErrorConflict")
	default:
		h.log.Error("staff: request failed", "path", r.URL.Path, "err", err)
		h.fail(w, r, http.StatusInternalServerError, "StaffErrorInternal")
	}
}

// fail renders the error page with message id.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, id string) {
	h.render(w, r, status, "error.html", pageData{Title: "StaffErrorTitle", Error: id})
}

// itoa formats an id for a URL.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// redirect answers a successful POST: see the page again (POST/redirect/GET).
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// notFound answers a path of the staff page that does not exist (after login).
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
}
