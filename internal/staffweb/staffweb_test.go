package staffweb

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/clock"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/staff"
	"github.com/oldenburg/ankommen/internal/summary"
)

const password = "a long enough password"

// notifier is a fake Telegram channel: it records replies and answers with result.
type notifier struct {
	mu      sync.Mutex
	replies []string
	closed  []int64
	result  error
	gate    chan struct{} // when set, Deliver waits for it
}

func (n *notifier) Deliver(h handoff.Handoff, text string, done func(error)) {
	if n.gate != nil {
		<-n.gate
	}
	n.mu.Lock()
	n.replies = append(n.replies, text)
	res := n.result
	n.mu.Unlock()
	done(res)
}

func (n *notifier) Closed(h handoff.Handoff) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = append(n.closed, h.ID)
}

func (n *notifier) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.replies)
}

// env is the staff page on a real database with the test content.
type env struct {
	t       *testing.T
	db      *sqlite.DB
	clock   *clock.Fake
	notify  *notifier
	h       *Handler
	srv     *httptest.Server
	learned int
	mu      sync.Mutex
	core    Answering
	gated   *gatedStore
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	snap := apptest.Load(t, "../conversation/testdata/content")
	corpus := snap.Corpus
	e := &env{t: t, db: db, clock: clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), notify: &notifier{}}
	e.core = Answering{Corpus: corpus, Locale: snap.Locale, Assistant: snap.Assistant(db).WithTally(db), Renderer: snap.Renderer}
	svc := handoff.NewService(handoff.Options{Store: db, Notifier: e.notify, Now: e.clock.Now,
		TopicExists: func(id string) bool { return corpus.Topic(id) != nil },
		OnLearned:   func() { e.mu.Lock(); e.learned++; e.mu.Unlock() }})
	e.h, err = New(Options{Store: e.store(db), Service: svc, Now: e.clock.Now, Telegram: true, LoginSlowdown: 10 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler), Answering: func() Answering { return e.core },
		Summary: func(ctx context.Context, w summary.Week) (summary.Summary, error) {
			return summary.Builder{Store: db}.Build(ctx, w)
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(e.srv.Close)
	hash, err := staff.Hash(password, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"anna", "bernd"} {
		if _, err := db.AddStaff(ctx, name, hash, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// gatedStore is the real database whose StaffByName waits, while gate is set, until
// the gate opens: logins then stay between the limit and the password check, as
// they do when bcrypt is slow under load.
type gatedStore struct {
	Store
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
}

func (g *gatedStore) StaffByName(ctx context.Context, name string) (staff.Account, error) {
	g.mu.Lock()
	gate, entered := g.gate, g.entered
	g.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	return g.Store.StaffByName(ctx, name)
}

func (e *env) store(db *sqlite.DB) Store {
	e.gated = &gatedStore{Store: db}
	return e.gated
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	e      *env
	c      *http.Client
	header http.Header
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, header: http.Header{}, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(data), resp.Header}
}

func (b *browser) get(path string) page { return b.do("GET", path, nil) }

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the first form on the page.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d):\n%s", p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

// login logs in as name and returns the session's CSRF token.
func (b *browser) login(name, pw string) page {
	b.e.t.Helper()
	p := b.get("/staff/login")
	return b.do("POST", "/staff/login", url.Values{"csrf": {csrf(b.e.t, p)}, "name": {name}, "password": {pw}})
}

func (b *browser) mustLogin(name string) string {
	b.e.t.Helper()
	if p := b.login(name, password); p.status != http.StatusSeeOther || p.header.Get("Location") != "/staff/" {
		b.e.t.Fatalf("login: %d %s", p.status, p.header.Get("Location"))
	}
	return csrf(b.e.t, b.get("/staff/"))
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func (e *env) record(text, lang string) int64 {
	e.t.Helper()
	err := e.db.RecordUnanswered(context.Background(), assistant.Unanswered{Text: text, Lang: lang, At: e.clock.Now(),
		Candidates: []assistant.Hit{{TopicID: "work", Score: 0.2468}}})
	if err != nil {
		e.t.Fatal(err)
	}
	items, _, err := e.db.ReviewItems(context.Background(), handoff.Filter{Kind: handoff.KindQuestion, Per: 1})
	if err != nil || len(items) == 0 {
		e.t.Fatal(err)
	}
	return items[0].ID
}

func (e *env) openHandoff(chatID int64, text string) handoff.Handoff {
	e.t.Helper()
	ctx := context.Background()
	h, _, err := e.db.OpenHandoff(ctx, handoff.Opening{ChatID: chatID, Lang: "en", At: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.AddUserMessage(ctx, h.ID, 0, text, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	h, _, _ = e.db.Handoff(ctx, h.ID)
	return h
}

// TestEveryRouteRequiresLogin goes through the routes one by one: without a session
// each staff route sends the browser to the login page; with a session, a form
// without the CSRF token is refused.
func TestEveryRouteRequiresLogin(t *testing.T) {
	e := newEnv(t)
	e.record("a question", "de")
	e.openHandoff(77, "hello")
	anon := e.browser()
	in := e.browser()
	in.mustLogin("anna")
	public := 0
	for _, rt := range e.h.routes() {
		// A request path that the route's pattern matches.
		path := strings.NewReplacer("{id}", "1", "{lang}", "en", "{$}", "").Replace(rt.path)
		switch rt.path {
		case "/staff/static/":
			path += "style.css"
		case "/staff/": // the catch-all
			path += "no-such-page"
		}
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var form url.Values
			if rt.method == "POST" {
				form = url.Values{"text": {"x"}, "topic": {"work"}, "after": {"0"}}
			}
			p := anon.do(rt.method, path, form)
			if rt.public {
				public++
				if p.status == http.StatusSeeOther && strings.HasPrefix(p.header.Get("Location"), "/staff/login") && rt.path != "/staff/lang/{lang}" {
					t.Errorf("public route sends to the login page")
				}
				return
			}
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/staff/login") {
				t.Errorf("without login: %d, Location %q", p.status, p.header.Get("Location"))
			}
			if rt.method == "POST" {
				if p := in.do("POST", path, form); p.status != http.StatusForbidden {
					t.Errorf("logged in, without CSRF token: %d", p.status)
				}
				form.Set("csrf", "wrong")
				if p := in.do("POST", path, form); p.status != http.StatusForbidden {
					t.Errorf("logged in, wrong CSRF token: %d", p.status)
				}
			} else if p := in.get(path); p.status == http.StatusSeeOther && strings.HasPrefix(p.header.Get("Location"), "/staff/login") {
				t.Errorf("logged in: still sent to the login page")
			}
		})
	}
	if public != 4 {
		t.Errorf("%d public routes, want 4 (login page, login, language, static files)", public)
	}
	// Nothing changed through the refused forms.
	if items, _, _ := e.db.ReviewItems(context.Background(), handoff.Filter{}); len(items) != 2 || e.notify.count() != 0 {
		t.Errorf("refused requests changed something: %+v, %d replies", items, e.notify.count())
	}
}

func TestLoginSessionLogout(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/staff/login")
	mustContain(t, "login page", p.body, `<html lang="de">`, `<label for="name">Name</label>`, `<label for="password">Passwort</label>`)
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
		if p.header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
	}
	// The login form needs its token.
	if p := b.do("POST", "/staff/login", url.Values{"name": {"anna"}, "password": {password}}); p.status != http.StatusForbidden {
		t.Errorf("login without token: %d", p.status)
	}
	if p := b.login("anna", "wrong password!"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Name oder Passwort ist falsch") {
		t.Errorf("wrong password: %d", p.status)
	}
	if p := b.login("nobody", password); p.status != http.StatusUnauthorized {
		t.Errorf("unknown name: %d", p.status)
	}
	p = b.login("anna", password)
	if p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	var cookie string
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, sessionCookie+"=") {
			cookie = c
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/staff/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Secure over plain HTTP: %q", cookie)
	}
	home := b.get("/staff/")
	mustContain(t, "inbox", home.body, "Angemeldet als anna", "Eingang")
	// Logout ends the session on the server, not only the cookie.
	token := csrf(t, home)
	if p := b.do("POST", "/staff/logout", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if p := b.get("/staff/"); p.status != http.StatusSeeOther {
		t.Errorf("after logout: %d", p.status)
	}
	// A session expires.
	b.mustLogin("bernd")
	e.clock.Advance(13 * time.Hour)
	if p := b.get("/staff/"); p.status != http.StatusSeeOther {
		t.Errorf("after 13 hours: %d", p.status)
	}
}

// TestSecureCookieOverTLS: behind TLS the cookies carry Secure.
func TestSecureCookieOverTLS(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.header.Set("X-Forwarded-Proto", "https")
	p := b.get("/staff/login")
	if c := strings.Join(p.header.Values("Set-Cookie"), " "); !strings.Contains(c, "Secure") {
		t.Errorf("login cookie over TLS: %q", c)
	}
}

// TestLoginRateLimit: after five failed attempts even the right password is refused
// for a while; the limit counts per address and per name.
func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for i := range 5 {
		if p := b.login("anna", fmt.Sprint("wrong ", i, " password")); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, p.status)
		}
	}
	p := b.login("anna", password)
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Zu viele Fehlversuche") {
		t.Fatalf("sixth attempt: %d", p.status)
	}
	if p := e.browser().login("bernd", password); p.status != http.StatusTooManyRequests {
		t.Errorf("another name from the same address: %d", p.status)
	}
	e.clock.Advance(16 * time.Minute)
	if p := b.login("anna", password); p.status != http.StatusSeeOther {
		t.Errorf("after the window: %d", p.status)
	}
}

