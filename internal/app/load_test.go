package app

import "testing"

// BenchmarkLoad is start-up: reading the embedded content and locales, building the
// search index and training every model, the ones trained in the background after
// Load returns included (it waits for Models.Ready): the first answer waits for
// them. The target is under 1 s.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := Load(Options{})
		if err != nil {
			b.Fatal(err)
		}
		<-c.Models.Ready()
		c.Close()
	}
}
