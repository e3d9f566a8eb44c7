package summary

import (
	"context"
	"fmt"
	"time"
)

// SendAfter is how long after a week ends its summary is sent: Monday 08:00, when
// the team starts, not at midnight.
const SendAfter = 8 * time.Hour

// Job sends the summary of the last complete week once, SendAfter after that week
// is over, and records the week in the store: across restarts each week is sent
// once. A week whose sending failed is tried again at the next turn.
type Job struct {
	Builder Builder
	// Send delivers the text to the staff chat and returns once Telegram accepted
	// it (or failed).
	Send     func(ctx context.Context, text string) error
	Localize Localize
	LangName func(string) string
	Now      func() time.Time // default time.Now
}

// Once sends the summary of the last week whose sending time has passed, unless it
// was sent already; it reports whether it sent one.
func (j *Job) Once(ctx context.Context) (bool, error) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	w := WeekOf(now().Add(-SendAfter)).Prev()
	last, err := j.Builder.Store.SummaryWeek(ctx)
	if err != nil {
		return false, fmt.Errorf("summary: last week sent: %w", err)
	}
	if last >= w.Key() {
		return false, nil
	}
	s, err := j.Builder.Build(ctx, w)
	if err != nil {
		return false, err
	}
	if err := j.Send(ctx, Text(s, j.Localize, j.LangName)); err != nil {
		return false, fmt.Errorf("summary: send the week of %s: %w", w.Monday(), err)
	}
	// Recorded after Telegram took it: a crash in between repeats the week once,
	// a failed send does not lose it.
	if err := j.Builder.Store.SetSummaryWeek(ctx, w.Key()); err != nil {
		return true, fmt.Errorf("summary: record the week of %s: %w", w.Monday(), err)
	}
	return true, nil
}
