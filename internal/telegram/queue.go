package telegram

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/cluster"
	"github.com/oldenburg/ankommen/internal/metrics"
)

// Limits are Telegram's sending limits and the retry policy of the outgoing queue.
type Limits struct {
	// Off switches the rate limits off (benchmarks); retries still happen.
	Off bool
	// Global is the least time between two messages of the bot (Telegram: about
	// 30 a second in total); GlobalBurst messages may go at once.
	Global      time.Duration
	GlobalBurst int
	// PerChat is the least time between two messages to one private chat (about one
	// a second), PerGroup to one group (20 a minute).
	PerChat  time.Duration
	PerGroup time.Duration
	// RetryAfterUnit is what one unit of a 429's retry_after lasts: a second, shorter
	// in tests.
	RetryAfterUnit time.Duration
	// Backoff bounds the wait before retrying a 5xx or network failure; it doubles
	// from BackoffMin up to BackoffMax, with jitter. A call is retried after 429s,
	// 5xx and network failures until Options.SendRetryLimit has passed.
	BackoffMin, BackoffMax time.Duration
}

// DefaultLimits are Telegram's documented limits.
var DefaultLimits = Limits{
	Global:         time.Second / 30,
	GlobalBurst:    30,
	PerChat:        time.Second,
	PerGroup:       3 * time.Second,
	RetryAfterUnit: time.Second,
	BackoffMin:     500 * time.Millisecond,
	BackoffMax:     30 * time.Second,
}

// limiter spaces events at least interval apart, allowing burst at once (GCRA). It is
// safe for concurrent use.
type limiter struct {
	mu        sync.Mutex
	interval  time.Duration
	tolerance time.Duration // (burst-1) × interval
	tat       time.Time     // theoretical arrival time of the next event
}

func newLimiter(interval time.Duration, burst int) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{interval: interval, tolerance: time.Duration(burst-1) * interval}
}

// reserve books the next slot and returns how long to wait for it.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat.Before(now) {
		l.tat = now
	}
	wait := l.tat.Sub(now) - l.tolerance
	l.tat = l.tat.Add(l.interval)
	return max(wait, 0)
}

// pacer spaces the calls of one chat: they go one at a time, so it only remembers
// when the next may start, counted from the start of the last one.
type pacer struct {
	mu    sync.Mutex
	every time.Duration
	next  time.Time
}

// wait returns how long to wait before the next call.
func (p *pacer) wait(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.next.Sub(now), 0)
}

// sent records a call starting at t.
func (p *pacer) sent(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = t.Add(p.every)
}

// delay pushes the next call to at least t (after a 429).
func (p *pacer) delay(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next.Before(t) {
		p.next = t
	}
}

// idle reports whether a call could start at now.
func (p *pacer) idle(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.next.After(now)
}

// call is one Bot API call in the queue.
type call struct {
	chatID int64
	group  bool // a group: the group limit applies
	// limited calls count against the message limits and keep their order within
	// the chat; others (answerCallbackQuery) go at once.
	limited bool
	urgent  bool // emergencies: do not wait for the global limit
	method  string
	do      func(ctx context.Context) error
	done    func(error) // called once with the final result
	// since is when the reply's wait began: the update's arrival (stored in the
	// inbox, so it counts across restarts), else when the call was queued. After
	// the queue's retry limit from then, a failing call is given up.
	since time.Time
}

// queue sends calls to the Bot API within Telegram's limits: one FIFO per chat, a
// global limit over all chats, retries after 429 and 5xx, and no more sending to a
// chat whose user blocked the bot.
type queue struct {
	lim      Limits
	retryFor time.Duration    // how long a call is retried, from its since
	now      func() time.Time // the clock of since (the channel's)
	global   *limiter
	// slots, when set, keep the limits for all replicas together, on top of the
	// process's own (which also carry the waits after a 429).
	slots     cluster.Slots
	ctx       context.Context // ends when sending must stop
	forbidden func(chatID int64)
	metrics   *metrics.Metrics
	logger    *slog.Logger

	mu     sync.Mutex
	chats  map[int64]*chatQueue
	adds   int
	closed bool
	wg     sync.WaitGroup
}

type chatQueue struct {
	calls   []*call
	running bool
	pace    *pacer // nil: no limit
}

func newQueue(ctx context.Context, lim Limits, retryFor time.Duration, now func() time.Time, forbidden func(int64), m *metrics.Metrics, logger *slog.Logger) *queue {
	q := &queue{lim: lim, retryFor: retryFor, now: now, ctx: ctx, forbidden: forbidden, metrics: m, logger: logger, chats: map[int64]*chatQueue{}}
	if !lim.Off && lim.Global > 0 {
		q.global = newLimiter(lim.Global, lim.GlobalBurst)
	}
	return q
}

// add queues c. After close, c fails with errStopped.
func (q *queue) add(c *call) {
	if c.since.IsZero() {
		c.since = q.now()
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		c.done(errStopped)
		return
	}
	if !c.limited {
		q.wg.Add(1)
		q.mu.Unlock()
		go func() {
			defer q.wg.Done()
			c.done(q.execute(c, nil))
		}()
		return
	}
	cq := q.chats[c.chatID]
	if cq == nil {
		cq = &chatQueue{}
		if !q.lim.Off {
			every := q.lim.PerChat
			if c.group {
				every = q.lim.PerGroup
			}
			if every > 0 {
				cq.pace = &pacer{every: every}
			}
		}
		q.chats[c.chatID] = cq
	}
	cq.calls = append(cq.calls, c)
	if !cq.running {
		cq.running = true
		q.wg.Add(1)
		go q.run(c.chatID, cq)
	}
	q.adds++
	if q.adds%1024 == 0 {
		q.sweep()
	}
	q.mu.Unlock()
}

