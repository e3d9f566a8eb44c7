package app

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// TestReloadLogsEveryFailingFile: a failed reload logs each broken file with its
// line, content and locales alike, not only the first; a message missing in one
// language is logged once as a warning naming it and the language.
func TestReloadLogsEveryFailingFile(t *testing.T) {
	dir := t.TempDir()
	contentDir, localeDir := filepath.Join(dir, "content"), filepath.Join(dir, "locales")
	contenttest.CopyDir(t, "../../content", contentDir)
	contenttest.CopyDir(t, "../../locales", localeDir)
	var logs syncBuffer
	l, err := NewLive(Options{ContentDir: contentDir, LocaleDir: localeDir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	l.Grace = time.Millisecond
	defer l.Close()

	breakFile := func(name, old, new string) {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: %v", name, err)
		}
		os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}
	breakFile(filepath.Join(contentDir, "oldenburg-pass.de.md"), "title:", "titel:")
	breakFile(filepath.Join(contentDir, "work.de.md"), "as_of:", "asof:")
	breakFile(filepath.Join(localeDir, "active.tr.toml"), "other = ", "other = = ")
	if l.Check() {
		t.Fatal("broken files were swapped in")
	}
	for _, want := range []string{
		filepath.Join(contentDir, "oldenburg-pass.de.md") + ":2: error: unknown field",
		filepath.Join(contentDir, "work.de.md") + ":",
		filepath.Join(localeDir, "active.tr.toml") + ":",
		"errors=",
		"files=3",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("reload log lacks %q:\n%s", want, logs.String())
		}
	}

	// A message missing in Turkish: the reload succeeds and says so once.
	contenttest.CopyDir(t, "../../content", contentDir)
	contenttest.CopyDir(t, "../../locales", localeDir)
	b, _ := os.ReadFile(filepath.Join(localeDir, "active.tr.toml"))
	i := strings.Index(string(b), "\n[Thanks]")
	j := strings.Index(string(b)[i+1:], "\n[")
	os.WriteFile(filepath.Join(localeDir, "active.tr.toml"), append(b[:i+1:i+1], b[i+1+j+1:]...), 0o644)
	logs.Reset()
	if !l.Check() {
		t.Fatalf("a missing message stopped the reload:\n%s", logs.String())
	}
	l.Current().Locale.T("tr", "Thanks", nil)
	if n := strings.Count(logs.String(), "level=WARN msg=\"missing translation; users get the English or German text\" lang=tr id=Thanks"); n != 1 {
		t.Errorf("missing tr/Thanks logged %d times, want once:\n%s", n, logs.String())
	}
}

// syncBuffer is a bytes.Buffer for a logger used from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
