package conversation

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var benchRate = flag.Int("rate", 2000, "updates a second in the paced benchmarks")

// swapRecorder forwards to the database of the current benchmark run (the
// snapshot is built once for all runs).
type swapRecorder struct{ db atomic.Pointer[sqlite.DB] }

func (s *swapRecorder) RecordUnanswered(ctx context.Context, u assistant.Unanswered) error {
	return s.db.Load().RecordUnanswered(ctx, u)
}

var (
	benchOnce  sync.Once
	benchAns   Answering
	benchRec   = &swapRecorder{}
	benchTexts []string
)

// benchSetup loads the shipped content once and collects the texts users send: the
// example questions of every topic in every language, greetings, thanks, commands,
// emergencies and nonsense.
func benchSetup(b *testing.B) {
	benchOnce.Do(func() {
		snap := apptest.Load(b, apptest.Shipped)
		benchAns = Answering{Answerer: snap.Assistant(benchRec), Corpus: snap.Corpus, Renderer: snap.Renderer}
		for _, id := range snap.Corpus.IDs {
			for _, tr := range snap.Corpus.Topic(id).Langs {
				benchTexts = append(benchTexts, tr.Questions...)
			}
		}
		slices.Sort(benchTexts)
		extra := []string{"hi", "hallo", "danke", "thank you", "/start", "/help", "/topics",
			"Feuer! Es brennt", "someone is not breathing", "xylophone quantum zebra", "qwrtz plmk"}
		for i, e := range extra { // about one message in ten
			benchTexts = slices.Insert(benchTexts, (i*len(benchTexts))/len(extra), e)
		}
	})
}

// BenchmarkUpdates measures updates handled end to end — received from the fake Bot
// API, stored, answered by the core, rendered, sent through the queue to the fake —
// with Telegram's rate limits off. "burst" hands all b.N updates over at once
// (throughput); "paced" sends -rate updates a second (latency under that load).
// Latency is from the moment the bot received an update to the moment Telegram
// accepted its last reply.
//
//	go test ./internal/conversation -run '^$' -bench Updates -benchtime 20000x -cpu 2
func BenchmarkUpdates(b *testing.B) {
	for _, m := range []mode{polling, webhook} {
		for _, load := range []string{"burst", "paced"} {
			b.Run(string(m)+"/"+load, func(b *testing.B) { benchUpdates(b, m, load == "paced") })
		}
	}
}

func benchUpdates(b *testing.B, m mode, paced bool) {
	benchSetup(b)
	api := tt.New(b)
	api.KeepRequests(false)
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	benchRec.db.Store(db)
	opt := telegram.Options{
		Token: tt.Token, APIURL: api.URL,
		Store: db, Logger: slog.New(slog.DiscardHandler),
		Limits:      telegram.Limits{Off: true, RetryAfterUnit: time.Second, BackoffMin: time.Millisecond, BackoffMax: 10 * time.Millisecond},
		PollTimeout: 5 * time.Second,
		Retry:       time.Millisecond,
	}
	var hook *httptest.Server
	if m == webhook {
		opt.WebhookURL, opt.WebhookSecret = "https://bench.example/hook", testSecret
	}
	ch, err := telegram.New(opt)
	if err != nil {
		b.Fatal(err)
	}
	conv, err := New(Options{Answering: fixed(benchAns), Store: db, Sender: ch, Logger: slog.New(slog.DiscardHandler), FloodLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if m == webhook {
		hook = httptest.NewServer(ch.WebhookHandler())
		defer hook.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, conv) }()
	for ch.Ready() != nil {
		time.Sleep(time.Millisecond)
	}
	// Let setMyCommands finish before measuring.
	api.WaitFor(b, 10*time.Second, "command menus", func(s *tt.Server) bool { return s.Count("setMyCommands") == 8 })

	updates := make([][]byte, b.N)
	for i := range updates {
		u := tt.User{ID: int64(1_000_000 + i), Lang: []string{"de", "en", "ar", "uk", "ru", "tr", "fa"}[i%7]}
		up := tt.Text(u, benchTexts[i%len(benchTexts)])
		up["update_id"] = int64(i + 1)
		updates[i], _ = json.Marshal(up)
	}
	chatOf := func(i int) int64 { return int64(1_000_000 + i) }
	received := make([]time.Time, b.N) // webhook: when the post began
	// Telegram keeps its connections open.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	var posters sync.WaitGroup
	post := func(i int) {
		received[i] = time.Now()
		req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(updates[i]))
		req.Header.Set(telegram.SecretHeader, testSecret)
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	// Webhook: Telegram posts over up to 40 connections (max_connections).
	work := make(chan int, 64)
	if m == webhook {
		for range 40 {
			posters.Add(1)
			go func() {
				defer posters.Done()
				for i := range work {
					post(i)
				}
			}()
		}
	}
	b.ResetTimer()
	start := time.Now()
	interval := time.Duration(0)
	if paced {
		interval = time.Second / time.Duration(*benchRate)
	}
	for i := range updates {
		if paced {
			if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
				time.Sleep(wait)
			}
		}
		if m == polling {
			api.AddRaw(int64(i+1), updates[i])
		} else {
			work <- i
		}
	}
	close(work)
	deadline := time.Now().Add(time.Duration(b.N)*10*time.Millisecond + 30*time.Second)
	for api.SentChats() < b.N {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d updates answered", api.SentChats(), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	posters.Wait()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}

	last, served := api.LastSent(), api.Served()
	lat := make([]time.Duration, 0, b.N)
	for i := range updates {
		from := received[i]
		if m == polling {
			from = served[int64(i+1)]
		}
		lat = append(lat, last[chatOf(i)].Sub(from))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
	b.ReportMetric(0, "ns/op") // the per-op time of a concurrent pipeline says little
}

// peakRSS is the process's peak resident set size in MB (Linux), 0 elsewhere.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
