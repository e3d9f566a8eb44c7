package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
)

// MustOpen opens a fresh database in a temporary directory and closes it at the end
// of the test.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	d, err := Open(context.Background(), filepath.Join(tb.TempDir(), FileName))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// latest is the number of the last migration.
func latest(t *testing.T) int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %d, %v", len(ms), err)
	}
	return ms[len(ms)-1].version
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Version(ctx)
	if want := latest(t); err != nil || v != want {
		t.Fatalf("version = %d, %v; want %d", v, err, want)
	}
	if err := d.SetLang(ctx, 7, "uk"); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := d.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk, secure int
	if err := d.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	// Deleted content is overwritten, not left in free space (/forget, retention).
	if err := d.w.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&secure); err != nil || secure != 1 {
		t.Errorf("secure_delete = %d, %v; want 1", secure, err)
	}
	d.Close()

	d, err = Open(ctx, file)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer d.Close()
	c, err := d.Chat(ctx, 7)
	if err != nil || c.Lang != "uk" {
		t.Fatalf("after reopen: %+v, %v", c, err)
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), FileName)
	d, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.w.ExecContext(ctx, "INSERT INTO schema_migration VALUES (99, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := Open(ctx, file); err == nil {
		t.Fatal("opened a database from a newer program")
	}
}

func TestChats(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	if _, err := d.Chat(ctx, 1); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("unknown chat: err = %v, want ErrNotFound", err)
	}
	// Marking an unknown chat active stores nothing.
	if err := d.SetActive(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Chat(ctx, 1); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("SetActive(true) stored a row: %v", err)
	}
	steps := []struct {
		name string
		do   func() error
		want chat.Chat
	}{
		{"choose language", func() error { return d.SetLang(ctx, 1, "ar") }, chat.Chat{ID: 1, Lang: "ar", Active: true}},
		{"block", func() error { return d.SetActive(ctx, 1, false) }, chat.Chat{ID: 1, Lang: "ar", Active: false}},
		{"unblock", func() error { return d.SetActive(ctx, 1, true) }, chat.Chat{ID: 1, Lang: "ar", Active: true}},
		{"change language", func() error { return d.SetLang(ctx, 1, "fa") }, chat.Chat{ID: 1, Lang: "fa", Active: true}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			got, err := d.Chat(ctx, 1)
			if err != nil || got != s.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, s.want)
			}
		})
	}
	// A blocked chat that was never stored is stored inactive.
	if err := d.SetActive(ctx, 2, false); err != nil {
		t.Fatal(err)
	}
	if c, err := d.Chat(ctx, 2); err != nil || c.Active {
		t.Fatalf("chat 2: %+v, %v; want inactive", c, err)
	}
}

func TestForgetKeepsVotesAnonymous(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	if err := d.SetLang(ctx, 5, "de"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []chat.Vote{
		{ChatID: 5, TopicID: "housing", Lang: "de", Helpful: false},
		{ChatID: 5, TopicID: "housing", Lang: "en", Helpful: true}, // replaces the first
		{ChatID: 6, TopicID: "housing", Lang: "de", Helpful: true},
		{ChatID: 5, TopicID: "work", Lang: "de", Helpful: false},
	} {
		if err := d.Vote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordUnanswered(ctx, assistant.Unanswered{Text: "wo parken", Lang: "de",
		Candidates: []assistant.Hit{{TopicID: "housing", Score: 0.1234}}}); err != nil {
		t.Fatal(err)
	}
	want := []TopicVotes{{"housing", 2, 0}, {"work", 0, 1}}
	check := func() {
		t.Helper()
		got, err := d.VotesByTopic(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("votes = %+v, want %+v", got, want)
		}
	}
	check()
	if err := d.Forget(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Chat(ctx, 5); !errors.Is(err, chat.ErrNotFound) {
		t.Fatalf("chat 5 after Forget: %v", err)
	}
	check() // the votes stay
	var linked int
	if err := d.w.QueryRowContext(ctx, "SELECT count(*) FROM vote WHERE chat_id = 5").Scan(&linked); err != nil || linked != 0 {
		t.Fatalf("votes still linked to chat 5: %d, %v", linked, err)
	}
	us, err := d.UnansweredSince(ctx, time.Time{}, 10)
	if err != nil || len(us) != 1 {
		t.Fatalf("unanswered: %+v, %v", us, err)
	}
	if us[0].ChatID != 0 || us[0].Text != "wo parken" || us[0].Candidates != "housing:0.123" {
		t.Fatalf("unanswered after Forget: %+v", us[0])
	}
}

func TestInbox(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	d := MustOpen(t).WithClock(func() time.Time { return now })
	up := func(id int64) chat.Update {
		return chat.Update{ID: id, ChatID: 100 + id, Payload: []byte(`{"update_id":1}`), Received: now}
	}
	st, err := d.Append(ctx, []chat.Update{up(3), up(1), up(2)}, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range st {
		if s != chat.StatusNew {
			t.Fatalf("status[%d] = %v, want new", i, s)
		}
	}
	if off, err := d.Offset(ctx); err != nil || off != 4 {
		t.Fatalf("offset = %d, %v; want 4", off, err)
	}
	if err := d.Done(ctx, []int64{1}, now); err != nil {
		t.Fatal(err)
	}
	// A second delivery: 1 is done, 2 pending, 4 new. The offset never goes back.
	st, err = d.Append(ctx, []chat.Update{up(1), up(2), up(4)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []chat.Status{chat.StatusDone, chat.StatusPending, chat.StatusNew}; st[0] != want[0] || st[1] != want[1] || st[2] != want[2] {
		t.Fatalf("statuses = %v, want %v", st, want)
	}
	if off, _ := d.Offset(ctx); off != 4 {
		t.Fatalf("offset went back to %d", off)
	}
	pend, err := d.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range pend {
		ids = append(ids, p.ID)
		if string(p.Payload) != `{"update_id":1}` || p.ChatID != 100+p.ID || !p.Received.Equal(now) {
			t.Errorf("pending %d: %+v", p.ID, p)
		}
	}
	if len(ids) != 3 || ids[0] != 2 || ids[1] != 3 || ids[2] != 4 {
		t.Fatalf("pending = %v, want [2 3 4]", ids)
	}
	// Done drops the payload.
	var payload []byte
	if err := d.w.QueryRowContext(ctx, "SELECT payload FROM inbox WHERE update_id = 1").Scan(&payload); err != nil || payload != nil {
		t.Fatalf("payload of a handled update = %q, %v", payload, err)
	}
	// Many ids at once (more than one chunk).
	var many []chat.Update
	var manyIDs []int64
	for i := int64(10); i < 1210; i++ {
		many = append(many, up(i))
		manyIDs = append(manyIDs, i)
	}
	if _, err := d.Append(ctx, many, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.Done(ctx, append(manyIDs, 2, 3, 4), now); err != nil {
		t.Fatal(err)
	}
	if pend, _ := d.Pending(ctx); len(pend) != 0 {
		t.Fatalf("%d pending after Done", len(pend))
	}
	n, err := d.Prune(ctx, now.Add(time.Second))
	if err != nil || n != 1204 {
		t.Fatalf("pruned %d, %v; want 1204", n, err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			var err error
			for i := range 50 {
				id := int64(w*1000 + i)
				if _, err = d.Append(ctx, []chat.Update{{ID: id, Received: time.Now()}}, id+1); err != nil {
					break
				}
				if err = d.Done(ctx, []int64{id}, time.Now()); err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if off, _ := d.Offset(ctx); off != 7050 {
		t.Fatalf("offset = %d, want 7050", off)
	}
}
