package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// TestTopicDemandCountsByTopicAndLanguage: topics shown are counted per topic, day
// and language, summed from the day of since on (days in the city's zone), and the
// counts of days before the demand cutoff are purged.
func TestTopicDemandCountsByTopicAndLanguage(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, handoff.Zone)
	// 2026-03-02 00:30 in Berlin is still 1 March in UTC: days are the city's.
	early := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		at          time.Time
		lang, topic string
	}{
		{t0, "de", "residence"}, {t0, "de", "residence"}, {early, "uk", "residence"},
		{t0.AddDate(0, 0, 1), "uk", "residence"}, {t0, "ar", "kita"},
		{t0.AddDate(0, 0, -1), "de", "kita"}, // the day before since: not counted
	} {
		if err := d.CountTopic(ctx, c.at, c.lang, c.topic); err != nil {
			t.Fatal(err)
		}
	}
	since := time.Date(2026, 3, 2, 0, 0, 0, 0, handoff.Zone)
	got, err := d.TopicDemand(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []handoff.TopicCount{{TopicID: "kita", Lang: "ar", N: 1}, {TopicID: "residence", Lang: "de", N: 2}, {TopicID: "residence", Lang: "uk", N: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("demand %+v, want %+v", got, want)
	}

	// Kept DemandDays even when anonymous questions go sooner; no text or chat to
	// keep longer than that.
	r := handoff.Retention{HandoffDays: 7, QuestionDays: 30}
	for _, c := range []struct {
		name string
		now  time.Time
		rows int64
		left int
	}{
		{"younger than DemandDays", t0.AddDate(0, 0, 60), 0, 4},
		{"the oldest day goes", t0.AddDate(0, 0, handoff.DemandDays), 1, 3},
		{"the next day goes a day later", t0.AddDate(0, 0, handoff.DemandDays+1), 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := d.Purge(ctx, r, c.now)
			if err != nil {
				t.Fatal(err)
			}
			all, _ := d.TopicDemand(ctx, time.Time{})
			if p.Topics != c.rows || len(all) != c.left {
				t.Errorf("purged %d rows, %d topic languages left %+v; want %d, %d", p.Topics, len(all), all, c.rows, c.left)
			}
		})
	}
}
