// Package cluster names what replicas of `serve` sharing one database agree on
// through it: which one leads (polls Telegram), the slots of rate limits that hold
// for all of them together, and jobs that run once in the cluster. Package postgres
// implements them for several replicas, package sqlite for one machine; this package
// imports no adapter. It also holds the single-process versions and the loop that
// runs a periodic job.
package cluster

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Leader elects the one replica that does what only one may do at a time.
type Leader interface {
	// Lead blocks until this replica leads and returns a context that ends when it
	// stops leading (its connection to the database is lost), and release, which
	// gives leadership up and must be called. It returns ctx's error when ctx ends
	// first.
	Lead(ctx context.Context) (lead context.Context, release func(), err error)
}

// Slots books the slots of rate limits shared by all replicas: for each key, events
// spaced interval apart, burst of them at once (GCRA), on the database's clock.
type Slots interface {
	// Reserve books the earliest time at which one send fits all of slots (a
	// chat's limit and the global one, say), takes it in each, and returns how
	// long to wait for it. Booking them together keeps a wait for one limit from
	// compressing the spacing of another.
	Reserve(ctx context.Context, slots ...Slot) (time.Duration, error)
	// Hold moves key's next slot to at least interval after now, when a send
	// went out: one that went later than booked (a busy machine) keeps the next
	// send of its chat spaced from when it went, not from when it was booked.
	Hold(ctx context.Context, key string, interval time.Duration) error
}

// Slot is one rate limit a send counts against.
type Slot struct {
	Key      string // "global", "chat:<id>"
	Interval time.Duration
	Burst    int // events at once; below 1 counts as 1
	// Take makes the send take this slot without waiting for it (an emergency):
	// later sends wait longer instead.
	Take bool
}

// Tolerance is how far ahead of its theoretical arrival time a send may go.
func (s Slot) Tolerance() time.Duration { return time.Duration(max(s.Burst, 1)-1) * s.Interval }

// Jobs runs periodic jobs once in the cluster.
type Jobs interface {
	// Once calls f unless it ran successfully less than every ago, on any replica,
	// or runs right now on another; it reports whether it called f. A failed f
	// does not count as a run: the next check tries again.
	Once(ctx context.Context, name string, every time.Duration, f func(context.Context) error) (bool, error)
}

// Local is Jobs for a single process: it remembers the last runs in memory.
type Local struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// Once calls f unless it ran less than every ago in this process.
func (l *Local) Once(ctx context.Context, name string, every time.Duration, f func(context.Context) error) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[name]; ok && time.Since(t) < every {
		return false, nil
	}
	if err := f(ctx); err != nil {
		return true, err
	}
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	l.last[name] = time.Now()
	return true, nil
}

// Every asks jobs to run f as the job name once per every, at start and then at
// each check, until ctx ends. A failure is logged and tried again soon: after a
// second, doubling up to check.
func Every(ctx context.Context, jobs Jobs, name string, every, check time.Duration, logger *slog.Logger, f func(context.Context) error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	const retry = time.Second
	wait := retry
	for {
		next := check
		ran, err := jobs.Once(ctx, name, every, f)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("job failed", "job", name, "err", err, "retry_in", min(wait, check))
			next, wait = min(wait, check), min(2*wait, check)
		case ran:
			logger.Debug("job ran", "job", name)
			wait = retry
		default:
			wait = retry
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next):
		}
	}
}
