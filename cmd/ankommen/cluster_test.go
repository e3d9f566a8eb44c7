package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/telegram"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// The harness of the replica tests and benchmarks: real `ankommen serve`
// processes on loopback that share one store, a round-robin reverse proxy in
// front of their webhooks (the load balancer), a sender that plays Telegram's
// part of the webhook (retrying until a replica answers 200), and the fake Bot
// API whose log of calls, each with its time and chat, is what the tests judge.
// Which store the replicas share is a matter of environment variables only:
// ANKOMMEN_DATA for SQLite, ANKOMMEN_DATABASE_URL for PostgreSQL.

const (
	// webhookURL is what the replicas register with the fake Bot API; nothing
	// connects to it: the sender posts to the proxy, at its path.
	webhookURL    = "https://bot.example.org/telegram"
	webhookSecret = "replica-test-secret"
	// replicaHeader lets the sender pick the replica the proxy forwards to (a
	// duplicate delivery to a replica other than the first's).
	replicaHeader = "X-Test-Replica"
)

// storeKind is the store the replicas share.
type storeKind string

const (
	storeSQLite   storeKind = "sqlite"
	storePostgres storeKind = "postgres"
)

// sendLimits are Telegram's limits scaled down, so that thousands of replies go
// out in seconds; the replicas get them through ANKOMMEN_SEND_LIMITS, and the tests
// check the fake Bot API's log against the same numbers.
type sendLimits struct {
	Global      time.Duration // least time between two messages of the bot
	GlobalBurst int           // messages that may go at once
	Chat        time.Duration // least time between two messages to one private chat
	Group       time.Duration // … to one group
}

// Env is the value of ANKOMMEN_SEND_LIMITS for l.
func (l sendLimits) Env() string {
	return fmt.Sprintf("global=%s,burst=%d,chat=%s,group=%s", l.Global, l.GlobalBurst, l.Chat, l.Group)
}

// clusterOptions describe the replicas.
type clusterOptions struct {
	Store    storeKind
	Replicas int
	Webhook  bool // webhook mode behind the proxy; false: long polling
	Limits   sendLimits
	// Env is added to every replica's environment (and wins over the defaults).
	Env []string
	// ReplicaEnv, when set, adds to replica i's environment; it gets the
	// database's URL (PostgreSQL), e.g. to send one replica through a proxy.
	ReplicaEnv func(i int, databaseURL string) []string
}

// cluster is a set of serve processes on one store, the fake Bot API they call
// and, in webhook mode, the proxy in front of them.
type cluster struct {
	t    testing.TB
	bin  string
	opt  clusterOptions
	API  *tt.Server
	env  []string
	reps []*replica
	// DatabaseURL is the PostgreSQL database of the replicas ("" for SQLite).
	DatabaseURL string
	proxy       *balancer
}

// replica is one serve process; it keeps its address across restarts, so that the
// proxy's list of backends stays the same.
type replica struct {
	i    int
	addr string
	mu   sync.Mutex
	cmd  *exec.Cmd
	out  *syncBuffer
	logs []string // the output of earlier runs
}

