package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// A load is what users write: chats, each with a sequence of messages whose
// replies tell which message they answer, so that the fake Bot API's log shows
// what was lost, answered twice or answered out of order.
//
// In a group the bot replies to the message it answers (reply_parameters names
// it), which identifies each reply exactly. In a private chat it does not; there
// each message is one of a few prompts whose replies differ, and no prompt follows
// itself, so the replies to a chat, with runs of the same reply folded into one,
// must be the prompts in the order written.

// prompt is a private message and how its reply begins.
type prompt struct {
	Text  string
	Reply string // a substring of the reply and of no other prompt's reply
}

var prompts = []prompt{
	{"hi", "Hello! I answer questions"},
	{"/help", "Write your question in a few words"},
	{"where do I register my address", "<b>Regist"}, // "Registering your address" (test content), "Register your address (Anmeldung)" (shipped)
}

// load describes the updates a test or benchmark sends.
type load struct {
	Chats   int // chats, groups included
	Groups  int // how many of the chats are groups
	PerChat int // messages per chat
	// Dup is the share of updates delivered a second time, to a replica other
	// than the first, at the same moment.
	Dup float64
	// Rate paces the updates at so many a second in total; 0 sends all at once
	// (each chat's in order, one after the other).
	Rate float64
	Seed uint64
}

// Total is the number of updates (without duplicate deliveries).
func (l load) Total() int { return l.Chats * l.PerChat }

// sendChat is one chat's script.
type sendChat struct {
	ID      int64
	Group   bool
	Updates []delivery
	// Want is what each reply must show: the message id replied to (groups) or the
	// prompt's reply text (private chats), in order.
	Want []string
	// Posted is when each update was first posted.
	Posted []time.Time
	Dup    []bool
}

// script builds the chats of l; update ids grow with each chat's order.
func (l load) script() []*sendChat {
	rng := rand.New(rand.NewPCG(l.Seed, 11))
	chats := make([]*sendChat, l.Chats)
	var msgID int64 = 1
	for i := range chats {
		sc := &sendChat{Group: i < l.Groups}
		user := tt.User{ID: int64(700000 + i), Lang: "en"}
		if sc.Group {
			sc.ID = -1000000000 - int64(i)
		} else {
			sc.ID = user.ID
		}
		chats[i] = sc
	}
	last := make([]int, l.Chats)
	for k := range l.PerChat {
		for i, sc := range chats {
			id := int64(100000 + k*l.Chats + i)
			user := tt.User{ID: int64(700000 + i), Lang: "en"}
			var u map[string]any
			if sc.Group {
				u = tt.ReplyTo(tt.GroupChat(sc.ID), user, "where do I register my address")
				// The fake's message ids are global; ours are set to be unique per test.
				msgID++
				u["message"].(map[string]any)["message_id"] = msgID
				sc.Want = append(sc.Want, fmt.Sprint(msgID))
			} else {
				p := rng.IntN(len(prompts))
				if k > 0 && p == last[i] {
					p = (p + 1 + rng.IntN(len(prompts)-1)) % len(prompts)
				}
				last[i] = p
				u = tt.Text(user, prompts[p].Text)
				sc.Want = append(sc.Want, prompts[p].Reply)
			}
			sc.Updates = append(sc.Updates, newDelivery(id, sc.ID, u))
			sc.Dup = append(sc.Dup, rng.Float64() < l.Dup)
		}
	}
	for _, sc := range chats {
		sc.Posted = make([]time.Time, len(sc.Updates))
	}
	return chats
}

// sendStats are what the sender saw.
type sendStats struct {
	Posted  int // updates posted
	Dups    int // second deliveries
	Retries int // posts answered other than 200 (a replica down)
	Elapsed time.Duration
}