// sweep forgets idle chats whose limit has passed. q.mu is held.
func (q *queue) sweep() {
	now := time.Now()
	for id, cq := range q.chats {
		if !cq.running && (cq.pace == nil || cq.pace.idle(now)) {
			delete(q.chats, id)
		}
	}
}

// run sends the calls of one chat in order until its FIFO is empty.
func (q *queue) run(chatID int64, cq *chatQueue) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		if len(cq.calls) == 0 {
			cq.running = false
			if cq.pace == nil || cq.pace.idle(time.Now()) {
				delete(q.chats, chatID)
			}
			q.mu.Unlock()
			return
		}
		c := cq.calls[0]
		cq.calls[0] = nil
		cq.calls = cq.calls[1:]
		q.mu.Unlock()

		err := q.execute(c, cq.pace)
		kind, _ := classify(err)
		forbidden := err != nil && kind == errForbidden
		if forbidden {
			// Before done: whoever waits for the call sees the chat marked blocked.
			q.forbidden(chatID)
		}
		c.done(err)
		if forbidden {
			q.dropChat(chatID, cq, err)
		}
	}
}

// dropChat fails the queued calls of a chat that blocked the bot.
func (q *queue) dropChat(chatID int64, cq *chatQueue, err error) {
	q.mu.Lock()
	dropped := cq.calls
	cq.calls = nil
	q.mu.Unlock()
	for _, c := range dropped {
		q.metrics.Call(c.method, "dropped")
		c.done(err)
	}
}

// execute makes the call, waiting for the limits and retrying as the error says.
func (q *queue) execute(c *call, pace *pacer) error {
	backoff := q.lim.BackoffMin
	for attempt := 1; ; attempt++ {
		if c.limited {
			if err := q.wait(c, pace); err != nil {
				return err
			}
		}
		err := c.do(q.ctx)
		if err == nil {
			q.metrics.Call(c.method, "ok")
			if c.limited && pace != nil && q.slots != nil {
				q.sent(c.chatID, pace.every)
			}
			return nil
		}
		kind, retryAfter := classify(err)
		var wait time.Duration
		switch kind {
		case errRetryAfter:
			wait = time.Duration(max(retryAfter, 1)) * q.lim.RetryAfterUnit
			if pace != nil {
				pace.delay(time.Now().Add(wait))
			}
		case errTransient:
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff = min(2*backoff, q.lim.BackoffMax)
		}
		if wait == 0 {
			if kind != errAborted {
				q.metrics.Call(c.method, "failed")
			}
			return err
		}
		// Telegram is busy or down: the call waits, durably (its update stays in
		// the inbox until it is done), up to the retry limit.
		if waited := q.now().Sub(c.since); waited >= q.retryFor {
			q.metrics.Call(c.method, "failed")
			q.metrics.GivenUp(c.method)
			q.logger.Error("telegram call given up: Telegram kept refusing it", "method", c.method, "chat_id", c.chatID,
				"attempts", attempt, "waited", waited.Round(time.Second), "limit", q.retryFor, "err", err)
			return err
		}
		q.logger.Warn("telegram call failed, retrying", "method", c.method, "chat_id", c.chatID, "attempt", attempt, "wait", wait, "err", err)
		if err := sleep(q.ctx, wait); err != nil {
			return err
		}
	}
}

// wait waits for the chat's and then the global limit, and records the start.
func (q *queue) wait(c *call, pace *pacer) error {
	if pace != nil {
		// Also the wait a 429 asked for, which only this process knows.
		if err := sleep(q.ctx, pace.wait(time.Now())); err != nil {
			return err
		}
	}
	if d, ok := q.reserve(c, pace); ok {
		if err := sleep(q.ctx, d); err != nil {
			return err
		}
	} else if q.global != nil {
		d := q.global.reserve(time.Now())
		if c.urgent {
			d = 0 // an emergency takes its slot now; the others wait a little longer
		}
		if err := sleep(q.ctx, d); err != nil {
			return err
		}
	}
	if pace != nil {
		pace.sent(time.Now())
	}
	return nil
}

// reserve books the call's slots of the cluster's limits (its chat's and the
// global one, together) and returns the wait for them; ok is false without slots
// or when the database does not answer, and then the process's own limits hold.
func (q *queue) reserve(c *call, pace *pacer) (wait time.Duration, ok bool) {
	if q.slots == nil {
		return 0, false
	}
	var slots []cluster.Slot
	if pace != nil {
		slots = append(slots, cluster.Slot{Key: chatKey(c.chatID), Interval: pace.every, Burst: 1})
	}
	if q.global != nil {
		slots = append(slots, cluster.Slot{Key: "global", Interval: q.lim.Global, Burst: q.lim.GlobalBurst, Take: c.urgent})
	}
	if len(slots) == 0 {
		return 0, true
	}
	d, err := q.slots.Reserve(q.ctx, slots...)
	if err != nil {
		if q.ctx.Err() == nil {
			q.logger.Warn("cannot reserve a send slot of the cluster; keeping this replica's limits only", "err", err)
		}
		return 0, false
	}
	return d, true
}

// sent moves the chat's slot of the cluster on from now, after a send.
func (q *queue) sent(chatID int64, every time.Duration) {
	if err := q.slots.Hold(context.WithoutCancel(q.ctx), chatKey(chatID), every); err != nil {
		q.logger.Warn("cannot move a send slot of the cluster", "chat_id", chatID, "err", err)
	}
}

func chatKey(id int64) string { return "chat:" + strconv.FormatInt(id, 10) }

// close stops taking calls and waits until the queued ones are done: sent, failed, or
// aborted when q.ctx ends.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.wg.Wait()
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return errors.Join(errStopped, ctx.Err())
	case <-t.C:
		return nil
	}
}
