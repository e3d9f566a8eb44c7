package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/sqlite"
)

// TestFlagsAfterArguments: flags count wherever they stand; after "--" everything is
// an argument; a command without arguments refuses one instead of ignoring it.
func TestFlagsAfterArguments(t *testing.T) {
	t.Run("ask QUESTION --json", func(t *testing.T) {
		out, errs, code := run(t, "", "ask", "Wo ist das Ausländerbüro?", "--json")
		var a Answer
		if code != ExitOK || json.Unmarshal([]byte(out), &a) != nil || a.Question != "Wo ist das Ausländerbüro?" {
			t.Fatalf("exit %d, stdout %q, stderr %q; want one JSON answer", code, out, errs)
		}
	})
	t.Run("ask -- --json", func(t *testing.T) {
		out, errs, code := run(t, "", "ask", "--lang", "en", "--", "--json")
		if code != ExitOK || strings.HasPrefix(out, "{") {
			t.Fatalf("exit %d, stdout %q, stderr %q; want a plain answer to the question \"--json\"", code, out, errs)
		}
	})
	t.Run("staff add NAME --data DIR", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		out, errs, code := run(t, "correct horse battery\n", "staff", "add", "hans", "--data", data)
		if code != ExitOK || !strings.Contains(out, "added hans") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(data, sqlite.FileName)); err != nil {
			t.Fatalf("the account is not in --data: %v", err)
		}
		out, errs, code = run(t, "", "staff", "--data", data, "list")
		if code != ExitOK || !strings.Contains(out, "hans") {
			t.Fatalf("staff --data DIR list: exit %d, stdout %q, stderr %q", code, out, errs)
		}
	})
	for _, args := range [][]string{{"check", "extra"}, {"shell", "extra"}, {"serve", "extra"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errs, code := run(t, "", args...)
			if code != ExitUsage || !strings.Contains(errs, `unexpected argument "extra"`) {
				t.Errorf("exit %d, stderr %q; want 2 and a clear refusal", code, errs)
			}
		})
	}
}

// TestStaffListRefusesAMissingDatabase: only `staff add` and `serve` create the
// database; a typo in --data is reported, and nothing is created.
func TestStaffListRefusesAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no directory", []string{"staff", "list", "--data", typo}, "the data directory " + typo + " does not exist"},
		{"no database", []string{"staff", "list", "--data", dir}, "there is no database " + filepath.Join(dir, sqlite.FileName)},
		{"remove", []string{"staff", "remove", "anna", "--data", typo}, "does not exist"},
		{"learned list", []string{"learned", "list", "--data", typo}, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := run(t, "", tc.args...)
			if code != ExitFail || !strings.Contains(errs, tc.want) || !strings.Contains(errs, "only `ankommen staff add` and `ankommen serve` create") {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errs, tc.want)
			}
		})
	}
	if _, err := os.Stat(typo); err == nil {
		t.Error("a data directory was created")
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err == nil {
		t.Error("a database was created")
	}
}

// TestMessagesNameTheProblemOnce: no doubled prefixes, ranges checked.
func TestMessagesNameTheProblemOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(file, []byte(`{"id":"a","lang":"de","kind":"answer","question":"Wo kann ich Deutsch lernen?","expect_any":["Deutsch"]}`+"\n"), 0o644)
	data := t.TempDir()
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		want, not   string
	}{
		{"bad name", "correct horse battery\n", []string{"staff", "add", "a b", "--data", data}, ExitUsage, `staff add: invalid name "a b": a name is`, "staff: invalid"},
		{"bad password", "short\n", []string{"staff", "add", "anna", "--data", data}, ExitUsage, "staff add: the password must have at least", "staff: invalid"},
		{"eval --min above 1", "", []string{"eval", "--min", "1.01", file}, ExitUsage, "eval: --min 1.01 is not a share: give a number from 0 to 1", ""},
		{"eval --min below 0", "", []string{"eval", file, "--min", "-0.5"}, ExitUsage, "from 0 to 1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := run(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) || (tc.not != "" && strings.Contains(errs, tc.not)) {
				t.Errorf("exit %d, stderr %q; want %d, %q and not %q", code, errs, tc.code, tc.want, tc.not)
			}
		})
	}
}
