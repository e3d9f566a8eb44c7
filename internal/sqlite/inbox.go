package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
)

const offsetKey = "poll_offset"

// Append stores the new updates and the polling offset in one transaction.
func (d *DB) Append(ctx context.Context, ups []chat.Update, offset int64) ([]chat.Status, error) {
	st := make([]chat.Status, len(ups))
	err := d.tx(ctx, func(tx *sql.Tx) error {
		sel, err := tx.PrepareContext(ctx, "SELECT done_at IS NOT NULL FROM inbox WHERE update_id = ?")
		if err != nil {
			return err
		}
		defer sel.Close()
		ins, err := tx.PrepareContext(ctx, "INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, u := range ups {
			var done bool
			err := sel.QueryRowContext(ctx, u.ID).Scan(&done)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := ins.ExecContext(ctx, u.ID, u.ChatID, u.Payload, millis(u.Received)); err != nil {
					return err
				}
				st[i] = chat.StatusNew
			case err != nil:
				return err
			case done:
				st[i] = chat.StatusDone
			default:
				st[i] = chat.StatusPending
			}
		}
		if offset > 0 {
			_, err := tx.ExecContext(ctx, `INSERT INTO setting (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`, offsetKey, offset)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: append %d update(s): %w", len(ups), err)
	}
	return st, nil
}

// Pending returns the updates not handled yet, by update_id.
func (d *DB) Pending(ctx context.Context) ([]chat.Update, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT update_id, chat_id, payload, received_at FROM inbox WHERE done_at IS NULL ORDER BY update_id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending updates: %w", err)
	}
	defer rows.Close()
	var out []chat.Update
	for rows.Next() {
		var u chat.Update
		var ms int64
		if err := rows.Scan(&u.ID, &u.ChatID, &u.Payload, &ms); err != nil {
			return nil, fmt.Errorf("sqlite: pending updates: %w", err)
		}
		u.Received = fromMillis(ms)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: pending updates: %w", err)
	}
	return out, nil
}

// Done marks updates handled and drops their payloads: the user's words are kept
// only while they are needed.
func (d *DB) Done(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	const chunk = 500 // below SQLite's limit of bound parameters
	err := d.tx(ctx, func(tx *sql.Tx) error {
		for len(ids) > 0 {
			n := min(chunk, len(ids))
			args := make([]any, 0, n+1)
			args = append(args, millis(at))
			for _, id := range ids[:n] {
				args = append(args, id)
			}
			q := "UPDATE inbox SET done_at = ?, payload = NULL WHERE update_id IN (?" + strings.Repeat(",?", n-1) + ")"
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			ids = ids[n:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: mark updates done: %w", err)
	}
	return nil
}

// Offset returns the stored polling offset, 0 when none.
func (d *DB) Offset(ctx context.Context) (int64, error) {
	var v int64
	err := d.db.QueryRowContext(ctx, "SELECT value FROM setting WHERE key = ?", offsetKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: polling offset: %w", err)
	}
	return v, nil
}

// Prune deletes handled updates received before t. Telegram keeps undelivered updates
// for 24 hours, so ids older than that can no longer come twice.
func (d *DB) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", millis(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune inbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
