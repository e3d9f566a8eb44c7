package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// CountAnswer adds one answer of kind in lang to the day of at (in handoff.Zone).
func (d *DB) CountAnswer(ctx context.Context, at time.Time, lang string, kind assistant.Kind) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO answer_count (day, lang, kind, n) VALUES ($1, $2, $3, 1)
		ON CONFLICT (day, lang, kind) DO UPDATE SET n = answer_count.n + 1`, handoff.Day(at), lang, string(kind))
	if err != nil {
		return fmt.Errorf("postgres: count an answer: %w", err)
	}
	return nil
}

// CountTopic adds one showing of the topic id in lang to the day of at (in
// handoff.Zone).
func (d *DB) CountTopic(ctx context.Context, at time.Time, lang, topicID string) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO topic_count (day, topic_id, lang, n) VALUES ($1, $2, $3, 1)
		ON CONFLICT (day, topic_id, lang) DO UPDATE SET n = topic_count.n + 1`, handoff.Day(at), topicID, lang)
	if err != nil {
		return fmt.Errorf("postgres: count topic %s: %w", topicID, err)
	}
	return nil
}

// TopicDemand returns how often each topic was shown per language from the day of
// since (in handoff.Zone) on, by topic id and language (bytewise, as in SQLite).
func (d *DB) TopicDemand(ctx context.Context, since time.Time) ([]handoff.TopicCount, error) {
	rows, err := d.pool.Query(ctx, `SELECT topic_id, lang, sum(n) FROM topic_count WHERE day >= $1
		GROUP BY topic_id, lang ORDER BY topic_id COLLATE "C", lang COLLATE "C"`, handoff.Day(since))
	if err != nil {
		return nil, fmt.Errorf("postgres: topic demand: %w", err)
	}
	defer rows.Close()
	var out []handoff.TopicCount
	for rows.Next() {
		var c handoff.TopicCount
		if err := rows.Scan(&c.TopicID, &c.Lang, &c.N); err != nil {
			return nil, fmt.Errorf("postgres: topic demand: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: topic demand: %w", err)
	}
	return out, nil
}

// Stats returns the statistics of the days from from to to (exclusive).
func (d *DB) Stats(ctx context.Context, from, to time.Time, top int) (handoff.Stats, error) {
	s := handoff.Stats{From: from, To: to}
	fail := func(what string, err error) (handoff.Stats, error) {
		return handoff.Stats{}, fmt.Errorf("postgres: statistics: %s: %w", what, err)
	}
	first, end := handoff.Day(from), handoff.Day(to)
	days := map[string]*handoff.DayCount{}
	for t := from.In(handoff.Zone); handoff.Day(t) < end; t = t.AddDate(0, 0, 1) {
		s.Days = append(s.Days, handoff.DayCount{Day: handoff.Day(t)})
	}
	for i := range s.Days {
		days[s.Days[i].Day] = &s.Days[i]
	}
	langs := map[string]*handoff.LangCount{}
	rows, err := d.pool.Query(ctx, "SELECT day, lang, kind, n FROM answer_count WHERE day >= $1 AND day < $2", first, end)
	if err != nil {
		return fail("answers", err)
	}
	for rows.Next() {
		var day, lang, kind string
		var n int
		if err := rows.Scan(&day, &lang, &kind, &n); err != nil {
			rows.Close()
			return fail("answers", err)
		}
		lc := langs[lang]
		if lc == nil {
			lc = &handoff.LangCount{Lang: lang}
			langs[lang] = lc
		}
		dc := days[day]
		if dc == nil {
			dc = &handoff.DayCount{} // outside the days listed (cannot happen): counted by language only
		}
		switch assistant.Kind(kind) {
		case assistant.KindAnswer:
			dc.Answered += n
			lc.Answered += n
		case assistant.KindNotSure, assistant.KindAskBack: // asking back is not answering
			dc.NotSure += n
			lc.NotSure += n
		default:
			dc.Other += n
			lc.Other += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail("answers", err)
	}
	for _, l := range content.Languages {
		if lc := langs[l]; lc != nil {
			s.Langs = append(s.Langs, *lc)
			delete(langs, l)
		}
	}
	var rest []string
	for l := range langs {
		rest = append(rest, l)
	}
	slices.Sort(rest)
	for _, l := range rest {
		s.Langs = append(s.Langs, *langs[l])
	}

	vrows, err := d.pool.Query(ctx, `SELECT topic_id, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
		FROM vote WHERE at >= $1 AND at < $2
		GROUP BY topic_id ORDER BY count(*) FILTER (WHERE NOT helpful) DESC, topic_id COLLATE "C"`, millis(from), millis(to))
	if err != nil {
		return fail("votes", err)
	}
	for vrows.Next() {
		var v handoff.TopicVotes
		if err := vrows.Scan(&v.TopicID, &v.Helpful, &v.Useless); err != nil {
			vrows.Close()
			return fail("votes", err)
		}
		s.Votes = append(s.Votes, v)
	}
	vrows.Close()
	if err := vrows.Err(); err != nil {
		return fail("votes", err)
	}

	// min(text) bytewise, as SQLite picks it among the spellings of a question.
	frows, err := d.pool.Query(ctx, `SELECT min(text COLLATE "C"), lang, count(*), max(at) FROM unanswered WHERE at >= $1 AND at < $2
		GROUP BY lower(text), lang ORDER BY count(*) DESC, max(at) DESC LIMIT $3`, millis(from), millis(to), top)
	if err != nil {
		return fail("frequent questions", err)
	}
	for frows.Next() {
		var f handoff.Frequent
		var last int64
		if err := frows.Scan(&f.Text, &f.Lang, &f.Count, &last); err != nil {
			frows.Close()
			return fail("frequent questions", err)
		}
		f.Last = fromMillis(last)
		s.Frequent = append(s.Frequent, f)
	}
	frows.Close()
	if err := frows.Err(); err != nil {
		return fail("frequent questions", err)
	}
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM handoff WHERE opened_at >= $1 AND opened_at < $2", millis(from), millis(to)).Scan(&s.Handoffs); err != nil {
		return fail("handoffs", err)
	}
	return s, nil
}

// VotesByTopic returns the vote counts of every topic that has votes, by topic id.
func (d *DB) VotesByTopic(ctx context.Context) ([]handoff.TopicVotes, error) {
	rows, err := d.pool.Query(ctx, `SELECT topic_id, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful)
		FROM vote GROUP BY topic_id ORDER BY topic_id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: votes by topic: %w", err)
	}
	defer rows.Close()
	var out []handoff.TopicVotes
	for rows.Next() {
		var t handoff.TopicVotes
		if err := rows.Scan(&t.TopicID, &t.Helpful, &t.Useless); err != nil {
			return nil, fmt.Errorf("postgres: votes by topic: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: votes by topic: %w", err)
	}
	return out, nil
}
