package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
)

const offsetKey = "poll_offset"

// Append stores the new updates and the polling offset in one transaction.
func (d *DB) Append(ctx context.Context, ups []chat.Update, offset int64) ([]chat.Status, error) {
	st := make([]chat.Status, len(ups))
	err := d.tx(ctx, func(tx *sql.Tx) error {
		sel, ins := tx.StmtContext(ctx, d.stmt.inboxStatus), tx.StmtContext(ctx, d.stmt.inboxAdd)
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
			_, err := tx.StmtContext(ctx, d.stmt.offsetSet).ExecContext(ctx, offset)
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
	rows, err := d.r.QueryContext(ctx, "SELECT update_id, chat_id, payload, received_at FROM inbox WHERE done_at IS NULL ORDER BY update_id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending updates: %w", err)
	}
	out, err := scanUpdates(rows)
	if err == nil {
		err = withSent(ctx, d.r, out)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending updates: %w", err)
	}
	return out, nil
}

// scanUpdates reads rows of (update_id, chat_id, payload, received_at) and closes
// them.
func scanUpdates(rows *sql.Rows) ([]chat.Update, error) {
	defer rows.Close()
	var out []chat.Update
	for rows.Next() {
		var u chat.Update
		var ms int64
		if err := rows.Scan(&u.ID, &u.ChatID, &u.Payload, &ms); err != nil {
			return nil, err
		}
		u.Received = fromMillis(ms)
		out = append(out, u)
	}
	return out, rows.Err()
}

// withSent adds to each update the calls Telegram already accepted for it (few:
// only updates cut off by a crash).
func withSent(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, out []chat.Update) error {
	if len(out) == 0 {
		return nil
	}
	index := map[int64]int{}
	for i, u := range out {
		index[u.ID] = i
	}
	sent, err := q.QueryContext(ctx, "SELECT update_id, seq FROM sent ORDER BY update_id, seq")
	if err != nil {
		return err
	}
	defer sent.Close()
	for sent.Next() {
		var id int64
		var seq int
		if err := sent.Scan(&id, &seq); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			out[i].Sent = append(out[i].Sent, seq)
		}
	}
	return sent.Err()
}

// Sent records that Telegram accepted call seq of the update (see chat.Inbox).
func (d *DB) Sent(ctx context.Context, updateID int64, seq int) error {
	if _, err := d.stmt.sentAdd.ExecContext(ctx, updateID, seq); err != nil {
		return fmt.Errorf("sqlite: record sent call %d of update %d: %w", seq, updateID, err)
	}
	return nil
}

// Done marks updates handled and drops their payloads, chat ids and records of sent
// calls: the user's words and who wrote them are kept only while they are needed.
func (d *DB) Done(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		st, sent := tx.StmtContext(ctx, d.stmt.inboxDone), tx.StmtContext(ctx, d.stmt.sentDone)
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, millis(at), id); err != nil {
				return err
			}
			if _, err := sent.ExecContext(ctx, id); err != nil {
				return err
			}
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
	err := d.r.QueryRowContext(ctx, "SELECT value FROM setting WHERE key = ?", offsetKey).Scan(&v)
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
	res, err := d.w.ExecContext(ctx, "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?", millis(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune inbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
