package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/cluster"
)

// The cluster's interfaces on one machine: chat.Claims, cluster.Slots and
// cluster.Jobs. serve on SQLite hands updates out in memory and keeps its limits in
// memory; these let several transports share one file, so that the code path of
// several PostgreSQL replicas is tested on both stores.

// Times of leases and slots are SQLite's clock, as PostgreSQL's are its server's.
const (
	nowMillis = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
	nowMicros = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
)

// Claim leases up to n pending updates to owner (see chat.Claims).
func (d *DB) Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]chat.Update, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []chat.Update
	err := d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE inbox SET owner = ?1, lease_until = `+nowMillis+` + ?3
			WHERE update_id IN (
				SELECT i.update_id FROM inbox i
				WHERE i.done_at IS NULL
					AND (i.lease_until IS NULL OR i.lease_until < `+nowMillis+`)
					AND (i.chat_id = 0 OR NOT EXISTS (
						SELECT 1 FROM inbox o WHERE o.chat_id = i.chat_id AND o.done_at IS NULL AND o.update_id < i.update_id))
				ORDER BY i.update_id LIMIT ?2)
			RETURNING update_id, chat_id, payload, received_at`, owner, n, lease.Milliseconds())
		if err != nil {
			return err
		}
		if out, err = scanUpdates(rows); err != nil {
			return err
		}
		// The calls already accepted (few: only updates whose replica died).
		return withSent(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim updates: %w", err)
	}
	slices.SortFunc(out, func(a, b chat.Update) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Renew extends owner's leases of updates not done yet.
func (d *DB) Renew(ctx context.Context, owner string, lease time.Duration) (int, error) {
	res, err := d.w.ExecContext(ctx, "UPDATE inbox SET lease_until = "+nowMillis+" + ? WHERE owner = ? AND done_at IS NULL", lease.Milliseconds(), owner)
	if err != nil {
		return 0, fmt.Errorf("sqlite: renew the leases of %s: %w", owner, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Release gives up owner's leases of updates not done yet.
func (d *DB) Release(ctx context.Context, owner string) error {
	if _, err := d.w.ExecContext(ctx, "UPDATE inbox SET owner = NULL, lease_until = NULL WHERE owner = ? AND done_at IS NULL", owner); err != nil {
		return fmt.Errorf("sqlite: release the leases of %s: %w", owner, err)
	}
	return nil
}

// Depth returns how many updates are pending.
func (d *DB) Depth(ctx context.Context) (int64, error) {
	var n int64
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM inbox WHERE done_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: pending updates: %w", err)
	}
	return n, nil
}

// Reserve books the earliest time one send fits all of slots (see cluster.Slots):
// the latest of now and each slot's theoretical arrival time less its tolerance.
func (d *DB) Reserve(ctx context.Context, slots ...cluster.Slot) (time.Duration, error) {
	if len(slots) == 0 {
		return 0, nil
	}
	var wait int64 // microseconds
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var now int64
		if err := tx.QueryRowContext(ctx, "SELECT "+nowMicros).Scan(&now); err != nil {
			return err
		}
		at := now
		tats := make([]int64, len(slots))
		for i, sl := range slots {
			err := tx.QueryRowContext(ctx, "SELECT tat FROM send_slot WHERE key = ?", sl.Key).Scan(&tats[i])
			switch {
			case errors.Is(err, sql.ErrNoRows):
				tats[i] = now
			case err != nil:
				return err
			}
			if !sl.Take {
				at = max(at, tats[i]-sl.Tolerance().Microseconds())
			}
		}
		for i, sl := range slots {
			if _, err := tx.ExecContext(ctx, "INSERT INTO send_slot (key, tat) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET tat = ?2",
				sl.Key, max(tats[i], at)+sl.Interval.Microseconds()); err != nil {
				return err
			}
		}
		wait = at - now
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: reserve a send slot: %w", err)
	}
	return time.Duration(wait) * time.Microsecond, nil
}

// Hold moves key's next slot to at least interval from now (see cluster.Slots).
func (d *DB) Hold(ctx context.Context, key string, interval time.Duration) error {
	_, err := d.w.ExecContext(ctx, "UPDATE send_slot SET tat = max(tat, "+nowMicros+" + ?) WHERE key = ?", interval.Microseconds(), key)
	if err != nil {
		return fmt.Errorf("sqlite: move the send slot of %s: %w", key, err)
	}
	return nil
}

// PruneSlots deletes the slots of keys idle since before now - idle.
func (d *DB) PruneSlots(ctx context.Context, idle time.Duration) (int64, error) {
	res, err := d.w.ExecContext(ctx, "DELETE FROM send_slot WHERE tat < "+nowMicros+" - ?", idle.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune send slots: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Once runs f as the job name unless it ran less than every ago (see
// cluster.Jobs). The run is recorded before f runs, as f writes through the one
// writer connection a transaction would hold; a failed f puts the old record back.
func (d *DB) Once(ctx context.Context, name string, every time.Duration, f func(context.Context) error) (bool, error) {
	var prev sql.NullInt64
	ran := false
	err := d.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT ran_at FROM job_run WHERE name = ?", name).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var now int64
		if err := tx.QueryRowContext(ctx, "SELECT "+nowMillis).Scan(&now); err != nil {
			return err
		}
		if prev.Valid && now-prev.Int64 < every.Milliseconds() {
			return nil
		}
		ran = true
		_, err = tx.ExecContext(ctx, "INSERT INTO job_run (name, ran_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET ran_at = excluded.ran_at", name, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: job %s: %w", name, err)
	}
	if !ran {
		return false, nil
	}
	if ferr := f(ctx); ferr != nil {
		var err error
		if prev.Valid {
			_, err = d.w.ExecContext(context.WithoutCancel(ctx), "UPDATE job_run SET ran_at = ? WHERE name = ?", prev.Int64, name)
		} else {
			_, err = d.w.ExecContext(context.WithoutCancel(ctx), "DELETE FROM job_run WHERE name = ?", name)
		}
		return true, fmt.Errorf("sqlite: job %s: %w", name, errors.Join(ferr, err))
	}
	return true, nil
}

// LearnedVersion changes whenever a phrasing is learned (rows are only added).
func (d *DB) LearnedVersion(ctx context.Context) (string, error) {
	var n, last int64
	if err := d.r.QueryRowContext(ctx, "SELECT count(*), coalesce(max(id), 0) FROM learned").Scan(&n, &last); err != nil {
		return "", fmt.Errorf("sqlite: learned phrasings: %w", err)
	}
	return strings.Join([]string{strconv.FormatInt(n, 10), strconv.FormatInt(last, 10)}, ":"), nil
}