// TestXSS: what users wrote shows as text on every page, never as markup.
func TestXSS(t *testing.T) {
	e := newEnv(t)
	evil := `<script>alert(1)</script><img src=x onerror="alert(2)"> "quoted" 'single' javascript:alert(3)`
	qid := e.record(evil, "de")
	ho := e.openHandoff(88, evil)
	b := e.browser()
	b.mustLogin("anna")
	for _, path := range []string{"/staff/", fmt.Sprintf("/staff/questions/%d", qid), fmt.Sprintf("/staff/handoffs/%d", ho.ID),
		"/staff/stats", "/staff/try?q=" + url.QueryEscape(evil), "/staff/?q=" + url.QueryEscape(evil)} {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Errorf("%s: %d", path, p.status)
		}
		for _, bad := range []string{"<script>", "<img src=x", `onerror="alert`} {
			if strings.Contains(p.body, bad) {
				t.Errorf("%s contains %q unescaped", path, bad)
			}
		}
		if !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the text", path)
		}
	}
}

func TestInboxFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 30 {
		lang := "de"
		if i%2 == 0 {
			lang = "uk"
		}
		e.record(fmt.Sprintf("Frage Nummer %02d", i), lang)
		e.clock.Advance(time.Minute)
	}
	e.openHandoff(5, "a handoff question")
	b := e.browser()
	b.mustLogin("anna")
	p := b.get("/staff/")
	mustContain(t, "page 1", p.body, "Treffer: 31 · Seite 1 von 2", "a handoff question", "Frage Nummer 29", `rel="next"`, "wartet auf Antwort")
	if strings.Index(p.body, "a handoff question") > strings.Index(p.body, "Frage Nummer 29") {
		t.Error("not newest first")
	}
	p = b.get("/staff/?page=2")
	mustContain(t, "page 2", p.body, "Seite 2 von 2", "Frage Nummer 00", `rel="prev"`)
	p = b.get("/staff/?lang=uk&kind=question&q=Nummer+1")
	mustContain(t, "filtered", p.body, "Treffer: 5 ", "Frage Nummer 18", `<option value="uk" selected>`)
	if strings.Contains(p.body, "Frage Nummer 17") {
		t.Error("German question in the Ukrainian filter")
	}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, handoff.Zone).Format(time.DateOnly)
	if p := b.get("/staff/?from=" + day + "&to=" + day); !strings.Contains(p.body, "Treffer: 31") {
		t.Errorf("date filter: %s", p.body[strings.Index(p.body, "Treffer"):][:40])
	}
	// Injection attempts: refused values are ignored and said so; nothing breaks.
	for _, q := range []string{"lang=de%27%20OR%20%271%27%3D%271", "status=open%22%3E%3Cscript%3E", "from=2026-13-45", "kind=x%3Bdrop", "page=-3"} {
		p := b.get("/staff/?" + q)
		if q == "page=-3" {
			if p.status != http.StatusOK {
				t.Errorf("%s: %d", q, p.status)
			}
			continue
		}
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Filterwert war ungültig") || strings.Contains(p.body, "<script>") {
			t.Errorf("%s: %d", q, p.status)
		}
	}
	if p := b.get("/staff/?q=%25%27%20OR%201%3D1%20--"); p.status != http.StatusOK || !strings.Contains(p.body, "Treffer: 0") {
		t.Errorf("search injection: %d", p.status)
	}
}

func TestQuestionActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	qid := e.record("Wie bekomme ich einen Termin beim Jobcenter?", "de")
	b := e.browser()
	token := b.mustLogin("anna")
	p := b.get(fmt.Sprintf("/staff/questions/%d", qid))
	mustContain(t, "question page", p.body, "Wie bekomme ich einen Termin beim Jobcenter?", "0.247", "Beantwortet durch das Thema",
		`<option value="work">`, "ohne Verbindung zur fragenden Person")
	if p := b.do("POST", fmt.Sprintf("/staff/questions/%d/learn", qid), url.Values{"csrf": {token}, "topic": {"no-such-topic"}}); p.status != http.StatusBadRequest {
		t.Errorf("unknown topic: %d", p.status)
	}
	p = b.do("POST", fmt.Sprintf("/staff/questions/%d/learn", qid), url.Values{"csrf": {token}, "topic": {"work"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("learn: %d", p.status)
	}
	mustContain(t, "after learning", b.get(p.header.Get("Location")).body, "Der Bot beantwortet diese Frage jetzt", "einem Thema zugeordnet")
	ls, _ := e.db.LearnedPhrasings(ctx)
	if len(ls) != 1 || ls[0].TopicID != "work" || ls[0].By != "anna" || e.learned != 1 {
		t.Errorf("learned: %+v, rebuilds %d", ls, e.learned)
	}
	q2 := e.record("spam spam", "en")
	if p := b.do("POST", fmt.Sprintf("/staff/questions/%d/spam", q2), url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Errorf("spam: %d", p.status)
	}
	q3 := e.record("done", "en")
	if p := b.do("POST", fmt.Sprintf("/staff/questions/%d/close", q3), url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Errorf("close: %d", p.status)
	}
	for id, want := range map[int64]handoff.Status{q2: handoff.StatusSpam, q3: handoff.StatusClosed} {
		if q, _ := e.db.Question(ctx, id); q.Status != want || q.HandledBy != "anna" {
			t.Errorf("question %d: %+v", id, q)
		}
	}
	if p := b.get("/staff/"); !strings.Contains(p.body, "Treffer: 0") {
		t.Error("handled questions still in the open inbox")
	}
	if p := b.get("/staff/questions/99999"); p.status != http.StatusNotFound {
		t.Errorf("unknown question: %d", p.status)
	}
	if p := b.get("/staff/questions/abc"); p.status != http.StatusNotFound {
		t.Errorf("bad id: %d", p.status)
	}
}

func TestHandoffReply(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ho := e.openHandoff(501, "Can someone call me?")
	b := e.browser()
	token := b.mustLogin("anna")
	p := b.get(fmt.Sprintf("/staff/handoffs/%d", ho.ID))
	_, msgs, _ := e.db.Handoff(ctx, ho.ID)
	last := fmt.Sprint(msgs[len(msgs)-1].ID)
	mustContain(t, "handoff page", p.body, "Can someone call me?", `name="after" value="`+last+`"`, `<label for="text">`)
	send := func(text, after string) page {
		return b.do("POST", fmt.Sprintf("/staff/handoffs/%d/reply", ho.ID), url.Values{"csrf": {token}, "text": {text}, "after": {after}})
	}
	p = send("We will answer tomorrow.", last)
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "done=sent") {
		t.Fatalf("reply: %d %s", p.status, p.header.Get("Location"))
	}
	mustContain(t, "after the reply", b.get(p.header.Get("Location")).body, "Die Antwort wurde zugestellt.", "We will answer tomorrow.", "Team (anna)", `class="delivery sent"`)
	// The page still shows the old thread: replying to it is refused, the text kept.
	p = send("Another answer", last)
	if p.status != http.StatusConflict || !strings.Contains(p.body, "In der Zwischenzeit hat jemand anderes geantwortet") || !strings.Contains(p.body, ">Another answer</textarea>") {
		t.Errorf("stale reply: %d", p.status)
	}
	_, msgs, _ = e.db.Handoff(ctx, ho.ID)
	last = fmt.Sprint(msgs[len(msgs)-1].ID)
	// Empty and too long replies are refused, the text kept.
	if p := send("   ", last); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Die Antwort ist leer") {
		t.Errorf("empty reply: %d", p.status)
	}
	long := strings.Repeat("ä", handoff.MaxReply+1)
	if p := send(long, last); p.status != http.StatusBadRequest || !strings.Contains(p.body, "zu lang") || !strings.Contains(p.body, long) {
		t.Errorf("too long reply: %d", p.status)
	}
	if p := send(strings.Repeat("ä", handoff.MaxReply), last); p.status != http.StatusSeeOther {
		t.Errorf("reply of the largest size: %d", p.status)
	}
	if e.notify.count() != 2 {
		t.Errorf("%d replies delivered, want 2", e.notify.count())
	}
	// A user who blocked the bot: "not delivered".
	e.notify.mu.Lock()
	e.notify.result = handoff.ErrBlocked
	e.notify.mu.Unlock()
	_, msgs, _ = e.db.Handoff(ctx, ho.ID)
	p = send("Are you there?", fmt.Sprint(msgs[len(msgs)-1].ID))
	page := b.get(p.header.Get("Location"))
	mustContain(t, "blocked", page.body, "nicht zugestellt (Person hat den Bot blockiert)", "Die Antwort wurde nicht zugestellt: Die Person hat den Bot blockiert.")
	// Closing tells the user; the reply form is gone.
	p = b.do("POST", fmt.Sprintf("/staff/handoffs/%d/close", ho.ID), url.Values{"csrf": {token}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.status)
	}
	page = b.get(p.header.Get("Location"))
	mustContain(t, "closed", page.body, "anna hat das Gespräch beendet", "erledigt")
	if strings.Contains(page.body, `action="/staff/handoffs/`+fmt.Sprint(ho.ID)+`/reply"`) {
		t.Error("reply form on a closed handoff")
	}
	if len(e.notify.closed) != 1 {
		t.Errorf("user not told: %v", e.notify.closed)
	}
	if p := b.do("POST", fmt.Sprintf("/staff/handoffs/%d/close", ho.ID), url.Values{"csrf": {token}}); p.status != http.StatusConflict {
		t.Errorf("close twice: %d", p.status)
	}
}

