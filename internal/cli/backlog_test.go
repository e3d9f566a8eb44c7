package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/sqlite"
)

// backlogDB makes a data directory whose database holds questions of two needs in
// several languages and a count of topics shown.
func backlogDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Now().Add(-time.Hour)
	for i, q := range []struct{ lang, text string }{
		{"de", "Kann ich meinen Führerschein umschreiben lassen?"},
		{"ru", "как поменять водительские права на немецкие"},
		{"tr", "ehliyetimi nasıl değiştiririm, tel 0176 1234567"},
		{"en", "where can I buy a sim card"},
		{"ar", "من وين بشتري شريحة موبايل؟"},
	} {
		if err := db.RecordUnanswered(ctx, assistant.Unanswered{Lang: q.lang, Text: q.text, At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		db.CountTopic(ctx, at, "fa", "kita")
	}
	return dir
}

func TestBacklogJSON(t *testing.T) {
	dir := backlogDB(t)
	out, errs, code := runEnv(t, nil, "", "backlog", "--json", "--data", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var groups []groupJSON
	if err := json.Unmarshal([]byte(out), &groups); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(groups) != 2 || groups[0].Size != 3 || groups[1].Size != 2 {
		t.Fatalf("groups: %s", out)
	}
	if groups[0].Needs[0] != "driving-licence" || len(groups[0].Languages) != 3 || len(groups[0].Questions) != 3 || !strings.HasPrefix(groups[0].ID, "g") {
		t.Errorf("first group: %+v", groups[0])
	}
	masked := false
	for _, q := range groups[0].Questions {
		masked = masked || strings.Contains(q.Text, "[phone]")
		if strings.Contains(q.Text, "1234567") {
			t.Errorf("unmasked: %q", q.Text)
		}
	}
	if !masked {
		t.Errorf("the masked text is not printed: %+v", groups[0].Questions)
	}
}

func TestBacklogCSVAndDemand(t *testing.T) {
	dir := backlogDB(t)
	out, errs, code := runEnv(t, nil, "", "backlog", "--csv", "--data", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "group" || rows[1][1] != "3" {
		t.Fatalf("csv %v: %q", err, out)
	}
	out, errs, code = runEnv(t, nil, "", "backlog", "--demand", "--json", "--data", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d demandJSONOut
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(d.Topics) != 1 || d.Topics[0].Topic != "kita" || d.Topics[0].Shown != 3 || len(d.Groups) != 2 || d.Needs == nil {
		t.Errorf("demand: %s", out)
	}
	out, _, code = runEnv(t, nil, "", "backlog", "--demand", "--csv", "--data", dir)
	if code != ExitOK || !strings.Contains(out, "topic,kita,,,3,,fa:3,") || !strings.Contains(out, "\ngroup,g") {
		t.Errorf("demand csv: %d %q", code, out)
	}
	for _, args := range [][]string{{"backlog", "--json", "--csv", "--data", dir}, {"backlog", "extra", "--data", dir}, {"backlog", "--demand", "--days", "0", "--data", dir}} {
		if _, errs, code := runEnv(t, nil, "", args...); code != ExitUsage || errs == "" {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if _, errs, code := runEnv(t, nil, "", "backlog", "--data", filepath.Join(dir, "nothing")); code != ExitFail || !strings.Contains(errs, "does not exist") {
		t.Errorf("no database: %d %q", code, errs)
	}
}

// TestBacklogCSVCells: a question is one cell whatever it holds, and a spreadsheet
// does not read it as a formula.
func TestBacklogCSVCells(t *testing.T) {
	var b strings.Builder
	w := newCSV(&b)
	w.Write([]string{"g1", "=HYPERLINK(\"http://x\")", "a;b", "plain", " padded"})
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	want := `g1,"'=HYPERLINK(""http://x"")","a;b",plain," padded"` + "\n"
	if b.String() != want {
		t.Errorf("row %q, want %q", b.String(), want)
	}
}
