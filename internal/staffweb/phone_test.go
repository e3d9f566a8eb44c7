package staffweb

import (
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
)

// phoneWidth is the width of a common phone's screen in CSS pixels.
const phoneWidth = 390

// overflowJS reports the page's scroll width and the elements whose right edge is
// beyond the screen. An element inside a container that scrolls or clips
// sideways (a wide table in its own scroll box) counts only through the container.
const overflowJS = `(() => {
  const W = %d;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > W + 0.5 && !clipped(el)) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).replace(/ /g, '.') : '') + ' right=' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 12), count: wide.length};
})()`

type overflow struct {
	Scroll int      `json:"scroll"`
	Wide   []string `json:"wide"`
	Count  int      `json:"count"`
}

// TestStaffPagesAtPhoneWidth visits every staff page in headless Chromium at 390
// pixels wide, with real data in SQLite (long questions, a handoff thread,
// statistics, topics due for review, a weekly summary), and checks that nothing is
// wider than the screen: the page does not scroll sideways and no element's right
// edge is beyond it, except inside a box that scrolls on its own.
func TestStaffPagesAtPhoneWidth(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now()
	long := "Ich habe eine Frage zur Anmeldung meiner Wohnung: Wohnungsgeberbestätigungsformularunterschrift fehlt, was tun? https://www.oldenburg.de/microsites/buergerservice/anmeldung-und-ummeldung-des-wohnsitzes.html"
	q := e.record(long, "de")
	e.record("كيف أسجل طفلي في الروضة؟ أريد معرفة المستندات المطلوبة للتسجيل في روضة الأطفال", "ar")
	e.record("Як отримати дозвіл на роботу в Німеччині, якщо я маю тимчасовий захист?", "uk")
	h := e.openHandoff(4711, long)
	_, msgs, err := e.db.Handoff(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddStaffReply(ctx, h.ID, msgs[len(msgs)-1].ID, "anna", "Bitte bringen Sie die Wohnungsgeberbestätigung mit: https://www.oldenburg.de/fileadmin/oldenburg/Benutzer/PDF/Buergerservice/Wohnungsgeberbestaetigung.pdf", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Where is the immigration office?", "xylophone quantum zebra", "Wo ist das Ausländerbüro?", "Feuer! Es brennt"} {
		if _, err := e.core.Assistant.Answer(ctx, assistant.Question{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	// Topics due for review, as TestReviewListsDueTopicsMostAskedFirst sets them
	// (the corpus is shared by the tests of this binary: the same values).
	for _, id := range e.core.Corpus.IDs {
		e.core.Corpus.Topic(id).Owner, e.core.Corpus.Topic(id).ReviewBy = "Stadt Oldenburg", "2030-01-01"
	}
	for id, v := range map[string][2]string{"immigration-office": {"Ausländerbehörde", "2026-01-15"}, "work": {"Jobcenter Oldenburg", "2026-03-20"},
		"housing": {"Sozialamt", "2026-03-02"}, "schools": {"Schulamt", "2026-04-02"}} {
		tp := e.core.Corpus.Topic(id)
		tp.Owner, tp.ReviewBy = v[0], v[1]
	}
	if err := e.db.CountTopic(ctx, now, "uk", "work"); err != nil {
		t.Fatal(err)
	}
	// Last week, for the summary.
	if err := e.db.RecordUnanswered(ctx, assistant.Unanswered{Text: long, Lang: "de", At: now.AddDate(0, 0, -3)}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CountAnswer(ctx, now.AddDate(0, 0, -3), "fa", assistant.KindNotSure); err != nil {
		t.Fatal(err)
	}

	bctx := apptest.Browser(t, phoneWidth, 844, 120*time.Second)
	base := e.srv.URL
	check := func(name, path string) {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o, err := chromedp.Run(bctx, chromedp.Evaluate[overflow](fmt.Sprintf(overflowJS, phoneWidth)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if shotDir != "" {
			if png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(shotDir, strings.ReplaceAll(name, " ", "_")+".png"), png, 0o644)
			}
		}
		if o.Scroll > phoneWidth || o.Count > 0 {
			t.Errorf("%s (%s) is wider than %d px: scrollWidth %d; %d elements beyond the edge: %s", name, path, phoneWidth, o.Scroll, o.Count, strings.Join(o.Wide, ", "))
		}
	}
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(phoneWidth, 844)); err != nil {
		t.Fatal(err)
	}
	check("login", "/staff/login")
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#name`), "anna"),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.items`)),
	)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	for _, p := range []struct{ name, path string }{
		{"inbox", "/staff/"},
		{"inbox, all statuses", "/staff/?status=open&lang=de&q=Wohnung"},
		{"question", fmt.Sprintf("/staff/questions/%d", q)},
		{"handoff", fmt.Sprintf("/staff/handoffs/%d", h.ID)},
		{"try", "/staff/try?q=" + "Wo+melde+ich+meine+Wohnung+an%3F"},
		{"stats", "/staff/stats"},
		{"review", "/staff/review"},
		{"summary", "/staff/summary"},
		{"groups", "/staff/groups"},
		{"demand", "/staff/demand"},
		{"error", "/staff/no-such-page"},
		{"inbox in English", "/staff/lang/en?next=/staff/"},
	} {
		check(p.name, p.path)
	}
}

// shotDir, when the environment variable SHOTS names a directory, receives a
// screenshot of each page the phone test visits: to look at the layout in review.
var shotDir = os.Getenv("SHOTS")
