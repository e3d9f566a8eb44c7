package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/cluster"
	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/postgres"
	"github.com/oldenburg/ankommen/internal/summary"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// What serve does differently as one of several replicas on PostgreSQL: updates are
// claimed from the shared inbox, one replica polls, send limits and once-only jobs
// are kept in the database, and phrasings learned on another replica are noticed.
// On SQLite the channel hands updates out in memory and keeps its limits in memory.

// learnedEvery is how often a replica looks for phrasings learned on another.
const learnedEvery = 2 * time.Second

// sendLimits are Telegram's limits with the configured overrides.
func sendLimits(l config.SendLimits) telegram.Limits {
	lim := telegram.DefaultLimits
	lim.Off = l.Off
	if l.Global > 0 {
		lim.Global = l.Global
	}
	if l.Burst > 0 {
		lim.GlobalBurst = l.Burst
	}
	if l.Chat > 0 {
		lim.PerChat = l.Chat
	}
	if l.Group > 0 {
		lim.PerGroup = l.Group
	}
	return lim
}

// replicaOf returns the channel's cluster options for the store db: with
// PostgreSQL, claims, the leader election, shared limits and once-only jobs; with
// SQLite (one process) nothing but the jobs' record.
func replicaOf(db any, r config.Replicas, logger *slog.Logger) telegram.Cluster {
	pg, ok := db.(*postgres.DB)
	if !ok {
		return telegram.Cluster{Jobs: jobsOf(db)}
	}
	leader := pg.Leader("telegram-poll", logger)
	leader.Retry = r.LeaderRetry
	return telegram.Cluster{Claims: pg, Leader: leader, Slots: pg, Jobs: pg, Owner: ownerOf(r.Name), Lease: r.Lease}
}

// ownerOf is the owner of this process's claims: the configured replica name with a
// random part, so that a replica restarted under its name after a crash does not
// renew the leases its dead predecessor left (it holds none of those updates in
// hand; renewed, they would never go to anyone). "" leaves the default
// (host-pid-random).
func ownerOf(name string) string {
	if name == "" {
		return ""
	}
	var b [3]byte
	rand.Read(b[:])
	return name + "-" + hex.EncodeToString(b[:])
}

// jobsOf returns the store's record of once-only jobs, or one in memory.
func jobsOf(db any) cluster.Jobs {
	if j, ok := db.(cluster.Jobs); ok {
		return j
	}
	return &cluster.Local{}
}

// retention runs the retention job once a day in the cluster. The policy is part
// of the job's name: a changed policy applies at the next start, not a day later.
func retention(ctx context.Context, db any, job handoff.RetentionJob, logger *slog.Logger) {
	name := fmt.Sprintf("retention-%d-%d", job.Policy.HandoffDays, job.Policy.QuestionDays)
	cluster.Every(ctx, jobsOf(db), name, 24*time.Hour, 10*time.Minute, logger, func(ctx context.Context) error {
		p, err := job.Once(ctx)
		if err == nil {
			logger.Info("retention job done", "handoffs", p.Handoffs, "questions", p.Questions, "chats", p.Chats, "votes", p.Votes, "sessions", p.Sessions, "topic_counts", p.Topics, "subscriptions", p.Subscriptions)
		}
		return err
	})
}

// weekly runs the weekly summary job every hour, one replica at a time: the job
// records the week it sent, and under the cluster's lock a second replica sees the
// record instead of sending the week again. A failed send (Telegram not connected
// yet at start) is tried again after a second, doubling (cluster.Every).
func weekly(ctx context.Context, db any, job *summary.Job, logger *slog.Logger) {
	cluster.Every(ctx, jobsOf(db), "weekly-summary", time.Minute, time.Hour, logger, func(ctx context.Context) error {
		sent, err := job.Once(ctx)
		if sent && err == nil {
			logger.Info("weekly summary sent to the staff chat")
		}
		return err
	})
}

// learnedVersion is a store that tells when phrasings were learned.
type learnedVersion interface {
	LearnedVersion(ctx context.Context) (string, error)
}

// learnedWatch rebuilds the answering snapshot when phrasings were learned, here
// or on another replica: each replica compares the store's version with the one
// its snapshot was built from.
type learnedWatch struct {
	src  learnedVersion // nil: the store cannot tell; Check reloads always
	log  *slog.Logger
	mu   sync.Mutex
	live *Live
	seen string // the version the current snapshot includes
}

// newLearnedWatch reads the version before the first snapshot is built, so that a
// phrasing learned meanwhile is seen as new.
func newLearnedWatch(ctx context.Context, db any, logger *slog.Logger) *learnedWatch {
	w := &learnedWatch{log: logger}
	if src, ok := db.(learnedVersion); ok {
		w.src = src
		w.seen, _ = src.LearnedVersion(ctx)
	}
	return w
}

// Check rebuilds the snapshot when the learned phrasings changed since it was
// built; it reports whether it did.
func (w *learnedWatch) Check(ctx context.Context) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.src == nil {
		return w.live.Reload()
	}
	v, err := w.src.LearnedVersion(ctx)
	if err != nil || v == w.seen {
		return false
	}
	// The new snapshot reads the phrasings after v was read: it holds at least v.
	if !w.live.Reload() {
		return false
	}
	w.seen = v
	w.log.Info("learned phrasings changed; answering with them", "version", v)
	return true
}

// Run checks every interval until ctx ends.
func (w *learnedWatch) Run(ctx context.Context, every time.Duration) {
	if w.src == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Check(ctx)
		}
	}
}
