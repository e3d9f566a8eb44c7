package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/store"
)

// BenchInbox measures the store's part in handling one update, as the channel
// does it: append it with the offset, read the chat, record one sent reply, mark
// it done. Parallel goroutines stand for the channel's workers.
func BenchInbox(b *testing.B, s store.Store) {
	ctx := context.Background()
	payload := []byte(`{"update_id":1,"message":{"chat":{"id":1},"text":"Wo ist das Bürgeramt?"}}`)
	var next int64
	var mu = make(chan struct{}, 1)
	id := func() int64 {
		mu <- struct{}{}
		next++
		n := next
		<-mu
		return n
	}
	b.ReportAllocs()
	// 16 workers on two cores, as the channel runs by default (telegram.Options.Workers).
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := id()
			if _, err := s.Append(ctx, []chat.Update{{ID: n, ChatID: n % 200, Payload: payload, Received: time.Now()}}, n+1); err != nil {
				panic(fmt.Sprint("append: ", err))
			}
			if _, err := s.Chat(ctx, n%200); err != nil && err != chat.ErrNotFound {
				panic(fmt.Sprint("chat: ", err))
			}
			if err := s.Sent(ctx, n, 0); err != nil {
				panic(fmt.Sprint("sent: ", err))
			}
			if err := s.Done(ctx, []int64{n}, time.Now()); err != nil {
				panic(fmt.Sprint("done: ", err))
			}
		}
	})
}