// TestTwoStaffReplyAtOnce: two staff members send a reply to the same thread at the
// same moment; exactly one is delivered, the other sees the conflict.
func TestTwoStaffReplyAtOnce(t *testing.T) {
	e := newEnv(t)
	ho := e.openHandoff(502, "Hello?")
	_, msgs, _ := e.db.Handoff(context.Background(), ho.ID)
	after := fmt.Sprint(msgs[len(msgs)-1].ID)
	anna, bernd := e.browser(), e.browser()
	tokens := []string{anna.mustLogin("anna"), bernd.mustLogin("bernd")}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, b := range []*browser{anna, bernd} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := b.do("POST", fmt.Sprintf("/staff/handoffs/%d/reply", ho.ID), url.Values{"csrf": {tokens[i]}, "text": {fmt.Sprint("reply ", i)}, "after": {after}})
			statuses[i] = p.status
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != 1 || e.notify.count() != 1 {
		t.Errorf("statuses %v, %d delivered; want one reply and one conflict", statuses, e.notify.count())
	}
}

func TestTryIt(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.mustLogin("anna")
	before, _, _ := e.db.ReviewItems(context.Background(), handoff.Filter{})
	p := b.get("/staff/try?q=" + url.QueryEscape("Where is the immigration office?"))
	mustContain(t, "try", p.body, "Antwort des Bots je Sprache", "Automatisch (Englisch)", "Immigration office (Ausländerbüro)", "immigration-office",
		"Deutsch", "Ukrainisch", "Persisch")
	b.get("/staff/try?q=" + url.QueryEscape("xylophone quantum zebra"))
	after, _, _ := e.db.ReviewItems(context.Background(), handoff.Filter{})
	if len(after) != len(before) {
		t.Error("trying a question recorded it")
	}
	if p := b.get("/staff/try?q=" + strings.Repeat("x", 5000)); p.status != http.StatusOK {
		t.Errorf("long question: %d", p.status)
	}
}

