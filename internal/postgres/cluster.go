package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/cluster"
)

// What several replicas agree on through the database: claims of updates
// (chat.Claims), the slots of Telegram's limits and jobs that run once
// (cluster.Slots, cluster.Jobs), the leader that polls (Leader), and a version of
// the learned phrasings that tells a replica to rebuild its index.

// lockSpace is the first key of the two-key advisory locks of the cluster (the
// second names the lock); migrations use the one-key form.
const lockSpace = 0x616e6b6e // "ankn"

// lockID is the second key of the advisory lock called name.
func lockID(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// claimSQL leases the oldest pending update of chats that have none leased. Only
// the head of a chat is ever leased, so "the oldest pending update of its chat"
// also means "no lease on the chat". The heads are found by skipping from chat to
// chat through the index of pending updates (a loose index scan), so a claim costs
// one probe per chat with pending updates, not one per pending update: replicas
// poll while every chat is in hand. Updates without a chat are each a chat of
// their own. SKIP LOCKED lets replicas claim side by side; the lease and done_at
// are checked again on the locked row, so a replica that waited for a row another
// just leased or finished leaves it.
const claimSQL = `WITH RECURSIVE head AS (
	(SELECT chat_id, update_id FROM inbox WHERE done_at IS NULL AND chat_id <> 0 ORDER BY chat_id, update_id LIMIT 1)
	UNION ALL
	SELECT n.chat_id, n.update_id FROM head h, LATERAL (
		SELECT chat_id, update_id FROM inbox
		WHERE done_at IS NULL AND chat_id > h.chat_id ORDER BY chat_id, update_id LIMIT 1) n
), c AS (
	SELECT i.update_id FROM inbox i
	WHERE i.update_id IN (SELECT update_id FROM head UNION ALL SELECT update_id FROM inbox WHERE done_at IS NULL AND chat_id = 0)
		AND i.done_at IS NULL
		AND (i.lease_until IS NULL OR i.lease_until < now())
	ORDER BY i.update_id
	LIMIT $2
	FOR UPDATE SKIP LOCKED
)
UPDATE inbox SET owner = $1, lease_until = now() + $3 * interval '1 millisecond'
FROM c WHERE inbox.update_id = c.update_id
RETURNING inbox.update_id, inbox.chat_id, inbox.payload, inbox.received_at,
	(SELECT array_agg(s.seq ORDER BY s.seq) FROM sent s WHERE s.update_id = inbox.update_id)`

// Claim leases up to n pending updates to owner (see chat.Claims).
func (d *DB) Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]chat.Update, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := d.pool.Query(ctx, claimSQL, owner, n, lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("postgres: claim updates: %w", err)
	}
	out, err := scanUpdates(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim updates: %w", err)
	}
	slices.SortFunc(out, func(a, b chat.Update) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Renew extends owner's leases of updates not done yet.
func (d *DB) Renew(ctx context.Context, owner string, lease time.Duration) (int, error) {
	tag, err := d.pool.Exec(ctx, `UPDATE inbox SET lease_until = now() + $2 * interval '1 millisecond'
		WHERE owner = $1 AND done_at IS NULL`, owner, lease.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("postgres: renew the leases of %s: %w", owner, err)
	}
	return int(tag.RowsAffected()), nil
}

// Release gives up owner's leases of updates not done yet.
func (d *DB) Release(ctx context.Context, owner string) error {
	if _, err := d.pool.Exec(ctx, "UPDATE inbox SET owner = NULL, lease_until = NULL WHERE owner = $1 AND done_at IS NULL", owner); err != nil {
		return fmt.Errorf("postgres: release the leases of %s: %w", owner, err)
	}
	return nil
}

// Depth returns how many updates are pending.
func (d *DB) Depth(ctx context.Context) (int64, error) {
	var n int64
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM inbox WHERE done_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: pending updates: %w", err)
	}
	return n, nil
}

