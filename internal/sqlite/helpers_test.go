package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
)

// The helpers of main's notify and backlog tests (issue #13), which P1 moved into
// storetest with the tests it made common. These two tests stay SQLite-only until
// the PostgreSQL store has their whole behaviour (notify links in the retention
// job); then they belong in storetest.

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func record(t *testing.T, d *DB, text, lang, ref string, at time.Time) int64 {
	t.Helper()
	if err := d.RecordUnanswered(context.Background(), assistant.Unanswered{Text: text, Lang: lang, Ref: ref, At: at,
		Candidates: []assistant.Hit{{TopicID: "work", Score: 0.25}, {TopicID: "housing", Score: 0.125}}}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := d.r.QueryRow("SELECT max(id) FROM unanswered").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
