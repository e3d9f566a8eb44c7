package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/cluster"
	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/telegram"
)

func TestSendLimitsOverrideTelegrams(t *testing.T) {
	if got := sendLimits(config.SendLimits{}); got != telegram.DefaultLimits {
		t.Errorf("no overrides: %+v, want the defaults", got)
	}
	got := sendLimits(config.SendLimits{Global: 5 * time.Millisecond, Chat: 50 * time.Millisecond})
	want := telegram.DefaultLimits
	want.Global, want.PerChat = 5*time.Millisecond, 50*time.Millisecond
	if got != want {
		t.Errorf("overrides: %+v, want %+v", got, want)
	}
	if !sendLimits(config.SendLimits{Off: true}).Off {
		t.Error("off is not off")
	}
}

// With PostgreSQL the channel claims, elects a poller and shares limits and jobs;
// with SQLite it hands updates out in memory and only records its jobs.
func TestReplicaOfTheStore(t *testing.T) {
	ctx := context.Background()
	r := config.Replicas{Name: "web-1", Lease: 3 * time.Second, LeaderRetry: 500 * time.Millisecond}

	pg, err := postgres.Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	c := replicaOf(pg, r, nil)
	l, ok := c.Leader.(*postgres.Leader)
	if c.Claims == nil || c.Slots == nil || c.Jobs == nil || !ok || l.Retry != r.LeaderRetry || !strings.HasPrefix(c.Owner, "web-1-") || c.Lease != r.Lease {
		t.Errorf("postgres: %+v", c)
	}
	// Restarted under its name, a replica owns its claims under another owner: it
	// must not renew the leases its predecessor left.
	if again := replicaOf(pg, r, nil); again.Owner == c.Owner {
		t.Errorf("two processes named %q own claims as %q both", r.Name, c.Owner)
	}

	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c = replicaOf(db, r, nil)
	if c.Claims != nil || c.Leader != nil || c.Slots != nil || c.Jobs != cluster.Jobs(db) {
		t.Errorf("sqlite: %+v", c)
	}
	if _, ok := jobsOf(struct{}{}).(*cluster.Local); !ok {
		t.Error("a store without a job record does not get the in-memory one")
	}
}