// reserveSQL books one time for all the slots asked for: the latest of now and
// each slot's theoretical arrival time less its tolerance, and moves each slot on
// from there. The slots' rows are locked in the order of their keys, so replicas
// booking overlapping sets do not deadlock. Now is clock_timestamp(), read after
// the locks: a statement that waited for another's lock does not book in the past.
const reserveSQL = `WITH want AS (
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bool[]) AS w (key, step, tol, take)
), cur AS (
	SELECT s.key, s.tat FROM send_slot s WHERE s.key = ANY($1::text[]) ORDER BY s.key FOR UPDATE
), t AS (
	SELECT greatest(clock_timestamp(), max(c.tat - w.tol * interval '1 microsecond') FILTER (WHERE NOT w.take)) AS at
	FROM want w LEFT JOIN cur c ON c.key = w.key
), up AS (
	INSERT INTO send_slot AS s (key, tat)
	SELECT w.key, greatest(c.tat, t.at) + w.step * interval '1 microsecond' FROM want w LEFT JOIN cur c ON c.key = w.key, t
	ON CONFLICT (key) DO UPDATE SET tat = excluded.tat
)
SELECT (extract(epoch FROM at - clock_timestamp()) * 1000000)::bigint FROM t`

// Reserve books the earliest time one send fits all of slots (see cluster.Slots),
// in one statement.
func (d *DB) Reserve(ctx context.Context, slots ...cluster.Slot) (time.Duration, error) {
	if len(slots) == 0 {
		return 0, nil
	}
	keys, steps, tols, takes := make([]string, len(slots)), make([]int64, len(slots)), make([]int64, len(slots)), make([]bool, len(slots))
	for i, sl := range slots {
		keys[i], steps[i], tols[i], takes[i] = sl.Key, sl.Interval.Microseconds(), sl.Tolerance().Microseconds(), sl.Take
	}
	// The rows are created first, in the same round trip and transaction: the
	// reservation locks rows, and two replicas creating one at once would both
	// book its first slot; the second insert waits for the first instead.
	// A slot lost in a crash of the server costs nothing but a little spacing:
	// the commit does not wait for the disk.
	b := &pgx.Batch{}
	b.Queue("SET LOCAL synchronous_commit TO off")
	b.Queue("INSERT INTO send_slot (key, tat) SELECT unnest($1::text[]), '-infinity' ON CONFLICT DO NOTHING", keys)
	var wait int64 // microseconds
	b.Queue(reserveSQL, keys, steps, tols, takes).QueryRow(func(row pgx.Row) error { return row.Scan(&wait) })
	if err := d.pool.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("postgres: reserve a send slot of %s: %w", strings.Join(keys, ", "), err)
	}
	return max(time.Duration(wait)*time.Microsecond, 0), nil
}

// Hold moves key's next slot to at least interval from now (see cluster.Slots).
func (d *DB) Hold(ctx context.Context, key string, interval time.Duration) error {
	b := &pgx.Batch{}
	b.Queue("SET LOCAL synchronous_commit TO off") // as in Reserve
	b.Queue("UPDATE send_slot SET tat = greatest(tat, clock_timestamp() + $2 * interval '1 microsecond') WHERE key = $1",
		key, interval.Microseconds())
	if err := d.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: move the send slot of %s: %w", key, err)
	}
	return nil
}

