package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/handoff"
)

var _ handoff.Store = (*DB)(nil)

const handoffCols = "id, chat_id, lang, coalesce(question_id, 0), text, candidates, status, opened_at, updated_at, closed_at, closed_by"

func scanHandoff(row pgx.Row) (handoff.Handoff, error) {
	var h handoff.Handoff
	var cands, status string
	var opened, updated int64
	var closed *int64
	if err := row.Scan(&h.ID, &h.ChatID, &h.Lang, &h.QuestionID, &h.Text, &cands, &status, &opened, &updated, &closed, &h.ClosedBy); err != nil {
		return handoff.Handoff{}, err
	}
	h.Candidates, h.Status = handoff.ParseCandidates(cands), handoff.Status(status)
	h.OpenedAt, h.UpdatedAt, h.ClosedAt = fromMillis(opened), fromMillis(updated), fromNullMillis(closed)
	return h, nil
}

// OpenHandoff opens a handoff for o.ChatID, or returns its open one. With a reference
// of an open anonymous question, the question is handed over: the handoff takes its
// text and candidates, and the question leaves the inbox (status handoff). Two
// replicas opening one at once for a chat meet at the unique index of open
// handoffs: the second finds the first's.
func (d *DB) OpenHandoff(ctx context.Context, o handoff.Opening) (handoff.Handoff, bool, error) {
	at := o.At
	if at.IsZero() {
		at = d.now()
	}
	var h handoff.Handoff
	created := false
	err := d.tx(ctx, func(tx pgx.Tx) error {
		now := millis(at)
		// The chat's row, locked: openings for one chat queue here.
		if _, err := tx.Exec(ctx, `INSERT INTO chat (id, created_at, updated_at, consent_at) VALUES ($1, $2, $2, NULL)
			ON CONFLICT (id) DO UPDATE SET id = excluded.id`, o.ChatID, now); err != nil {
			return err
		}
		var err error
		h, err = scanHandoff(tx.QueryRow(ctx, "SELECT "+handoffCols+" FROM handoff WHERE chat_id = $1 AND status = 'open'", o.ChatID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE chat SET consent_at = $1, updated_at = $1 WHERE id = $2", now, o.ChatID); err != nil {
			return err
		}
		var qid *int64
		var text, cands string
		if o.Ref != "" {
			err := tx.QueryRow(ctx, `UPDATE unanswered SET status = 'handoff', ref = NULL, handled_at = $1
				WHERE ref = $2 AND status = 'open' RETURNING id, text, candidates`, now, o.Ref).Scan(&qid, &text, &cands)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			// No row: gone (deleted after its time, or handed over already): open without it.
		}
		if err := tx.QueryRow(ctx, `INSERT INTO handoff (chat_id, lang, question_id, text, candidates, opened_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, o.ChatID, o.Lang, qid, text, cands, now).Scan(&h.ID); err != nil {
			return err
		}
		h = handoff.Handoff{ID: h.ID, ChatID: o.ChatID, Lang: o.Lang, Text: text,
			Candidates: handoff.ParseCandidates(cands), Status: handoff.StatusOpen, OpenedAt: fromMillis(now), UpdatedAt: fromMillis(now)}
		if qid != nil {
			h.QuestionID = *qid
		}
		created = true
		return nil
	})
	if err != nil {
		return handoff.Handoff{}, false, fmt.Errorf("postgres: open handoff: %w", err)
	}
	return h, created, nil
}

// ActiveHandoff returns the open handoff of chatID, or handoff.ErrNotFound.
func (d *DB) ActiveHandoff(ctx context.Context, chatID int64) (handoff.Handoff, error) {
	h, err := scanHandoff(d.pool.QueryRow(ctx, "SELECT "+handoffCols+" FROM handoff WHERE chat_id = $1 AND status = 'open'", chatID))
	if errors.Is(err, pgx.ErrNoRows) {
		return handoff.Handoff{}, handoff.ErrNotFound
	}
	if err != nil {
		return handoff.Handoff{}, fmt.Errorf("postgres: open handoff of a chat: %w", err)
	}
	return h, nil
}

// lockOpen locks handoff id's row inside tx and checks that it exists and is open.
// The lock makes the checks and writes that follow one step for all replicas.
func lockOpen(ctx context.Context, tx pgx.Tx, id int64) error {
	var status string
	err := tx.QueryRow(ctx, "SELECT status FROM handoff WHERE id = $1 FOR UPDATE", id).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return handoff.ErrNotFound
	case err != nil:
		return err
	case status != string(handoff.StatusOpen):
		return handoff.ErrClosed
	}
	return nil
}

// insertMessage inserts m with the Telegram message id tgID (nil: none) and dates
// the handoff's last activity.
func insertMessage(ctx context.Context, tx pgx.Tx, m *handoff.Message, tgID *int64) error {
	if err := tx.QueryRow(ctx, `INSERT INTO handoff_message (handoff_id, at, author, staff_name, text, delivery, tg_message_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		m.HandoffID, millis(m.At), string(m.Author), m.StaffName, m.Text, string(m.Delivery), tgID).Scan(&m.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "UPDATE handoff SET updated_at = $1 WHERE id = $2", millis(m.At), m.HandoffID)
	return err
}

// AddUserMessage appends the user's message to open handoff id. The first message
// of a handoff opened without a question becomes its question. A message whose
// Telegram id msgID is in the thread already (the update was handled again after a
// crash) is returned as it is.
func (d *DB) AddUserMessage(ctx context.Context, id, msgID int64, text string, at time.Time) (handoff.Message, error) {
	m := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorUser, Text: text}
	var tgID *int64
	if msgID != 0 {
		tgID = &msgID
	}
	err := d.tx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		if msgID != 0 {
			var ms int64
			err := tx.QueryRow(ctx, "SELECT id, at FROM handoff_message WHERE handoff_id = $1 AND tg_message_id = $2", id, msgID).Scan(&m.ID, &ms)
			if err == nil {
				m.At = fromMillis(ms)
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if err := insertMessage(ctx, tx, &m, tgID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE handoff SET text = $1 WHERE id = $2 AND text = ''", text, id)
		return err
	})
	if err != nil {
		return handoff.Message{}, fmt.Errorf("postgres: handoff %d: add message: %w", id, err)
	}
	return m, nil
}

// Handoff returns handoff id and its messages, oldest first.
func (d *DB) Handoff(ctx context.Context, id int64) (handoff.Handoff, []handoff.Message, error) {
	h, err := scanHandoff(d.pool.QueryRow(ctx, "SELECT "+handoffCols+" FROM handoff WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return handoff.Handoff{}, nil, fmt.Errorf("postgres: handoff %d: %w", id, handoff.ErrNotFound)
	}
	if err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("postgres: handoff %d: %w", id, err)
	}
	rows, err := d.pool.Query(ctx, "SELECT id, at, author, staff_name, text, delivery, delivered_at FROM handoff_message WHERE handoff_id = $1 ORDER BY id", id)
	if err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("postgres: handoff %d: messages: %w", id, err)
	}
	defer rows.Close()
	var ms []handoff.Message
	for rows.Next() {
		m := handoff.Message{HandoffID: id}
		var at int64
		var author, delivery string
		var delivered *int64
		if err := rows.Scan(&m.ID, &at, &author, &m.StaffName, &m.Text, &delivery, &delivered); err != nil {
			return handoff.Handoff{}, nil, fmt.Errorf("postgres: handoff %d: messages: %w", id, err)
		}
		m.At, m.DeliveredAt = fromMillis(at), fromNullMillis(delivered)
		m.Author, m.Delivery = handoff.Author(author), handoff.Delivery(delivery)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("postgres: handoff %d: messages: %w", id, err)
	}
	return h, ms, nil
}

// AddStaffReply appends a staff reply, pending delivery, if the thread still ends
// with message afterID (0: no messages) and the handoff is open. The handoff's row
// is locked for the check and the insert, so of two staff members replying to what
// they both saw (on any replicas), exactly one succeeds.
func (d *DB) AddStaffReply(ctx context.Context, id, afterID int64, staffName, text string, at time.Time) (handoff.Message, error) {
	m := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorStaff, StaffName: staffName, Text: text, Delivery: handoff.DeliveryPending}
	err := d.tx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		var last int64
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(id), 0) FROM handoff_message WHERE handoff_id = $1", id).Scan(&last); err != nil {
			return err
		}
		if last != afterID {
			return handoff.ErrConflict
		}
		return insertMessage(ctx, tx, &m, nil)
	})
	if err != nil {
		return handoff.Message{}, fmt.Errorf("postgres: handoff %d: add reply: %w", id, err)
	}
	return m, nil
}

