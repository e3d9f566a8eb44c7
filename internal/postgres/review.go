package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// reviewItems is the staff inbox as one relation: anonymous questions (those handed
// over show as their handoff instead) and handoffs, a handoff dated by its last
// activity.
const reviewItems = `SELECT 'question'::text AS kind, id, at, lang, text, status, 0::bigint AS messages, false AS waiting
	FROM unanswered WHERE status != 'handoff'
UNION ALL
SELECT 'handoff', h.id, h.updated_at, h.lang, h.text, h.status,
	(SELECT count(*) FROM handoff_message m WHERE m.handoff_id = h.id),
	coalesce((SELECT m.author != 'staff' FROM handoff_message m WHERE m.handoff_id = h.id AND m.author != 'system' ORDER BY m.id DESC LIMIT 1), true)
	FROM handoff h`

// likeEscaper escapes the wildcards of LIKE, with \ as the escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ReviewItems returns the inbox page f selects, newest first, and the number of
// matching items. Every value of f goes into the query as a parameter. The search
// ignores case (ILIKE), as SQLite's LIKE does.
func (d *DB) ReviewItems(ctx context.Context, f handoff.Filter) ([]handoff.Item, int, error) {
	var where []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.Kind != "" {
		arg("kind = ?", string(f.Kind))
	}
	if f.Lang != "" {
		arg("lang = ?", f.Lang)
	}
	status := f.Status
	if status == "" {
		status = handoff.StatusOpen
	}
	arg("status = ?", string(status))
	if !f.From.IsZero() {
		arg("at >= ?", millis(f.From))
	}
	if !f.To.IsZero() {
		arg("at < ?", millis(f.To))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		arg(`text ILIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(q)+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM ("+reviewItems+") AS items"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
	}
	per := f.Per
	if per <= 0 {
		per = 25
	}
	page := max(f.Page, 1)
	n := len(args)
	rows, err := d.pool.Query(ctx, "SELECT kind, id, at, lang, text, status, messages, waiting FROM ("+reviewItems+") AS items"+cond+
		fmt.Sprintf(" ORDER BY at DESC, kind, id DESC LIMIT $%d OFFSET $%d", n+1, n+2), append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
	}
	defer rows.Close()
	var out []handoff.Item
	for rows.Next() {
		var it handoff.Item
		var kind, st string
		var at int64
		if err := rows.Scan(&kind, &it.ID, &at, &it.Lang, &it.Text, &st, &it.Messages, &it.Waiting); err != nil {
			return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
		}
		it.Kind, it.Status, it.At = handoff.Kind(kind), handoff.Status(st), fromMillis(at)
		if it.Kind == handoff.KindQuestion || it.Status != handoff.StatusOpen {
			it.Waiting = false
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("postgres: inbox: %w", err)
	}
	return out, total, nil
}