// newCluster builds the binary, creates the store and the fake Bot API, and
// starts the replicas; they are ready (connected to Telegram) when it returns.
func newCluster(t testing.TB, opt clusterOptions) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: buildPlain(t), opt: opt, API: tt.New(t)}
	c.env = []string{
		"ANKOMMEN_CONTENT=../../internal/conversation/testdata/content", "ANKOMMEN_LOCALES=../../locales",
		"TELEGRAM_BOT_TOKEN=" + tt.Token, "TELEGRAM_API_URL=" + c.API.URL,
		"ANKOMMEN_FLOOD_LIMIT=100000", "ANKOMMEN_LOG_LEVEL=warn",
		"ANKOMMEN_SEND_LIMITS=" + opt.Limits.Env(),
		// A killed replica's updates go to the others after its lease: 30 s by
		// default, scaled down like the send limits.
		"ANKOMMEN_CLAIM_LEASE=3s",
	}
	switch opt.Store {
	case storeSQLite:
		if opt.Replicas != 1 {
			t.Fatalf("SQLite is one file on one machine: one replica, not %d", opt.Replicas)
		}
		c.env = append(c.env, "ANKOMMEN_DATA="+t.TempDir())
	case storePostgres:
		// pgtest fails under CI=true when no server can be had, skips elsewhere.
		c.DatabaseURL = pgtest.URL(t)
		c.env = append(c.env, "ANKOMMEN_DATABASE_URL="+c.DatabaseURL)
	default:
		t.Fatalf("unknown store %q", opt.Store)
	}
	if opt.Webhook {
		c.env = append(c.env, "TELEGRAM_WEBHOOK_URL="+webhookURL, "TELEGRAM_WEBHOOK_SECRET="+webhookSecret)
	}
	c.env = append(c.env, opt.Env...)
	var addrs []string
	for i := range opt.Replicas {
		r := &replica{i: i, addr: freeAddr(t)}
		c.reps = append(c.reps, r)
		addrs = append(addrs, r.addr)
	}
	if opt.Webhook {
		c.proxy = newBalancer(t, addrs)
	}
	t.Cleanup(func() {
		for _, r := range c.reps {
			r.kill()
		}
		if t.Failed() {
			c.dumpLogs()
		}
	})
	for i := range c.reps {
		c.Start(i)
	}
	for i := range c.reps {
		c.WaitReady(i, 60*time.Second)
	}
	return c
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start starts replica i (again).
func (c *cluster) Start(i int) {
	c.t.Helper()
	r := c.reps[i]
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil && r.cmd.ProcessState == nil {
		c.t.Fatalf("replica %d runs already", i)
	}
	data := ""
	if c.opt.Store == storePostgres {
		// Each replica its own directory: they share nothing but the database.
		data = "ANKOMMEN_DATA=" + filepath.Join(os.TempDir(), fmt.Sprintf("ankommen-replica-%d-%d", os.Getpid(), i))
	}
	cmd := exec.Command(c.bin, "serve")
	// Each replica keeps its name across restarts, as a deployment names them
	// (one per host or unit).
	// Each replica keeps its name across restarts, as a deployment names them (one
	// per host or unit): a restarted replica must not take its predecessor's
	// leases for its own.
	cmd.Env = append(append(os.Environ(), c.env...), "ANKOMMEN_ADDR="+r.addr, fmt.Sprintf("ANKOMMEN_REPLICA=replica-%d", i))
	if data != "" {
		cmd.Env = append(cmd.Env, data)
	}
	if c.opt.ReplicaEnv != nil {
		cmd.Env = append(cmd.Env, c.opt.ReplicaEnv(i, c.DatabaseURL)...)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	r.cmd, r.out = cmd, out
}

// WaitReady waits until replica i answers 200 on /readyz.
func (c *cluster) WaitReady(i int, timeout time.Duration) {
	c.t.Helper()
	r := c.reps[i]
	deadline := time.Now().Add(timeout)
	for {
		code, body := c.Readyz(i)
		if code == http.StatusOK {
			return
		}
		r.mu.Lock()
		exited := r.cmd.ProcessState != nil
		r.mu.Unlock()
		if exited || time.Now().After(deadline) {
			c.t.Fatalf("replica %d not ready after %v (exited: %v; readyz %d %q):\n%s", i, timeout, exited, code, body, r.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Readyz returns the status and body of replica i's /readyz (0 when it does not
// answer).
func (c *cluster) Readyz(i int) (int, string) {
	cl := http.Client{Timeout: 2 * time.Second}
	resp, err := cl.Get("http://" + c.reps[i].addr + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// Metrics returns replica i's Prometheus metrics as text.
func (c *cluster) Metrics(i int) string {
	cl := http.Client{Timeout: 2 * time.Second}
	resp, err := cl.Get("http://" + c.reps[i].addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Kill kills replica i with SIGKILL and waits for it to end.
func (c *cluster) Kill(i int) { c.reps[i].kill() }

func (r *replica) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.ProcessState != nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.cmd.Wait()
	r.logs = append(r.logs, r.out.String())
}

// Stop stops replica i with SIGTERM and fails the test when it does not end
// cleanly.
func (c *cluster) Stop(i int) {
	c.t.Helper()
	r := c.reps[i]
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.ProcessState != nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	if err := r.cmd.Wait(); err != nil {
		c.t.Errorf("replica %d after SIGTERM: %v", r.i, err)
	}
	r.logs = append(r.logs, r.out.String())
}

// StopAll stops every running replica with SIGTERM, in parallel.
func (c *cluster) StopAll() {
	var wg sync.WaitGroup
	for i := range c.reps {
		wg.Add(1)
		go func() { defer wg.Done(); c.Stop(i) }()
	}
	wg.Wait()
}

// Pid returns the process id of replica i (0 when it does not run).
func (c *cluster) Pid(i int) int {
	r := c.reps[i]
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.ProcessState != nil {
		return 0
	}
	return r.cmd.Process.Pid
}

// PeakRSS returns the most memory replica i has held resident (VmHWM), in bytes.
func (c *cluster) PeakRSS(i int) int64 { return c.procStatus(i, "VmHWM:") }

// RSS returns the memory replica i holds resident now (VmRSS), in bytes.
func (c *cluster) RSS(i int) int64 { return c.procStatus(i, "VmRSS:") }

// procStatus returns a size in kB from /proc/<pid>/status of replica i, in bytes.
func (c *cluster) procStatus(i int, field string) int64 {
	pid := c.Pid(i)
	if pid == 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func (r *replica) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := append([]string(nil), r.logs...)
	if r.cmd != nil && r.cmd.ProcessState == nil {
		all = append(all, r.out.String())
	}
	return strings.Join(all, "\n--- restarted ---\n")
}

func (c *cluster) dumpLogs() {
	for _, r := range c.reps {
		out := r.output()
		if len(out) > 20000 {
			out = "…" + out[len(out)-20000:]
		}
		c.t.Logf("replica %d (%s) log:\n%s", r.i, r.addr, out)
	}
}

// balancer is the load balancer in front of the replicas' webhooks: round robin,
// no health checks; a replica that is down answers 502 through it, and the sender
// tries again, as Telegram does.
type balancer struct {
	*httptest.Server
	backends []*url.URL
	next     atomic.Uint64
}

func newBalancer(t testing.TB, addrs []string) *balancer {
	b := &balancer{}
	for _, a := range addrs {
		b.backends = append(b.backends, &url.URL{Scheme: "http", Host: a})
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := int(b.next.Add(1)-1) % len(b.backends)
			if s := pr.In.Header.Get(replicaHeader); s != "" {
				i, _ = strconv.Atoi(s)
			}
			pr.SetURL(b.backends[i%len(b.backends)])
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		},
		ErrorLog: discardLog,
	}
	b.Server = httptest.NewServer(rp)
	t.Cleanup(b.Close)
	return b
}

// delivery is one update as Telegram posts it: its id and JSON.
type delivery struct {
	ID   int64
	Chat int64
	Body []byte
}

// newDelivery gives u the update_id id and encodes it.
func newDelivery(id int64, chat int64, u map[string]any) delivery {
	u["update_id"] = id
	b, err := json.Marshal(u)
	if err != nil {
		panic(err) // the builders make only JSON-encodable maps
	}
	return delivery{ID: id, Chat: chat, Body: b}
}

// errGaveUp is returned when no replica took an update within the sender's time.
var errGaveUp = errors.New("no replica answered 200")

// Post delivers an update as Telegram does: POST to the webhook path through the
// proxy (to replica `to` when to >= 0), again after a short pause for as long as
// the answer is not 200, up to a minute. It returns how many tries it took.
func (c *cluster) Post(ctx context.Context, d delivery, to int) (int, error) {
	u := c.proxy.URL + "/telegram"
	deadline := time.Now().Add(time.Minute)
	for try := 1; ; try++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(d.Body))
		if err != nil {
			return try, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(telegram.SecretHeader, webhookSecret)
		if to >= 0 {
			req.Header.Set(replicaHeader, strconv.Itoa(to))
			to++ // a retry goes to the next one
		}
		resp, err := webhookClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return try, nil
			}
		}
		if ctx.Err() != nil {
			return try, ctx.Err()
		}
		if time.Now().After(deadline) {
			return try, fmt.Errorf("update %d: %w", d.ID, errGaveUp)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// discardLog silences the proxy's complaints about replicas that are down.
var discardLog = log.New(io.Discard, "", 0)

// webhookClient is the sender's HTTP client: many connections, as Telegram keeps up
// to max_connections (default 40) open to a webhook.
var webhookClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256},
}

// reply is one successful sendMessage in the fake Bot API's log.
type reply struct {
	At      time.Time
	Chat    int64
	ReplyTo int64 // the message replied to (groups), 0 for none
	Text    string
}

// replies returns the fake Bot API's successful sendMessage calls in the order they
// arrived. A call the kill cut off in the middle reaches the fake without its
// parameters (chat 0); Telegram would reject it, and so it is left out.
func replies(api *tt.Server) []reply {
	var out []reply
	for _, r := range api.Sent("sendMessage") {
		id := r.Int("chat_id")
		if id == 0 {
			continue
		}
		rp := reply{At: r.At, Chat: id, Text: r.Params["text"]}
		var p struct {
			MessageID int64 `json:"message_id"`
		}
		if json.Unmarshal([]byte(r.Params["reply_parameters"]), &p) == nil {
			rp.ReplyTo = p.MessageID
		}
		out = append(out, rp)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// rateExcess checks times (sorted) against a limit of one event per every with
// burst events at once, as a receiver sees it: in no window of any length w may
// more than burst + w/every events arrive. slack events are allowed on top for the
// jitter between a replica reserving its slot and the call arriving. It returns a
// description of the worst window, "" when the limit holds. Windows up to 2 s long
// are checked (every pair of events that far apart).
func rateExcess(times []time.Time, every time.Duration, burst, slack int) string {
	// Only windows from one event to a later one matter, so checking each pair
	// (i, j) is exact.
	worst, at := 0.0, ""
	for i := range times {
		for j := i + burst + slack; j < len(times); j++ {
			w := times[j].Sub(times[i])
			allowed := burst + slack + int(w/every)
			n := j - i + 1
			if n > allowed {
				if ex := float64(n - allowed); ex > worst {
					worst = ex
					at = fmt.Sprintf("%d messages within %v (from %s), allowed %d", n, w, times[i].Format("15:04:05.000"), allowed)
				}
			}
			if w > 2*time.Second {
				break
			}
		}
	}
	return at
}

// feed queues the chats' updates at the fake Bot API for getUpdates (polling
// mode), in id order, paced at l.Rate a second (0: all at once). A share l.Dup is
// served a second time once it was served, as Telegram does when the
// confirmation of a batch (the next offset) did not reach it. It returns when the
// last update is queued and every second delivery is.
func (c *cluster) feed(ctx context.Context, l load, chats []*sendChat) {
	start := time.Now()
	var dups []delivery
	j := 0
	for k := range l.PerChat {
		for _, sc := range chats {
			if l.Rate > 0 {
				time.Sleep(time.Until(start.Add(time.Duration(float64(j) / l.Rate * float64(time.Second)))))
			}
			if ctx.Err() != nil {
				return
			}
			d := sc.Updates[k]
			sc.Posted[k] = time.Now()
			c.API.AddRaw(d.ID, d.Body)
			if sc.Dup[k] {
				dups = append(dups, d)
			}
			j++
			dups = c.redeliverServed(dups)
		}
	}
	for len(dups) > 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		dups = c.redeliverServed(dups)
	}
}

// redeliverServed serves again those of ds that getUpdates has served, and
// returns the others.
func (c *cluster) redeliverServed(ds []delivery) []delivery {
	if len(ds) == 0 {
		return nil
	}
	served := c.API.Served()
	var rest []delivery
	for _, d := range ds {
		if _, ok := served[d.ID]; ok {
			c.API.Redeliver(d.Body)
		} else {
			rest = append(rest, d)
		}
	}
	return rest
}

// tcpCut forwards TCP connections to a target (a replica's way to the database)
// until Cut closes them all and refuses new ones; Restore lets them through
// again. It is how one replica loses its database while the others keep it.
type tcpCut struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  map[net.Conn]bool
}

func newTCPCut(t testing.TB, target string) *tcpCut {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpCut{l: l, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { l.Close(); p.Cut() })
	return p
}

// Addr is the address to connect to instead of the target.
func (p *tcpCut) Addr() string { return p.l.Addr().String() }

func (p *tcpCut) accept() {
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			in.Close()
			continue
		}
		out, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = true, true
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			io.Copy(dst, src)
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(in, out)
		go pipe(out, in)
	}
}

// Cut closes every connection and refuses new ones.
func (p *tcpCut) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Restore lets connections through again.
func (p *tcpCut) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

// viaAddr returns the database URL u with its host and port replaced by addr.
func viaAddr(u, addr string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	pu.Host = addr
	return pu.String()
}

// metricValue returns the value of the first sample of metric name in a
// Prometheus text exposition, and whether there is one.
func metricValue(text, name string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		if i := strings.LastIndexByte(rest, ' '); i >= 0 {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest[i+1:]), 64)
			if err == nil {
				return v, true
			}
		}
	}
	return 0, false
}
