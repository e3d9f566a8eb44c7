package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/staff"
)

var _ staff.Attempts = (*DB)(nil)

// ReserveAttempt counts an attempt at now on each of keys unless one of them is at
// limit. Check and count are one transaction on the single writer connection, so
// that parallel guesses cannot all pass the check before one is counted.
func (d *DB) ReserveAttempt(ctx context.Context, keys []string, limit int, since, now time.Time) (bool, error) {
	ok := true
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM login_attempt WHERE key = ? AND at > ?", k, millis(since)).Scan(&n); err != nil {
				return err
			}
			if n >= limit {
				ok = false
				return nil
			}
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_attempt (key, at) VALUES (?, ?)", k, millis(now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: reserve a login attempt: %w", err)
	}
	return ok, nil
}

// CountAttempt counts an attempt at now on key.
func (d *DB) CountAttempt(ctx context.Context, key string, now time.Time) error {
	if _, err := d.w.ExecContext(ctx, "INSERT INTO login_attempt (key, at) VALUES (?, ?)", key, millis(now)); err != nil {
		return fmt.Errorf("sqlite: count a login attempt: %w", err)
	}
	return nil
}

// Attempts returns how many attempts are counted on key after since.
func (d *DB) Attempts(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM login_attempt WHERE key = ? AND at > ?", key, millis(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: login attempts: %w", err)
	}
	return n, nil
}

// ReleaseAttempt removes one attempt counted on key at at.
func (d *DB) ReleaseAttempt(ctx context.Context, key string, at time.Time) error {
	if _, err := d.w.ExecContext(ctx, "DELETE FROM login_attempt WHERE id = (SELECT id FROM login_attempt WHERE key = ? AND at = ? LIMIT 1)", key, millis(at)); err != nil {
		return fmt.Errorf("sqlite: release a login attempt: %w", err)
	}
	return nil
}

// ClearAttempts removes every attempt counted on key.
func (d *DB) ClearAttempts(ctx context.Context, key string) error {
	if _, err := d.w.ExecContext(ctx, "DELETE FROM login_attempt WHERE key = ?", key); err != nil {
		return fmt.Errorf("sqlite: clear login attempts: %w", err)
	}
	return nil
}
