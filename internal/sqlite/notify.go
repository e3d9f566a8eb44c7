package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/store"
)

var _ notify.Store = (*DB)(nil)

// Subscribe links the question with reference ref to chatID (notify.Store). A
// question dismissed as spam takes no link; one handed to the city team has lost
// its reference. The chat row is created if needed, so that /forget deletes the
// link with it.
func (d *DB) Subscribe(ctx context.Context, ref string, chatID int64, lang string, at time.Time) (bool, error) {
	created := false
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var qid int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM unanswered WHERE ref = ? AND status != 'spam'", ref).Scan(&qid)
		if errors.Is(err, sql.ErrNoRows) {
			return notify.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := millis(at)
		if err := ensureChat(ctx, tx, chatID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO notify (question_id, chat_id, lang, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (question_id) DO NOTHING`, qid, chatID, lang, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: subscribe chat %d: %w", chatID, err)
	}
	return created, nil
}

// Waiting returns the subscriptions not told yet of active chats, oldest first
// (notify.Store).
func (d *DB) Waiting(ctx context.Context) ([]notify.Subscription, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+store.SubscriptionColumns+`
		FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
		WHERE n.notified_at IS NULL AND c.active = 1 AND u.status != 'spam'
		ORDER BY n.created_at, n.question_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: waiting subscriptions: %w", err)
	}
	defer rows.Close()
	out, err := store.Collect(rows, store.ScanSubscription)
	if err != nil {
		return nil, fmt.Errorf("sqlite: waiting subscriptions: %w", err)
	}
	return out, nil
}

// ClaimNotice marks the subscription of question id told and drops its chat id, when it
// is waiting and its chat is active (notify.Store).
func (d *DB) ClaimNotice(ctx context.Context, questionID int64, topicID string, at time.Time) (notify.Subscription, bool, error) {
	var s notify.Subscription
	ok := false
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = store.ScanSubscription(tx.QueryRowContext(ctx, `SELECT `+store.SubscriptionColumns+`
			FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
			WHERE n.question_id = ? AND n.notified_at IS NULL AND c.active = 1`, questionID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE notify SET notified_at = ?, topic_id = ?, chat_id = NULL WHERE question_id = ?",
			millis(at), topicID, questionID); err != nil {
			return err
		}
		ok = true
		return nil
	})
	if err != nil {
		return notify.Subscription{}, false, fmt.Errorf("sqlite: claim the subscription of question %d: %w", questionID, err)
	}
	if !ok {
		return notify.Subscription{}, false, nil
	}
	return s, true, nil
}
