package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/migrate"
	"github.com/oldenburg/ankommen/internal/store/storetest"
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
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %d, %v", len(ms), err)
	}
	return ms[len(ms)-1].Version
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

// TestStore runs the conformance suite of store.Store on SQLite.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.DB {
		d := MustOpen(t)
		if now != nil {
			d = d.WithClock(now)
		}
		return storetest.DB{Store: d, Raw: func(query string, dest ...any) error {
			return d.w.QueryRowContext(context.Background(), query).Scan(dest...)
		}}
	})
}

// BenchmarkInbox: the store's part in handling one update (storetest.BenchInbox).
func BenchmarkInbox(b *testing.B) {
	storetest.BenchInbox(b, MustOpen(b))
}
