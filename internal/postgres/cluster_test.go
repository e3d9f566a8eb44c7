package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/cluster/clustertest"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
)

func openDB(t *testing.T) (*postgres.DB, string) {
	t.Helper()
	url := pgtest.URL(t)
	d, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, url
}

func TestLeaderTakeoverWhenTheConnectionCloses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, _ := openDB(t)
	a, b := d.Leader("poll", nil), d.Leader("poll", nil)
	for _, l := range []*postgres.Leader{a, b} {
		l.Retry, l.Check = 100*time.Millisecond, 100*time.Millisecond
	}
	leadA, releaseA, err := a.Lead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseA()
	type result struct {
		lead    context.Context
		release func()
		err     error
		at      time.Time
	}
	got := make(chan result, 1)
	go func() {
		l, r, err := b.Lead(ctx)
		got <- result{l, r, err, time.Now()}
	}()
	select {
	case <-got:
		t.Fatal("b leads while a does")
	case <-time.After(500 * time.Millisecond):
	}
	// The server closes a's connection (as when a's process dies).
	killed := time.Now()
	if _, err := d.Pool().Exec(ctx, "SELECT pg_terminate_backend($1)", int32(a.PID())); err != nil {
		t.Fatal(err)
	}
	select {
	case <-leadA.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a still leads after losing its connection")
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.release()
	if took := r.at.Sub(killed); took > 2*time.Second {
		t.Errorf("b took over after %v", took)
	}
	if r.lead.Err() != nil {
		t.Fatal("b's leadership ended at once")
	}
	// Released, the lock goes to the next at once.
	r.release()
	l, rel, err := a.Lead(ctx)
	if err != nil || l.Err() != nil {
		t.Fatalf("a after b released: %v", err)
	}
	rel()
}

func TestCluster(t *testing.T) {
	clustertest.Run(t, func(t *testing.T) func() clustertest.Store {
		url := pgtest.URL(t)
		return func() clustertest.Store {
			d, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
	})
}

func BenchmarkClaim(b *testing.B) {
	d, err := postgres.Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchClaim(b, d)
}

func BenchmarkReserve(b *testing.B) {
	d, err := postgres.Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchReserve(b, d)
}

func BenchmarkClaimBusy(b *testing.B) {
	d, err := postgres.Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchClaimBusy(b, d)
}
