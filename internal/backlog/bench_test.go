package backlog_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
)

// benchItems returns n open questions: the labelled ones, repeated with a number
// added so that no two are the same.
func benchItems(b *testing.B, n int) []backlog.Item {
	qs := readLabelled(b, "testdata/questions.tsv")
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
	return items
}

// BenchmarkGroup groups n open questions with the shipped models, a new Grouper
// each time: the cost of a visit of the groups page after something was asked or
// handled, or after new content.
func BenchmarkGroup(b *testing.B) {
	models, _ := shippedModels(b)
	for _, n := range []int{300, 1000, 3000} {
		items := benchItems(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				backlog.NewGrouper(models, shippedNeeds(b), backlog.Options{}).Group(items)
			}
		})
	}
}

// BenchmarkGroupReload groups the same n open questions again with the same
// Grouper: the cost of reloading the groups page while nothing changed.
func BenchmarkGroupReload(b *testing.B) {
	models, _ := shippedModels(b)
	for _, n := range []int{1000, 3000} {
		items := benchItems(b, n)
		g := backlog.NewGrouper(models, shippedNeeds(b), backlog.Options{})
		g.Group(items)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Group(items)
			}
		})
	}
}
