package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/cluster"
)

// Cluster makes a Channel one replica of several that share a database. Without
// Claims the channel hands the updates it stores to its own workers in memory (one
// machine); with Claims the updates any replica stores go into the shared inbox,
// and each replica's workers claim them from there.
type Cluster struct {
	// Claims is the shared inbox; nil: updates are handed out in memory.
	Claims chat.Claims
	// Leader decides which replica polls Telegram; nil: this one, always.
	Leader cluster.Leader
	// Slots keep the send limits for all replicas together; nil: per process.
	Slots cluster.Slots
	// Jobs run the inbox pruning once in the cluster; nil: in every process.
	Jobs cluster.Jobs
	// Owner names this replica in its claims (default host-pid-random).
	Owner string
	// Lease is how long a claim lasts without renewal (default 30s): the time after
	// which another replica takes over the updates of one that died. Claims are
	// renewed every Lease/3.
	Lease time.Duration
	// Poll is how often an idle replica looks for updates stored by the others
	// (default 25ms); updates it stores itself it claims at once.
	Poll time.Duration
}

// DefaultOwner names this process: host, pid and a random part, as a pid is
// reused after a restart in a container.
func DefaultOwner() string {
	host, _ := os.Hostname()
	var b [3]byte
	rand.Read(b[:])
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

func (cl *Cluster) defaults() {
	if cl.Owner == "" {
		cl.Owner = DefaultOwner()
	}
	if cl.Lease <= 0 {
		cl.Lease = 30 * time.Second
	}
	if cl.Poll <= 0 {
		cl.Poll = 25 * time.Millisecond
	}
}

// replica is the state of the claim path.
type replica struct {
	claims chat.Claims
	wake   chan struct{} // a claim may find something now
	// dbErr is the last failure of a claim or renewal, nil after a success.
	dbErr atomic.Pointer[error]
}

// claimBatch is the most updates one claim takes.
const claimBatch = 64

// poke tells the claimer that there may be updates to claim.
func (r *replica) poke() {
	if r == nil {
		return
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *replica) setErr(err error) {
	if err == nil {
		r.dbErr.Store(nil)
		return
	}
	r.dbErr.Store(&err)
}

func (r *replica) err() error {
	if p := r.dbErr.Load(); p != nil {
		return *p
	}
	return nil
}

// recordOf is the record of an update read back from the inbox.
func recordOf(p chat.Update) record {
	r, err := decodeRecord(p.Payload, p.Received)
	if err != nil {
		r = record{id: p.ID, payload: p.Payload, received: p.Received}
	}
	r.chatID = p.ChatID
	if len(p.Sent) > 0 {
		r.sent = map[int]bool{}
		for _, seq := range p.Sent {
			r.sent[seq] = true
		}
	}
	return r
}

// claimLoop claims updates from the shared inbox for the workers until stop ends:
// as many as fit in the backlog, at once when this replica stored new ones or
// finished some, else every Poll.
func (c *Channel) claimLoop(stop <-chan struct{}) {
	cl, r := c.opt.Cluster, c.rep
	// Claims are not cut off by shutdown: a claim in flight commits or not, and
	// Release gives back what was claimed after stop.
	ctx := context.WithoutCancel(c.sendCtx)
	wait := cl.Poll
	for {
		select {
		case <-stop:
			return
		default:
		}
		if free := c.opt.MaxBacklog - c.backlog(); free > 0 {
			n := min(free, claimBatch)
			start := time.Now()
			ups, err := r.claims.Claim(ctx, cl.Owner, n, cl.Lease)
			c.metrics.Claim(time.Since(start))
			if err != nil {
				if r.err() == nil {
					c.log.Error("telegram: cannot claim updates; not taking any until the database answers", "err", err)
				}
				r.setErr(err)
				wait = min(2*wait, time.Second)
			} else {
				if r.err() != nil {
					c.log.Info("telegram: the database answers again; claiming updates")
				}
				r.setErr(nil)
				wait = cl.Poll
				for _, u := range ups {
					c.dispatch(recordOf(u))
				}
				if len(ups) == n {
					continue // there may be more
				}
			}
		}
		select {
		case <-stop:
			return
		case <-r.wake:
		case <-time.After(wait):
		}
	}
}

// heartbeat renews this replica's claims every Lease/3 and reads the depth of the
// shared inbox every second, until stop ends.
func (c *Channel) heartbeat(stop <-chan struct{}) {
	cl, r := c.opt.Cluster, c.rep
	ctx := context.WithoutCancel(c.sendCtx)
	every := min(cl.Lease/3, time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	lastRenew, lastDepth := time.Now(), time.Time{}
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if time.Since(lastRenew) >= cl.Lease/3-every/2 {
			lastRenew = time.Now()
			if _, err := r.claims.Renew(ctx, cl.Owner, cl.Lease); err != nil {
				if r.err() == nil {
					c.log.Error("telegram: cannot renew claims; other replicas take them when they expire", "err", err, "lease", cl.Lease)
				}
				r.setErr(err)
			}
		}
		if time.Since(lastDepth) >= time.Second {
			lastDepth = time.Now()
			if n, err := r.claims.Depth(ctx); err == nil {
				c.metrics.QueueDepth(n)
			}
		}
	}
}

// release gives back the claims of updates not finished at shutdown.
func (c *Channel) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.rep.claims.Release(ctx, c.opt.Cluster.Owner); err != nil {
		c.log.Warn("telegram: cannot give back claims; other replicas take them when they expire", "err", err, "lease", c.opt.Cluster.Lease)
	}
}

// lead polls Telegram while this replica leads, and waits to lead again when it
// loses leadership, until ctx ends.
func (c *Channel) lead(ctx context.Context) error {
	l := c.opt.Cluster.Leader
	for ctx.Err() == nil {
		c.log.Info("telegram: standing by; another replica polls")
		lead, release, err := l.Lead(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("telegram: leader election: %w", err)
		}
		c.metrics.Leading(true)
		c.log.Info("telegram: leading; polling Telegram")
		err = c.poll(lead)
		release()
		c.metrics.Leading(false)
		if err != nil {
			return err
		}
		if ctx.Err() == nil {
			c.log.Warn("telegram: lost leadership; no longer polling")
		}
	}
	return nil
}

// pruneJob prunes the inbox (and the send slots, when the store keeps them) once an
// hour: in the cluster once, with Jobs.
func (c *Channel) pruneJob(ctx context.Context) {
	jobs := c.opt.Cluster.Jobs
	if jobs == nil {
		jobs = &cluster.Local{}
	}
	cluster.Every(ctx, jobs, "inbox-prune", time.Hour, 5*time.Minute, c.log, func(ctx context.Context) error {
		n, err := c.store.Prune(ctx, c.now().Add(-48*time.Hour))
		if err != nil {
			return err
		}
		if n > 0 {
			c.log.Debug("inbox pruned", "deleted", n)
		}
		if p, ok := c.opt.Cluster.Slots.(interface {
			PruneSlots(context.Context, time.Duration) (int64, error)
		}); ok {
			_, err = p.PruneSlots(ctx, time.Hour)
		}
		return err
	})
}

// errNoDatabase says that a replica cannot claim.
var errNoDatabase = errors.New("telegram: the database does not answer; not claiming updates")
