package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/staff"
)

var _ staff.Store = (*DB)(nil)

// AddStaff creates an account; staff.ErrExists when the name is taken in any case.
func (d *DB) AddStaff(ctx context.Context, name string, hash []byte, at time.Time) (staff.Account, error) {
	a := staff.Account{Name: name, Hash: hash, CreatedAt: at}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE name = ?", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return staff.ErrExists
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?)", name, hash, millis(at))
		if err != nil {
			return err
		}
		a.ID, _ = res.LastInsertId()
		return nil
	})
	if err != nil {
		return staff.Account{}, fmt.Errorf("sqlite: add staff %q: %w", name, err)
	}
	return a, nil
}

// StaffByName returns the account name (in any case), or staff.ErrNotFound.
func (d *DB) StaffByName(ctx context.Context, name string) (staff.Account, error) {
	var a staff.Account
	var created int64
	var last sql.NullInt64
	err := d.r.QueryRowContext(ctx, "SELECT id, name, password_hash, created_at, last_login_at FROM staff WHERE name = ?", name).
		Scan(&a.ID, &a.Name, &a.Hash, &created, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return staff.Account{}, staff.ErrNotFound
	}
	if err != nil {
		return staff.Account{}, fmt.Errorf("sqlite: staff %q: %w", name, err)
	}
	a.CreatedAt, a.LastLogin = fromMillis(created), fromNullMillis(last)
	return a, nil
}

// ListStaff returns every account by name, without password hashes.
func (d *DB) ListStaff(ctx context.Context) ([]staff.Account, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT id, name, created_at, last_login_at FROM staff ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("sqlite: list staff: %w", err)
	}
	defer rows.Close()
	var out []staff.Account
	for rows.Next() {
		var a staff.Account
		var created int64
		var last sql.NullInt64
		if err := rows.Scan(&a.ID, &a.Name, &created, &last); err != nil {
			return nil, fmt.Errorf("sqlite: list staff: %w", err)
		}
		a.CreatedAt, a.LastLogin = fromMillis(created), fromNullMillis(last)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list staff: %w", err)
	}
	return out, nil
}

// RemoveStaff deletes the account and, by the foreign key, its sessions.
func (d *DB) RemoveStaff(ctx context.Context, name string) error {
	res, err := d.w.ExecContext(ctx, "DELETE FROM staff WHERE name = ?", name)
	if err != nil {
		return fmt.Errorf("sqlite: remove staff %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staff.ErrNotFound
	}
	return nil
}

// CreateSession stores s and records the login.
func (d *DB) CreateSession(ctx context.Context, s staff.Session) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO staff_session (token_hash, staff_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			s.TokenHash, s.StaffID, s.CSRF, millis(s.CreatedAt), millis(s.ExpiresAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE staff SET last_login_at = ? WHERE id = ?", millis(s.CreatedAt), s.StaffID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// Session returns the session with tokenHash unless it expired at now.
func (d *DB) Session(ctx context.Context, tokenHash string, now time.Time) (staff.Session, error) {
	s := staff.Session{TokenHash: tokenHash}
	var created, expires int64
	err := d.r.QueryRowContext(ctx, `SELECT s.staff_id, a.name, s.csrf, s.created_at, s.expires_at
		FROM staff_session s JOIN staff a ON a.id = s.staff_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, millis(now)).
		Scan(&s.StaffID, &s.Name, &s.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return staff.Session{}, staff.ErrNotFound
	}
	if err != nil {
		return staff.Session{}, fmt.Errorf("sqlite: session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return s, nil
}

// DeleteSession ends the session with tokenHash.
func (d *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := d.w.ExecContext(ctx, "DELETE FROM staff_session WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}
