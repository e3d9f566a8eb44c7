package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// TestMigrateFromVersion1: a database of version 1 with data moves to the current
// version; questions keep their text (masked) and lose any chat link, chats and
// votes stay, handled inbox entries lose their chat.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	raw, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrations.ReadFile("migrations/0001_channel.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
		string(v1),
		"INSERT INTO schema_migration VALUES (1, '0001_channel.sql', 0)",
		"INSERT INTO chat (id, lang, created_at, updated_at) VALUES (5, 'uk', 0, 0)",
		"INSERT INTO unanswered (at, lang, text, chat_id, candidates) VALUES (1, 'uk', 'старе питання', 5, 'work:0.100')",
		"INSERT INTO unanswered (at, lang, text, candidates) VALUES (2, 'de', 'ruf an: 0176 1234567 oder ۰۹۱۲۳۴۵۶۷۸۹', '')",
		"INSERT INTO inbox (update_id, chat_id, payload, received_at, done_at) VALUES (7, 5, NULL, 1, 2), (8, 5, x'7b7d', 1, NULL)",
		"INSERT INTO vote (chat_id, topic_id, lang, helpful, at) VALUES (5, 'work', 'uk', 1, 1)",
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, _ := d.Version(ctx); v != latest(t) {
		t.Fatalf("version %d", v)
	}
	var chats int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM inbox WHERE chat_id != 0").Scan(&chats); err != nil || chats != 1 {
		t.Errorf("%d inbox entries with a chat, want only the pending one: %v", chats, err)
	}
	q, err := d.Question(ctx, 1)
	if err != nil || q.Text != "старе питання" || q.Status != handoff.StatusOpen || len(q.Candidates) != 1 {
		t.Fatalf("question: %+v, %v", q, err)
	}
	us, _ := d.UnansweredSince(ctx, time.Time{}, 10)
	if len(us) != 2 || us[0].ChatID != 0 {
		t.Errorf("chat link kept: %+v", us)
	}
	if len(us) == 2 && us[1].Text != "ruf an: [phone] oder [phone]" {
		t.Errorf("an old question is not masked: %q", us[1].Text)
	}
	if c, err := d.Chat(ctx, 5); err != nil || c.Lang != "uk" || !c.Consent.IsZero() {
		t.Errorf("chat: %+v, %v", c, err)
	}
}

// TestPurgeLeavesNothingInTheFile: what retention deletes — a closed handoff's
// messages, an old anonymous question — is not readable from the database file or
// its write-ahead log afterwards.
func TestPurgeLeavesNothingInTheFile(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	const inHandoff, inQuestion = "Handoffmarke8K2Z", "Fragemarke3J7W"
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	h, _, err := d.OpenHandoff(ctx, handoff.Opening{ChatID: 77, Lang: "de", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddUserMessage(ctx, h.ID, 1, "Ich bin "+inHandoff, at); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseHandoff(ctx, h.ID, handoff.StatusClosed, "anna", at); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordUnanswered(ctx, assistant.Unanswered{Text: "Wo " + inQuestion, Lang: "de", At: at}); err != nil {
		t.Fatal(err)
	}
	grep := func() (found []string) {
		for _, suffix := range []string{"", "-wal"} {
			data, _ := os.ReadFile(file + suffix)
			for _, m := range []string{inHandoff, inQuestion} {
				if bytes.Contains(data, []byte(m)) {
					found = append(found, m+" in "+filepath.Base(file+suffix))
				}
			}
		}
		return found
	}
	if len(grep()) < 2 {
		t.Fatal("the markers are not in the files before the purge: the test proves nothing")
	}
	p, err := d.Purge(ctx, handoff.Retention{HandoffDays: 30, QuestionDays: 180}, at.AddDate(1, 0, 0))
	if err != nil || p.Handoffs != 1 || p.Questions != 1 {
		t.Fatalf("purge: %+v, %v", p, err)
	}
	if found := grep(); len(found) > 0 {
		t.Errorf("after the purge: %v", found)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if found := grep(); len(found) > 0 {
		t.Errorf("after the purge and close: %v", found)
	}
}
