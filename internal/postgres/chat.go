package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/chat"
)

var _ chat.Store = (*DB)(nil)

// Chat returns what is stored about chat id, or chat.ErrNotFound.
func (d *DB) Chat(ctx context.Context, id int64) (chat.Chat, error) {
	c := chat.Chat{ID: id}
	var consent *int64
	err := d.pool.QueryRow(ctx, "SELECT lang, active, consent_at FROM chat WHERE id = $1", id).Scan(&c.Lang, &c.Active, &consent)
	if errors.Is(err, pgx.ErrNoRows) {
		return chat.Chat{}, chat.ErrNotFound
	}
	if err != nil {
		return chat.Chat{}, fmt.Errorf("postgres: chat %d: %w", id, err)
	}
	c.Consent = fromNullMillis(consent)
	return c, nil
}

// SetLang stores the language chat id chose.
func (d *DB) SetLang(ctx context.Context, id int64, lang string) error {
	now := millis(d.now())
	_, err := d.pool.Exec(ctx, `INSERT INTO chat (id, lang, created_at, updated_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at`, id, lang, now)
	if err != nil {
		return fmt.Errorf("postgres: set language of chat %d: %w", id, err)
	}
	return nil
}

// SetActive marks chat id active or inactive. Marking an unknown chat active stores
// nothing: active is the default.
func (d *DB) SetActive(ctx context.Context, id int64, active bool) error {
	now := millis(d.now())
	var err error
	if active {
		_, err = d.pool.Exec(ctx, "UPDATE chat SET active = true, updated_at = $1 WHERE id = $2 AND NOT active", now, id)
	} else {
		_, err = d.pool.Exec(ctx, `INSERT INTO chat (id, active, created_at, updated_at) VALUES ($1, false, $2, $2)
			ON CONFLICT (id) DO UPDATE SET active = false, updated_at = excluded.updated_at`, id, now)
	}
	if err != nil {
		return fmt.Errorf("postgres: set chat %d active=%v: %w", id, active, err)
	}
	return nil
}

// Forget deletes the chat's row in one statement: the foreign keys delete its
// handoffs with their messages and turn its votes anonymous. Anonymous questions
// never had a link to it. Handled inbox entries carry no payload and no chat and
// stay for deduplication. (PostgreSQL reuses the space of deleted rows after
// VACUUM; unlike SQLite's file, its storage is not handed around.)
func (d *DB) Forget(ctx context.Context, id int64) error {
	if _, err := d.pool.Exec(ctx, "DELETE FROM chat WHERE id = $1", id); err != nil {
		return fmt.Errorf("postgres: forget chat %d: %w", id, err)
	}
	return nil
}

// Vote stores v; a chat's later vote on a topic replaces its earlier one. The
// chat's row is created first if there is none, in the same statement.
func (d *DB) Vote(ctx context.Context, v chat.Vote) error {
	at := millis(v.At)
	if v.At.IsZero() {
		at = millis(d.now())
	}
	_, err := d.pool.Exec(ctx, `WITH c AS (
			INSERT INTO chat (id, created_at, updated_at) VALUES ($1, $5, $5) ON CONFLICT (id) DO NOTHING
		)
		INSERT INTO vote (chat_id, topic_id, lang, helpful, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (chat_id, topic_id) WHERE chat_id IS NOT NULL
		DO UPDATE SET lang = excluded.lang, helpful = excluded.helpful, at = excluded.at`,
		v.ChatID, v.TopicID, v.Lang, v.Helpful, at)
	if err != nil {
		return fmt.Errorf("postgres: vote on %s: %w", v.TopicID, err)
	}
	return nil
}
