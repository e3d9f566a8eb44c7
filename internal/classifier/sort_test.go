package classifier

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortHashes: sortHashes sorts as slices.Sort does, for evenly spread hashes,
// for hashes that share their high bits (where the buckets do not help) and with
// duplicates, in a scratch reused from one call to the next.
func TestSortHashes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var sc scratch
	for i := range 3000 {
		n := r.IntN(600)
		hs := make([]uint64, n)
		for j := range hs {
			switch i % 3 {
			case 0:
				hs[j] = r.Uint64()
			case 1:
				hs[j] = r.Uint64() >> r.UintN(64) // mostly small: one bucket
			default:
				hs[j] = uint64(r.IntN(5)) << 60 // duplicates
			}
		}
		want := slices.Sorted(slices.Values(hs))
		if got := sc.sortHashes(slices.Clone(hs)); !slices.Equal(got, want) {
			t.Fatalf("case %d: sortHashes(%v) = %v, want %v", i, hs, got, want)
		}
	}
}

// BenchmarkTermFreqs measures the features of a message of a few sentences.
func BenchmarkTermFreqs(b *testing.B) {
	text := "Wo kann ich in Oldenburg einen Deutschkurs für Anfänger finden, und was kostet er?"
	var sc scratch
	for b.Loop() {
		sc.termFreqs(text)
	}
}

// TestTrainingOrder: an epoch orders the examples by their mixed keys, equal keys by
// number, as a plain sort with a comparison function does; an example added to the
// keys leaves the others' order as it was.
func TestTrainingOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 31, 1000, 26000} {
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = r.Uint64()
			if i%10 == 9 {
				keys[i] = keys[i-1] // equal keys: duplicate examples
			}
		}
		for ep := range 3 {
			salt := (uint64(ep+1) + orderSeed) * 0x9e3779b97f4a7c15
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			slices.SortFunc(want, func(a, b int) int {
				if ka, kb := mix(keys[a]^salt), mix(keys[b]^salt); ka != kb {
					return cmp.Compare(ka, kb)
				}
				return cmp.Compare(a, b)
			})
			got := make([]int, n)
			o := &trainingOrder{keys: keys, ps: make([]uint64, n)}
			o.epoch(got, ep)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d epoch %d: order differs from the sort by mixed key", n, ep)
			}
		}
	}
	keys := []uint64{11, 22, 33, 44, 55}
	before := make([]int, 5)
	(&trainingOrder{keys: keys, ps: make([]uint64, 5)}).epoch(before, 0)
	after := make([]int, 6)
	(&trainingOrder{keys: append(keys, 66), ps: make([]uint64, 6)}).epoch(after, 0)
	if got := slices.DeleteFunc(after, func(i int) bool { return i == 5 }); !slices.Equal(got, before) {
		t.Errorf("adding an example reordered the others: %v, then %v", before, got)
	}
}

// BenchmarkTrainingOrder orders as many examples as the emergency model trains on.
func BenchmarkTrainingOrder(b *testing.B) {
	o := &trainingOrder{keys: make([]uint64, 26000), ps: make([]uint64, 26000)}
	for i := range o.keys {
		o.keys[i] = mix(uint64(i))
	}
	order := make([]int, len(o.keys))
	b.ReportAllocs()
	for b.Loop() {
		o.epoch(order, 1)
	}
}
