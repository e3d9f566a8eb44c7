package main

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"
)

var benchUpdates = flag.Int("replicas.bench-updates", 4000, "updates per run of BenchmarkReplicas")

// benchLimits are so loose that Telegram's limits do not decide the speed: the
// benchmark measures the replicas (each reply still books its slots).
var benchLimits = sendLimits{Global: 10 * time.Microsecond, GlobalBurst: 1000, Chat: time.Millisecond, Group: time.Millisecond}

// BenchmarkReplicas measures serve processes in webhook mode behind the proxy:
// updates a second (all updates / from the first post to the last reply at the
// fake Bot API), the 50th and 99th percentile of the time from an update's post to
// its reply at the fake Bot API, and the resident memory of the largest replica
// (peak: VmHWM, which start-up sets; and VmRSS after the load), for SQLite ×1, PostgreSQL ×1 and PostgreSQL ×3, with the updates
// sent all at once (burst: every chat writes its next message once the last was
// taken), paced at 2,000 a second (more than two cores handle: the queue grows as
// in the burst) and at 200 a second (what they keep up with: the latency of a
// replica that is not behind). Each run sends -replicas.bench-updates
// updates from a quarter as many chats. Measure with
//
//	go test -run '^$' -bench BenchmarkReplicas -benchtime 1x ./cmd/ankommen
//
// The sender, the proxy and the fake Bot API run in the benchmark's process on
// the same two cores as the replicas and PostgreSQL.
func BenchmarkReplicas(b *testing.B) {
	for _, tc := range []struct {
		store storeKind
		n     int
	}{{storeSQLite, 1}, {storePostgres, 1}, {storePostgres, 3}} {
		for _, rate := range []float64{0, 2000, 200} {
			mode := "burst"
			if rate > 0 {
				mode = fmt.Sprintf("paced%.0f", rate)
			}
			b.Run(fmt.Sprintf("%s-x%d/%s", tc.store, tc.n, mode), func(b *testing.B) {
				benchReplicas(b, tc.store, tc.n, rate)
			})
		}
	}
}

func benchReplicas(b *testing.B, store storeKind, n int, rate float64) {
	var upd, p50, p99, peak, rss float64
	for i := range b.N {
		b.StopTimer()
		// The shipped content: the memory and the answering time of production.
		c := newCluster(b, clusterOptions{Store: store, Replicas: n, Webhook: true, Limits: benchLimits,
			Env: []string{"ANKOMMEN_CONTENT=../../content"}})
		l := load{Chats: max(1, *benchUpdates/4), PerChat: 4, Rate: rate, Seed: uint64(i + 1)}
		chats := l.script()
		b.StartTimer()
		st, err := c.send(context.Background(), l, chats)
		if err != nil {
			b.Fatal(err)
		}
		waitReplies(b, c, l.Total(), 0, 5*time.Minute)
		b.StopTimer()
		log := replies(c.API)
		o := judge(chats, log)
		if o.Lost > 0 || o.OutOfOrder > 0 || o.Twice > 0 {
			b.Errorf("lost %d, out of order %d, twice %d: %v", o.Lost, o.OutOfOrder, o.Twice, o.Problems)
		}
		first := chats[0].Posted[0]
		for _, sc := range chats {
			if sc.Posted[0].Before(first) {
				first = sc.Posted[0]
			}
		}
		elapsed := log[len(log)-1].At.Sub(first)
		upd += float64(l.Total()) / elapsed.Seconds()
		p50 += float64(percentile(o.Latencies, 50)) / 1e6
		p99 += float64(percentile(o.Latencies, 99)) / 1e6
		var most, now int64
		for r := range c.reps {
			most, now = max(most, c.PeakRSS(r)), max(now, c.RSS(r))
		}
		peak += float64(most) / (1 << 20)
		rss += float64(now) / (1 << 20)
		b.Logf("%d updates in %v (sender %v, %d retried): %.0f updates/s, p50 %v, p99 %v; largest replica: peak RSS %.0f MB, RSS after the load %.0f MB",
			l.Total(), elapsed.Round(time.Millisecond), st.Elapsed.Round(time.Millisecond), st.Retries, float64(l.Total())/elapsed.Seconds(),
			percentile(o.Latencies, 50).Round(time.Millisecond), percentile(o.Latencies, 99).Round(time.Millisecond), float64(most)/(1<<20), float64(now)/(1<<20))
		c.StopAll()
	}
	N := float64(b.N)
	b.ReportMetric(upd/N, "updates/s")
	b.ReportMetric(p50/N, "p50-ms")
	b.ReportMetric(p99/N, "p99-ms")
	b.ReportMetric(peak/N, "peak-rss-MB")
	b.ReportMetric(rss/N, "rss-MB")
	b.ReportMetric(0, "ns/op")
}
