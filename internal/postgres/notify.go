package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/store"
)

// Subscribe links the question with reference ref to chatID (notify.Store). A
// question dismissed as spam takes no link; one handed to the city team has lost
// its reference. The chat row is created if needed, so that /forget deletes the
// link with it.
func (d *DB) Subscribe(ctx context.Context, ref string, chatID int64, lang string, at time.Time) (bool, error) {
	created := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		var qid int64
		// Locked against the retention's delete until the link is in.
		err := tx.QueryRow(ctx, "SELECT id FROM unanswered WHERE ref = $1 AND status != 'spam' FOR KEY SHARE", ref).Scan(&qid)
		if errors.Is(err, pgx.ErrNoRows) {
			return notify.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := millis(at)
		// The chat's row, locked, so that a /forget of another replica waits.
		if _, err := tx.Exec(ctx, `INSERT INTO chat (id, created_at, updated_at) VALUES ($1, $2, $2)
			ON CONFLICT (id) DO UPDATE SET id = excluded.id`, chatID, now); err != nil {
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
	rows, err := d.pool.Query(ctx, `SELECT `+store.SubscriptionColumns+`
		FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
		WHERE n.notified_at IS NULL AND c.active AND u.status != 'spam'
		ORDER BY n.created_at, n.question_id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: waiting subscriptions: %w", err)
	}
	defer rows.Close()
	out, err := store.Collect(rows, store.ScanSubscription)
	if err != nil {
		return nil, fmt.Errorf("postgres: waiting subscriptions: %w", err)
	}
	return out, nil
}

// ClaimNotice marks the subscription of question id told and drops its chat id,
// when it is waiting and its chat is active (notify.Store). Replicas claiming the
// same subscription at once queue on its row; the later one then finds it told
// (PostgreSQL checks the conditions again on the row it waited for) and gets
// ok=false, so the user is told once.
func (d *DB) ClaimNotice(ctx context.Context, questionID int64, topicID string, at time.Time) (notify.Subscription, bool, error) {
	var s notify.Subscription
	ok := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		var err error
		s, err = store.ScanSubscription(tx.QueryRow(ctx, `SELECT `+store.SubscriptionColumns+`
			FROM notify n JOIN unanswered u ON u.id = n.question_id JOIN chat c ON c.id = n.chat_id
			WHERE n.question_id = $1 AND n.notified_at IS NULL AND c.active
			FOR UPDATE OF n`, questionID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
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
