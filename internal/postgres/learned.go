package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// Learn stores a learned phrasing; one already stored in the language (in any
// case) stays as it is.
func (d *DB) Learn(ctx context.Context, l handoff.Learned) error {
	at := l.At
	if at.IsZero() {
		at = d.now()
	}
	_, err := d.pool.Exec(ctx, `INSERT INTO learned (topic_id, lang, text, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (lang, lower(text)) DO NOTHING`, l.TopicID, l.Lang, l.Text, millis(at), l.By)
	if err != nil {
		return fmt.Errorf("postgres: learn a phrasing of %s: %w", l.TopicID, err)
	}
	return nil
}

// LearnedPhrasings returns every learned phrasing, oldest first.
func (d *DB) LearnedPhrasings(ctx context.Context) ([]handoff.Learned, error) {
	rows, err := d.pool.Query(ctx, "SELECT id, topic_id, lang, text, created_at, created_by, exported_at FROM learned ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("postgres: learned phrasings: %w", err)
	}
	defer rows.Close()
	var out []handoff.Learned
	for rows.Next() {
		var l handoff.Learned
		var at int64
		var exported *int64
		if err := rows.Scan(&l.ID, &l.TopicID, &l.Lang, &l.Text, &at, &l.By, &exported); err != nil {
			return nil, fmt.Errorf("postgres: learned phrasings: %w", err)
		}
		l.At, l.ExportedAt = fromMillis(at), fromNullMillis(exported)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: learned phrasings: %w", err)
	}
	return out, nil
}

// MarkExported records that phrasings ids were written into the content files.
func (d *DB) MarkExported(ctx context.Context, ids []int64, at time.Time) error {
	if _, err := d.pool.Exec(ctx, "UPDATE learned SET exported_at = $1 WHERE id = ANY($2)", millis(at), ids); err != nil {
		return fmt.Errorf("postgres: mark learned phrasings exported: %w", err)
	}
	return nil
}
