package apptest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the browser to run, or fails (CI=true) or skips the test when
// there is none: CI installs Chromium (scripts/install-test-deps.sh), so there a
// missing browser is an error, not a reason to skip.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	BrowserUnavailable(t, "no Chromium found (install it with scripts/install-test-deps.sh, or set CHROMIUM)")
	return ""
}

// BrowserUnavailable fails the test under CI=true and skips it elsewhere.
func BrowserUnavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("browser test cannot run in CI: %s", why)
	}
	t.Skipf("browser test skipped: %s", why)
}

// Browser starts a headless Chromium with a window of width × height pixels and
// returns a context to run chromedp actions in, ending after timeout; the browser
// stops when the test ends.
func Browser(t testing.TB, width, height int, timeout time.Duration) context.Context {
	t.Helper()
	exe := Chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(func() { cancel(); cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		BrowserUnavailable(t, "Chromium does not start: "+err.Error())
	}
	return ctx
}
