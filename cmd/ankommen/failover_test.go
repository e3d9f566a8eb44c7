package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// leaderMetric is the gauge that is 1 on the replica that polls Telegram.
const leaderMetric = "ankommen_leader"

// leaders returns the replicas whose leadership gauge is 1.
func (c *cluster) leaders() []int {
	var out []int
	for i := range c.reps {
		if c.Pid(i) == 0 {
			continue
		}
		if v, ok := metricValue(c.Metrics(i), leaderMetric); ok && v == 1 {
			out = append(out, i)
		}
	}
	return out
}

// waitLeader waits until exactly one replica leads and returns it.
func (c *cluster) waitLeader(t testing.TB, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ls := c.leaders(); len(ls) == 1 {
			return ls[0]
		} else if time.Now().After(deadline) {
			t.Fatalf("after %v, %d replicas lead (%v), want one (gauge %s)", timeout, len(ls), ls, leaderMetric)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitCount waits until the fake Bot API accepted n sendMessage calls.
func waitCount(t testing.TB, c *cluster, n int, timeout time.Duration) {
	t.Helper()
	c.API.WaitFor(t, timeout, "replies", func(s *tt.Server) bool { return s.Count("sendMessage") >= n })
}

// sendCalls sums the sendMessage calls in a replica's metrics.
func sendCalls(metrics string) float64 {
	var n float64
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "ankommen_telegram_calls_total{") && strings.Contains(line, `method="sendMessage"`) {
			if v, ok := metricValue(line, "ankommen_telegram_calls_total"); ok {
				n += v
			}
		}
	}
	return n
}

// TestPollingFailover: three replicas in polling mode on one PostgreSQL
// database; one polls, the others stand by. The leader is killed with SIGKILL while
// updates come in; a standby polls within 10 s (the first getUpdates call after the
// kill in the fake Bot API's log), and every update is answered, in order.
func TestPollingFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve processes: not with -short")
	}
	c := newCluster(t, clusterOptions{Store: storePostgres, Replicas: 3, Limits: testLimits})
	leader := c.waitLeader(t, 20*time.Second)
	l := load{Chats: 60, Groups: 10, PerChat: 15, Dup: 0.02, Rate: 150, Seed: 21}
	chats := l.script()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fed := make(chan struct{})
	go func() { defer close(fed); c.feed(ctx, l, chats) }()

	waitCount(t, c, l.Total()/3, 60*time.Second)
	killed := time.Now()
	c.Kill(leader)
	var took time.Duration
	c.API.WaitFor(t, 20*time.Second, "getUpdates from a standby", func(s *tt.Server) bool {
		for _, r := range s.Requests("getUpdates") {
			if r.At.After(killed) {
				took = r.At.Sub(killed)
				return true
			}
		}
		return false
	})
	next := c.waitLeader(t, 5*time.Second)
	t.Logf("replica %d (leader) killed; replica %d polled %v later", leader, next, took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("a standby polled %v after the leader was killed, want within 10 s", took)
	}
	if next == leader {
		t.Errorf("the killed replica %d leads", leader)
	}
	// Back, the killed replica stands by.
	c.Start(leader)
	c.WaitReady(leader, 60*time.Second)
	<-fed
	waitReplies(t, c, l.Total(), time.Second, 90*time.Second)
	if ls := c.leaders(); len(ls) != 1 || ls[0] != next {
		t.Errorf("after the restart replicas %v lead, want only %d", ls, next)
	}
	c.StopAll()
	o := judge(chats, replies(c.API))
	t.Logf("%d updates: lost %d, answered twice %d, chats out of order %d", l.Total(), o.Lost, o.Twice, o.OutOfOrder)
	for _, p := range o.Problems {
		t.Log(p)
	}
	if o.Lost > 0 || o.OutOfOrder > 0 {
		t.Errorf("%d updates lost, %d chats out of order", o.Lost, o.OutOfOrder)
	}
	if o.Twice > 3 {
		t.Errorf("%d updates answered twice, want at most 3 (calls in flight at the kill)", o.Twice)
	}
}

