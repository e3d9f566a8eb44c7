package backlog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
)

// BenchmarkGroup groups n open questions (the labelled ones, repeated with a
// number added so that no two are the same) with the shipped models: the cost of
// one visit of the groups page.
func BenchmarkGroup(b *testing.B) {
	qs := readLabelled(b, "testdata/questions.tsv")
	models, _ := shippedModels(b)
	for _, n := range []int{300, 1000, 3000} {
		items := make([]backlog.Item, n)
		for i := range items {
			it := qs[i%len(qs)].item
			it.ID = int64(i + 1)
			it.At = it.At.Add(time.Duration(i) * time.Second)
			if i >= len(qs) {
				it.Text = fmt.Sprintf("%s %d", it.Text, i/len(qs))
			}
			items[i] = it
		}
		g := backlog.NewGrouper(models, shippedNeeds(b), backlog.Options{})
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Group(items)
			}
		})
	}
}
