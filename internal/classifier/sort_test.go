package classifier

import (
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