// TestReplicasDatabaseFaults: three webhook replicas on one PostgreSQL database
// while updates come in. First every connection of the replicas is terminated by
// the server (pg_terminate_backend, as a restart of PostgreSQL does it; the
// server itself is shared with other tests and stays up). Then one replica loses
// its way to the database (a TCP proxy between it and the server closes and
// refuses connections): its /readyz says so with 503 while the others stay ready,
// and it is ready again once the way is back. Nothing is lost, each chat's
// replies keep their order.
func TestReplicasDatabaseFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve processes: not with -short")
	}
	var cut *tcpCut
	opt := clusterOptions{Store: storePostgres, Replicas: 3, Webhook: true, Limits: testLimits,
		ReplicaEnv: func(i int, db string) []string {
			if i != 2 {
				return nil
			}
			if cut == nil {
				u, err := url.Parse(db)
				if err != nil {
					t.Fatal(err)
				}
				cut = newTCPCut(t, u.Host)
			}
			return []string{"ANKOMMEN_DATABASE_URL=" + viaAddr(db, cut.Addr())}
		}}
	c := newCluster(t, opt)
	l := load{Chats: 100, Groups: 20, PerChat: 15, Dup: 0.02, Rate: 200, Seed: 7}
	chats := l.script()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sent := make(chan sendStats, 1)
	go func() {
		st, err := c.send(ctx, l, chats)
		if err != nil {
			t.Errorf("sender: %v", err)
		}
		sent <- st
	}()

	waitCount(t, c, l.Total()/4, 60*time.Second)
	conn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var terminated int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()) t`).Scan(&terminated)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("terminated %d connections of the replicas after %d replies", terminated, c.API.Count("sendMessage"))
	if terminated == 0 {
		t.Error("the replicas had no connection to terminate")
	}

	waitCount(t, c, l.Total()/2, 60*time.Second)
	cut.Cut()
	cutAt := time.Now()
	waitStatus := func(i, want int, within time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			code, body := c.Readyz(i)
			if code == want {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d: /readyz %d %q after %v, want %d", i, code, body, within, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	body := waitStatus(2, 503, 10*time.Second)
	t.Logf("replica 2 without its database: /readyz 503 %q after %v", body, time.Since(cutAt).Round(time.Millisecond))
	if !strings.Contains(strings.ToLower(body), "database") {
		t.Errorf("/readyz of the replica without database says %q, want it to name the database", body)
	}
	for _, i := range []int{0, 1} {
		if code, body := c.Readyz(i); code != 200 {
			t.Errorf("replica %d, which has its database: /readyz %d %q", i, code, body)
		}
	}
	// Without its database the replica stops claiming: after the updates it had
	// in hand, it sends nothing more.
	time.Sleep(time.Second)
	before := sendCalls(c.Metrics(2))
	waitCount(t, c, l.Total()*3/4, 60*time.Second)
	time.Sleep(time.Until(cutAt.Add(4 * time.Second)))
	after := sendCalls(c.Metrics(2))
	t.Logf("replica 2: %v sendMessage calls 1 s after the cut, %v at the end of it", before, after)
	if before == 0 {
		t.Error("replica 2 made no sendMessage calls before the cut (or the metric is gone): the check below proves nothing")
	}
	if after != before {
		t.Errorf("replica 2 made %v sendMessage calls more while cut from its database, want none", after-before)
	}
	cut.Restore()
	restored := time.Now()
	waitStatus(2, 200, 15*time.Second)
	t.Logf("replica 2 ready again %v after its database came back", time.Since(restored).Round(time.Millisecond))

	st := <-sent
	waitReplies(t, c, l.Total(), time.Second, 2*time.Minute)
	c.StopAll()
	log := replies(c.API)
	o := judge(chats, log)
	t.Logf("%d updates (%d delivered twice, %d posts retried): lost %d, answered twice %d, chats out of order %d",
		st.Posted, st.Dups, st.Retries, o.Lost, o.Twice, o.OutOfOrder)
	for _, p := range o.Problems {
		t.Log(p)
	}
	if o.Lost > 0 || o.OutOfOrder > 0 {
		t.Errorf("%d updates lost, %d chats out of order", o.Lost, o.OutOfOrder)
	}
	// A connection cut between Telegram accepting a reply and its record makes a
	// duplicate; two faults, a few calls in flight each.
	if o.Twice > 6 {
		t.Errorf("%d updates answered twice, want at most 6", o.Twice)
	}
}
