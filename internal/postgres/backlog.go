package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/store"
)

// OpenItems returns the open anonymous questions and the open handoffs with a
// question text, for grouping (backlog.Store).
func (d *DB) OpenItems(ctx context.Context) ([]backlog.Item, error) {
	rows, err := d.pool.Query(ctx, `SELECT 'question', id, at, lang, text, candidates FROM unanswered WHERE status = 'open'
		UNION ALL
		SELECT 'handoff', id, opened_at, lang, text, candidates FROM handoff WHERE status = 'open' AND text != '' AND need_id IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("postgres: open items: %w", err)
	}
	defer rows.Close()
	var out []backlog.Item
	for rows.Next() {
		var it backlog.Item
		var kind, cands string
		var at int64
		if err := rows.Scan(&kind, &it.ID, &at, &it.Lang, &it.Text, &cands); err != nil {
			return nil, fmt.Errorf("postgres: open items: %w", err)
		}
		it.Kind, it.At, it.Candidates = handoff.Kind(kind), fromMillis(at), handoff.ParseCandidates(cands)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: open items: %w", err)
	}
	return out, nil
}

// AddNeed stores n, closes the open questions of questionIDs as put to it and links
// the open handoffs of handoffIDs to it with a note in their thread, in one
// transaction (backlog.Store).
func (d *DB) AddNeed(ctx context.Context, n backlog.Need, questionIDs, handoffIDs []int64) (backlog.Need, error) {
	err := d.tx(ctx, func(tx pgx.Tx) error {
		now := millis(n.CreatedAt)
		if err := tx.QueryRow(ctx, "INSERT INTO need (title, asked, langs, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			n.Title, n.Asked, backlog.FormatLangs(n.Langs), now, n.CreatedBy).Scan(&n.ID); err != nil {
			return err
		}
		if len(questionIDs) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE unanswered SET status = 'closed', need_id = $1, handled_at = $2, handled_by = $3
				WHERE id = ANY($4) AND status = 'open'`, n.ID, now, n.CreatedBy, questionIDs); err != nil {
				return err
			}
		}
		for _, id := range handoffIDs {
			tag, err := tx.Exec(ctx, "UPDATE handoff SET need_id = $1 WHERE id = $2 AND status = 'open' AND need_id IS NULL", n.ID, id)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				continue
			}
			note := handoff.Message{HandoffID: id, At: n.CreatedAt, Author: handoff.AuthorSystem, StaffName: n.CreatedBy, Text: backlog.NoteNeed}
			if err := insertMessage(ctx, tx, &note, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return backlog.Need{}, fmt.Errorf("postgres: add need: %w", err)
	}
	return n, nil
}

// Needs returns the needs not done yet, most asked first (backlog.Store).
func (d *DB) Needs(ctx context.Context) ([]backlog.Need, error) {
	rows, err := d.pool.Query(ctx, `SELECT `+store.NeedColumns+` FROM need
		WHERE done_at IS NULL ORDER BY asked DESC, created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: needs: %w", err)
	}
	defer rows.Close()
	out, err := store.Collect(rows, store.ScanNeed)
	if err != nil {
		return nil, fmt.Errorf("postgres: needs: %w", err)
	}
	return out, nil
}

// SetNeedDone records that a topic now answers need id (backlog.Store).
func (d *DB) SetNeedDone(ctx context.Context, id int64, by string, at time.Time) error {
	tag, err := d.pool.Exec(ctx, "UPDATE need SET done_at = $1, done_by = $2 WHERE id = $3 AND done_at IS NULL", millis(at), by, id)
	if err != nil {
		return fmt.Errorf("postgres: need %d done: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: need %d: %w", id, handoff.ErrNotFound)
	}
	return nil
}
