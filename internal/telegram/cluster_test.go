package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/cluster"
	"github.com/oldenburg/ankommen/internal/metrics"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
	"github.com/oldenburg/ankommen/internal/sqlite"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// sharedStore is what replicas share: the stores implement it for several
// transports on one database.
type sharedStore interface {
	chat.Inbox
	chat.Claims
	cluster.Slots
	cluster.Jobs
}

// backend opens the same database once more each call, as another replica would.
type backend struct {
	name string
	open func(t *testing.T) func() sharedStore
	// pg is set for PostgreSQL: leader elections need its *postgres.DB.
	pg bool
}

var backends = []backend{
	{name: "sqlite", open: func(t *testing.T) func() sharedStore {
		file := filepath.Join(t.TempDir(), sqlite.FileName)
		return func() sharedStore {
			d, err := sqlite.Open(context.Background(), file)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
	}},
	{name: "postgres", pg: true, open: func(t *testing.T) func() sharedStore {
		url := pgtest.URL(t)
		return func() sharedStore {
			d, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
	}},
}

// killable is a replica's database connection that a test can cut: afterwards every
// call fails, as for a replica that died or lost the database.
type killable struct {
	sharedStore
	dead atomic.Bool
}

var errKilled = errors.New("connection refused (killed by the test)")

func (k *killable) check() error {
	if k.dead.Load() {
		return errKilled
	}
	return nil
}

func (k *killable) Append(ctx context.Context, ups []chat.Update, offset int64) ([]chat.Status, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	return k.sharedStore.Append(ctx, ups, offset)
}

func (k *killable) Hold(ctx context.Context, key string, interval time.Duration) error {
	if err := k.check(); err != nil {
		return err
	}
	return k.sharedStore.Hold(ctx, key, interval)
}

func (k *killable) Done(ctx context.Context, ids []int64, at time.Time) error {
	if err := k.check(); err != nil {
		return err
	}
	return k.sharedStore.Done(ctx, ids, at)
}

func (k *killable) Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]chat.Update, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	return k.sharedStore.Claim(ctx, owner, n, lease)
}

func (k *killable) Renew(ctx context.Context, owner string, lease time.Duration) (int, error) {
	if err := k.check(); err != nil {
		return 0, err
	}
	return k.sharedStore.Renew(ctx, owner, lease)
}

func (k *killable) Release(ctx context.Context, owner string) error {
	if err := k.check(); err != nil {
		return err
	}
	return k.sharedStore.Release(ctx, owner)
}

func (k *killable) Reserve(ctx context.Context, slots ...cluster.Slot) (time.Duration, error) {
	if err := k.check(); err != nil {
		return 0, err
	}
	return k.sharedStore.Reserve(ctx, slots...)
}

func (k *killable) Sent(ctx context.Context, id int64, seq int) error {
	if err := k.check(); err != nil {
		return err
	}
	return k.sharedStore.Sent(ctx, id, seq)
}

// replicaSet runs several channels on one database and one fake Bot API, each with
// its own connection, webhook server and echo handler.
type replicaSet struct {
	t      *testing.T
	api    *tt.Server
	reopen func() sharedStore
	logs   *logBuffer
	reps   []*replicaRun
	nextID atomic.Int64
}

type replicaRun struct {
	name    string
	db      *killable
	ch      *Channel
	hook    *httptest.Server
	metrics *metrics.Metrics
	cancel  context.CancelFunc
	done    chan error
}

func newReplicaSet(t *testing.T, b backend) *replicaSet {
	s := &replicaSet{t: t, api: tt.New(t), reopen: b.open(t), logs: &logBuffer{}}
	s.nextID.Store(7000)
	t.Cleanup(func() {
		for _, r := range s.reps {
			s.stop(r)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", s.logs.String())
		}
	})
	return s
}

