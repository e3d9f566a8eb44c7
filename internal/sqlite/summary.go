package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/summary"
)

var _ summary.Store = (*DB)(nil)

// summaryWeekKey is the setting that holds the last week the summary was sent for.
const summaryWeekKey = "summary_week"

// Emergencies counts the emergency replies of the days from from to to (exclusive)
// in handoff.Zone (summary.Store): the counts hold no text.
func (d *DB) Emergencies(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	err := d.r.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM answer_count WHERE kind = ? AND day >= ? AND day < ?",
		string(assistant.KindEmergency), handoff.Day(from), handoff.Day(to)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count emergencies: %w", err)
	}
	return n, nil
}

// FirstReplyDelays returns, per handoff opened from from to to (exclusive) with a
// staff reply, the time from opening to its first staff reply (summary.Store).
func (d *DB) FirstReplyDelays(ctx context.Context, from, to time.Time) ([]time.Duration, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT min(m.at) - h.opened_at FROM handoff h JOIN handoff_message m ON m.handoff_id = h.id
		WHERE m.author = 'staff' AND h.opened_at >= ? AND h.opened_at < ? GROUP BY h.id ORDER BY h.id`, millis(from), millis(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: first reply delays: %w", err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, fmt.Errorf("sqlite: first reply delays: %w", err)
		}
		out = append(out, time.Duration(ms)*time.Millisecond)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: first reply delays: %w", err)
	}
	return out, nil
}

// SummaryWeek returns the key of the last week the summary was sent for; 0 when
// none (summary.Store).
func (d *DB) SummaryWeek(ctx context.Context) (int64, error) {
	var v int64
	err := d.w.QueryRowContext(ctx, "SELECT value FROM setting WHERE key = ?", summaryWeekKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: last summary week: %w", err)
	}
	return v, nil
}

// SetSummaryWeek records the week with key as sent; an earlier key never replaces
// a later one (summary.Store).
func (d *DB) SetSummaryWeek(ctx context.Context, key int64) error {
	_, err := d.w.ExecContext(ctx, `INSERT INTO setting (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`, summaryWeekKey, key)
	if err != nil {
		return fmt.Errorf("sqlite: record summary week: %w", err)
	}
	return nil
}
