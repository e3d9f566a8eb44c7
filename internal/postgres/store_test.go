package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/store/storetest"
)

// TestStore runs the conformance suite of store.Store on PostgreSQL, each test in
// a database of its own.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.DB {
		d, err := Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if now != nil {
			d = d.WithClock(now)
		}
		return storetest.DB{Store: d, Raw: func(query string, dest ...any) error {
			return d.pool.QueryRow(context.Background(), query).Scan(dest...)
		}}
	})
}

// BenchmarkInbox: the store's part in handling one update (storetest.BenchInbox).
func BenchmarkInbox(b *testing.B) {
	d, err := Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	storetest.BenchInbox(b, d)
}
