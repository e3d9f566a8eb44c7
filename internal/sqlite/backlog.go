package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/store"
)

var _ backlog.Store = (*DB)(nil)

// OpenItems returns the open anonymous questions and the open handoffs with a
// question text, for grouping.
func (d *DB) OpenItems(ctx context.Context) ([]backlog.Item, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT 'question', id, at, lang, text, candidates FROM unanswered WHERE status = 'open'
		UNION ALL
		SELECT 'handoff', id, opened_at, lang, text, candidates FROM handoff WHERE status = 'open' AND text != '' AND need_id IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open items: %w", err)
	}
	defer rows.Close()
	var out []backlog.Item
	for rows.Next() {
		var it backlog.Item
		var kind, cands string
		var at int64
		if err := rows.Scan(&kind, &it.ID, &at, &it.Lang, &it.Text, &cands); err != nil {
			return nil, fmt.Errorf("sqlite: open items: %w", err)
		}
		it.Kind, it.At, it.Candidates = handoff.Kind(kind), fromMillis(at), handoff.ParseCandidates(cands)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: open items: %w", err)
	}
	return out, nil
}

// AddNeed stores n, closes the open questions of questionIDs as put to it and links
// the open handoffs of handoffIDs to it with a note in their thread, in one
// transaction.
func (d *DB) AddNeed(ctx context.Context, n backlog.Need, questionIDs, handoffIDs []int64) (backlog.Need, error) {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		now := millis(n.CreatedAt)
		res, err := tx.ExecContext(ctx, "INSERT INTO need (title, asked, langs, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
			n.Title, n.Asked, backlog.FormatLangs(n.Langs), now, n.CreatedBy)
		if err != nil {
			return err
		}
		n.ID, _ = res.LastInsertId()
		for _, id := range questionIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE unanswered SET status = 'closed', need_id = ?, handled_at = ?, handled_by = ?
				WHERE id = ? AND status = 'open'`, n.ID, now, n.CreatedBy, id); err != nil {
				return err
			}
		}
		for _, id := range handoffIDs {
			res, err := tx.ExecContext(ctx, "UPDATE handoff SET need_id = ? WHERE id = ? AND status = 'open' AND need_id IS NULL", n.ID, id)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			note := handoff.Message{HandoffID: id, At: n.CreatedAt, Author: handoff.AuthorSystem, StaffName: n.CreatedBy, Text: backlog.NoteNeed}
			if err := insertMessage(ctx, tx, &note); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return backlog.Need{}, fmt.Errorf("sqlite: add need: %w", err)
	}
	return n, nil
}

// Needs returns the needs not done yet, most asked first.
func (d *DB) Needs(ctx context.Context) ([]backlog.Need, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+store.NeedColumns+` FROM need
		WHERE done_at IS NULL ORDER BY asked DESC, created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: needs: %w", err)
	}
	defer rows.Close()
	out, err := store.Collect(rows, store.ScanNeed)
	if err != nil {
		return nil, fmt.Errorf("sqlite: needs: %w", err)
	}
	return out, nil
}

// SetNeedDone records that a topic now answers need id.
func (d *DB) SetNeedDone(ctx context.Context, id int64, by string, at time.Time) error {
	res, err := d.w.ExecContext(ctx, "UPDATE need SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL", millis(at), by, id)
	if err != nil {
		return fmt.Errorf("sqlite: need %d done: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: need %d: %w", id, handoff.ErrNotFound)
	}
	return nil
}
