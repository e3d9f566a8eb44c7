package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/store"
)

// RecordUnanswered stores a question the bot could not answer, for staff review. It
// is stored anonymously: no chat, and the text masked once more (handoff.Mask) in
// case a caller forgot.
func (d *DB) RecordUnanswered(ctx context.Context, u assistant.Unanswered) error {
	at := u.At
	if at.IsZero() {
		at = d.now()
	}
	cands := make([]handoff.Candidate, 0, len(u.Candidates))
	for _, h := range u.Candidates {
		cands = append(cands, handoff.Candidate{TopicID: h.TopicID, Score: h.Score, Coverage: h.Coverage})
	}
	var ref *string
	if u.Ref != "" {
		ref = &u.Ref
	}
	_, err := d.pool.Exec(ctx, "INSERT INTO unanswered (at, lang, text, candidates, ref) VALUES ($1, $2, $3, $4, $5)",
		millis(at), u.Lang, handoff.Mask(u.Text), handoff.FormatCandidates(cands), ref)
	if err != nil {
		return fmt.Errorf("postgres: record unanswered question: %w", err)
	}
	return nil
}

// UnansweredSince returns the questions recorded at or after t, oldest first, at most limit.
func (d *DB) UnansweredSince(ctx context.Context, t time.Time, limit int) ([]store.Unanswered, error) {
	rows, err := d.pool.Query(ctx, "SELECT id, at, lang, text, coalesce(chat_id, 0), candidates FROM unanswered WHERE at >= $1 ORDER BY at, id LIMIT $2", millis(t), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: unanswered questions: %w", err)
	}
	defer rows.Close()
	var out []store.Unanswered
	for rows.Next() {
		var u store.Unanswered
		var ms int64
		if err := rows.Scan(&u.ID, &ms, &u.Lang, &u.Text, &u.ChatID, &u.Candidates); err != nil {
			return nil, fmt.Errorf("postgres: unanswered questions: %w", err)
		}
		u.At = fromMillis(ms)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: unanswered questions: %w", err)
	}
	return out, nil
}

// Question returns question id, or handoff.ErrNotFound.
func (d *DB) Question(ctx context.Context, id int64) (handoff.Question, error) {
	q := handoff.Question{ID: id}
	var at int64
	var handled *int64
	var cands, status string
	err := d.pool.QueryRow(ctx, `SELECT u.at, u.lang, u.text, u.candidates, u.status, u.topic_id, u.handled_at, u.handled_by,
			coalesce((SELECT h.id FROM handoff h WHERE h.question_id = u.id ORDER BY h.id DESC LIMIT 1), 0)
		FROM unanswered u WHERE u.id = $1`, id).
		Scan(&at, &q.Lang, &q.Text, &cands, &status, &q.TopicID, &handled, &q.HandledBy, &q.HandoffID)
	if errors.Is(err, pgx.ErrNoRows) {
		return handoff.Question{}, fmt.Errorf("postgres: question %d: %w", id, handoff.ErrNotFound)
	}
	if err != nil {
		return handoff.Question{}, fmt.Errorf("postgres: question %d: %w", id, err)
	}
	q.At, q.HandledAt = fromMillis(at), fromNullMillis(handled)
	q.Candidates, q.Status = handoff.ParseCandidates(cands), handoff.Status(status)
	return q, nil
}

// SetQuestionStatus records staff's decision on question id.
func (d *DB) SetQuestionStatus(ctx context.Context, id int64, s handoff.Status, topicID, by string, at time.Time) error {
	if !s.Valid() {
		return fmt.Errorf("postgres: question %d: %w: status %q", id, handoff.ErrInvalid, s)
	}
	tag, err := d.pool.Exec(ctx, "UPDATE unanswered SET status = $1, topic_id = $2, handled_at = $3, handled_by = $4 WHERE id = $5",
		string(s), topicID, millis(at), by, id)
	if err != nil {
		return fmt.Errorf("postgres: set status of question %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: question %d: %w", id, handoff.ErrNotFound)
	}
	return nil
}