// send posts every chat's updates through the proxy, each chat's in order and
// one after the other (the next once a replica answered 200), the chats in
// parallel. With l.Rate the posts are spread over time instead.
func (c *cluster) send(ctx context.Context, l load, chats []*sendChat) (sendStats, error) {
	var (
		mu    sync.Mutex
		st    sendStats
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	n := len(c.reps)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	// With a rate, update number j (in id order) may go at start + j/rate.
	slot := func(k, i int) time.Time {
		if l.Rate <= 0 {
			return time.Time{}
		}
		return start.Add(time.Duration(float64(k*len(chats)+i) / l.Rate * float64(time.Second)))
	}
	for i, sc := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, d := range sc.Updates {
				if at := slot(k, i); !at.IsZero() {
					time.Sleep(time.Until(at))
				}
				to := (i + k) % n
				sc.Posted[k] = time.Now()
				var dup sync.WaitGroup
				if sc.Dup[k] && n > 1 {
					dup.Add(1)
					go func() {
						defer dup.Done()
						tries, err := c.Post(ctx, d, (to+1)%n)
						mu.Lock()
						st.Dups++
						st.Retries += tries - 1
						mu.Unlock()
						if err != nil {
							fail(err)
						}
					}()
				}
				tries, err := c.Post(ctx, d, to)
				mu.Lock()
				st.Posted++
				st.Retries += tries - 1
				mu.Unlock()
				dup.Wait()
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	return st, first
}

// outcome is what the fake Bot API's log says about a load.
type outcome struct {
	Lost, Twice, OutOfOrder int
	Problems                []string // the first few, for the failure message
	Latencies               []time.Duration
}

// judge compares the replies in the log with the chats' scripts.
func judge(chats []*sendChat, log []reply) outcome {
	byChat := map[int64][]reply{}
	for _, r := range log {
		byChat[r.Chat] = append(byChat[r.Chat], r)
	}
	var o outcome
	note := func(format string, args ...any) {
		if len(o.Problems) < 10 {
			o.Problems = append(o.Problems, fmt.Sprintf(format, args...))
		}
	}
	for _, sc := range chats {
		got := byChat[sc.ID]
		delete(byChat, sc.ID)
		// Fold runs of the same reply: a reply sent again right after itself is a
		// duplicate, not a reordering.
		var seq []string
		var at []time.Time
		for _, r := range got {
			key := r.Text
			if sc.Group {
				key = fmt.Sprint(r.ReplyTo)
			} else {
				key = "?" + firstLine(r.Text)
				for _, p := range prompts {
					if strings.Contains(r.Text, p.Reply) {
						key = p.Reply
					}
				}
			}
			if len(seq) > 0 && seq[len(seq)-1] == key {
				o.Twice++
				continue
			}
			seq = append(seq, key)
			at = append(at, r.At)
		}
		switch {
		case slices.Equal(seq, sc.Want):
			for k := range seq {
				o.Latencies = append(o.Latencies, at[k].Sub(sc.Posted[k]))
			}
		case len(seq) < len(sc.Want) && isSubsequence(seq, sc.Want):
			o.Lost += len(sc.Want) - len(seq)
			note("chat %d: %d of %d replies", sc.ID, len(seq), len(sc.Want))
		default:
			// More replies than messages, or another order: count the replies that
			// are not where they belong.
			o.OutOfOrder++
			if len(seq) > len(sc.Want) {
				o.Twice += len(seq) - len(sc.Want)
			} else {
				o.Lost += len(sc.Want) - len(seq)
			}
			note("chat %d: replies %v, want %v", sc.ID, short(seq), short(sc.Want))
		}
	}
	for id, rs := range byChat {
		note("%d replies to chat %d, which wrote nothing", len(rs), id)
		o.OutOfOrder++
	}
	return o
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

func short(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		if len(x) > 8 {
			x = x[:8]
		}
		out[i] = x
	}
	return out
}

// isSubsequence reports whether a is b with some elements left out, in b's order.
func isSubsequence(a, b []string) bool {
	j := 0
	for _, x := range b {
		if j < len(a) && a[j] == x {
			j++
		}
	}
	return j == len(a)
}

// percentile returns the p-th percentile (0–100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// sendJitter is how far apart in time two calls may arrive at the fake Bot API
// compared with the slots their replicas booked: a replica books its slot in the
// database, waits for it, and makes the call; on a loaded 2-core machine (three
// replicas, PostgreSQL, the sender) a call is late by up to some tens of
// milliseconds, and a late one arrives together with the next on-time ones.
// Telegram counts at its end too, but at its real limits (33 ms apart in total, a
// second per chat) this is one message at most; the scaled-down limits of the
// tests (4 ms apart) make it several.
const sendJitter = 40 * time.Millisecond

// checkLimits checks the log of replies against the limits, allowing for
// sendJitter; it returns one line per limit broken.
func checkLimits(log []reply, l sendLimits, groups map[int64]bool, jitter time.Duration) []string {
	var bad []string
	all := make([]time.Time, len(log))
	per := map[int64][]time.Time{}
	for i, r := range log {
		all[i] = r.At
		per[r.Chat] = append(per[r.Chat], r.At)
	}
	slack := func(every time.Duration) int { return int((jitter + every - 1) / every) }
	if s := rateExcess(all, l.Global, l.GlobalBurst, slack(l.Global)); s != "" {
		bad = append(bad, "global limit: "+s)
	}
	for id, ts := range per {
		every := l.Chat
		if groups[id] {
			every = l.Group
		}
		if s := rateExcess(ts, every, 1, slack(every)); s != "" {
			bad = append(bad, fmt.Sprintf("chat %d: %s", id, s))
		}
	}
	sort.Strings(bad)
	return bad
}

// waitReplies waits until the log holds at least n replies and no new one came for
// quiet (late duplicates), or until timeout.
func waitReplies(t testing.TB, c *cluster, n int, quiet, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, lastAt := -1, time.Now()
	for time.Now().Before(deadline) {
		got := c.API.Count("sendMessage")
		if got != last {
			last, lastAt = got, time.Now()
		}
		if got >= n && time.Since(lastAt) >= quiet {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("after %v: %d replies, want %d", timeout, last, n)
}
