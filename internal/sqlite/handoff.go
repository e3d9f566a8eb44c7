package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
)

const handoffCols = "id, chat_id, lang, coalesce(question_id, 0), text, candidates, status, opened_at, updated_at, closed_at, closed_by"

type scanner interface{ Scan(dest ...any) error }

func scanHandoff(row scanner) (handoff.Handoff, error) {
	var h handoff.Handoff
	var cands, status string
	var opened, updated int64
	var closed sql.NullInt64
	if err := row.Scan(&h.ID, &h.ChatID, &h.Lang, &h.QuestionID, &h.Text, &cands, &status, &opened, &updated, &closed, &h.ClosedBy); err != nil {
		return handoff.Handoff{}, err
	}
	h.Candidates, h.Status = handoff.ParseCandidates(cands), handoff.Status(status)
	h.OpenedAt, h.UpdatedAt, h.ClosedAt = fromMillis(opened), fromMillis(updated), fromNullMillis(closed)
	return h, nil
}

// OpenHandoff opens a handoff for o.ChatID, or returns its open one. With a reference
// of an open anonymous question, the question is handed over: the handoff takes its
// text and candidates, and the question leaves the inbox (status handoff).
func (d *DB) OpenHandoff(ctx context.Context, o handoff.Opening) (handoff.Handoff, bool, error) {
	at := o.At
	if at.IsZero() {
		at = d.now()
	}
	var h handoff.Handoff
	created := false
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var err error
		h, err = scanHandoff(tx.QueryRowContext(ctx, "SELECT "+handoffCols+" FROM handoff WHERE chat_id = ? AND status = 'open'", o.ChatID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := millis(at)
		if err := ensureChat(ctx, tx, o.ChatID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE chat SET consent_at = ?, updated_at = ? WHERE id = ?", now, now, o.ChatID); err != nil {
			return err
		}
		var qid sql.NullInt64
		var text, cands string
		if o.Ref != "" {
			err := tx.QueryRowContext(ctx, "SELECT id, text, candidates FROM unanswered WHERE ref = ? AND status = 'open'", o.Ref).Scan(&qid, &text, &cands)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// Gone (deleted after its time, or handed over already): open without it.
			case err != nil:
				return err
			default:
				if _, err := tx.ExecContext(ctx, "UPDATE unanswered SET status = 'handoff', ref = NULL, handled_at = ? WHERE id = ?", now, qid.Int64); err != nil {
					return err
				}
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO handoff (chat_id, lang, question_id, text, candidates, opened_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, o.ChatID, o.Lang, qid, text, cands, now, now)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		h = handoff.Handoff{ID: id, ChatID: o.ChatID, Lang: o.Lang, QuestionID: qid.Int64, Text: text,
			Candidates: handoff.ParseCandidates(cands), Status: handoff.StatusOpen, OpenedAt: fromMillis(now), UpdatedAt: fromMillis(now)}
		created = true
		return nil
	})
	if err != nil {
		return handoff.Handoff{}, false, fmt.Errorf("sqlite: open handoff: %w", err)
	}
	return h, created, nil
}

// ActiveHandoff returns the open handoff of chatID, or handoff.ErrNotFound.
func (d *DB) ActiveHandoff(ctx context.Context, chatID int64) (handoff.Handoff, error) {
	h, err := scanHandoff(d.r.QueryRowContext(ctx, "SELECT "+handoffCols+" FROM handoff WHERE chat_id = ? AND status = 'open'", chatID))
	if errors.Is(err, sql.ErrNoRows) {
		return handoff.Handoff{}, handoff.ErrNotFound
	}
	if err != nil {
		return handoff.Handoff{}, fmt.Errorf("sqlite: open handoff of a chat: %w", err)
	}
	return h, nil
}

// openStatus checks inside tx that handoff id exists and is open.
func openStatus(ctx context.Context, tx *sql.Tx, id int64) error {
	var status string
	err := tx.QueryRowContext(ctx, "SELECT status FROM handoff WHERE id = ?", id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return handoff.ErrNotFound
	case err != nil:
		return err
	case status != string(handoff.StatusOpen):
		return handoff.ErrClosed
	}
	return nil
}

func insertMessage(ctx context.Context, tx *sql.Tx, m *handoff.Message) error {
	return insertTelegramMessage(ctx, tx, m, nil)
}

// insertTelegramMessage inserts m with the Telegram message id tgID (nil: none).
func insertTelegramMessage(ctx context.Context, tx *sql.Tx, m *handoff.Message, tgID any) error {
	res, err := tx.ExecContext(ctx, "INSERT INTO handoff_message (handoff_id, at, author, staff_name, text, delivery, tg_message_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
		m.HandoffID, millis(m.At), string(m.Author), m.StaffName, m.Text, string(m.Delivery), tgID)
	if err != nil {
		return err
	}
	m.ID, _ = res.LastInsertId()
	_, err = tx.ExecContext(ctx, "UPDATE handoff SET updated_at = ? WHERE id = ?", millis(m.At), m.HandoffID)
	return err
}

// AddUserMessage appends the user's message to open handoff id. The first message
// of a handoff opened without a question becomes its question. A message whose
// Telegram id msgID is in the thread already (the update was handled again after a
// crash) is returned as it is.
func (d *DB) AddUserMessage(ctx context.Context, id, msgID int64, text string, at time.Time) (handoff.Message, error) {
	m := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorUser, Text: text}
	var tgID any
	if msgID != 0 {
		tgID = msgID
	}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := openStatus(ctx, tx, id); err != nil {
			return err
		}
		if msgID != 0 {
			var ms int64
			err := tx.QueryRowContext(ctx, "SELECT id, at FROM handoff_message WHERE handoff_id = ? AND tg_message_id = ?", id, msgID).Scan(&m.ID, &ms)
			if err == nil {
				m.At = fromMillis(ms)
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := insertTelegramMessage(ctx, tx, &m, tgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE handoff SET text = ? WHERE id = ? AND text = ''", text, id)
		return err
	})
	if err != nil {
		return handoff.Message{}, fmt.Errorf("sqlite: handoff %d: add message: %w", id, err)
	}
	return m, nil
}

// Handoff returns handoff id and its messages, oldest first.
func (d *DB) Handoff(ctx context.Context, id int64) (handoff.Handoff, []handoff.Message, error) {
	h, err := scanHandoff(d.r.QueryRowContext(ctx, "SELECT "+handoffCols+" FROM handoff WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return handoff.Handoff{}, nil, fmt.Errorf("sqlite: handoff %d: %w", id, handoff.ErrNotFound)
	}
	if err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("sqlite: handoff %d: %w", id, err)
	}
	rows, err := d.r.QueryContext(ctx, "SELECT id, at, author, staff_name, text, delivery, delivered_at FROM handoff_message WHERE handoff_id = ? ORDER BY id", id)
	if err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("sqlite: handoff %d: messages: %w", id, err)
	}
	defer rows.Close()
	var ms []handoff.Message
	for rows.Next() {
		m := handoff.Message{HandoffID: id}
		var at int64
		var author, delivery string
		var delivered sql.NullInt64
		if err := rows.Scan(&m.ID, &at, &author, &m.StaffName, &m.Text, &delivery, &delivered); err != nil {
			return handoff.Handoff{}, nil, fmt.Errorf("sqlite: handoff %d: messages: %w", id, err)
		}
		m.At, m.DeliveredAt = fromMillis(at), fromNullMillis(delivered)
		m.Author, m.Delivery = handoff.Author(author), handoff.Delivery(delivery)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return handoff.Handoff{}, nil, fmt.Errorf("sqlite: handoff %d: messages: %w", id, err)
	}
	return h, ms, nil
}

