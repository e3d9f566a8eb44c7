package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/staff"
)

var _ staff.Attempts = (*DB)(nil)

// ReserveAttempt counts an attempt at now on each of keys unless one of them is at
// limit. Replicas reserving on the same keys queue on advisory locks of the keys
// (taken in order, so that two reservations cannot wait for each other), so that
// parallel guesses cannot all pass the check before one is counted.
func (d *DB) ReserveAttempt(ctx context.Context, keys []string, limit int, since, now time.Time) (bool, error) {
	ok := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys", keys); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `WITH at_limit AS (
				SELECT key FROM login_attempt WHERE key = ANY($1) AND at > $2 GROUP BY key HAVING count(*) >= $3
			), ins AS (
				INSERT INTO login_attempt (key, at) SELECT k, $4 FROM unnest($1::text[]) AS k
				WHERE NOT EXISTS (SELECT 1 FROM at_limit)
			)
			SELECT NOT EXISTS (SELECT 1 FROM at_limit)`, keys, millis(since), limit, millis(now)).Scan(&ok)
	})
	if err != nil {
		return false, fmt.Errorf("postgres: reserve a login attempt: %w", err)
	}
	return ok, nil
}

// CountAttempt counts an attempt at now on key.
func (d *DB) CountAttempt(ctx context.Context, key string, now time.Time) error {
	if _, err := d.pool.Exec(ctx, "INSERT INTO login_attempt (key, at) VALUES ($1, $2)", key, millis(now)); err != nil {
		return fmt.Errorf("postgres: count a login attempt: %w", err)
	}
	return nil
}

// Attempts returns how many attempts are counted on key after since.
func (d *DB) Attempts(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM login_attempt WHERE key = $1 AND at > $2", key, millis(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: login attempts: %w", err)
	}
	return n, nil
}

// ReleaseAttempt removes one attempt counted on key at at.
func (d *DB) ReleaseAttempt(ctx context.Context, key string, at time.Time) error {
	if _, err := d.pool.Exec(ctx, "DELETE FROM login_attempt WHERE id = (SELECT id FROM login_attempt WHERE key = $1 AND at = $2 LIMIT 1)", key, millis(at)); err != nil {
		return fmt.Errorf("postgres: release a login attempt: %w", err)
	}
	return nil
}

// ClearAttempts removes every attempt counted on key.
func (d *DB) ClearAttempts(ctx context.Context, key string) error {
	if _, err := d.pool.Exec(ctx, "DELETE FROM login_attempt WHERE key = $1", key); err != nil {
		return fmt.Errorf("postgres: clear login attempts: %w", err)
	}
	return nil
}
