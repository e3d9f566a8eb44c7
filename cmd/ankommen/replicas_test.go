package main

import (
	"context"
	"flag"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var (
	replicasStore = flag.String("replicas.store", "postgres", "store of TestReplicasWebhookKill9: postgres or sqlite (sqlite: one replica)")
	replicasN     = flag.Int("replicas.n", 3, "replicas of TestReplicasWebhookKill9")
	replicasChats = flag.Int("replicas.chats", 200, "chats of TestReplicasWebhookKill9")
	replicasPer   = flag.Int("replicas.per", 25, "messages per chat of TestReplicasWebhookKill9")
)

// testLimits are Telegram's limits scaled down (Telegram: 30/s, 1/s per chat,
// 20/min per group): 250 messages a second with 20 at once, 25 a second to one
// chat, 8 to one group.
var testLimits = sendLimits{Global: 4 * time.Millisecond, GlobalBurst: 20, Chat: 40 * time.Millisecond, Group: 120 * time.Millisecond}

// TestReplicasWebhookKill9 is the cluster test of issue #11: three serve replicas
// on one PostgreSQL database in webhook mode behind a round-robin proxy; 5,000
// updates from 200 chats (50 of them groups) at 300 a second, 2% delivered twice at
// once to two different replicas; one replica killed with SIGKILL while updates
// come in and replies go out, and restarted under its name. From the fake Bot API's log: no update lost, at most 1 in 1,000
// answered twice, each chat's replies in the order of its messages, and the
// (scaled-down) send limits never exceeded by all replicas together.
func TestReplicasWebhookKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve processes: not with -short")
	}
	n := *replicasN
	if storeKind(*replicasStore) == storeSQLite {
		n = 1
	}
	c := newCluster(t, clusterOptions{Store: storeKind(*replicasStore), Replicas: n, Webhook: true, Limits: testLimits})
	// Paced a little above the global send limit, so that the kill falls while
	// updates still come in (the proxy answers 502 for the dead replica, and the
	// sender tries again) and while replies go out.
	l := load{Chats: *replicasChats, Groups: *replicasChats / 4, PerChat: *replicasPer, Dup: 0.02, Rate: 300, Seed: 11}
	chats := l.script()
	groups := map[int64]bool{}
	for _, sc := range chats {
		groups[sc.ID] = sc.Group
	}

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

	// The kill comes while replies go out, at a moment unrelated to the calls.
	victim := n / 2
	rng := rand.New(rand.NewPCG(3, 5))
	c.API.WaitFor(t, 90*time.Second, "40% of the replies", func(s *tt.Server) bool {
		return s.Count("sendMessage") >= l.Total()*2/5
	})
	time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
	killedAt := c.API.Count("sendMessage")
	c.Kill(victim)
	time.Sleep(time.Second)
	c.Start(victim)
	c.WaitReady(victim, 60*time.Second)

	st := <-sent
	waitReplies(t, c, l.Total(), time.Second, 2*time.Minute)
	c.StopAll()

	log := replies(c.API)
	o := judge(chats, log)
	t.Logf("%d replicas (%s), %d updates from %d chats, %d delivered twice, %d posts retried; replica %d killed after %d replies; sending took %v, all replies %v",
		n, *replicasStore, st.Posted, len(chats), st.Dups, st.Retries, victim, killedAt, st.Elapsed.Round(time.Millisecond), log[len(log)-1].At.Sub(log[0].At).Round(time.Millisecond))
	t.Logf("lost %d, answered twice %d (%.2f per 1,000), chats out of order %d; latency p50 %v p99 %v",
		o.Lost, o.Twice, float64(o.Twice)*1000/float64(l.Total()), o.OutOfOrder, percentile(o.Latencies, 50), percentile(o.Latencies, 99))
	for _, p := range o.Problems {
		t.Log(p)
	}
	if o.Lost > 0 {
		t.Errorf("%d updates lost", o.Lost)
	}
	if o.OutOfOrder > 0 {
		t.Errorf("%d chats' replies out of order", o.OutOfOrder)
	}
	if allowed := l.Total() / 1000; o.Twice > allowed {
		t.Errorf("%d updates answered twice, want at most %d (1 in 1,000)", o.Twice, allowed)
	}
	if strict := checkLimits(log, testLimits, groups, 0); len(strict) > 0 {
		t.Logf("without the allowance for jitter: %d limits exceeded, e.g. %s", len(strict), strict[0])
	}
	if bad := checkLimits(log, testLimits, groups, sendJitter); len(bad) > 0 {
		if len(bad) > 10 {
			bad = append(bad[:10], "…")
		}
		t.Errorf("send limits (%s, %v jitter allowed) exceeded:\n%s", testLimits.Env(), sendJitter, strings.Join(bad, "\n"))
	}
}
