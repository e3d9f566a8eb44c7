package sqlite

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
	_, err := d.w.ExecContext(ctx, `INSERT INTO answer_count (day, lang, kind, n) VALUES (?, ?, ?, 1)
		ON CONFLICT (day, lang, kind) DO UPDATE SET n = n + 1`, handoff.Day(at), lang, string(kind))
	if err != nil {
		return fmt.Errorf("sqlite: count an answer: %w", err)
	}
	return nil
}

// CountTopic adds one showing of the topic id in lang to the day of at (in
// handoff.Zone).
func (d *DB) CountTopic(ctx context.Context, at time.Time, lang, topicID string) error {
	_, err := d.w.ExecContext(ctx, `INSERT INTO topic_count (day, topic_id, lang, n) VALUES (?, ?, ?, 1)
		ON CONFLICT (day, topic_id, lang) DO UPDATE SET n = n + 1`, handoff.Day(at), topicID, lang)
	if err != nil {
		return fmt.Errorf("sqlite: count topic %s: %w", topicID, err)
	}
	return nil
}

// TopicDemand returns how often each topic was shown per language from the day of
// since (in handoff.Zone) on, by topic id and language.
func (d *DB) TopicDemand(ctx context.Context, since time.Time) ([]handoff.TopicCount, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT topic_id, lang, sum(n) FROM topic_count WHERE day >= ?
		GROUP BY topic_id, lang ORDER BY topic_id, lang`, handoff.Day(since))
	if err != nil {
		return nil, fmt.Errorf("sqlite: topic demand: %w", err)
	}
	defer rows.Close()
	var out []handoff.TopicCount
	for rows.Next() {
		var c handoff.TopicCount
		if err := rows.Scan(&c.TopicID, &c.Lang, &c.N); err != nil {
			return nil, fmt.Errorf("sqlite: topic demand: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: topic demand: %w", err)
	}
	return out, nil
}

// Stats returns the statistics of the days from from to to (exclusive).
func (d *DB) Stats(ctx context.Context, from, to time.Time, top int) (handoff.Stats, error) {
	s := handoff.Stats{From: from, To: to}
	fail := func(what string, err error) (handoff.Stats, error) {
		return handoff.Stats{}, fmt.Errorf("sqlite: statistics: %s: %w", what, err)
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
	rows, err := d.r.QueryContext(ctx, "SELECT day, lang, kind, n FROM answer_count WHERE day >= ? AND day < ?", first, end)
	if err != nil {
		return fail("answers", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, lang, kind string
		var n int
		if err := rows.Scan(&day, &lang, &kind, &n); err != nil {
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

	vrows, err := d.r.QueryContext(ctx, `SELECT topic_id, sum(helpful), sum(1 - helpful) FROM vote WHERE at >= ? AND at < ?
		GROUP BY topic_id ORDER BY sum(1 - helpful) DESC, topic_id`, millis(from), millis(to))
	if err != nil {
		return fail("votes", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var v handoff.TopicVotes
		if err := vrows.Scan(&v.TopicID, &v.Helpful, &v.Useless); err != nil {
			return fail("votes", err)
		}
		s.Votes = append(s.Votes, v)
	}
	if err := vrows.Err(); err != nil {
		return fail("votes", err)
	}

	frows, err := d.r.QueryContext(ctx, `SELECT min(text), lang, count(*), max(at) FROM unanswered WHERE at >= ? AND at < ?
		GROUP BY lower(text), lang ORDER BY count(*) DESC, max(at) DESC LIMIT ?`, millis(from), millis(to), top)
	if err != nil {
		return fail("frequent questions", err)
	}
	defer frows.Close()
	for frows.Next() {
		var f handoff.Frequent
		var last int64
		if err := frows.Scan(&f.Text, &f.Lang, &f.Count, &last); err != nil {
			return fail("frequent questions", err)
		}
		f.Last = fromMillis(last)
		s.Frequent = append(s.Frequent, f)
	}
	if err := frows.Err(); err != nil {
		return fail("frequent questions", err)
	}
	if err := d.r.QueryRowContext(ctx, "SELECT count(*) FROM handoff WHERE opened_at >= ? AND opened_at < ?", millis(from), millis(to)).Scan(&s.Handoffs); err != nil {
		return fail("handoffs", err)
	}
	return s, nil
}
