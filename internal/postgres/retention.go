package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// Purge deletes what r no longer allows at now, in one transaction:
//   - handoffs closed before the handoff cutoff, with their messages;
//   - the consent mark of chats without handoffs;
//   - the chat id of votes older than the handoff cutoff;
//   - chats that hold nothing but their id (no language choice, no handoff, no
//     linked vote, no request to be told of an answer) and have not changed since
//     the handoff cutoff;
//   - anonymous questions asked before the question cutoff, with the askers'
//     requests to be told of an answer (package notify);
//   - requests to be told of an answer of chats that blocked the bot;
//   - expired staff sessions;
//   - daily topic counts of days before the demand cutoff;
//   - login attempts older than a day (the login window is minutes).
func (d *DB) Purge(ctx context.Context, r handoff.Retention, now time.Time) (handoff.Purged, error) {
	hCut, qCut := r.Cutoffs(now)
	dCut := handoff.Day(r.DemandCutoff(now))
	var p handoff.Purged
	err := d.tx(ctx, func(tx pgx.Tx) error {
		steps := []struct {
			n    *int64
			sql  string
			args []any
		}{
			{&p.Handoffs, "DELETE FROM handoff WHERE status != 'open' AND closed_at < $1", []any{millis(hCut)}},
			{nil, "UPDATE chat SET consent_at = NULL WHERE consent_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM handoff h WHERE h.chat_id = chat.id)", nil},
			{&p.Votes, "UPDATE vote SET chat_id = NULL WHERE chat_id IS NOT NULL AND at < $1", []any{millis(hCut)}},
			{&p.Chats, `DELETE FROM chat WHERE lang = '' AND updated_at < $1
				AND NOT EXISTS (SELECT 1 FROM handoff h WHERE h.chat_id = chat.id)
				AND NOT EXISTS (SELECT 1 FROM vote v WHERE v.chat_id = chat.id)
				AND NOT EXISTS (SELECT 1 FROM notify n WHERE n.chat_id = chat.id)`, []any{millis(hCut)}},
			// (P3's stand-in for main's notify, as SQLite's retention does it.)
			{&p.Subscriptions, "DELETE FROM notify WHERE chat_id IN (SELECT id FROM chat WHERE NOT active)", nil},
			{&p.Questions, "DELETE FROM unanswered WHERE at < $1", []any{millis(qCut)}},
			{&p.Sessions, "DELETE FROM staff_session WHERE expires_at <= $1", []any{millis(now)}},
			{&p.Topics, "DELETE FROM topic_count WHERE day < $1", []any{dCut}},
			{nil, "DELETE FROM login_attempt WHERE at < $1", []any{millis(now.Add(-24 * time.Hour))}},
		}
		for _, s := range steps {
			tag, err := tx.Exec(ctx, s.sql, s.args...)
			if err != nil {
				return err
			}
			if s.n != nil {
				*s.n = tag.RowsAffected()
			}
		}
		return nil
	})
	if err != nil {
		return handoff.Purged{}, fmt.Errorf("postgres: purge: %w", err)
	}
	return p, nil
}
