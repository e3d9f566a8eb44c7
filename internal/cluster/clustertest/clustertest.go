// Package clustertest is the conformance suite of the cluster's interfaces
// (chat.Claims, cluster.Slots, cluster.Jobs): the PostgreSQL and the SQLite store
// both run it.
package clustertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/cluster"
)

// Store is what the suite tests.
type Store interface {
	chat.Inbox
	chat.Claims
	cluster.Slots
	cluster.Jobs
}

// Open creates an empty database for the test and returns a function that opens
// it, once more each call, as another replica would; the stores close when the
// test ends.
type Open func(t *testing.T) func() Store

// Run runs the suite.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		f    func(*testing.T, Open)
	}{
		{"ClaimTakesTheHeadOfEachChatOnce", claimHeads},
		{"ExpiredLeaseIsClaimedAgainWithItsSentCalls", expiredLease},
		{"ConcurrentClaimsKeepChatsApart", concurrentClaims},
		{"ReserveSpacesSlots", reserve},
		{"OnceRunsOncePerPeriodAcrossReplicas", once},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open) })
	}
}

func ids(us []chat.Update) []int64 {
	var out []int64
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

func claimHeads(t *testing.T, open Open) {
	ctx := context.Background()
	d := open(t)()
	now := time.Now()
	// chat 1: 10, 11, 12; chat 2: 20; updates without a chat: 30, 31.
	var ups []chat.Update
	for _, u := range [][2]int64{{10, 1}, {11, 1}, {12, 1}, {20, 2}, {30, 0}, {31, 0}} {
		ups = append(ups, chat.Update{ID: u[0], ChatID: u[1], Payload: []byte(`{}`), Received: now})
	}
	if _, err := d.Append(ctx, ups, 0); err != nil {
		t.Fatal(err)
	}
	got, err := d.Claim(ctx, "a", 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{10, 20, 30, 31}; !slices.Equal(ids(got), want) {
		t.Fatalf("first claim = %v, want %v", ids(got), want)
	}
	// Nothing more while chat 1's head is leased, for anyone.
	for _, owner := range []string{"a", "b"} {
		if got, err := d.Claim(ctx, owner, 10, time.Minute); err != nil || len(got) != 0 {
			t.Fatalf("claim by %s while leased = %v, %v; want none", owner, ids(got), err)
		}
	}
	if err := d.Sent(ctx, 10, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.Done(ctx, []int64{10}, now); err != nil {
		t.Fatal(err)
	}
	got, err = d.Claim(ctx, "b", 10, time.Minute)
	if err != nil || !slices.Equal(ids(got), []int64{11}) {
		t.Fatalf("after done: claim = %v, %v; want [11]", ids(got), err)
	}
	if n, err := d.Depth(ctx); err != nil || n != 5 {
		t.Fatalf("depth = %d, %v; want 5", n, err)
	}
	// Release gives b's lease back at once.
	if err := d.Release(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Claim(ctx, "c", 10, time.Minute); err != nil || !slices.Equal(ids(got), []int64{11}) {
		t.Fatalf("after release: claim = %v, %v; want [11]", ids(got), err)
	}
}

func expiredLease(t *testing.T, open Open) {
	ctx := context.Background()
	d := open(t)()
	if _, err := d.Append(ctx, []chat.Update{{ID: 1, ChatID: 7, Payload: []byte(`{"update_id":1}`), Received: time.Now()}}, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Claim(ctx, "dead", 1, 300*time.Millisecond); err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", ids(got), err)
	}
	if err := d.Sent(ctx, 1, 0); err != nil {
		t.Fatal(err)
	}
	// Renewing keeps it; without renewal the lease runs out.
	if n, err := d.Renew(ctx, "dead", 300*time.Millisecond); err != nil || n != 1 {
		t.Fatalf("renew = %d, %v; want 1", n, err)
	}
	if got, _ := d.Claim(ctx, "alive", 1, time.Minute); len(got) != 0 {
		t.Fatal("claimed while leased")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := d.Claim(ctx, "alive", 1, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			if !slices.Equal(got[0].Sent, []int{0}) || string(got[0].Payload) != `{"update_id":1}` {
				t.Fatalf("reclaimed %+v; want the payload and sent [0]", got[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired lease was not claimed again")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := d.Renew(ctx, "dead", time.Minute); n != 0 {
		t.Errorf("the dead owner renewed %d leases it lost", n)
	}
}

// Replicas claiming side by side never hold two updates of one chat, and take
// each update once.
func concurrentClaims(t *testing.T, open Open) {
	ctx := context.Background()
	reopen := open(t)
	d := reopen()
	const chats, per = 20, 10
	var ups []chat.Update
	for i := range chats * per {
		ups = append(ups, chat.Update{ID: int64(i + 1), ChatID: int64(i%chats + 1), Payload: []byte(`{}`), Received: time.Now()})
	}
	if _, err := d.Append(ctx, ups, 0); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	holding := map[int64]string{}
	handled := map[int64]int{}
	last := map[int64]int64{}
	var wg sync.WaitGroup
	var failed atomic.Value
	for r := range 4 {
		owner := string(rune('a' + r))
		d := d
		if r > 0 {
			d = reopen() // another replica
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			idle := 0
			for idle < 20 {
				got, err := d.Claim(ctx, owner, 5, time.Minute)
				if err != nil {
					failed.Store(err)
					return
				}
				if len(got) == 0 {
					idle++
					time.Sleep(5 * time.Millisecond)
					continue
				}
				idle = 0
				mu.Lock()
				for _, u := range got {
					if h, ok := holding[u.ChatID]; ok {
						failed.Store(errors.New(owner + " got a chat " + h + " holds"))
					}
					if u.ID < last[u.ChatID] {
						failed.Store(errors.New("out of order"))
					}
					holding[u.ChatID], last[u.ChatID] = owner, u.ID
					handled[u.ID]++
				}
				mu.Unlock()
				mu.Lock()
				for _, u := range got {
					delete(holding, u.ChatID)
				}
				mu.Unlock()
				if err := d.Done(ctx, ids(got), time.Now()); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if handled[u.ID] != 1 {
			t.Errorf("update %d handled %d times", u.ID, handled[u.ID])
		}
	}
}

func reserve(t *testing.T, open Open) {
	ctx := context.Background()
	d := open(t)()
	const interval = 100 * time.Millisecond
	global := cluster.Slot{Key: "global", Interval: interval, Burst: 3}
	// Each booking is judged by when it falls (the time of its call plus its wait)
	// counted from the first call, not by its wait alone: a busy machine that
	// stalls between two calls shortens the second wait but not the time booked.
	// Only the calls' own durations blur it.
	start := time.Now()
	var first time.Duration // the first call's duration
	book := func(slots ...cluster.Slot) (at, wait, took time.Duration) {
		t.Helper()
		called := time.Now()
		w, err := d.Reserve(ctx, slots...)
		if err != nil {
			t.Fatal(err)
		}
		took = time.Since(called)
		if first == 0 {
			first = took
		}
		return called.Sub(start) + w, w, took
	}
	about := func(what string, at, took, want time.Duration) {
		t.Helper()
		if at < want-took-20*time.Millisecond || at > want+first+20*time.Millisecond {
			t.Errorf("%s: booked %v after the first call, want about %v", what, at, want)
		}
	}
	// A burst of 3 goes at once, then one each interval.
	for i := range 5 {
		at, wait, took := book(global)
		if i < 3 {
			if wait != 0 {
				t.Errorf("wait %d = %v, want 0 (burst)", i, wait)
			}
			continue
		}
		about(fmt.Sprintf("slot %d", i), at, took, time.Duration(i-2)*interval)
	}
	// A chat's first send waits for the global slot, and its next is spaced from
	// that time, not from when it was booked.
	chat5 := cluster.Slot{Key: "chat:5", Interval: time.Second}
	at, _, took := book(chat5, global)
	about("chat:5 behind the global limit", at, took, 3*interval)
	at, _, took = book(chat5, global)
	about("chat:5 again", at, took, 3*interval+time.Second)
	// An emergency takes its global slot at once; another chat is not held up by chat:5.
	if _, w, _ := book(cluster.Slot{Key: "chat:6", Interval: time.Second}, cluster.Slot{Key: "global", Interval: interval, Burst: 3, Take: true}); w != 0 {
		t.Errorf("urgent: wait %v; want 0", w)
	}
}

func once(t *testing.T, open Open) {
	ctx := context.Background()
	reopen := open(t)
	var replicas []Store
	for range 3 {
		replicas = append(replicas, reopen())
	}
	var runs atomic.Int32
	job := func(context.Context) error {
		runs.Add(1)
		time.Sleep(50 * time.Millisecond) // the others check meanwhile
		return nil
	}
	var wg sync.WaitGroup
	for _, d := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := d.Once(ctx, "purge", time.Hour, job); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("the job ran %d times, want 1", n)
	}
	// A failed run does not count; a short period lets it run again.
	if ran, err := replicas[0].Once(ctx, "flaky", time.Hour, func(context.Context) error { return errors.New("disk full") }); !ran || err == nil {
		t.Fatalf("failing job: ran %v, err %v", ran, err)
	}
	if ran, err := replicas[1].Once(ctx, "flaky", time.Hour, func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("after a failure: ran %v, err %v; want a run", ran, err)
	}
	if ran, _ := replicas[2].Once(ctx, "flaky", time.Hour, func(context.Context) error { return nil }); ran {
		t.Fatal("ran again within the period")
	}
	time.Sleep(20 * time.Millisecond)
	if ran, _ := replicas[2].Once(ctx, "flaky", 10*time.Millisecond, func(context.Context) error { return nil }); !ran {
		t.Fatal("did not run after the period")
	}
}

// BenchClaim measures a replica's round of work on the shared inbox: claim a batch
// of 64 pending updates of distinct chats and mark them done. Each iteration is one
// update; the inbox is filled before the timer starts.
func BenchClaim(b *testing.B, d Store) {
	ctx := context.Background()
	var ups []chat.Update
	for i := range b.N {
		ups = append(ups, chat.Update{ID: int64(i + 1), ChatID: int64(i%500 + 1), Payload: []byte(`{"update_id":1}`), Received: time.Now()})
	}
	for i := 0; i < len(ups); i += 1000 {
		if _, err := d.Append(ctx, ups[i:min(i+1000, len(ups))], 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	done := 0
	for done < b.N {
		got, err := d.Claim(ctx, "bench", 64, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			b.Fatalf("nothing to claim after %d of %d", done, b.N)
		}
		if err := d.Done(ctx, ids(got), time.Now()); err != nil {
			b.Fatal(err)
		}
		done += len(got)
	}
}

// BenchReserve measures booking a chat's and the global send slot together.
func BenchReserve(b *testing.B, d Store) {
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		_, err := d.Reserve(ctx, cluster.Slot{Key: fmt.Sprintf("chat:%d", i%100), Interval: time.Nanosecond * 1000, Burst: 1},
			cluster.Slot{Key: "global", Interval: time.Microsecond, Burst: 30})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchClaimBusy measures a claim that finds nothing: 200 chats with 25 pending
// updates each, the oldest of every chat claimed already, as when every replica
// polls while all chats are in hand.
func BenchClaimBusy(b *testing.B, d Store) {
	ctx := context.Background()
	var ups []chat.Update
	for i := range 5000 {
		ups = append(ups, chat.Update{ID: int64(i + 1), ChatID: int64(i%200 + 1), Payload: []byte(`{"update_id":1}`), Received: time.Now()})
	}
	if _, err := d.Append(ctx, ups, 0); err != nil {
		b.Fatal(err)
	}
	for {
		got, err := d.Claim(ctx, "busy", 64, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
	}
	b.ResetTimer()
	for range b.N {
		got, err := d.Claim(ctx, "idle", 64, time.Hour)
		if err != nil || len(got) != 0 {
			b.Fatalf("claimed %d, %v; want none", len(got), err)
		}
	}
}
