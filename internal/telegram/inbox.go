package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/chat"
)

// record is one received update on its way through the channel.
type record struct {
	id       int64
	chatID   int64
	payload  []byte
	upd      *models.Update // nil when the payload does not decode
	received time.Time
	// sent are the calls (by place) Telegram accepted before a crash: handled
	// again, the update does not send them again.
	sent map[int]bool
}

// decodeRecord reads an update as Telegram sent it. An update the library cannot
// decode (a new field type, say) still has its id and is stored; it is answered with
// nothing but also blocks nothing.
func decodeRecord(payload []byte, received time.Time) (record, error) {
	var u models.Update
	if err := json.Unmarshal(payload, &u); err == nil && u.ID != 0 {
		return record{id: u.ID, chatID: chatOf(&u), payload: payload, upd: &u, received: received}, nil
	}
	var head struct {
		ID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(payload, &head); err != nil || head.ID == nil {
		return record{}, fmt.Errorf("telegram: not an update: %w", errors.Join(err, errors.New("no update_id")))
	}
	return record{id: *head.ID, payload: payload, received: received}, nil
}

// chatOf returns the chat an update concerns, or 0.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.ChannelPost != nil:
		return u.ChannelPost.Chat.ID
	case u.EditedChannelPost != nil:
		return u.EditedChannelPost.Chat.ID
	case u.CallbackQuery != nil:
		switch m := u.CallbackQuery.Message; {
		case m.Message != nil:
			return m.Message.Chat.ID
		case m.InaccessibleMessage != nil:
			return m.InaccessibleMessage.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// accept stores records in the inbox (with the next polling offset, if any) and hands
// the ones not handled yet to the workers. When it returns nil the records are
// durable: Telegram may forget them.
//
// Concurrent calls (webhook requests) share transactions: while one batch commits,
// the next gathers, so under load a commit covers many updates.
func (c *Channel) accept(ctx context.Context, recs []record, offset int64) error {
	req := &appendReq{recs: recs, offset: offset, done: make(chan struct{})}
	c.appendMu.Lock()
	c.appendQ = append(c.appendQ, req)
	leader := !c.appending
	c.appending = true
	c.appendMu.Unlock()
	if leader {
		c.commitAppends()
	}
	select {
	case <-req.done:
		return req.err
	case <-ctx.Done():
		// The batch may still commit; Telegram's retry is then a duplicate.
		return ctx.Err()
	}
}

type appendReq struct {
	recs   []record
	offset int64
	err    error
	done   chan struct{}
}

// commitAppends commits the queued appends in one transaction, and the ones that
// queued meanwhile in a next, until none is left.
func (c *Channel) commitAppends() {
	for {
		c.appendMu.Lock()
		batch := c.appendQ
		c.appendQ = nil
		if len(batch) == 0 {
			c.appending = false
			c.appendMu.Unlock()
			return
		}
		c.appendMu.Unlock()

		var ups []chat.Update
		var offset int64
		for _, req := range batch {
			for _, r := range req.recs {
				ups = append(ups, chat.Update{ID: r.id, ChatID: r.chatID, Payload: r.payload, Received: r.received})
			}
			offset = max(offset, req.offset)
		}
		// The status the append reads may be out of date by the time a record is
		// dispatched: the first delivery of an update, in hand when the append
		// read it as pending, may be marked done meanwhile. Holding handOut keeps
		// its id in the in-flight set until the second delivery met it there.
		c.handOut.Lock()
		// Not a request's context: the batch belongs to every request in it.
		st, err := c.store.Append(context.Background(), ups, offset)
		i := 0
		for _, req := range batch {
			req.err = err
			if err == nil {
				for _, r := range req.recs {
					switch {
					case st[i] == chat.StatusDone:
						c.metrics.Ignored("duplicate")
						c.log.Debug("duplicate update ignored", "update_id", r.id)
					case c.rep == nil:
						c.dispatch(r)
					}
					i++
				}
			}
			close(req.done)
		}
		c.handOut.Unlock()
		if err == nil {
			c.rep.poke() // claimed by whichever replica is first; often this one
		}
	}
}

// dispatch queues r on its chat's worker unless it is queued or being handled
// already. Updates of one chat are handled in order, one at a time.
func (c *Channel) dispatch(r record) {
	if !c.running.Load() {
		return // stored; Run picks it up from the inbox
	}
	c.mu.Lock()
	if _, ok := c.inflight[r.id]; ok {
		c.mu.Unlock()
		c.metrics.Ignored("duplicate")
		return
	}
	c.inflight[r.id] = struct{}{}
	c.mu.Unlock()
	c.metrics.Backlog(1)
	key := uint64(r.chatID)
	if key == 0 {
		key = uint64(r.id)
	}
	c.shards[key%uint64(len(c.shards))].push(r)
}

// shard is one worker's FIFO. It is unbounded: every record in it is already durable,
// and the poller stops fetching while the backlog is long.
type shard struct {
	mu     sync.Mutex
	recs   []record
	signal chan struct{}
}

func newShard() *shard { return &shard{signal: make(chan struct{}, 1)} }

func (s *shard) push(r record) {
	s.mu.Lock()
	s.recs = append(s.recs, r)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *shard) pop() (record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.recs) == 0 {
		return record{}, false
	}
	r := s.recs[0]
	s.recs[0] = record{}
	s.recs = s.recs[1:]
	return r, true
}

// work handles the shard's records until stop ends; the record in hand is finished
// first. Records still queued stay pending in the inbox for the next start.
func (c *Channel) work(stop <-chan struct{}, s *shard) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		r, ok := s.pop()
		if !ok {
			select {
			case <-stop:
				return
			case <-s.signal:
			}
			continue
		}
		c.handle(r)
	}
}

