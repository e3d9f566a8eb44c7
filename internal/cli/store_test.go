package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/store"
	"github.com/oldenburg/ankommen/internal/store/storetest"
)

// dump opens the store at loc and returns all its rows.
func dump(t *testing.T, loc string) map[string]map[string][]any {
	t.Helper()
	s, err := app.OpenLocation(context.Background(), loc, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return storetest.Dump(t, s.(store.Tables))
}

// TestStoreCopyRoundTrip: SQLite → PostgreSQL → SQLite gives back every row as it
// was; a second copy changes nothing; a target with rows the source lacks is
// refused unless --force; after the copy the target takes new rows (its sequences
// are past the copied ids).
func TestStoreCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	s, err := app.OpenLocation(ctx, src, true)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, s)
	s.Close()
	want := dump(t, src)
	for _, tb := range store.Schema {
		if len(want[tb.Name]) == 0 {
			t.Fatalf("Fill left %s empty: the round trip would not test it", tb.Name)
		}
	}
	pg := pgtest.URL(t)
	for i := range 2 {
		out, errs, code := run(t, "", "store", "copy", "--from", src, "--to", pg)
		if code != ExitOK || !strings.Contains(out, "handoff_message") || !strings.Contains(out, "rows in 16 tables") {
			t.Fatalf("copy %d to PostgreSQL: exit %d, stdout %q, stderr %q", i+1, code, out, errs)
		}
		if got := dump(t, pg); !reflect.DeepEqual(got, want) {
			t.Fatalf("copy %d: PostgreSQL differs from the SQLite source:\n got %v\nwant %v", i+1, got, want)
		}
	}
	back := filepath.Join(t.TempDir(), "back")
	if out, errs, code := run(t, "", "store", "copy", "--from", pg, "--to", back); code != ExitOK {
		t.Fatalf("copy back: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got := dump(t, back); !reflect.DeepEqual(got, want) {
		t.Fatalf("SQLite → PostgreSQL → SQLite differs:\n got %v\nwant %v", got, want)
	}

	// The copy takes new rows: ids continue after the copied ones.
	p, err := app.OpenLocation(ctx, pg, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RecordUnanswered(ctx, assistant.Unanswered{Text: "neu nach der Kopie", Lang: "de"}); err != nil {
		t.Fatalf("a new question after the copy: %v", err)
	}
	if err := p.SetLang(ctx, 99, "fa"); err != nil {
		t.Fatal(err)
	}
	p.Close()
	_, errs, code := run(t, "", "store", "copy", "--from", src, "--to", pg)
	if code != ExitUsage || !strings.Contains(errs, "unanswered: 1") || !strings.Contains(errs, "chat: 1") || !strings.Contains(errs, "--force") {
		t.Fatalf("copy onto a target with more rows: exit %d, stderr %q; want a refusal naming the tables", code, errs)
	}
	out, errs, code := run(t, "", "store", "copy", "--from", src, "--to", pg, "--force")
	if code != ExitOK || !strings.Contains(out, "1 removed") {
		t.Fatalf("copy --force: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got := dump(t, pg); !reflect.DeepEqual(got, want) {
		t.Fatal("after copy --force the target differs from the source")
	}
}

// TestStoreSchemaComplete: the tables of both databases are those store.Schema
// lists, so that store copy copies everything.
func TestStoreSchemaComplete(t *testing.T) {
	ctx := context.Background()
	for _, loc := range []string{t.TempDir(), pgtest.URL(t)} {
		s, err := app.OpenLocation(ctx, loc, true)
		if err != nil {
			t.Fatal(err)
		}
		names, err := s.(store.Tables).TableNames(ctx)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string(nil), store.NotCopied...)
		for _, tb := range store.Schema {
			want = append(want, tb.Name)
		}
		if !sameSet(names, want) {
			t.Errorf("%s has tables %v; store.Schema lists %v", app.DescribeLocation(loc), names, want)
		}
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestBadDatabaseURL: a database URL that is wrong or names a server that does not
// answer gives a clear message naming host and database, never the password, and
// a non-zero exit.
func TestBadDatabaseURL(t *testing.T) {
	const pw = "s3cretpw"
	unreachable := "postgres://ankommen:" + pw + "@127.0.0.1:1/citydb?connect_timeout=2"
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"staff list, unreachable", nil, []string{"staff", "list", "--database-url", unreachable}, ExitFail, "127.0.0.1:1/citydb"},
		{"staff list, no such database", map[string]string{"ANKOMMEN_DATABASE_URL": "postgres://postgres:" + pw + "@127.0.0.1:5432/no_such_db_p1?sslmode=disable"},
			[]string{"staff", "list"}, ExitFail, "127.0.0.1:5432/no_such_db_p1"},
		{"learned list, not a URL", nil, []string{"learned", "list", "--database-url", "mysql://root:" + pw + "@db/x"}, ExitFail, "must be a PostgreSQL URL"},
		{"serve, unreachable", map[string]string{"ANKOMMEN_DATABASE_URL": unreachable, "ANKOMMEN_ADDR": "127.0.0.1:0", "ANKOMMEN_DATA": t.TempDir()},
			[]string{"serve"}, ExitFail, "127.0.0.1:1/citydb"},
		{"serve, not a URL", map[string]string{"ANKOMMEN_DATABASE_URL": "localhost:" + pw, "ANKOMMEN_ADDR": "127.0.0.1:0"},
			[]string{"serve"}, ExitUsage, "ANKOMMEN_DATABASE_URL must be a PostgreSQL URL"},
		{"store copy, unreachable", nil, []string{"store", "copy", "--from", unreachable, "--to", t.TempDir()}, ExitFail, "127.0.0.1:1/citydb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runEnv(t, tc.vars, "", tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q; want it to say %q", code, tc.code, errs, tc.want)
			}
			if strings.Contains(out+errs, pw) {
				t.Errorf("the password is in the output: %q", out+errs)
			}
			if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine ") {
				t.Errorf("a stack trace: %q", errs)
			}
		})
	}
}
