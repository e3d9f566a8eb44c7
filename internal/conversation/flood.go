package conversation

import (
	"sync"
	"time"
)

// flood is the per-user flood control: a user may send limit messages in a window;
// the next one gets one polite notice, and later ones are ignored until the window
// has passed. Other users are not affected. It is safe for concurrent use.
type flood struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	users   map[int64]*floodWindow
	sweepAt time.Time
}

type floodWindow struct {
	start time.Time
	n     int
}

// verdict is what to do with a user's message.
type verdict int

const (
	allow  verdict = iota
	notice         // over the limit for the first time in the window: send the notice
	ignore
)

func newFlood(limit int, window time.Duration, now func() time.Time) *flood {
	return &flood{limit: limit, window: window, now: now, users: map[int64]*floodWindow{}}
}

// check counts a message of user and says what to do with it.
func (f *flood) check(user int64) verdict {
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.After(f.sweepAt) {
		for id, w := range f.users {
			if now.Sub(w.start) >= f.window {
				delete(f.users, id)
			}
		}
		f.sweepAt = now.Add(f.window)
	}
	w := f.users[user]
	if w == nil || now.Sub(w.start) >= f.window {
		w = &floodWindow{start: now}
		f.users[user] = w
	}
	w.n++
	switch {
	case w.n <= f.limit:
		return allow
	case w.n == f.limit+1:
		return notice
	}
	return ignore
}

// forget drops what flood control knows about user (/forget).
func (f *flood) forget(user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.users, user)
}
