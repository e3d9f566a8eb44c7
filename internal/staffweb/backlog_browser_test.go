package staffweb

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// desktopWidth is the width of a common office screen's browser window.
const desktopWidth = 1280

// isolationJS lists the texts in Arabic script that no element with a dir
// attribute (or a bdi) encloses below the page's root: inside a German page such a
// text, with its numbers and punctuation, would be laid out left to right and
// scramble itself and its neighbours.
const isolationJS = `(() => {
  const rtl = /[\u0590-\u08FF]/;
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!rtl.test(n.data)) continue;
    const el = n.parentElement;
    if (el.closest('script,style,option')) continue;
    const iso = el.closest('[dir],bdi');
    if (!iso || iso === document.documentElement) out.push(el.tagName.toLowerCase() + ': ' + n.data.trim().slice(0, 40));
  }
  return out;
})()`

// readQuestions reads the labelled questions of the grouping test: realistic
// unanswered questions in all seven languages.
func readQuestions(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open("../backlog/testdata/questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "\t", 3)
		if len(p) == 3 {
			out = append(out, [2]string{p[1], p[2]})
		}
	}
	return out
}

// TestBacklogPagesInTheBrowser shows the groups, demand and summary pages, with
// many open questions in all seven languages, handoffs, needs (one titled in
// Arabic) and counts of topics shown, in headless Chromium at phone and desktop
// width, in German and English: nothing is wider than the screen, every text in
// Arabic script is isolated (dir or bdi) from the German page around it, and lists
// of counts read cleanly.
// SHOTS=dir keeps a screenshot of each.
func TestBacklogPagesInTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	e := newEnv(t)
	e.core.Needs = shippedNeeds(t)
	ctx := context.Background()
	now := e.clock.Now()
	qs := readQuestions(t)
	for i, q := range qs[:min(len(qs), 160)] {
		if err := e.db.RecordUnanswered(ctx, assistant.Unanswered{Text: q[1], Lang: q[0], At: now.Add(-time.Duration(i) * time.Hour),
			Candidates: []assistant.Hit{{TopicID: "work", Score: 0.21}}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, text := range []string{"أين يمكنني تبديل رخصة القيادة السورية؟ عندي رقم 12345", "گواهینامه رانندگی ایرانی را کجا تعویض کنم؟"} {
		h, _, err := e.db.OpenHandoff(ctx, handoff.Opening{ChatID: int64(900 + i), Lang: []string{"ar", "fa"}[i], At: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AddUserMessage(ctx, h.ID, 0, text, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []backlog.Need{
		{Title: "Führerschein umschreiben", Asked: 14, Langs: []backlog.LangCount{{Lang: "ar", N: 6}, {Lang: "de", N: 4}, {Lang: "fa", N: 4}}},
		{Title: "كيف أجد نادي كرة قدم لابني؟", Asked: 3, Langs: []backlog.LangCount{{Lang: "ar", N: 3}}},
		{Title: "Fahrradwerkstattanmeldungsbestätigungsformular", Asked: 1, Langs: []backlog.LangCount{{Lang: "de", N: 1}}},
	} {
		n.CreatedAt, n.CreatedBy = now, "anna"
		if _, err := e.db.AddNeed(ctx, n, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, lang := range []string{"de", "ar", "uk", "ru", "tr", "fa", "en"} {
		for _, id := range []string{"work", "housing", "immigration-office"} {
			for range 7 - i {
				if err := e.db.CountTopic(ctx, now.AddDate(0, 0, -i), lang, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := e.db.CountAnswer(ctx, now.AddDate(0, 0, -3), lang, assistant.KindNotSure); err != nil {
			t.Fatal(err)
		}
		if err := e.db.CountAnswer(ctx, now.AddDate(0, 0, -3), lang, assistant.KindAnswer); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range qs[:40] {
		if err := e.db.RecordUnanswered(ctx, assistant.Unanswered{Text: q[1], Lang: q[0], At: now.AddDate(0, 0, -5)}); err != nil {
			t.Fatal(err)
		}
	}

	for _, width := range []int{phoneWidth, desktopWidth} {
		bctx := apptest.Browser(t, width, 900, 180*time.Second)
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(bctx,
			chromedp.Navigate(e.srv.URL+"/staff/login"),
			chromedp.SendKeys(chromedp.CSS(`#name`), "anna"),
			chromedp.SendKeys(chromedp.CSS(`#password`), password),
			chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`table.items`)),
		)
		if err != nil {
			t.Fatalf("login at %d px: %v", width, err)
		}
		for _, p := range []struct{ name, path string }{
			{"groups", "/staff/groups"},
			{"demand", "/staff/demand"},
			{"summary", "/staff/summary"},
			{"groups-en", "/staff/lang/en?next=/staff/groups"},
			{"demand-en", "/staff/demand"},
			{"summary-en", "/staff/summary"},
			{"inbox-en", "/staff/"},
		} {
			name := fmt.Sprintf("%s-%d", p.name, width)
			if err := chromedp.Do(bctx, chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if shotDir != "" {
				// The screen at the top, a third down and at the bottom: a whole
				// page of many groups is too tall to look at.
				for i, at := range []string{"0", "document.body.scrollHeight/3", "document.body.scrollHeight"} {
					chromedp.Run(bctx, chromedp.Evaluate[any]("window.scrollTo(0, "+at+"), 0"))
					if png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot()); err == nil {
						os.WriteFile(filepath.Join(shotDir, fmt.Sprintf("%s-%d.png", name, i)), png, 0o644)
					}
				}
				chromedp.Run(bctx, chromedp.Evaluate[any]("window.scrollTo(0, 0)"))
			}
			o, err := chromedp.Run(bctx, chromedp.Evaluate[overflow](fmt.Sprintf(overflowJS, width)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if o.Scroll > width || o.Count > 0 {
				t.Errorf("%s is wider than %d px: scrollWidth %d; %d elements beyond the edge: %s", name, width, o.Scroll, o.Count, strings.Join(o.Wide, ", "))
			}
			text, err := chromedp.Run(bctx, chromedp.Evaluate[string]("document.body.innerText"))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if i := strings.Index(text, " )"); i >= 0 {
				t.Errorf("%s: a space before a closing parenthesis: %q", name, text[max(0, i-40):i+2])
			}
			loose, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](isolationJS))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(loose) > 0 {
				t.Errorf("%s: %d texts in Arabic script not isolated from the page: %q", name, len(loose), loose[:min(len(loose), 8)])
			}
		}
	}
}
