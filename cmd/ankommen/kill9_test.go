package main

import (
	"flag"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var (
	kill9Updates = flag.Int("kill9.updates", 200, "updates TestKill9Duplicates sends (1000 or more to measure)")
	kill9Kills   = flag.Int("kill9.kills", 2, "how often TestKill9Duplicates kills the process with SIGKILL")
)

// TestKill9Duplicates measures how many updates are answered twice when the serve
// process is killed with SIGKILL while it answers, and restarted: one user per
// update, each writing "hi" (one reply), the process killed -kill9.kills times
// while replies go out, at a random moment (fixed seed). Every accepted call is recorded before the chat's next one,
// so only a kill between Telegram accepting a reply and that record makes a
// duplicate; the target is at most 1 in 1,000. Measure with
//
//	go test -run TestKill9Duplicates -v -kill9.updates 1000 -kill9.kills 5 ./cmd/ankommen
func TestKill9Duplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary: not with -short")
	}
	bin := build(t)
	api := tt.New(t)
	data := t.TempDir()
	n, kills := *kill9Updates, *kill9Kills
	rng := rand.New(rand.NewPCG(9, 1000))
	user := func(i int) int64 { return int64(40000 + i) }
	for i := range n {
		api.AddUpdate(tt.Text(tt.User{ID: user(i), Lang: "en"}, "hi"))
	}
	// replies counts the accepted messages to each user.
	replies := func(s *tt.Server) map[int64]int {
		m := map[int64]int{}
		for _, r := range s.Sent("sendMessage") {
			// A request the kill cut off in the middle reaches the fake without
			// its parameters (chat 0); Telegram would reject it.
			if id := r.Int("chat_id"); id != 0 {
				m[id]++
			}
		}
		return m
	}
	for k := 1; k <= kills; k++ {
		cmd, out := startServe(t, bin, data, api)
		target := n * k / (kills + 1)
		api.WaitFor(t, 120*time.Second, "replies before the kill", func(s *tt.Server) bool { return len(replies(s)) >= target })
		// A crash does not wait for a reply to be accepted: the kill comes at a
		// moment unrelated to the calls (WaitFor returns right after one).
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve log:\n%s", out.String())
		}
	}
	cmd, out := startServe(t, bin, data, api)
	api.WaitFor(t, 120*time.Second, "every update answered", func(s *tt.Server) bool { return len(replies(s)) >= n })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, out.String())
	}
	twice := 0
	for id, c := range replies(api) {
		if id < user(0) || id >= user(n) {
			t.Errorf("a reply to chat %d, who wrote nothing", id)
		}
		twice += c - 1
	}
	t.Logf("%d updates, %d kill -9: %d answered twice (%.1f per 1,000)", n, kills, twice, float64(twice)*1000/float64(n))
	// A kill can only catch the calls in flight: accepted by Telegram, not yet
	// recorded. This test kills far more often than any real server dies (every
	// n/(kills+1) updates), and on a loaded machine (the rest of make test runs
	// beside it) a few calls may be in flight at once; the rate in the issue's
	// terms is measured with -kill9.updates 1000 (see the doc comment).
	allowed := max((n+999)/1000, 3*kills)
	if twice > allowed {
		t.Errorf("%d updates answered twice, want at most %d (3 calls in flight per kill)", twice, allowed)
	}
}
