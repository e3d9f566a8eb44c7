package postgres

// A stand-in port of internal/sqlite/notify.go and summary.go (issue #13, merged
// into main after P1 branched), made by P3 so that serve builds on PostgreSQL for
// the replica tests. At merge take P1's port when it has one.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/summary"
)

var (
	_ notify.Store  = (*DB)(nil)
	_ summary.Store = (*DB)(nil)
)

// Subscribe links the question with reference ref to chatID (notify.Store); a
// question dismissed as spam takes no link. The chat row is created if needed, so
// that /forget deletes the link with it.
func (d *DB) Subscribe(ctx context.Context, ref string, chatID int64, lang string, at time.Time) (bool, error) {
	created := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		var qid int64
		err := tx.QueryRow(ctx, "SELECT id FROM unanswered WHERE ref = $1 AND status <> 'spam'", ref).Scan(&qid)
		if errors.Is(err, pgx.ErrNoRows) {
			return notify.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := millis(at)
		if _, err := tx.Exec(ctx, `INSERT INTO chat (id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO NOTHING`, chatID, now); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO notify (question_id, chat_id, lang, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (question_id) DO NOTHING`, qid, chatID, lang, now)
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: subscribe chat %d: %w", chatID, err)
	}
	return created, nil
}

// Waiting returns the subscriptions not told yet of active chats, oldest first
// (notify.Store).
func (d *DB) Waiting(ctx context.Context) ([]notify.Subscription, error) {
	rows, err := d.pool.Query(ctx, `SELECT n.question_id, n.chat_id, n.lang, u.text, u.at
		FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
		WHERE n.notified_at IS NULL AND c.active AND u.status <> 'spam'
		ORDER BY n.created_at, n.question_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: waiting subscriptions: %w", err)
	}
	defer rows.Close()
	var out []notify.Subscription
	for rows.Next() {
		var s notify.Subscription
		var asked int64
		if err := rows.Scan(&s.QuestionID, &s.ChatID, &s.Lang, &s.Text, &asked); err != nil {
			return nil, fmt.Errorf("postgres: waiting subscriptions: %w", err)
		}
		s.Asked = fromMillis(asked)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: waiting subscriptions: %w", err)
	}
	return out, nil
}

// ClaimNotice marks the subscription of question id told and drops its chat id,
// when it is waiting and its chat is active (notify.Store); the row lock makes two
// replicas claim it once.
func (d *DB) ClaimNotice(ctx context.Context, questionID int64, topicID string, at time.Time) (notify.Subscription, bool, error) {
	var s notify.Subscription
	ok := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		var asked int64
		err := tx.QueryRow(ctx, `SELECT n.question_id, n.chat_id, n.lang, u.text, u.at
			FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
			WHERE n.question_id = $1 AND n.notified_at IS NULL AND c.active
			FOR UPDATE OF n`, questionID).Scan(&s.QuestionID, &s.ChatID, &s.Lang, &s.Text, &asked)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		s.Asked = fromMillis(asked)
		if _, err := tx.Exec(ctx, "UPDATE notify SET notified_at = $1, topic_id = $2, chat_id = NULL WHERE question_id = $3",
			millis(at), topicID, questionID); err != nil {
			return err
		}
		ok = true
		return nil
	})
	if err != nil {
		return notify.Subscription{}, false, fmt.Errorf("postgres: claim the subscription of question %d: %w", questionID, err)
	}
	if !ok {
		return notify.Subscription{}, false, nil
	}
	return s, true, nil
}

// summaryWeekKey is the setting that holds the last week the summary was sent for.
const summaryWeekKey = "summary_week"

// Emergencies counts the emergency replies of the days from from to to (exclusive)
// (summary.Store).
func (d *DB) Emergencies(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	err := d.pool.QueryRow(ctx, "SELECT coalesce(sum(n), 0)::bigint FROM answer_count WHERE kind = $1 AND day >= $2 AND day < $3",
		string(assistant.KindEmergency), handoff.Day(from), handoff.Day(to)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: count emergencies: %w", err)
	}
	return n, nil
}

// FirstReplyDelays returns, per handoff opened from from to to (exclusive) with a
// staff reply, the time from opening to its first staff reply (summary.Store).
func (d *DB) FirstReplyDelays(ctx context.Context, from, to time.Time) ([]time.Duration, error) {
	rows, err := d.pool.Query(ctx, `SELECT min(m.at) - h.opened_at FROM handoff h JOIN handoff_message m ON m.handoff_id = h.id
		WHERE m.author = 'staff' AND h.opened_at >= $1 AND h.opened_at < $2 GROUP BY h.id ORDER BY h.id`, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("postgres: first reply delays: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, fmt.Errorf("postgres: first reply delays: %w", err)
		}
		out = append(out, time.Duration(ms)*time.Millisecond)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: first reply delays: %w", err)
	}
	return out, nil
}

// SummaryWeek returns the key of the last week the summary was sent for; 0 when
// none (summary.Store).
func (d *DB) SummaryWeek(ctx context.Context) (int64, error) {
	var v int64
	err := d.pool.QueryRow(ctx, "SELECT value FROM setting WHERE key = $1", summaryWeekKey).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: last summary week: %w", err)
	}
	return v, nil
}

// SetSummaryWeek records the week with key as sent; an earlier key never replaces
// a later one (summary.Store).
func (d *DB) SetSummaryWeek(ctx context.Context, key int64) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO setting (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = greatest(setting.value, excluded.value)`, summaryWeekKey, key)
	if err != nil {
		return fmt.Errorf("postgres: record summary week: %w", err)
	}
	return nil
}