// start starts a replica in webhook mode (or polling, with a leader); edit may
// change its options.
func (s *replicaSet) start(name string, edit ...func(*Options)) *replicaRun {
	s.t.Helper()
	db := &killable{sharedStore: s.reopen()}
	r := &replicaRun{name: name, db: db, metrics: metrics.New(), done: make(chan error, 1)}
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("replica", name)
	opt := Options{
		Token: tt.Token, APIURL: s.api.URL, Store: db, Metrics: r.metrics, Logger: logger,
		Limits: testLimits, Workers: 4, PollTimeout: time.Second, DrainTimeout: 2 * time.Second, Retry: 5 * time.Millisecond,
		WebhookURL: "https://bot.example.org/telegram/hook", WebhookSecret: testSecret,
		Cluster: Cluster{Claims: db, Slots: db, Jobs: db, Owner: name, Lease: 2 * time.Second, Poll: 10 * time.Millisecond},
	}
	for _, e := range edit {
		e(&opt)
	}
	ch, err := New(opt)
	if err != nil {
		s.t.Fatal(err)
	}
	r.ch = ch
	e := &echo{}
	e.setChannel(ch)
	if opt.WebhookURL != "" {
		mux := http.NewServeMux()
		mux.Handle(ch.WebhookPath(), ch.WebhookHandler())
		r.hook = httptest.NewServer(mux)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- ch.Run(ctx, e) }()
	deadline := time.Now().Add(10 * time.Second)
	for ch.Ready() != nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s not ready", name)
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.reps = append(s.reps, r)
	return r
}

// stop stops a replica and waits for it; safe to call twice.
func (s *replicaSet) stop(r *replicaRun) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		s.t.Errorf("%s did not stop", r.name)
	}
	if r.hook != nil {
		r.hook.Close()
	}
}

// post posts u to r's webhook with update id id and wants a 200.
func (s *replicaSet) post(r *replicaRun, u map[string]any, id int64) {
	s.t.Helper()
	if code := httptestRecorder(s.t, r.ch, u, id); code != http.StatusOK {
		s.t.Fatalf("%s answered %d to update %d", r.name, code, id)
	}
}

// texts returns the texts of the successful sendMessage calls to each chat, in the
// order the fake API received them.
func (s *replicaSet) texts() map[int64][]string {
	out := map[int64][]string{}
	for _, r := range s.api.Sent("sendMessage") {
		out[r.Int("chat_id")] = append(out[r.Int("chat_id")], r.Params["text"])
	}
	return out
}

// waitDepth waits until nothing is pending in the shared inbox.
func (s *replicaSet) waitDepth(db sharedStore) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := db.Depth(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%d updates still pending; sent: %s", n, s.api.Summary())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReplicasAnswerEveryUpdateOnceInChatOrder(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newReplicaSet(t, b)
			reps := []*replicaRun{s.start("r1"), s.start("r2"), s.start("r3")}
			const chats, per = 12, 8
			id := int64(1)
			for k := range per {
				for c := range chats {
					u := tt.User{ID: int64(500 + c), Lang: "de", Name: "U"}
					msg := fmt.Sprintf("m%d-%d", c, k)
					r := reps[(c+k)%len(reps)]
					s.post(r, tt.Text(u, msg), id)
					if id%5 == 0 { // Telegram delivers it again, to another replica
						s.post(reps[(c+k+1)%len(reps)], tt.Text(u, msg), id)
					}
					id++
				}
			}
			s.waitDepth(reps[0].db)
			got := s.texts()
			for c := range chats {
				var want []string
				for k := range per {
					want = append(want, fmt.Sprintf("echo: m%d-%d", c, k))
				}
				if g := got[int64(500+c)]; !slices.Equal(g, want) {
					t.Errorf("chat %d got %q, want %q", c, g, want)
				}
			}
			// Every replica claimed some: they share the work.
			for _, r := range reps {
				if n := metricSum(t, &harness{metrics: r.metrics}, "ankommen_claim_seconds", nil); n == 0 {
					t.Errorf("%s never claimed", r.name)
				}
			}
		})
	}
}

