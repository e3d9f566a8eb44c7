package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/content/contenttest"
)

// TestOneSourceRule: every command reads content and locales by the same rule and
// says so on stderr: --content/--locales or ANKOMMEN_CONTENT/ANKOMMEN_LOCALES, else
// ./content and ./locales in the working directory, else the embedded copies. A
// built binary's check in a folder with broken files validates those files, as
// serve in the same folder reads them.
func TestOneSourceRule(t *testing.T) {
	shipped, err := filepath.Abs("../../content")
	if err != nil {
		t.Fatal(err)
	}
	folder := t.TempDir()
	contenttest.CopyDir(t, shipped, filepath.Join(folder, "content"))
	file := filepath.Join(folder, "content", "emergency.de.md")
	src, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.Replace(string(src), "title:", "titel:", 1)), 0o644)
	empty := t.TempDir()

	t.Chdir(folder)
	const fromFolder = "content: ./content (disk, found in the working directory); locales: embedded in the binary (no ./locales in the working directory)"
	t.Run("check reads ./content", func(t *testing.T) {
		out, errs, code := run(t, "", "check")
		if code != ExitFail || !strings.Contains(out, "content/emergency.de.md:2: error: unknown field \"titel\"") || !strings.Contains(errs, fromFolder) {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
	})
	t.Run("ask reads ./content", func(t *testing.T) {
		_, errs, code := run(t, "", "ask", "hallo")
		if code != ExitFail || !strings.Contains(errs, "emergency.de.md:2") || !strings.Contains(errs, fromFolder) {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
	t.Run("serve reads ./content", func(t *testing.T) {
		_, errs, code := run(t, "", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
		if code != ExitFail || !strings.Contains(errs, "emergency.de.md:2") || !strings.Contains(errs, "content: ./content (disk, found in the working directory)") {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
	t.Run("ANKOMMEN_CONTENT wins", func(t *testing.T) {
		out, errs, code := runEnv(t, map[string]string{"ANKOMMEN_CONTENT": shipped}, "", "check")
		if code != ExitOK || !strings.Contains(errs, "content: "+shipped+" (disk, --content or ANKOMMEN_CONTENT)") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
	})
	t.Run("--content wins", func(t *testing.T) {
		_, errs, code := run(t, "", "check", "--content", shipped)
		if code != ExitOK || !strings.Contains(errs, "content: "+shipped+" (disk") {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
	t.Run("stamp names the file's directory", func(t *testing.T) {
		_, errs, _ := run(t, "", "stamp", "content/emergency.en.md")
		if !strings.Contains(errs, "content: ./content (disk, the directory of the files given)") {
			t.Errorf("stderr:\n%s", errs)
		}
	})

	t.Chdir(empty)
	t.Run("embedded elsewhere", func(t *testing.T) {
		_, errs, code := run(t, "", "check")
		want := "content: embedded in the binary (no ./content in the working directory); locales: embedded in the binary (no ./locales in the working directory)"
		if code != ExitOK || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
	t.Run("learned export needs files on disk", func(t *testing.T) {
		_, errs, code := run(t, "", "learned", "export", "--data", t.TempDir())
		if code != ExitUsage || !strings.Contains(errs, "there is no ./content here") {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
	})
	for _, args := range [][]string{
		{"check", "--content", "/nonexistent"},
		{"ask", "--content", "/nonexistent", "hallo"},
		{"shell", "--content", "/nonexistent"},
		{"serve", "--content", "/nonexistent", "--addr", "127.0.0.1:0", "--data", filepath.Join(empty, "data")},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errs, code := run(t, "", args...)
			if code == ExitOK || !strings.Contains(errs, "the content directory /nonexistent does not exist") || strings.Contains(errs, "open .") {
				t.Errorf("exit %d, stderr:\n%s", code, errs)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "data")); err == nil {
		t.Error("serve created its data directory although the content directory does not exist")
	}
}