func TestStatsAndCSV(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, q := range []string{"Where is the immigration office?", "xylophone quantum zebra", "Wo ist das Ausländerbüro?"} {
		if _, err := e.core.Assistant.Answer(ctx, assistant.Question{Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	e.record("=HYPERLINK(\"http://evil\")", "en")
	e.record("=HYPERLINK(\"http://evil\")", "en")
	b := e.browser()
	b.mustLogin("anna")
	now := time.Now().In(handoff.Zone).Format(time.DateOnly)
	p := b.get("/staff/stats?from=" + now + "&to=" + now)
	mustContain(t, "stats", p.body, "Fragen pro Tag", "<svg", `role="img"`, `class="answered"`, "Nach Sprache", "Häufigste unbeantwortete Fragen",
		"67 %", "stats.csv?table=days")
	if p := b.get("/staff/stats?from=2026-02-30"); p.status != http.StatusBadRequest {
		t.Errorf("bad date: %d", p.status)
	}
	csv := b.get("/staff/stats.csv?table=questions&from=2000-01-01&to=2100-01-01")
	if csv.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(csv.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers: %v", csv.header)
	}
	if !strings.Contains(csv.body, `"'=HYPERLINK(""http://evil"")",en,2,`) {
		t.Errorf("a formula in the CSV is not defused:\n%s", csv.body)
	}
	// The page's own link to the CSV of the days.
	link := regexp.MustCompile(`href="(/staff/stats\.csv\?table=days[^"]*)"`).FindStringSubmatch(p.body)
	if link == nil {
		t.Fatal("no CSV link for the days")
	}
	days := b.get(html.UnescapeString(link[1]))
	if lines := strings.Split(strings.TrimSpace(days.body), "\n"); len(lines) != 2 || lines[0] != "day,answered,not_sure,other,share_answered" || !strings.HasSuffix(lines[1], ",2,1,0,0.667") {
		t.Errorf("days CSV:\n%s", days.body)
	}
	if p := b.get("/staff/stats.csv?table=secrets"); p.status != http.StatusNotFound {
		t.Errorf("unknown table: %d", p.status)
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.mustLogin("anna")
	p := b.get("/staff/lang/en?next=" + url.QueryEscape("/staff/stats"))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/staff/stats" {
		t.Fatalf("switch: %d %s", p.status, p.header.Get("Location"))
	}
	mustContain(t, "English page", b.get("/staff/stats").body, `<html lang="en">`, "Questions per day", "Logged in as anna")
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		if p := b.get("/staff/lang/de?next=" + url.QueryEscape(next)); p.header.Get("Location") != "/staff/" {
			t.Errorf("next=%s redirects to %q", next, p.header.Get("Location"))
		}
	}
	if p := b.get("/staff/lang/fr"); p.status != http.StatusNotFound {
		t.Errorf("unknown language: %d", p.status)
	}
	// A POST from another origin is refused even with the right token.
	token := csrf(t, b.get("/staff/"))
	b.header.Set("Origin", "https://evil.example")
	if p := b.do("POST", "/staff/logout", url.Values{"csrf": {token}}); p.status != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", p.status)
	}
}

// TestCSVHasNoFormulaInAnyConvention: questions built to smuggle a formula into a
// spreadsheet are exported so that neither a comma nor a semicolon reader (German
// spreadsheet programs) gets a cell that starts with a formula character.
func TestCSVHasNoFormulaInAnyConvention(t *testing.T) {
	e := newEnv(t)
	evil := []string{
		`x;=cmd|'/C calc'!A0`,
		`x,=cmd|'/C calc'!A0`,
		`=1+1`, `+1`, `-1+1`, `@SUM(A1)`, "\t=1", "\r=1",
		`  =1+1`, `"=1+1`, `" =1"`, `'; =1`, `a;"=1"`, `a, +1`, `a;@x`, `a"; -2`,
		"a\n=1", "a\t=1", `a|=1`, `ok "quoted" ; text`,
	}
	for _, q := range evil {
		e.record(q, "de")
	}
	b := e.browser()
	b.mustLogin("anna")
	body := b.get("/staff/stats.csv?table=questions&from=2000-01-01&to=2100-01-01").body
	formula := func(cell string) bool {
		c := strings.TrimLeft(cell, " \"\u00a0")
		return c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0]))
	}
	for _, sep := range []rune{',', ';'} {
		r := csv.NewReader(strings.NewReader(body))
		r.Comma = sep
		r.FieldsPerRecord = -1
		r.LazyQuotes = sep != ','
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("separator %q: %v\n%s", sep, err, body)
		}
		cells := 0
		for _, row := range rows {
			for _, cell := range row {
				cells++
				if formula(cell) {
					t.Errorf("separator %q: cell %q starts a formula", sep, cell)
				}
				// A cell split further at the other separator, as a program
				// that ignores quotes would.
				for _, piece := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(",;\t\n|", r) }) {
					if formula(piece) {
						t.Errorf("separator %q: piece %q of cell %q starts a formula", sep, piece, cell)
					}
				}
			}
		}
		if sep == ',' {
			if len(rows) != len(evil)+1 || cells != 4*len(rows) {
				t.Errorf("comma reader: %d rows, %d cells; want %d rows of 4\n%s", len(rows), cells, len(evil)+1, body)
			}
			// The text is kept, only defused.
			found := false
			for _, row := range rows {
				if row[0] == `x;'=cmd|'/C calc'!A0` {
					found = true
				}
			}
			if !found {
				t.Errorf("the question with a semicolon is not one defused cell:\n%s", body)
			}
		}
	}
}