// A replica that dies with an update in hand (after the first of its two
// messages) holds it until its lease expires; then another replica handles it and
// sends only the message Telegram did not accept yet.
func TestLeaseOfACrashedReplicaGoesToAnother(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newReplicaSet(t, b)
			const lease = 600 * time.Millisecond
			short := func(o *Options) {
				o.Cluster.Lease = lease
				o.DrainTimeout = 50 * time.Millisecond
			}
			a := s.start("a", short)
			// The second piece of the guide hangs: a dies while sending it.
			var pieces atomic.Int32
			s.api.Script("sendMessage", func(r tt.Request) *tt.Response {
				if r.Int("chat_id") == anna.ID && pieces.Add(1) == 2 {
					return &tt.Response{Hang: true, Status: 500, Body: map[string]any{"ok": false, "error_code": 500, "description": "gone"}}
				}
				return nil
			})
			s.post(a, tt.Text(anna, "the guide please"), 1)
			s.api.WaitFor(t, 10*time.Second, "the first piece", func(*tt.Server) bool { return len(s.texts()[anna.ID]) == 1 })

			bReplica := s.start("b", short)
			s.post(bReplica, tt.Text(bernd, "hallo"), 2)
			s.api.WaitFor(t, 10*time.Second, "bernd's answer", func(*tt.Server) bool { return len(s.texts()[bernd.ID]) == 1 })
			// a renews its lease: b leaves anna's update alone while a lives.
			time.Sleep(2 * lease)
			if n := len(s.texts()[anna.ID]); n != 1 {
				t.Fatalf("anna got %d messages while a held her update", n)
			}
			if n := metricSum(t, &harness{metrics: bReplica.metrics}, "ankommen_queue_depth", nil); n != 1 {
				t.Errorf("b reports a queue depth of %v, want 1 (anna's update)", n)
			}

			// a loses the database and stops without draining.
			a.db.dead.Store(true)
			s.api.WaitFor(t, 5*time.Second, "a notices", func(*tt.Server) bool { return a.ch.Ready() != nil })
			if err := a.ch.Ready(); !strings.Contains(err.Error(), "database") {
				t.Errorf("a's readiness: %v; want it to name the database", err)
			}
			crashed := time.Now()
			s.stop(a)
			s.waitDepth(bReplica.db)
			took := time.Since(crashed)
			got := s.texts()[anna.ID]
			if len(got) != 2 || !strings.HasPrefix(got[0], "Paragraph 1:") || strings.HasPrefix(got[1], "Paragraph 1:") {
				t.Fatalf("anna got %d messages: %q", len(got), got)
			}
			last := s.api.Sent("sendMessage")
			if kb := last[len(last)-1].Keyboard(); len(kb) == 0 {
				t.Error("the second piece lost its keyboard")
			}
			if n := metricSum(t, &harness{metrics: bReplica.metrics}, "ankommen_telegram_calls_total", map[string]string{"result": "sent_before"}); n != 1 {
				t.Errorf("b skipped %v calls accepted before the crash, want 1", n)
			}
			if took > lease+2*time.Second {
				t.Errorf("b took over after %v (lease %v)", took, lease)
			}
		})
	}
}

