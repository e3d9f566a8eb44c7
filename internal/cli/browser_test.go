package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oldenburg/ankommen/internal/apptest"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// TestStaffPageInBrowser is the staff page end to end in a real headless Chromium:
// a newcomer asks a question the bot cannot answer (through the fake Bot API) and
// hands it to the city team; a staff member logs in, finds the question, replies;
// the fake Bot API receives the reply for the newcomer's chat.
func TestStaffPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	api := tt.New(t)
	data := t.TempDir()
	const pw = "browser test password"
	// The store: SQLite in data, or PostgreSQL with ANKOMMEN_TEST_STORE=postgres.
	vars := apptest.ServeEnv(t)
	vars["ANKOMMEN_DATA"] = data
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(pw + "\n"), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	if code := Run(context.Background(), env, []string{"staff", "add", "erika"}); code != ExitOK {
		t.Fatalf("staff add: %d %s", code, errb.String())
	}
	vars["TELEGRAM_BOT_TOKEN"], vars["TELEGRAM_API_URL"] = tt.Token, api.URL
	p := startServe(t, vars)
	p.waitReady()
	if kind := map[bool]string{false: "SQLite", true: "PostgreSQL"}[apptest.Postgres(t)]; !strings.Contains(p.stderr.String(), `database="`+kind) {
		t.Fatalf("serve does not run on %s:\n%s", kind, p.stderr.String())
	}

	// The newcomer: a question the bot cannot answer, then consent.
	user := tt.User{ID: 4711, Lang: "en", Name: "Newcomer"}
	const question = "xylophone quantum zebra parking permit"
	api.AddUpdate(tt.Text(user, question))
	var consent string
	api.WaitFor(t, 20*time.Second, "the not-sure reply with the consent button", func(s *tt.Server) bool {
		for _, r := range s.Sent("sendMessage") {
			for _, d := range r.Data() {
				if r.Int("chat_id") == user.ID && strings.HasPrefix(d, "c:en:") {
					consent = d
				}
			}
		}
		return consent != ""
	})
	api.AddUpdate(tt.Callback(user, consent))
	api.WaitFor(t, 20*time.Second, "the handoff confirmation", func(s *tt.Server) bool {
		for _, r := range s.Sent("sendMessage") {
			if r.Int("chat_id") == user.ID && strings.Contains(r.Params["text"], "now with the team") {
				return true
			}
		}
		return false
	})

	// The staff member, in the browser.
	ctx := apptest.Browser(t, 1280, 900, 90*time.Second)
	base := "http://" + p.addr
	const reply = "Hello from the city! Please come to the Bürgerbüro on Monday."
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/"),
		staffLogin("erika", pw, `table.items`),
	)
	if err != nil {
		t.Fatalf("browser: login: %v\nserve log:\n%s", err, p.stderr.String())
	}
	inbox, err := chromedp.Run(ctx, chromedp.Text(css(`table.items`)))
	if err != nil {
		t.Fatalf("browser: inbox: %v", err)
	}
	err = chromedp.Do(ctx,
		// Find the question with the inbox's search, open it, reply.
		chromedp.SendKeys(css(`#f-q`), "quantum zebra"),
		chromedp.Click(css(`form.filter button[type=submit]`)),
		// The unfiltered inbox has links too: wait for the filtered page, whose
		// search field carries the query as its value attribute.
		chromedp.WaitVisible(css(`#f-q[value="quantum zebra"]`)),
		chromedp.WaitVisible(css(`table.items a`)),
		chromedp.Click(css(`table.items a`)),
		chromedp.WaitVisible(css(`#text`)),
		chromedp.SendKeys(css(`#text`), reply),
		chromedp.Click(css(`form.reply button[type=submit]`)),
		chromedp.WaitVisible(css(`p.flash`)),
	)
	if err != nil {
		t.Fatalf("browser: reply: %v\nserve log:\n%s", err, p.stderr.String())
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(css(`p.flash`)))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(inbox, question) {
		t.Errorf("the inbox does not show the question:\n%s", inbox)
	}
	if !strings.Contains(flash, "zugestellt") || strings.Contains(flash, "nicht") {
		t.Errorf("delivery status: %q", flash)
	}
	// The fake Bot API got the reply, for the newcomer's chat, marked as the city's.
	api.WaitFor(t, 20*time.Second, "the staff reply", func(s *tt.Server) bool {
		for _, r := range s.Sent("sendMessage") {
			if r.Int("chat_id") == user.ID && strings.Contains(r.Params["text"], reply) {
				if !strings.Contains(r.Params["text"], "Reply from the City of Oldenburg team") {
					t.Errorf("reply not marked as from the city team: %q", r.Params["text"])
				}
				return true
			}
		}
		return false
	})
	if strings.Contains(p.stderr.String(), pw) {
		t.Error("the password appears in the log")
	}
}
