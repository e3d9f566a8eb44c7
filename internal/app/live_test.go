package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/content/contenttest"
)

// TestLiveReload: an edit takes effect at the next check; a broken edit is reported
// and the last good content stays live; fixing it takes effect again.
func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	contentDir, localeDir := filepath.Join(dir, "content"), filepath.Join(dir, "locales")
	// The small test content: every reload trains the models again.
	contenttest.CopyDir(t, "../conversation/testdata/content", contentDir)
	contenttest.CopyDir(t, "../../locales", localeDir)
	l, err := NewLive(Options{ContentDir: contentDir, LocaleDir: localeDir})
	if err != nil {
		t.Fatal(err)
	}
	l.Grace = time.Millisecond
	defer l.Close()
	var errs []error
	l.OnReload = func(err error) { errs = append(errs, err) }
	if l.Check() {
		t.Fatal("reloaded without a change")
	}

	file := filepath.Join(contentDir, "housing.de.md")
	orig, _ := os.ReadFile(file)
	edited := string(orig) + "\nNeuer Satz.\n"
	os.WriteFile(file, []byte(edited), 0o644)
	live := func() bool {
		return strings.HasSuffix(l.Current().Corpus.Topic("housing").In("de").Body, "Neuer Satz.")
	}
	if !l.Check() || !live() {
		t.Fatalf("edit not live (reload errors %v)", errs)
	}

	os.WriteFile(file, []byte(strings.Replace(edited, "title:", "titel:", 1)), 0o644)
	if l.Check() {
		t.Fatal("a broken file was swapped in")
	}
	if len(errs) != 2 || errs[1] == nil || !strings.Contains(errs[1].Error(), "housing.de.md:2") {
		t.Fatalf("reload errors = %v, want file and line of the broken edit", errs)
	}
	if !live() {
		t.Fatal("last good content not kept")
	}

	os.WriteFile(filepath.Join(localeDir, "active.en.toml"), []byte("[Broken\n"), 0o644)
	os.WriteFile(file, orig, 0o644)
	if l.Check() {
		t.Fatal("a broken locale file was swapped in")
	}
	contenttest.CopyDir(t, "../../locales", localeDir)
	if !l.Check() {
		t.Fatal("fixed files not reloaded")
	}
}