// AddStaffReply appends a staff reply, pending delivery, if the thread still ends
// with message afterID (0: no messages) and the handoff is open. The check and the
// insert are one transaction, so of two staff members replying to what they both
// saw, exactly one succeeds.
func (d *DB) AddStaffReply(ctx context.Context, id, afterID int64, staffName, text string, at time.Time) (handoff.Message, error) {
	m := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorStaff, StaffName: staffName, Text: text, Delivery: handoff.DeliveryPending}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := openStatus(ctx, tx, id); err != nil {
			return err
		}
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM handoff_message WHERE handoff_id = ?", id).Scan(&last); err != nil {
			return err
		}
		if last != afterID {
			return handoff.ErrConflict
		}
		return insertMessage(ctx, tx, &m)
	})
	if err != nil {
		return handoff.Message{}, fmt.Errorf("sqlite: handoff %d: add reply: %w", id, err)
	}
	return m, nil
}

// SetDelivery records the delivery state of message id.
func (d *DB) SetDelivery(ctx context.Context, id int64, dl handoff.Delivery, at time.Time) error {
	var delivered any
	if dl == handoff.DeliverySent {
		delivered = millis(at)
	}
	if _, err := d.w.ExecContext(ctx, "UPDATE handoff_message SET delivery = ?, delivered_at = ? WHERE id = ?", string(dl), delivered, id); err != nil {
		return fmt.Errorf("sqlite: delivery of message %d: %w", id, err)
	}
	return nil
}

// CloseHandoff closes open handoff id as closed or spam, notes it in the thread and
// gives the question it started from the same status.
func (d *DB) CloseHandoff(ctx context.Context, id int64, s handoff.Status, by string, at time.Time) (handoff.Handoff, error) {
	if s != handoff.StatusClosed && s != handoff.StatusSpam {
		return handoff.Handoff{}, fmt.Errorf("sqlite: close handoff %d: %w: status %q", id, handoff.ErrInvalid, s)
	}
	var h handoff.Handoff
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := openStatus(ctx, tx, id); err != nil {
			return err
		}
		now := millis(at)
		if _, err := tx.ExecContext(ctx, "UPDATE handoff SET status = ?, closed_at = ?, closed_by = ? WHERE id = ?", string(s), now, by, id); err != nil {
			return err
		}
		note := handoff.Message{HandoffID: id, At: at, Author: handoff.AuthorSystem, StaffName: by, Text: string(s)}
		if err := insertMessage(ctx, tx, &note); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE unanswered SET status = ?, handled_at = ?, handled_by = ?
			WHERE id = (SELECT question_id FROM handoff WHERE id = ?)`, string(s), now, by, id); err != nil {
			return err
		}
		var err error
		h, err = scanHandoff(tx.QueryRowContext(ctx, "SELECT "+handoffCols+" FROM handoff WHERE id = ?", id))
		return err
	})
	if err != nil {
		return handoff.Handoff{}, fmt.Errorf("sqlite: close handoff %d: %w", id, err)
	}
	return h, nil
}
