package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/content/contenttest"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/staff"
)

func init() { bcryptCost = bcrypt.MinCost } // tests need no slow hashes

func runEnv(t *testing.T, vars map[string]string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code := Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func TestStaffAccounts(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"ANKOMMEN_DATA": dir}
	const pw = "correct horse battery"
	if out, errs, code := runEnv(t, vars, pw+"\n", "staff", "add", "anna"); code != ExitOK || !strings.Contains(out, "added anna") {
		t.Fatalf("add: %d %q %q", code, out, errs)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"taken in any case", pw + "\n", []string{"staff", "add", "ANNA"}, ExitFail, "already"},
		{"short password", "short\n", []string{"staff", "add", "bernd"}, ExitUsage, "at least 12"},
		{"no password", "", []string{"staff", "add", "bernd"}, ExitUsage, "no password"},
		{"run of digits", "123456789012\n", []string{"staff", "add", "bernd"}, ExitUsage, "a run of the alphabet, of digits or of a keyboard row"},
		{"common password", "Passwort2024!\n", []string{"staff", "add", "bernd"}, ExitUsage, "one of the most common passwords"},
		{"the name in the password", "bernd-im-rathaus\n", []string{"staff", "add", "bernd"}, ExitUsage, "must not contain the account's name"},
		{"bad name", pw + "\n", []string{"staff", "add", "a b"}, ExitUsage, "name"},
		{"no name", "", []string{"staff", "add"}, ExitUsage, "Usage"},
		{"unknown subcommand", "", []string{"staff", "promote", "anna"}, ExitUsage, "unknown subcommand"},
		{"remove unknown", "", []string{"staff", "remove", "nobody"}, ExitFail, "no account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runEnv(t, vars, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("exit %d (want %d), output %q %q", code, tc.code, out, errs)
			}
			if strings.Contains(out+errs, "short\n") || (tc.stdin != "" && strings.Contains(out+errs, strings.TrimSpace(tc.stdin))) {
				t.Error("the password was printed")
			}
		})
	}
	// The stored hash verifies; the password itself is not stored.
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := db.StaffByName(context.Background(), "Anna")
	if err != nil || !staff.Verify(acc.Hash, pw) || bytes.Contains(acc.Hash, []byte(pw)) {
		t.Fatalf("account: %+v, %v", acc.Name, err)
	}
	db.Close()
	out, _, code := runEnv(t, vars, "", "staff", "list")
	if code != ExitOK || !strings.Contains(out, "anna") || !strings.Contains(out, "last login never") {
		t.Errorf("list: %d %q", code, out)
	}
	if out, _, code := runEnv(t, vars, "", "staff", "remove", "anna"); code != ExitOK || !strings.Contains(out, "removed anna") {
		t.Errorf("remove: %d %q", code, out)
	}
	if out, _, _ := runEnv(t, vars, "", "staff", "list"); !strings.Contains(out, "no accounts") {
		t.Errorf("list after remove: %q", out)
	}
}

// copyContent copies the test content to a temporary directory.
func copyContent(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	contenttest.CopyDir(t, "../conversation/testdata/content", dst)
	return dst
}

func TestLearnedExport(t *testing.T) {
	ctx := context.Background()
	data, dir := t.TempDir(), copyContent(t)
	db, err := sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []handoff.Learned{
		{TopicID: "work", Lang: "de", Text: "Jobcenter: Termin verpasst, was nun?"},
		{TopicID: "work", Lang: "en", Text: "missed my appointment at the job centre"},
		{TopicID: "housing", Lang: "de", Text: "Wohnung mit WBS"},
		{TopicID: "work", Lang: "ar", Text: "لا يوجد ملف عربي"},                    // phrasings need no topic file in their language
		{TopicID: "gone", Lang: "de", Text: "ein Thema, das es nicht mehr gibt"},   // the topic was removed
		{TopicID: "housing", Lang: "en", Text: "Where is the immigration office?"}, // another topic has it
	} {
		if err := db.Learn(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	vars := map[string]string{"ANKOMMEN_DATA": data}
	out, errs, code := runEnv(t, vars, "", "learned", "export", "--content", dir)
	if code != ExitOK || !strings.Contains(out, "4 phrasing(s) written, 1 skipped") || !strings.Contains(errs, "there is no topic gone") {
		t.Fatalf("export: %d\n%s\n%s", code, out, errs)
	}
	corpus, _, err := content.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("content after export: %v", err)
	}
	got := map[string]bool{}
	for _, p := range corpus.Phrasings {
		got[p.TopicID+"."+p.Lang+": "+p.Text] = true
	}
	for _, want := range []string{
		"work.de: Jobcenter: Termin verpasst, was nun?",
		"work.en: missed my appointment at the job centre",
		"housing.de: Wohnung mit WBS",
		"work.ar: لا يوجد ملف عربي",
	} {
		if !got[want] {
			t.Errorf("phrasings lack %q", want)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "phrasings", "de.yaml"))
	if !strings.Contains(string(raw), "\n  - 'Jobcenter: Termin verpasst, was nun?'\n") || !strings.HasPrefix(string(raw), "# ") {
		t.Errorf("phrasings/de.yaml:\n%s", raw)
	}
	// A second export writes nothing.
	out, _, code = runEnv(t, vars, "", "learned", "export", "--content", dir)
	if code != ExitOK || !strings.Contains(out, "0 phrasing(s) written") {
		t.Errorf("second export: %d %s", code, out)
	}
	if out, _, _ := runEnv(t, vars, "", "learned", "list"); !strings.Contains(out, "work.de") || !strings.Contains(out, "exported") {
		t.Errorf("list: %s", out)
	}
}

// TestAddPhrasingsKeepsComments: a phrasing goes after the last item of its topic's
// list, in its indentation; comments and the other lists stay as they are.
func TestAddPhrasingsKeepsComments(t *testing.T) {
	file := filepath.Join(t.TempDir(), "de.yaml")
	in := "# Kommentar der Übersetzerin\nwork:\n    - Arbeit finden  # kurz\n    - Jobcenter\n# housing next\nhousing:\n    - Wohnung\n"
	if err := os.WriteFile(file, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := addPhrasings(file, []handoff.Learned{{TopicID: "work", Text: "Arbeit: Termin verpasst"}, {TopicID: "school", Text: "Schule"}}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	want := "# Kommentar der Übersetzerin\nwork:\n    - Arbeit finden  # kurz\n    - Jobcenter\n    - 'Arbeit: Termin verpasst'\n# housing next\nhousing:\n    - Wohnung\nschool:\n  - Schule\n"
	if string(raw) != want {
		t.Errorf("got:\n%s\nwant:\n%s", raw, want)
	}
}
