package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// reviewItems is the staff inbox as one relation: anonymous questions (those handed
// over show as their handoff instead) and handoffs, a handoff dated by its last
// activity.
const reviewItems = `SELECT 'question' AS kind, id, at, lang, text, status, 0 AS messages, 0 AS waiting
	FROM unanswered WHERE status != 'handoff'
UNION ALL
SELECT 'handoff', h.id, h.updated_at, h.lang, h.text, h.status,
	(SELECT count(*) FROM handoff_message m WHERE m.handoff_id = h.id),
	coalesce((SELECT m.author != 'staff' FROM handoff_message m WHERE m.handoff_id = h.id AND m.author != 'system' ORDER BY m.id DESC LIMIT 1), 1)
	FROM handoff h`

// likeEscaper escapes the wildcards of LIKE, with \ as the escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ReviewItems returns the inbox page f selects, newest first, and the number of
// matching items. Every value of f goes into the query as a parameter.
func (d *DB) ReviewItems(ctx context.Context, f handoff.Filter) ([]handoff.Item, int, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Lang != "" {
		where, args = append(where, "lang = ?"), append(args, f.Lang)
	}
	status := f.Status
	if status == "" {
		status = handoff.StatusOpen
	}
	where, args = append(where, "status = ?"), append(args, string(status))
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, millis(f.To))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where, args = append(where, `text LIKE ? ESCAPE '\'`), append(args, "%"+likeEscaper.Replace(q)+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM ("+reviewItems+")"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: inbox: %w", err)
	}
	per := f.Per
	if per <= 0 {
		per = 25
	}
	page := max(f.Page, 1)
	rows, err := d.r.QueryContext(ctx, "SELECT kind, id, at, lang, text, status, messages, waiting FROM ("+reviewItems+")"+cond+
		" ORDER BY at DESC, kind, id DESC LIMIT ? OFFSET ?", append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: inbox: %w", err)
	}
	defer rows.Close()
	var out []handoff.Item
	for rows.Next() {
		var it handoff.Item
		var kind, st string
		var at int64
		if err := rows.Scan(&kind, &it.ID, &at, &it.Lang, &it.Text, &st, &it.Messages, &it.Waiting); err != nil {
			return nil, 0, fmt.Errorf("sqlite: inbox: %w", err)
		}
		it.Kind, it.Status, it.At = handoff.Kind(kind), handoff.Status(st), fromMillis(at)
		if it.Kind == handoff.KindQuestion {
			it.Waiting = false
		} else if it.Status != handoff.StatusOpen {
			it.Waiting = false
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: inbox: %w", err)
	}
	return out, total, nil
}
