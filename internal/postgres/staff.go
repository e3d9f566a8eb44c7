package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oldenburg/ankommen/internal/staff"
)

var _ staff.Store = (*DB)(nil)

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// AddStaff creates an account; staff.ErrExists when the name is taken in any case.
// The unique index on lower(name) decides, also between replicas.
func (d *DB) AddStaff(ctx context.Context, name string, hash []byte, at time.Time) (staff.Account, error) {
	a := staff.Account{Name: name, Hash: hash, CreatedAt: at}
	err := d.pool.QueryRow(ctx, "INSERT INTO staff (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id", name, hash, millis(at)).Scan(&a.ID)
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == uniqueViolation {
		err = staff.ErrExists
	}
	if err != nil {
		return staff.Account{}, fmt.Errorf("postgres: add staff %q: %w", name, err)
	}
	return a, nil
}

// StaffByName returns the account name (in any case), or staff.ErrNotFound.
func (d *DB) StaffByName(ctx context.Context, name string) (staff.Account, error) {
	var a staff.Account
	var created int64
	var last *int64
	err := d.pool.QueryRow(ctx, "SELECT id, name, password_hash, created_at, last_login_at FROM staff WHERE lower(name) = lower($1)", name).
		Scan(&a.ID, &a.Name, &a.Hash, &created, &last)
	if errors.Is(err, pgx.ErrNoRows) {
		return staff.Account{}, staff.ErrNotFound
	}
	if err != nil {
		return staff.Account{}, fmt.Errorf("postgres: staff %q: %w", name, err)
	}
	a.CreatedAt, a.LastLogin = fromMillis(created), fromNullMillis(last)
	return a, nil
}

// ListStaff returns every account by name (in any case), without password hashes.
func (d *DB) ListStaff(ctx context.Context) ([]staff.Account, error) {
	rows, err := d.pool.Query(ctx, `SELECT id, name, created_at, last_login_at FROM staff ORDER BY lower(name) COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list staff: %w", err)
	}
	defer rows.Close()
	var out []staff.Account
	for rows.Next() {
		var a staff.Account
		var created int64
		var last *int64
		if err := rows.Scan(&a.ID, &a.Name, &created, &last); err != nil {
			return nil, fmt.Errorf("postgres: list staff: %w", err)
		}
		a.CreatedAt, a.LastLogin = fromMillis(created), fromNullMillis(last)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list staff: %w", err)
	}
	return out, nil
}

// RemoveStaff deletes the account and, by the foreign key, its sessions.
func (d *DB) RemoveStaff(ctx context.Context, name string) error {
	tag, err := d.pool.Exec(ctx, "DELETE FROM staff WHERE lower(name) = lower($1)", name)
	if err != nil {
		return fmt.Errorf("postgres: remove staff %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return staff.ErrNotFound
	}
	return nil
}

// CreateSession stores s and records the login, in one statement.
func (d *DB) CreateSession(ctx context.Context, s staff.Session) error {
	_, err := d.pool.Exec(ctx, `WITH l AS (UPDATE staff SET last_login_at = $4 WHERE id = $2)
		INSERT INTO staff_session (token_hash, staff_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.StaffID, s.CSRF, millis(s.CreatedAt), millis(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// Session returns the session with tokenHash unless it expired at now.
func (d *DB) Session(ctx context.Context, tokenHash string, now time.Time) (staff.Session, error) {
	s := staff.Session{TokenHash: tokenHash}
	var created, expires int64
	err := d.pool.QueryRow(ctx, `SELECT s.staff_id, a.name, s.csrf, s.created_at, s.expires_at
		FROM staff_session s JOIN staff a ON a.id = s.staff_id WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, millis(now)).
		Scan(&s.StaffID, &s.Name, &s.CSRF, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return staff.Session{}, staff.ErrNotFound
	}
	if err != nil {
		return staff.Session{}, fmt.Errorf("postgres: session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return s, nil
}

// DeleteSession ends the session with tokenHash.
func (d *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := d.pool.Exec(ctx, "DELETE FROM staff_session WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}
