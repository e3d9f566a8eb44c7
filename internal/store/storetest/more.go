package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// testInboxDuplicatesInOneBatch: an update twice in one batch is new once and
// pending the second time, as it is when it comes twice in two batches.
func testInboxDuplicatesInOneBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	up := chat.Update{ID: 9, ChatID: 1, Payload: []byte(`{}`), Received: t0}
	st, err := d.Append(ctx, []chat.Update{up, up}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0] != chat.StatusNew || st[1] != chat.StatusPending {
		t.Fatalf("statuses %v, want [new pending]", st)
	}
	if pend, err := d.Pending(ctx); err != nil || len(pend) != 1 || pend[0].Sent != nil {
		t.Fatalf("pending %+v, %v", pend, err)
	}
	// The calls accepted come back with the pending update, in order.
	for _, seq := range []int{1, 0, 1} {
		if err := d.Sent(ctx, 9, seq); err != nil {
			t.Fatal(err)
		}
	}
	if pend, err := d.Pending(ctx); err != nil || len(pend) != 1 || fmt.Sprint(pend[0].Sent) != "[0 1]" {
		t.Fatalf("pending after sent calls %+v, %v", pend, err)
	}
	if st, err := d.Append(ctx, nil, 0); err != nil || len(st) != 0 {
		t.Fatalf("empty batch: %v, %v", st, err)
	}
}

// testConcurrentOpenHandoff: a chat asking for a person from several places at
// once (two replicas, a double tap) gets one open handoff; the question it refers
// to is handed over once.
func testConcurrentOpenHandoff(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	record(t, d, "wo ist das Amt", "de", "concurrentref001", t0)
	const n = 8
	var wg sync.WaitGroup
	ids := make([]int64, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h handoff.Handoff
			h, created[i], errs[i] = d.OpenHandoff(ctx, handoff.Opening{ChatID: 31, Lang: "de", Ref: "concurrentref001", At: t0})
			ids[i] = h.ID
		}()
	}
	wg.Wait()
	made := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("opening %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("two handoffs for one chat: %v", ids)
		}
		if created[i] {
			made++
		}
	}
	if made != 1 {
		t.Fatalf("%d openings say they created the handoff, want 1", made)
	}
	h, err := d.ActiveHandoff(ctx, 31)
	if err != nil || h.Text != "wo ist das Amt" {
		t.Fatalf("active handoff %+v, %v", h, err)
	}
}

// testLoginAttempts: attempts are counted per key in a window; a reservation is
// refused on every key when one is at the limit, and counts nothing then; a
// released reservation and cleared keys no longer count.
func testLoginAttempts(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	window := 15 * time.Minute
	now := t0
	reserve := func(keys ...string) bool {
		t.Helper()
		ok, err := d.ReserveAttempt(ctx, keys, 3, now.Add(-window), now)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	count := func(key string) int {
		t.Helper()
		n, err := d.Attempts(ctx, key, now.Add(-window))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 3 {
		if !reserve("addr:1", "pair:1/anna") {
			t.Fatalf("attempt %d refused", i)
		}
		now = now.Add(time.Minute)
	}
	if reserve("addr:1", "pair:1/bernd") {
		t.Fatal("a fourth attempt from the address passed")
	}
	if n := count("pair:1/bernd"); n != 0 {
		t.Fatalf("a refused reservation counted %d on its other key", n)
	}
	if !reserve("addr:2", "pair:2/anna") {
		t.Fatal("another address refused")
	}
	// A reservation given back no longer counts.
	if err := d.ReleaseAttempt(ctx, "addr:2", now); err != nil {
		t.Fatal(err)
	}
	if n := count("addr:2"); n != 0 {
		t.Fatalf("addr:2 after release: %d", n)
	}
	if err := d.ClearAttempts(ctx, "pair:1/anna"); err != nil {
		t.Fatal(err)
	}
	if n, m := count("pair:1/anna"), count("addr:1"); n != 0 || m != 3 {
		t.Fatalf("after clearing the pair: pair %d, address %d; want 0, 3", n, m)
	}
	if err := d.CountAttempt(ctx, "name:anna", now); err != nil {
		t.Fatal(err)
	}
	if n := count("name:anna"); n != 1 {
		t.Fatalf("name count %d", n)
	}
	// The window moves on: the first two attempts no longer count.
	now = t0.Add(window + time.Minute)
	if n := count("addr:1"); n != 1 {
		t.Fatalf("addr:1 after the first two left the window: %d, want 1", n)
	}
	if !reserve("addr:1") {
		t.Fatal("refused after the window moved")
	}
	// Retention drops attempts after a day.
	if _, err := d.Purge(ctx, handoff.DefaultRetention, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := d.Raw("SELECT count(*) FROM login_attempt", &left); err != nil || left != 0 {
		t.Fatalf("%d login attempts left after a day, %v", left, err)
	}
}

// testParallelLoginAttempts: many reservations at once on one key: exactly the
// limit's worth pass.
func testParallelLoginAttempts(t *testing.T, open Opener) {
	ctx := context.Background()
	d := open(t, nil)
	const n, limit = 40, 5
	var wg sync.WaitGroup
	oks := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			oks[i], errs[i] = d.ReserveAttempt(ctx, []string{"addr:9", fmt.Sprint("pair:9/", i%3)}, limit, t0.Add(-time.Hour), t0)
		}()
	}
	wg.Wait()
	passed := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if oks[i] {
			passed++
		}
	}
	if passed != limit {
		t.Fatalf("%d of %d parallel attempts passed, want exactly %d", passed, n, limit)
	}
}
