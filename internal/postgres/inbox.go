package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/chat"
)

const offsetKey = "poll_offset"

// appendSQL stores the new updates of a batch and the polling offset, and returns
// for each update of the batch (by its place, ord) whether it was new and whether
// it was handled already: one statement, one round trip. Updates stored meanwhile
// by another replica are not inserted again (ON CONFLICT) and count as pending.
const appendSQL = `WITH input AS (
	SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bigint[])
		WITH ORDINALITY AS t (update_id, chat_id, payload, received_at, ord)
), ins AS (
	INSERT INTO inbox (update_id, chat_id, payload, received_at)
	SELECT update_id, chat_id, payload, received_at FROM input ORDER BY ord
	ON CONFLICT (update_id) DO NOTHING
	RETURNING update_id
), off AS (
	INSERT INTO setting (key, value) SELECT '` + offsetKey + `', $5::bigint WHERE $5::bigint > 0
	ON CONFLICT (key) DO UPDATE SET value = greatest(setting.value, excluded.value)
)
SELECT i.ord, ins.update_id IS NOT NULL, coalesce(b.done_at IS NOT NULL, false)
FROM input i
LEFT JOIN ins ON ins.update_id = i.update_id
LEFT JOIN inbox b ON b.update_id = i.update_id
ORDER BY i.ord`

// Append stores the new updates and the polling offset in one statement.
func (d *DB) Append(ctx context.Context, ups []chat.Update, offset int64) ([]chat.Status, error) {
	ids, chats, payloads, received := make([]int64, len(ups)), make([]int64, len(ups)), make([][]byte, len(ups)), make([]int64, len(ups))
	for i, u := range ups {
		ids[i], chats[i], payloads[i], received[i] = u.ID, u.ChatID, u.Payload, millis(u.Received)
	}
	st := make([]chat.Status, len(ups))
	rows, err := d.pool.Query(ctx, appendSQL, ids, chats, payloads, received, offset)
	if err != nil {
		return nil, fmt.Errorf("postgres: append %d update(s): %w", len(ups), err)
	}
	seen := make(map[int64]bool, len(ups))
	for rows.Next() {
		var ord int
		var isNew, done bool
		if err := rows.Scan(&ord, &isNew, &done); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: append %d update(s): %w", len(ups), err)
		}
		i := ord - 1
		switch {
		case isNew && !seen[ids[i]]:
			st[i] = chat.StatusNew
		case done:
			st[i] = chat.StatusDone
		default:
			st[i] = chat.StatusPending // stored before, or twice in this batch
		}
		seen[ids[i]] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: append %d update(s): %w", len(ups), err)
	}
	return st, nil
}

// Pending returns the updates not handled yet, by update_id, each with the calls
// Telegram accepted for it already.
func (d *DB) Pending(ctx context.Context) ([]chat.Update, error) {
	rows, err := d.pool.Query(ctx, `SELECT i.update_id, i.chat_id, i.payload, i.received_at,
			(SELECT array_agg(s.seq ORDER BY s.seq) FROM sent s WHERE s.update_id = i.update_id)
		FROM inbox i WHERE i.done_at IS NULL ORDER BY i.update_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending updates: %w", err)
	}
	out, err := scanUpdates(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending updates: %w", err)
	}
	return out, nil
}

// scanUpdates reads rows of (update_id, chat_id, payload, received_at, the seqs
// of its accepted sends) and closes them.
func scanUpdates(rows pgx.Rows) ([]chat.Update, error) {
	defer rows.Close()
	var out []chat.Update
	for rows.Next() {
		var u chat.Update
		var ms int64
		var sent []int32
		if err := rows.Scan(&u.ID, &u.ChatID, &u.Payload, &ms, &sent); err != nil {
			return nil, err
		}
		u.Received = fromMillis(ms)
		for _, s := range sent {
			u.Sent = append(u.Sent, int(s))
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Sent records that Telegram accepted call seq of the update (see chat.Inbox).
func (d *DB) Sent(ctx context.Context, updateID int64, seq int) error {
	if _, err := d.pool.Exec(ctx, "INSERT INTO sent (update_id, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING", updateID, seq); err != nil {
		return fmt.Errorf("postgres: record sent call %d of update %d: %w", seq, updateID, err)
	}
	return nil
}

// Done marks updates handled and drops their payloads, chat ids and records of sent
// calls, in one statement: the user's words and who wrote them are kept only while
// they are needed.
func (d *DB) Done(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := d.pool.Exec(ctx, `WITH s AS (DELETE FROM sent WHERE update_id = ANY($2))
		UPDATE inbox SET done_at = $1, payload = NULL, chat_id = 0 WHERE update_id = ANY($2)`, millis(at), ids)
	if err != nil {
		return fmt.Errorf("postgres: mark updates done: %w", err)
	}
	return nil
}

// Offset returns the stored polling offset, 0 when none.
func (d *DB) Offset(ctx context.Context) (int64, error) {
	var v int64
	err := d.pool.QueryRow(ctx, "SELECT value FROM setting WHERE key = $1", offsetKey).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: polling offset: %w", err)
	}
	return v, nil
}

// Prune deletes handled updates received before t. Telegram keeps undelivered updates
// for 24 hours, so ids older than that can no longer come twice.
func (d *DB) Prune(ctx context.Context, before time.Time) (int64, error) {
	tag, err := d.pool.Exec(ctx, "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < $1", millis(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune inbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
