package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// Vote stores v; a chat's later vote on a topic replaces its earlier one.
func (d *DB) Vote(ctx context.Context, v chat.Vote) error {
	at := millis(v.At)
	if v.At.IsZero() {
		at = millis(d.now())
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureChat(ctx, tx, v.ChatID, at); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO vote (chat_id, topic_id, lang, helpful, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (chat_id, topic_id) WHERE chat_id IS NOT NULL
			DO UPDATE SET lang = excluded.lang, helpful = excluded.helpful, at = excluded.at`,
			v.ChatID, v.TopicID, v.Lang, v.Helpful, at)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: vote on %s: %w", v.TopicID, err)
	}
	return nil
}

// VotesByTopic returns the vote counts of every topic that has votes, by topic id.
func (d *DB) VotesByTopic(ctx context.Context) ([]handoff.TopicVotes, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT topic_id, sum(helpful), sum(1 - helpful) FROM vote GROUP BY topic_id ORDER BY topic_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: votes by topic: %w", err)
	}
	defer rows.Close()
	var out []handoff.TopicVotes
	for rows.Next() {
		var t handoff.TopicVotes
		if err := rows.Scan(&t.TopicID, &t.Helpful, &t.Useless); err != nil {
			return nil, fmt.Errorf("sqlite: votes by topic: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: votes by topic: %w", err)
	}
	return out, nil
}

// ensureChat creates the chat's row if there is none, so that rows referring to it
// can point at it (and lose the link on Forget).
func ensureChat(ctx context.Context, tx *sql.Tx, id, now int64) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO chat (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", id, now, now)
	return err
}