// Only the leader polls; when its connection to the database closes, a standby
// polls within seconds and nothing is lost.
func TestStandbyPollsWhenTheLeaderLosesItsConnection(t *testing.T) {
	b := backends[1]
	s := newReplicaSet(t, b)
	leaders := map[string]*postgres.Leader{}
	polling := func(name string) func(*Options) {
		return func(o *Options) {
			o.WebhookURL, o.WebhookSecret = "", ""
			l := o.Store.(*killable).sharedStore.(*postgres.DB).Leader("telegram-poll", nil)
			l.Retry, l.Check = 200*time.Millisecond, 200*time.Millisecond
			leaders[name] = l
			o.Cluster.Leader = l
		}
	}
	reps := []*replicaRun{s.start("a", polling("a")), s.start("b", polling("b"))}
	leading := func() []string {
		var out []string
		for _, r := range reps {
			if metricSum(t, &harness{metrics: r.metrics}, "ankommen_leader", nil) == 1 {
				out = append(out, r.name)
			}
		}
		return out
	}
	s.api.WaitFor(t, 10*time.Second, "a leader", func(*tt.Server) bool { return len(leading()) == 1 })
	first := leading()[0]
	for i := range 5 {
		s.api.AddUpdate(tt.Text(anna, "before "+strconv.Itoa(i)))
	}
	s.api.WaitFor(t, 10*time.Second, "answers", func(*tt.Server) bool { return len(s.texts()[anna.ID]) == 5 })

	// The server closes the leader's connection: it stops polling, and one
	// replica (the standby, unless the old leader reconnects first) polls again.
	pg := reps[0].db.sharedStore.(*postgres.DB)
	if _, err := pg.Pool().Exec(context.Background(), "SELECT pg_terminate_backend($1)", int32(leaders[first].PID())); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	s.waitFor(func() bool {
		return strings.Contains(s.logs.String(), "replica="+first) && strings.Contains(s.logs.String(), "lost leadership")
	})
	s.api.WaitFor(t, 10*time.Second, "a leader again", func(*tt.Server) bool { return len(leading()) == 1 })
	if took := time.Since(killed); took > 5*time.Second {
		t.Errorf("a replica led again after %v", took)
	}
	for i := range 5 {
		s.api.AddUpdate(tt.Text(anna, "after "+strconv.Itoa(i)))
	}
	s.waitFor(func() bool { return len(s.texts()[anna.ID]) >= 10 })

	// The leader stops: the standby polls within its retry interval.
	second := leading()[0]
	for _, r := range reps {
		if r.name == second {
			s.stop(r)
		}
	}
	stopped := time.Now()
	s.api.WaitFor(t, 10*time.Second, "the standby leads", func(*tt.Server) bool {
		l := leading()
		return len(l) == 1 && l[0] != second
	})
	if took := time.Since(stopped); took > 2*time.Second {
		t.Errorf("the standby took over after %v", took)
	}
	for i := range 5 {
		s.api.AddUpdate(tt.Text(anna, "last "+strconv.Itoa(i)))
	}
	s.waitFor(func() bool { return len(s.texts()[anna.ID]) >= 15 })
	var live *replicaRun
	for _, r := range reps {
		if r.name != second {
			live = r
		}
	}
	s.waitDepth(live.db)
	got := s.texts()[anna.ID]
	var want []string
	for _, w := range []string{"before", "after", "last"} {
		for i := range 5 {
			want = append(want, "echo: "+w+" "+strconv.Itoa(i))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("anna got %q, want %q", got, want)
	}
}

func (s *replicaSet) waitFor(cond func() bool) {
	s.t.Helper()
	s.api.WaitFor(s.t, 10*time.Second, "condition", func(*tt.Server) bool { return cond() })
}

// The send limits hold for all replicas together, measured from the times the fake
// Bot API received the messages.
func TestClusterSendLimits(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newReplicaSet(t, b)
			lim := Limits{Global: 30 * time.Millisecond, GlobalBurst: 3, PerChat: 150 * time.Millisecond, PerGroup: 300 * time.Millisecond,
				RetryAfterUnit: 10 * time.Millisecond, BackoffMin: 4 * time.Millisecond, BackoffMax: 20 * time.Millisecond}
			withLimits := func(o *Options) { o.Limits = lim }
			reps := []*replicaRun{s.start("r1", withLimits), s.start("r2", withLimits), s.start("r3", withLimits)}
			const chats, per = 6, 5
			id := int64(1)
			for k := range per {
				for c := range chats {
					u := tt.User{ID: int64(900 + c), Name: "U"}
					s.post(reps[(c+k)%len(reps)], tt.Text(u, fmt.Sprintf("m%d", k)), id)
					id++
				}
			}
			group := tt.GroupChat(-42)
			for k := range 4 {
				s.post(reps[k%len(reps)], tt.TextIn(group, anna, fmt.Sprintf("g%d", k)), id)
				id++
			}
			s.waitDepth(reps[0].db)
			sent := s.api.Sent("sendMessage")
			if len(sent) != chats*per+4 {
				t.Fatalf("%d messages, want %d", len(sent), chats*per+4)
			}
			// The database books each slot; the message then travels through the
			// scheduler, the HTTP client and the loopback, which may bring two a
			// little closer on a busy machine (2 cores shared, -race): 15% or 20ms.
			jitter := func(d time.Duration) time.Duration { return max(20*time.Millisecond, d*15/100) }
			byChat := map[int64][]time.Time{}
			var all []time.Time
			for _, r := range sent {
				byChat[r.Int("chat_id")] = append(byChat[r.Int("chat_id")], r.At)
				all = append(all, r.At)
			}
			for chatID, ts := range byChat {
				sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
				every := lim.PerChat
				if chatID < 0 {
					every = lim.PerGroup
				}
				for i := 1; i < len(ts); i++ {
					if gap := ts[i].Sub(ts[i-1]); gap < every-jitter(every) {
						t.Errorf("chat %d: two messages %v apart, limit %v", chatID, gap, every)
					}
				}
			}
			sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
			// GCRA: in any window of length w at most burst + w/interval messages.
			w := 10 * lim.Global
			allowed := lim.GlobalBurst + int((w+jitter(lim.Global))/lim.Global)
			for i := range all {
				n := 0
				for j := i; j < len(all) && all[j].Sub(all[i]) < w; j++ {
					n++
				}
				if n > allowed {
					t.Errorf("%d messages within %v from message %d, limit %d", n, w, i, allowed)
					break
				}
			}
			if span, least := all[len(all)-1].Sub(all[0]), time.Duration(len(all)-lim.GlobalBurst)*lim.Global-jitter(lim.Global); span < least {
				t.Errorf("%d messages in %v; the global limit allows no less than %v", len(all), span, least)
			}
		})
	}
}
