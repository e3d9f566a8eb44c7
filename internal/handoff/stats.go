package handoff

import (
	"context"
	"time"
	_ "time/tzdata" // days are counted in Oldenburg's time zone on any machine
)

// Zone is the time zone days are counted in: the city's.
var Zone = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return z
}

// Day returns the calendar day of t in Zone as YYYY-MM-DD.
func Day(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// DayCount is one day of the statistics.
type DayCount struct {
	Day      string // YYYY-MM-DD
	Answered int    // answered confidently
	NotSure  int    // not confident: escalated
	Other    int    // greetings, emergencies, requests for a person, …
}

// Total is every question of the day.
func (d DayCount) Total() int { return d.Answered + d.NotSure + d.Other }

// LangCount is one language of the statistics.
type LangCount struct {
	Lang     string
	Answered int
	NotSure  int
	Other    int
}

// Share returns the share answered among the questions the search had to decide on
// (answered and not sure), between 0 and 1; 0 when none.
func Share(answered, notSure int) float64 {
	if answered+notSure == 0 {
		return 0
	}
	return float64(answered) / float64(answered+notSure)
}

// TopicVotes counts the 👍 and 👎 on one topic.
type TopicVotes struct {
	TopicID string
	Helpful int
	Useless int
}

// TopicCount is how often a topic was shown in one language: an aggregate, with no
// chat and no text.
type TopicCount struct {
	TopicID string
	Lang    string
	N       int
}

// Frequent is an unanswered question asked more than once, by its text.
type Frequent struct {
	Text  string
	Lang  string
	Count int
	Last  time.Time
}

// Stats are the statistics of a period.
type Stats struct {
	From, To time.Time
	Days     []DayCount  // every day of the period, oldest first
	Langs    []LangCount // by language, in content order
	Votes    []TopicVotes
	Frequent []Frequent // most frequent unanswered questions, most first
	Handoffs int        // handoffs opened in the period
}

// Statistics computes statistics. Answers are counted by the assistant (see
// assistant.Tally).
type Statistics interface {
	// Stats returns the statistics of the days from from to to (exclusive), with at
	// most top frequent questions.
	Stats(ctx context.Context, from, to time.Time, top int) (Stats, error)
	// TopicDemand returns how often each topic was shown per language from the day
	// of since on (see assistant.Tally's CountTopic).
	TopicDemand(ctx context.Context, since time.Time) ([]TopicCount, error)
}
