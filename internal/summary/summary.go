// Package summary is the weekly summary for staff: how many questions came, the
// share answered per language, the largest groups of unanswered questions,
// emergencies (counted, never their text), handoffs and how long the first staff
// reply took. The staff page shows it for any week; when a staff chat is configured
// a Job sends it there once a week, and the store remembers the last week sent, so
// that a restart neither skips nor repeats one. It imports no adapter.
package summary

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// Week is a calendar week, Monday 00:00 to the next Monday, in handoff.Zone.
type Week struct {
	From, To time.Time
}

// WeekOf returns the week t falls in.
func WeekOf(t time.Time) Week {
	t = t.In(handoff.Zone)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, handoff.Zone)
	d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // back to Monday
	return Week{From: d, To: d.AddDate(0, 0, 7)}
}

// ParseWeek reads the week of a day written YYYY-MM-DD (any day of it).
func ParseWeek(s string) (Week, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, handoff.Zone)
	if err != nil {
		return Week{}, fmt.Errorf("summary: %q is no date (YYYY-MM-DD)", s)
	}
	return WeekOf(d), nil
}

// Prev and Next are the weeks before and after w.
func (w Week) Prev() Week { return WeekOf(w.From.AddDate(0, 0, -3)) }
func (w Week) Next() Week { return WeekOf(w.To.AddDate(0, 0, 3)) }

// Key numbers the week by its Monday, YYYYMMDD: later weeks have larger keys. The
// store records the last week sent by it.
func (w Week) Key() int64 {
	y, m, d := w.From.Date()
	return int64(y*10000 + int(m)*100 + d)
}

// Monday is the week's first day, YYYY-MM-DD.
func (w Week) Monday() string { return w.From.Format(time.DateOnly) }

// Number is the ISO week number and its year.
func (w Week) Number() (year, week int) { return w.From.ISOWeek() }

// GroupLine is one group of unanswered questions about the same thing, whatever
// their language: the grouping of the backlog (wired in by the caller), or one
// text asked several times when there is no grouping.
type GroupLine struct {
	Label string         // a question of the group, masked
	Count int            // questions in the group
	Langs map[string]int // questions per language
}

// TopGroups returns the n largest groups of the questions not answered from from to
// to (exclusive), largest first.
type TopGroups func(ctx context.Context, from, to time.Time, n int) ([]GroupLine, error)

// LangLine is one language of a summary.
type LangLine struct {
	Lang     string
	Answered int // answered confidently
	NotSure  int // not confident, or asked back
	Share    float64
}

// Summary is the summary of one week.
type Summary struct {
	Week      Week
	Questions int // every reply of the bot to a message, all kinds
	Answered  int
	NotSure   int
	Share     float64 // answered among answered and not sure
	Langs     []LangLine
	Groups    []GroupLine
	// Grouped is true when Groups come from the grouping across languages, false
	// when they are the most frequent texts.
	Grouped     bool
	Emergencies int
	Handoffs    int // opened in the week
	Replied     int // of those, with a staff reply
	// MedianReply is the median time from opening a handoff to the first staff
	// reply, over those with one; 0 when none.
	MedianReply time.Duration
}

// Store is what a summary is computed from.
type Store interface {
	handoff.Statistics
	// Emergencies counts the emergency replies of the days from from to to
	// (exclusive).
	Emergencies(ctx context.Context, from, to time.Time) (int, error)
	// FirstReplyDelays returns, for each handoff opened from from to to
	// (exclusive) that has a staff reply, the time from opening to the first one.
	FirstReplyDelays(ctx context.Context, from, to time.Time) ([]time.Duration, error)
	// SummaryWeek returns the key (Week.Key) of the last week sent; 0 when none.
	SummaryWeek(ctx context.Context) (int64, error)
	// SetSummaryWeek records that the week with key was sent.
	SetSummaryWeek(ctx context.Context, key int64) error
}

// TopN is how many groups a summary lists.
const TopN = 5

// Builder computes summaries.
type Builder struct {
	Store Store
	// Groups is the grouping of unanswered questions across languages; nil: the
	// most frequent texts (handoff.Stats.Frequent) stand in for groups.
	Groups TopGroups
}

// Build computes the summary of w.
func (b Builder) Build(ctx context.Context, w Week) (Summary, error) {
	st, err := b.Store.Stats(ctx, w.From, w.To, TopN)
	if err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	s := Summary{Week: w, Handoffs: st.Handoffs}
	for _, l := range st.Langs {
		s.Questions += l.Answered + l.NotSure + l.Other
		s.Answered += l.Answered
		s.NotSure += l.NotSure
		s.Langs = append(s.Langs, LangLine{Lang: l.Lang, Answered: l.Answered, NotSure: l.NotSure, Share: handoff.Share(l.Answered, l.NotSure)})
	}
	s.Share = handoff.Share(s.Answered, s.NotSure)
	if b.Groups != nil {
		if s.Groups, err = b.Groups(ctx, w.From, w.To, TopN); err != nil {
			return Summary{}, fmt.Errorf("summary: groups: %w", err)
		}
		s.Grouped = true
	} else {
		for _, f := range st.Frequent {
			s.Groups = append(s.Groups, GroupLine{Label: f.Text, Count: f.Count, Langs: map[string]int{f.Lang: f.Count}})
		}
	}
	if s.Emergencies, err = b.Store.Emergencies(ctx, w.From, w.To); err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	delays, err := b.Store.FirstReplyDelays(ctx, w.From, w.To)
	if err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	s.Replied, s.MedianReply = len(delays), Median(delays)
	return s, nil
}

// Median returns the median of ds (the mean of the middle two for an even count);
// 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