// tracker counts what is still open of one update: the handler, and each call it
// queued. When all are done, the update is finished. It also numbers the update's
// calls in the order the handler makes them, which is the same when the update is
// handled again after a crash: the number says which were accepted already.
type tracker struct {
	n        atomic.Int32
	aborted  atomic.Bool
	finish   func(aborted bool)
	updateID int64
	received time.Time
	sent     map[int]bool // read only
	seq      atomic.Int32
}

func newTracker(r record, finish func(bool)) *tracker {
	t := &tracker{finish: finish, updateID: r.id, received: r.received, sent: r.sent}
	t.n.Store(1)
	return t
}

// next returns the place of the update's next call, and whether Telegram accepted
// it before a crash.
func (t *tracker) next() (seq int, sent bool) {
	seq = int(t.seq.Add(1) - 1)
	return seq, t.sent[seq]
}

func (t *tracker) add() { t.n.Add(1) }

func (t *tracker) done(err error) {
	if err != nil {
		if k, _ := classify(err); k == errAborted {
			t.aborted.Store(true)
		}
	}
	if t.n.Add(-1) == 0 {
		t.finish(t.aborted.Load())
	}
}

type trackerKey struct{}

func trackerFrom(ctx context.Context) *tracker {
	t, _ := ctx.Value(trackerKey{}).(*tracker)
	return t
}

// handle hands r to the handler. Its context does not end with Run's: an update in
// hand is finished, sends included, unless the drain deadline passes.
func (c *Channel) handle(r record) {
	c.active.Add(1)
	tr := newTracker(r, func(aborted bool) { c.finish(r, aborted) })
	ctx := context.WithValue(c.sendCtx, trackerKey{}, tr)
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("panic while handling an update", "update_id", r.id, "panic", p)
		}
		tr.done(nil)
	}()
	if r.upd == nil {
		var u models.Update
		if err := json.Unmarshal(r.payload, &u); err != nil {
			c.metrics.Ignored("undecodable")
			c.log.Warn("update does not decode; skipped", "update_id", r.id, "err", err)
			return
		}
		r.upd = &u
	}
	c.handler.Handle(ctx, Update{Update: r.upd, ChatID: chatOf(r.upd), Bot: c.me})
}

// finish is called when an update and all its calls are done. An update whose calls
// were cut off by shutdown stays pending and is handled again after the restart.
func (c *Channel) finish(r record, aborted bool) {
	defer c.active.Done()
	if aborted {
		c.metrics.Backlog(-1)
		c.log.Warn("update interrupted by shutdown; it will be handled after the restart", "update_id", r.id)
		return
	}
	c.metrics.Handled(c.now().Sub(r.received)) // leaves the backlog too
	c.doneCh <- r.id
}

// markDone writes done marks in batches: it collects for up to doneDelay, so under
// load one transaction covers many updates. Only after the mark is stored does an id
// leave the in-flight set, so a second delivery in between is still recognised.
func (c *Channel) markDone(in <-chan int64, flushed chan<- struct{}) {
	defer close(flushed)
	const (
		batch     = 64
		doneDelay = 10 * time.Millisecond
	)
	ids := make([]int64, 0, batch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for id := range in {
		ids = append(ids[:0], id)
		timer.Reset(doneDelay)
	collect:
		for len(ids) < batch {
			select {
			case id, ok := <-in:
				if !ok {
					break collect
				}
				ids = append(ids, id)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		for attempt := 0; ; attempt++ {
			// Not tied to Run's context: the marks must be written during shutdown.
			err := c.store.Done(context.Background(), ids, c.now())
			if err == nil {
				break
			}
			c.log.Error("cannot mark updates done", "count", len(ids), "err", err)
			// A replica keeps trying while it runs: its claims would be renewed
			// for updates it no longer holds.
			if attempt >= 5 && (c.rep == nil || !c.running.Load()) {
				break // they stay pending and are handled again after a restart
			}
			time.Sleep(time.Duration(min(attempt+1, 10)) * 100 * time.Millisecond)
		}
		// An append that read these ids as pending before the mark was stored
		// finds them in the in-flight set (see commitAppends).
		c.handOut.Lock()
		c.mu.Lock()
		for _, id := range ids {
			delete(c.inflight, id)
		}
		c.mu.Unlock()
		c.handOut.Unlock()
		c.rep.poke() // the chats' next updates may be claimed now
	}
}

// backlog is the number of updates received and not handled yet.
func (c *Channel) backlog() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.inflight)
}
