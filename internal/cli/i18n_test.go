package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/content/contenttest"
	"github.com/oldenburg/ankommen/internal/locale"
)

// TestI18nTouchesOnlyWhatChanged: one new German message gives one entry per
// language to translate, German text inside; merging adds only that message's lines
// to each language's file — every other line, translators' comments included, stays
// in place — and the files check clean.
func TestI18nTouchesOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	contenttest.CopyDir(t, "../../locales", dir)
	orig := map[string]string{}
	for _, lang := range content.Languages {
		b, _ := os.ReadFile(filepath.Join(dir, "active."+lang+".toml"))
		orig[lang] = string(b)
	}
	// A translator's comment that must survive.
	ru := filepath.Join(dir, "active.ru.toml")
	orig["ru"] = strings.Replace(orig["ru"], "[Thanks]", "# Olga: keep it short\n[Thanks]", 1)
	os.WriteFile(ru, []byte(orig["ru"]), 0o644)

	out, errs, code := run(t, "", "i18n", "--locales", dir)
	if code != ExitOK || !strings.Contains(out, "nothing to translate") {
		t.Fatalf("shipped files: exit %d\n%s%s", code, out, errs)
	}
	de := filepath.Join(dir, "active.de.toml")
	os.WriteFile(de, []byte(orig["de"]+"\n[Farewell]\ndescription = \"Said at the end\"\nother = \"Auf Wiedersehen, {{.Name}}!\"\n"), 0o644)
	out, errs, code = run(t, "", "i18n", "--locales", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, lang := range content.Languages[1:] {
		name := filepath.Join(dir, locale.TranslateFile(locale.FilePrefix, lang))
		b, err := os.ReadFile(name)
		if err != nil || strings.Count(string(b), "\n[") != 1 || !strings.Contains(string(b), "[Farewell]\ndescription = \"Said at the end\"\nhash = ") ||
			!strings.Contains(string(b), "other = \"Auf Wiedersehen, {{.Name}}!\"") {
			t.Fatalf("%s (%v):\n%s", name, err, b)
		}
		// the translator's work
		os.WriteFile(name, []byte(strings.Replace(string(b), "Auf Wiedersehen", "Bye ("+lang+")", 1)), 0o644)
	}
	if _, err := os.Stat(filepath.Join(dir, "translate.staff.en.toml")); err == nil {
		t.Error("a staff translate file without anything to translate")
	}

	out, errs, code = run(t, "", "i18n", "merge", "--locales", dir)
	if code != ExitOK {
		t.Fatalf("merge: exit %d\n%s%s", code, out, errs)
	}
	for _, lang := range content.Languages[1:] {
		b, _ := os.ReadFile(filepath.Join(dir, "active."+lang+".toml"))
		got := string(b)
		if !strings.HasPrefix(got, orig[lang]) {
			t.Errorf("%s: lines before the new message changed", lang)
		}
		added := strings.TrimPrefix(got, orig[lang])
		if !strings.HasPrefix(added, "\n[Farewell]\nhash = \"sha256-") || !strings.HasSuffix(added, "\nother = \"Bye ("+lang+"), {{.Name}}!\"\n") || strings.Count(added, "\n") != 4 {
			t.Errorf("%s: added %q", lang, added)
		}
		if _, err := os.Stat(filepath.Join(dir, locale.TranslateFile(locale.FilePrefix, lang))); err == nil {
			t.Errorf("%s: translate file not removed", lang)
		}
	}
	out, _, code = run(t, "", "check", "--locales", dir)
	if code != ExitOK || strings.Contains(out, "active.") {
		t.Errorf("check after merge: exit %d\n%s", code, out)
	}
	if out, _, _ := run(t, "", "i18n", "--locales", dir); !strings.Contains(out, "nothing to translate") {
		t.Errorf("after the merge:\n%s", out)
	}
}

// TestI18nNeedsFilesOnDisk: i18n writes files, so it refuses the embedded copies.
func TestI18nNeedsFilesOnDisk(t *testing.T) {
	t.Chdir(t.TempDir())
	_, errs, code := run(t, "", "i18n")
	if code != ExitUsage || !strings.Contains(errs, "there is no ./locales here") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
