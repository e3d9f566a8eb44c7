// Package contenttest makes corpora for tests and benchmarks.
package contenttest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	contentfs "github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/content"
)

// Shipped loads the content embedded in the binary and fails tb on any error.
func Shipped(tb testing.TB) *content.Corpus {
	tb.Helper()
	c, _, err := content.Load(contentfs.FS)
	if err != nil {
		tb.Fatalf("shipped content: %v", err)
	}
	return c
}

var syllables = []string{"an", "be", "ko", "mu", "ri", "sta", "ver", "lan", "deu", "ter", "min", "amt",
	"buro", "kur", "sen", "wo", "hau", "ar", "beit", "geld", "schu", "le", "kin", "der", "pass", "re",
	"gis", "tra", "ti", "on", "ho", "me", "job", "sprach", "mit", "tel", "in", "te", "gra"}

// vocabulary is a made-up lexicon; words are drawn from it with Zipf's law, as in
// real text, so the index dictionary grows as a real corpus's would.
type vocabulary struct {
	words []string
	zipf  *rand.Zipf
}

func newVocabulary(r *rand.Rand, n int) *vocabulary {
	seen := map[string]bool{}
	v := &vocabulary{}
	for len(v.words) < n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			v.words = append(v.words, w)
		}
	}
	v.zipf = rand.NewZipf(rand.New(rand.NewPCG(r.Uint64(), r.Uint64())), 1.1, 2, uint64(n-1))
	return v
}

func (v *vocabulary) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = v.words[v.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

// Synthetic returns a corpus of n topics in German and English with made-up words,
// plus the shipped intents, deterministic for a seed. Topic i has id "t<i>".
func Synthetic(n int, seed uint64) *content.Corpus {
	r := rand.New(rand.NewPCG(seed, seed))
	v := newVocabulary(r, 30000)
	sentence := func(_ *rand.Rand, n int) string { return v.sentence(n) }
	c := &content.Corpus{Topics: map[string]*content.Topic{}, Intents: map[string]*content.Intents{}}
	for i := range n {
		id := fmt.Sprintf("t%d", i)
		t := &content.Topic{ID: id, Langs: map[string]*content.Translation{}, Contact: i == 0, Emergency: i == 1}
		for _, lang := range []string{"de", "en"} {
			var qs []string
			for range 6 {
				qs = append(qs, sentence(r, 3+r.IntN(4)))
			}
			t.Langs[lang] = &content.Translation{
				Lang:      lang,
				Title:     sentence(r, 3),
				Questions: qs,
				Tags:      strings.Fields(sentence(r, 6)),
				Sources:   []content.Source{{URL: "https://example.org/" + id, Date: "2025-01-01"}},
				AsOf:      "2025-01",
				Body:      sentence(r, 120),
				File:      id + "." + lang + ".md",
			}
		}
		c.Topics[id] = t
		c.IDs = append(c.IDs, id)
	}
	c.Intents["de"] = &content.Intents{Emergency: []string{"feuer"}}
	return c
}

// CopyDir copies the tree src (a content or locale directory) to dst, so that a test
// may edit files without touching the shipped ones.
func CopyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
