package handoff

import (
	"context"
	"fmt"
	"time"
)

// Retention says how long what is kept. Handoffs hold a chat id: they are deleted,
// with their threads, HandoffDays after they were closed; votes lose their chat id
// and chats that hold nothing else are deleted after the same time. Anonymous
// questions are deleted QuestionDays after they were asked. The daily counts of
// topics shown (no chat, no text) go with the anonymous questions, but are kept at
// least DemandDays: the staff page's review list shows that many.
type Retention struct {
	HandoffDays  int
	QuestionDays int
}

// DefaultRetention is 30 days for handoffs and chat ids, 180 for anonymous questions.
var DefaultRetention = Retention{HandoffDays: 30, QuestionDays: 180}

// Cutoffs returns the times before which handoffs (by closing time) and questions
// (by asking time) are deleted at now.
func (r Retention) Cutoffs(now time.Time) (handoffs, questions time.Time) {
	return now.AddDate(0, 0, -r.HandoffDays), now.AddDate(0, 0, -r.QuestionDays)
}

// DemandDays is how many days of topic counts the staff page's review list shows,
// and so the least the retention keeps.
const DemandDays = 90

// DemandCutoff returns the time before whose day the counts of topics shown are
// deleted at now: QuestionDays back, but at least DemandDays.
func (r Retention) DemandCutoff(now time.Time) time.Time {
	return now.AddDate(0, 0, -max(r.QuestionDays, DemandDays))
}

// Purged counts what one purge deleted.
type Purged struct {
	Handoffs  int64 // closed handoffs, with their messages
	Questions int64 // anonymous questions
	Chats     int64 // chats that held nothing else
	Votes     int64 // votes that lost their chat id
	Sessions  int64 // expired staff sessions
	Topics    int64 // daily counts of topics shown (rows, not showings)
	// Subscriptions are requests to be told of an answer (package notify) of
	// chats that blocked the bot; those of deleted questions go with them.
	Subscriptions int64
}

// Purger deletes what is kept longer than a Retention allows.
type Purger interface {
	Purge(ctx context.Context, r Retention, now time.Time) (Purged, error)
}

// RetentionJob purges what a Retention no longer allows (app runs it once a day,
// once in the cluster).
type RetentionJob struct {
	Store  Purger
	Policy Retention
	Now    func() time.Time // default time.Now
}

// Once purges now.
func (j *RetentionJob) Once(ctx context.Context) (Purged, error) {
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	p, err := j.Store.Purge(ctx, j.Policy, now())
	if err != nil {
		return p, fmt.Errorf("handoff: retention: %w", err)
	}
	return p, nil
}
