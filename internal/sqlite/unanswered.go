package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
)

var _ assistant.Recorder = (*DB)(nil)

// RecordUnanswered stores a question the bot could not answer, for staff review. The
// chat is linked only when u.ChatID is set (the user consented).
func (d *DB) RecordUnanswered(ctx context.Context, u assistant.Unanswered) error {
	at := u.At
	if at.IsZero() {
		at = d.now()
	}
	var cands []string
	for _, h := range u.Candidates {
		cands = append(cands, h.TopicID+":"+strconv.FormatFloat(h.Score, 'f', 3, 64))
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var chatID any
		if u.ChatID != 0 {
			if err := ensureChat(ctx, tx, u.ChatID, millis(at)); err != nil {
				return err
			}
			chatID = u.ChatID
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO unanswered (at, lang, text, chat_id, candidates) VALUES (?, ?, ?, ?, ?)",
			millis(at), u.Lang, u.Text, chatID, strings.Join(cands, ","))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: record unanswered question: %w", err)
	}
	return nil
}

// Unanswered is a stored unanswered question.
type Unanswered struct {
	ID         int64
	At         time.Time
	Lang, Text string
	ChatID     int64 // 0 when not linked
	Candidates string
}

// UnansweredSince returns the questions recorded at or after t, oldest first, at most limit.
func (d *DB) UnansweredSince(ctx context.Context, t time.Time, limit int) ([]Unanswered, error) {
	rows, err := d.r.QueryContext(ctx, "SELECT id, at, lang, text, coalesce(chat_id, 0), candidates FROM unanswered WHERE at >= ? ORDER BY at, id LIMIT ?", millis(t), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: unanswered questions: %w", err)
	}
	defer rows.Close()
	var out []Unanswered
	for rows.Next() {
		var u Unanswered
		var ms int64
		if err := rows.Scan(&u.ID, &ms, &u.Lang, &u.Text, &u.ChatID, &u.Candidates); err != nil {
			return nil, fmt.Errorf("sqlite: unanswered questions: %w", err)
		}
		u.At = fromMillis(ms)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: unanswered questions: %w", err)
	}
	return out, nil
}
