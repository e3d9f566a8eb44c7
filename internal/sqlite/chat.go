package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oldenburg/ankommen/internal/chat"
)

var _ chat.Store = (*DB)(nil)

// Chat returns what is stored about chat id, or chat.ErrNotFound.
func (d *DB) Chat(ctx context.Context, id int64) (chat.Chat, error) {
	c := chat.Chat{ID: id}
	var consent sql.NullInt64
	err := d.stmt.chat.QueryRowContext(ctx, id).Scan(&c.Lang, &c.Active, &consent)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Chat{}, chat.ErrNotFound
	}
	if err != nil {
		return chat.Chat{}, fmt.Errorf("sqlite: chat %d: %w", id, err)
	}
	c.Consent = fromNullMillis(consent)
	return c, nil
}

// SetLang stores the language chat id chose.
func (d *DB) SetLang(ctx context.Context, id int64, lang string) error {
	now := millis(d.now())
	_, err := d.w.ExecContext(ctx, `INSERT INTO chat (id, lang, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at`, id, lang, now, now)
	if err != nil {
		return fmt.Errorf("sqlite: set language of chat %d: %w", id, err)
	}
	return nil
}

// SetActive marks chat id active or inactive. Marking an unknown chat active stores
// nothing: active is the default.
func (d *DB) SetActive(ctx context.Context, id int64, active bool) error {
	now := millis(d.now())
	var err error
	if active {
		_, err = d.w.ExecContext(ctx, "UPDATE chat SET active = 1, updated_at = ? WHERE id = ? AND active = 0", now, id)
	} else {
		_, err = d.w.ExecContext(ctx, `INSERT INTO chat (id, active, created_at, updated_at) VALUES (?, 0, ?, ?)
			ON CONFLICT (id) DO UPDATE SET active = 0, updated_at = excluded.updated_at`, id, now, now)
	}
	if err != nil {
		return fmt.Errorf("sqlite: set chat %d active=%v: %w", id, active, err)
	}
	return nil
}

// Forget deletes the chat's row in one statement: the foreign keys delete its
// handoffs with their messages and turn its votes anonymous. Anonymous questions
// never had a link to it. Handled inbox entries carry no payload and no chat and
// stay for deduplication. Then the write-ahead log is checkpointed and truncated:
// with secure_delete the deleted rows are zeros in the file, and the log's old
// frames that held them are gone.
func (d *DB) Forget(ctx context.Context, id int64) error {
	if _, err := d.w.ExecContext(ctx, "DELETE FROM chat WHERE id = ?", id); err != nil {
		return fmt.Errorf("sqlite: forget chat %d: %w", id, err)
	}
	if err := d.scrub(ctx); err != nil {
		return fmt.Errorf("sqlite: forget chat %d: %w", id, err)
	}
	return nil
}