// SetDelivery records the delivery state of message id.
func (d *DB) SetDelivery(ctx context.Context, id int64, dl handoff.Delivery, at time.Time) error {
	var delivered *int64
	if dl == handoff.DeliverySent {
		ms := millis(at)
		delivered = &ms
	}
	if _, err := d.pool.Exec(ctx, "UPDATE handoff_message SET delivery = $1, delivered_at = $2 WHERE id = $3", string(dl), delivered, id); err != nil {
		return fmt.Errorf("postgres: delivery of message %d: %w", id, err)
	}
	return nil
}

// CloseHandoff closes open handoff id as closed or spam, notes it in the thread and
// gives the question it started from the same status.
func (d *DB) CloseHandoff(ctx context.Context, id int64, s handoff.Status, by string, at time.Time) (handoff.Handoff, error) {
	if s != handoff.StatusClosed && s != handoff.StatusSpam {
		return handoff.Handoff{}, fmt.Errorf("postgres: close handoff %d: %w: status %q", id, handoff.ErrInvalid, s)
	}
	var h handoff.Handoff
	err := d.tx(ctx, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, id); err != nil {
			return err
		}
		now := millis(at)
		if _, err := tx.Exec(ctx, "UPDATE handoff SET status = $1, closed_at = $2, closed_by = $3 WHERE id = $4", string(s), now, by, id); err != nil {
			return err
		}
		note := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorSystem, StaffName: by, Text: string(s)}
		if err := insertMessage(ctx, tx, &note, nil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE unanswered SET status = $1, handled_at = $2, handled_by = $3
			WHERE id = (SELECT question_id FROM handoff WHERE id = $4)`, string(s), now, by, id); err != nil {
			return err
		}
		var err error
		h, err = scanHandoff(tx.QueryRow(ctx, "SELECT "+handoffCols+" FROM handoff WHERE id = $1", id))
		return err
	})
	if err != nil {
		return handoff.Handoff{}, fmt.Errorf("postgres: close handoff %d: %w", id, err)
	}
	return h, nil
}
