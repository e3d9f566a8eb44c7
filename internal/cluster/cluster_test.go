package cluster

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// Every runs the job at start, tries a failed run again before the next period,
// and not again once it succeeded within the period.
func TestEveryRetriesFailuresAndRunsOncePerPeriod(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var calls atomic.Int32
	Every(ctx, &Local{}, "purge", time.Hour, 100*time.Millisecond, nil, func(context.Context) error {
		if calls.Add(1) <= 2 {
			return errors.New("database restarting")
		}
		return nil
	})
	if n := calls.Load(); n != 3 {
		t.Fatalf("the job ran %d times, want 3 (two failures, then one run for the hour)", n)
	}
}