// loginFrom posts a login from the local address ip (127.0.0.x) with a fresh form
// token; it does not share cookies with other calls, so that many can run at once.
func (e *env) loginFrom(ip, name, pw string) int {
	e.t.Helper()
	return e.loginAt(e.srv.URL, ip, name, pw)
}

// loginAt is loginFrom to the staff page at base.
func (e *env) loginAt(base, ip, name, pw string) int {
	e.t.Helper()
	c := &http.Client{
		Transport:     &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	token := "form-token-" + ip
	req, _ := http.NewRequest("POST", base+"/staff/login", strings.NewReader(url.Values{"csrf": {token}, "name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: token})
	resp, err := c.Do(req)
	if err != nil {
		e.t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginLimitSharedByReplicas: two staff pages on one store (two replicas of
// serve) count the same attempts: failures on one lock the address out of both.
func TestLoginLimitSharedByReplicas(t *testing.T) {
	e := newEnv(t)
	other, err := New(Options{Store: e.db, Service: handoff.NewService(handoff.Options{Store: e.db}), Now: e.clock.Now,
		LoginSlowdown: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler), Answering: func() Answering { return e.core }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(other)
	defer srv.Close()
	for i, base := range []string{e.srv.URL, srv.URL, e.srv.URL, srv.URL, e.srv.URL} {
		if s := e.loginAt(base, "127.0.0.1", "anna", fmt.Sprint("wrong ", i)); s != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, s)
		}
	}
	for _, base := range []string{srv.URL, e.srv.URL} {
		if s := e.loginAt(base, "127.0.0.1", "anna", password); s != http.StatusTooManyRequests {
			t.Errorf("the right password after five guesses on two replicas: %d, want 429", s)
		}
	}
	e.clock.Advance(16 * time.Minute)
	if s := e.loginAt(srv.URL, "127.0.0.1", "anna", password); s != http.StatusSeeOther {
		t.Errorf("after the window: %d", s)
	}
}

// TestParallelGuessesCannotPassTheLimit: many wrong guesses in flight at once from
// one address, and the right password after them while they are still being
// checked: the right one is refused too, because every attempt took its slot
// before its password was checked.
func TestParallelGuessesCannotPassTheLimit(t *testing.T) {
	for _, n := range []int{100, 300} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			gate := make(chan struct{})
			e.gated.mu.Lock()
			e.gated.gate, e.gated.entered = gate, make(chan struct{}, n)
			e.gated.mu.Unlock()
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n - 1 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = e.loginFrom("127.0.0.1", "anna", fmt.Sprint("wrong guess ", i))
				}()
			}
			// At least the limit's worth of guesses are past the limit check and
			// wait for their password check; then the right one comes.
			for range 5 {
				<-e.gated.entered
			}
			wg.Add(1)
			right := make(chan struct{})
			go func() {
				defer wg.Done()
				defer close(right)
				statuses[n-1] = e.loginFrom("127.0.0.1", "anna", password)
			}()
			select {
			case <-right:
			case <-time.After(200 * time.Millisecond): // it would wait at the gate: let it through
			}
			close(gate)
			wg.Wait()
			count := map[int]int{}
			for _, s := range statuses {
				count[s]++
			}
			if statuses[n-1] != http.StatusTooManyRequests {
				t.Errorf("the right password after %d parallel guesses: %d, want 429 (statuses %v)", n-1, statuses[n-1], count)
			}
			if count[http.StatusSeeOther] != 0 || count[http.StatusUnauthorized] > 5 {
				t.Errorf("statuses %v: want at most 5 password checks and no login", count)
			}
		})
	}
}

// TestStrangerCannotLockAColleagueOut: wrong guesses for anna's name from another
// address lock out that address, not anna; her own address is only slowed down.
func TestStrangerCannotLockAColleagueOut(t *testing.T) {
	e := newEnv(t)
	for i := range 20 {
		want := http.StatusUnauthorized
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if s := e.loginFrom("127.0.0.2", "anna", fmt.Sprint("stranger's guess ", i)); s != want {
			t.Fatalf("stranger's attempt %d: %d, want %d", i, s, want)
		}
	}
	if s := e.loginFrom("127.0.0.1", "anna", password); s != http.StatusSeeOther {
		t.Errorf("anna from her own address after a stranger's guesses: %d, want a login", s)
	}
	if s := e.loginFrom("127.0.0.2", "bernd", password); s != http.StatusTooManyRequests {
		t.Errorf("the stranger's address is not locked: %d", s)
	}
	if d, err := e.h.limit.slowdown(context.Background(), nameKey("anna")); d <= 0 || err != nil {
		t.Errorf("no slowdown for a name with many failures: %v, %v", d, err)
	}
}

// TestReviewListsDueTopicsMostAskedFirst: the review page lists the topics whose
// review date has passed, and those due within 30 days as soon, with owner, date
// and how often each was shown in the last 90 days per language: most asked first.
// A topic due later is not listed, however often it is asked.
func TestReviewListsDueTopicsMostAskedFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now() // 2026-03-02
	for _, id := range e.core.Corpus.IDs {
		e.core.Corpus.Topic(id).Owner, e.core.Corpus.Topic(id).ReviewBy = "Stadt Oldenburg", "2030-01-01"
	}
	for _, c := range []struct {
		id, owner, reviewBy string
	}{
		{"immigration-office", "Ausländerbehörde", "2026-01-15"},
		{"work", "Jobcenter Oldenburg", "2026-03-20"},
		{"housing", "Sozialamt", "2026-03-02"},
		{"schools", "Schulamt", "2026-04-02"}, // 31 days ahead: not yet
	} {
		tp := e.core.Corpus.Topic(c.id)
		tp.Owner, tp.ReviewBy = c.owner, c.reviewBy
	}
	for _, c := range []struct {
		at          time.Time
		lang, topic string
		n           int
	}{
		{now, "uk", "work", 4}, {now.AddDate(0, 0, -89), "de", "work", 1},
		{now, "de", "immigration-office", 1}, {now.AddDate(0, 0, -10), "en", "immigration-office", 2},
		{now.AddDate(0, 0, -90), "de", "housing", 50}, // before the 90 days
		{now, "de", "schools", 20},
	} {
		for range c.n {
			if err := e.db.CountTopic(ctx, c.at, c.lang, c.topic); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := e.browser()
	b.mustLogin("anna")
	p := b.get("/staff/review")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, "review", p.body, `href="/staff/review" aria-current="page"`, "Zu prüfen", "Gezeigt (90 Tage)",
		"Jobcenter Oldenburg", "20.03.2026", "bald", "Ausländerbehörde", "15.01.2026", "überfällig", "Sozialamt", "02.03.2026",
		"Ukrainisch: 4", "Deutsch: 1", "Englisch: 2")
	var at []int
	for _, id := range []string{"(work)", "(immigration-office)", "(housing)"} {
		at = append(at, strings.Index(p.body, id))
	}
	if at[0] < 0 || at[0] > at[1] || at[1] > at[2] {
		t.Errorf("order of work (5), immigration-office (3), housing (0): positions %v", at)
	}
	for _, not := range []string{"(schools)", "Schulamt", "Stadt Oldenburg"} {
		if strings.Contains(p.body, not) {
			t.Errorf("a topic not due is listed: %s", not)
		}
	}
	rows := regexp.MustCompile(`<tr class="(\w+)">\s*<th scope="row">[^<]*<small>\(([\w-]+)\)</small></th>(?s:.*?)<td class="num">(\d+)</td>`).FindAllStringSubmatch(p.body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[2]+" "+r[1]+" "+r[3])
	}
	if want := []string{"work soon 5", "immigration-office overdue 3", "housing overdue 0"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	b.get("/staff/lang/en?next=/staff/review")
	mustContain(t, "English review", b.get("/staff/review").body, "Due for review", "Review by", "2026-03-20", "soon", "overdue",
		"Shown (last 90 days)", "Ukrainian: 4")

	// Nothing due: the page says so.
	for _, id := range e.core.Corpus.IDs {
		e.core.Corpus.Topic(id).ReviewBy = "2030-01-01"
	}
	mustContain(t, "nothing due", b.get("/staff/review").body, "No topic is due for review.")
}
