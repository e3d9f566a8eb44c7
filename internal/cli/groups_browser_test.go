package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
)

// TestGroupsPageInBrowser resolves a group of questions in a real headless
// Chromium: questions about one need in three languages wait in the database; a
// staff member logs in, opens the groups page, sees them as one group, answers the
// whole group by a topic; the store then holds the three phrasings, learned for
// that topic, and the questions are marked learned.
func TestGroupsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	data := t.TempDir()
	const pw = "browser test password"
	if _, errs, code := runEnv(t, map[string]string{"ANKOMMEN_DATA": data}, pw+"\n", "staff", "add", "erika"); code != ExitOK {
		t.Fatalf("staff add: %d %s", code, errs)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	questions := []struct{ lang, text string }{
		{"de", "Kann ich meinen Führerschein umschreiben lassen?"},
		{"en", "how do I convert my driving licence"},
		{"ru", "как поменять водительские права"},
		{"en", "where can I buy a sim card"},
	}
	for i, q := range questions {
		if err := db.RecordUnanswered(context.Background(), assistant.Unanswered{Lang: q.lang, Text: q.text,
			At: time.Now().Add(time.Duration(i-10) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	// The test content, with the shipped needs lexicon the groups are formed by.
	contentDir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(contentDir, os.DirFS("../conversation/testdata/content")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(contentDir, "needs"), os.DirFS("../../content/needs")); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, map[string]string{"ANKOMMEN_DATA": data, "ANKOMMEN_CONTENT": contentDir})
	p.waitReady()

	ctx := apptest.Browser(t, 1280, 900, 90*time.Second)
	base := "http://" + p.addr
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	first := `section.group:first-of-type`
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/groups"),
		staffLogin("erika", pw, first),
	)
	if err != nil {
		t.Fatalf("browser: login and groups page: %v\nserve log:\n%s", err, p.stderr.String())
	}
	group, err := chromedp.Run(ctx, chromedp.Text(css(first)))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	for _, want := range []string{"Gruppe mit 3 Fragen", "Führerschein", "driving licence", "водительские права", "Deutsch: 1", "Englisch: 1", "Russisch: 1"} {
		if !strings.Contains(group, want) {
			t.Errorf("the first group does not show %q:\n%s", want, group)
		}
	}
	if strings.Contains(group, "sim card") {
		t.Errorf("the first group holds the other question:\n%s", group)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(css(first+` form.group-answer select`), "work"),
		chromedp.Click(css(first+` form.group-answer button[type=submit]`)),
		chromedp.WaitVisible(css(`p.flash`)),
	)
	if err != nil {
		t.Fatalf("browser: answer the group: %v\nserve log:\n%s", err, p.stderr.String())
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(css(`p.flash`)))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(flash, "Gelernt: 3 Formulierungen") {
		t.Errorf("flash after answering: %q", flash)
	}
	// The store changed: three phrasings learned for the topic, the questions marked.
	ls, err := db.LearnedPhrasings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	learned := map[string]string{}
	for _, l := range ls {
		learned[l.Text] = l.TopicID + "/" + l.Lang + "/" + l.By
	}
	for _, q := range questions[:3] {
		if got := learned[q.text]; got != "work/"+q.lang+"/erika" {
			t.Errorf("phrasing %q: learned as %q", q.text, got)
		}
	}
	if len(ls) != 3 {
		t.Errorf("%d phrasings learned, want 3: %+v", len(ls), ls)
	}
	items, _ := db.OpenItems(context.Background())
	if len(items) != 1 || items[0].Text != questions[3].text {
		t.Errorf("open after answering: %+v", items)
	}
	for id := int64(1); id <= 3; id++ {
		if q, err := db.Question(context.Background(), id); err != nil || q.Status != handoff.StatusLearned || q.TopicID != "work" || q.HandledBy != "erika" {
			t.Errorf("question %d: %+v, %v", id, q, err)
		}
	}
}

// staffLogin logs in on the staff page's login form the browser shows, then waits
// until the page after it shows sel.
func staffLogin(name, pw, sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), pw),
		chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}