// PruneSlots deletes the slots of chats idle since before now - idle; a chat's
// sends are one at a time, so its row is rarely created by two replicas at once.
func (d *DB) PruneSlots(ctx context.Context, idle time.Duration) (int64, error) {
	tag, err := d.pool.Exec(ctx, "DELETE FROM send_slot WHERE key LIKE 'chat:%' AND tat < now() - $1 * interval '1 millisecond'", idle.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("postgres: prune send slots: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Once runs f as the job name unless it ran less than every ago or runs elsewhere
// now (see cluster.Jobs). The advisory lock is held by the transaction, so a
// replica that dies while running the job frees it, and its run does not count.
func (d *DB) Once(ctx context.Context, name string, every time.Duration, f func(context.Context) error) (ran bool, err error) {
	err = d.tx(ctx, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1, $2)", lockSpace, lockID("job:"+name)).Scan(&locked); err != nil || !locked {
			return err
		}
		var recent bool
		err := tx.QueryRow(ctx, "SELECT ran_at > now() - $2 * interval '1 millisecond' FROM job_run WHERE name = $1",
			name, every.Milliseconds()).Scan(&recent)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if recent {
			return nil
		}
		ran = true
		if err := f(ctx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO job_run (name, ran_at) VALUES ($1, now())
			ON CONFLICT (name) DO UPDATE SET ran_at = excluded.ran_at`, name)
		return err
	})
	if err != nil {
		return ran, fmt.Errorf("postgres: job %s: %w", name, err)
	}
	return ran, nil
}

// LearnedVersion changes whenever a phrasing is learned (rows are only added).
func (d *DB) LearnedVersion(ctx context.Context) (string, error) {
	var n, last int64
	if err := d.pool.QueryRow(ctx, "SELECT count(*), coalesce(max(id), 0) FROM learned").Scan(&n, &last); err != nil {
		return "", fmt.Errorf("postgres: learned phrasings: %w", err)
	}
	return strconv.FormatInt(n, 10) + ":" + strconv.FormatInt(last, 10), nil
}

// Leader elects one replica by a session-level advisory lock held on a connection
// of its own: when the leader's process dies its connection closes and the server
// frees the lock. It is a cluster.Leader.
type Leader struct {
	d    *DB
	name string
	// Retry is how often a standby tries to take the lock (default 2s); Check how
	// often the leader checks its connection (default 1s): a failed check ends
	// its leadership.
	Retry, Check time.Duration
	Logger       *slog.Logger

	mu   sync.Mutex
	pid  uint32    // the leading connection's server process (tests)
	lost time.Time // when this replica last lost leadership
}

// Leader returns the election of the leader for the task name ("telegram-poll").
func (d *DB) Leader(name string, logger *slog.Logger) *Leader {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Leader{d: d, name: name, Retry: 2 * time.Second, Check: time.Second, Logger: logger}
}

// Lead blocks until this replica holds the lock (see cluster.Leader).
func (l *Leader) Lead(ctx context.Context) (context.Context, func(), error) {
	// A replica that just lost its connection lets a standby take over first.
	l.mu.Lock()
	lost := l.lost
	l.mu.Unlock()
	if wait := l.Retry - time.Since(lost); wait > 0 {
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	var conn *pgx.Conn
	warned := false
	for {
		if conn == nil {
			c, err := l.connect(ctx)
			if err != nil && ctx.Err() == nil && !warned {
				l.Logger.Warn("leader election: cannot reach the database; retrying", "task", l.name, "where", l.d.where, "err", err)
				warned = true
			}
			conn = c
		}
		if conn != nil {
			var ok bool
			err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockSpace, lockID("leader:"+l.name)).Scan(&ok)
			if err == nil && ok {
				return l.hold(ctx, conn)
			}
			if err != nil {
				conn.Close(context.Background())
				conn = nil
			}
		}
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close(context.Background())
			}
			return nil, nil, ctx.Err()
		case <-time.After(l.Retry):
		}
	}
}

// connect opens the leader's own connection, with keepalives short enough that the
// server notices a leader gone without closing its connection (a cut network)
// within seconds and frees the lock.
func (l *Leader) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := l.d.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "2"
	cfg.RuntimeParams["application_name"] = "ankommen leader " + l.name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: leader connection: %w", l.d.where, err)
	}
	return conn, nil
}

// hold watches the leading connection until it fails or leadership is released.
func (l *Leader) hold(ctx context.Context, conn *pgx.Conn) (context.Context, func(), error) {
	l.mu.Lock()
	l.pid = conn.PgConn().PID()
	l.mu.Unlock()
	lead, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer conn.Close(context.Background()) // frees the lock
		t := time.NewTicker(l.Check)
		defer t.Stop()
		for {
			select {
			case <-lead.Done():
				return
			case <-t.C:
			}
			c, stop := context.WithTimeout(lead, max(l.Check, time.Second))
			_, err := conn.Exec(c, "SELECT 1")
			stop()
			if err != nil && lead.Err() == nil {
				l.Logger.Error("leader: lost the database connection; no longer leading", "task", l.name, "err", err)
				l.mu.Lock()
				l.lost = time.Now()
				l.mu.Unlock()
				cancel()
				return
			}
		}
	}()
	release := func() {
		cancel()
		<-stopped
		l.mu.Lock()
		l.pid = 0
		l.mu.Unlock()
	}
	return lead, release, nil
}

// PID returns the server process id of the leading connection, 0 when not leading.
func (l *Leader) PID() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pid
}
