package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// German writes compounds as one word ("Integrationskurs", "Einbürgerungstest"), and
// Bleve's German analyzer does not split them. decompoundFilter adds the parts of a
// compound as further tokens at the same position, so "Kurs zur Integration" finds
// "Integrationskurs" and the other way round. The dictionary is the content's own
// German vocabulary (stemmed), so only parts the content knows are split off.
const decompoundType = "decompound_de"

type decompoundFilter struct {
	dict map[string]bool // stemmed words
	stem func(string) string
}

// linking elements (Fugen) that may join two parts: Integration-s-kurs.
var fugen = []string{"", "s", "es", "n", "en", "e"}

const minPart = 4

// maxCompound is the longest word split: longer "words" are pasted junk, and trying
// every split point of them costs time quadratic in their length.
const maxCompound = 48

func (f *decompoundFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in))
	for _, t := range in {
		out = append(out, t)
		for _, p := range f.split(string(t.Term), 0) {
			out = append(out, &analysis.Token{Term: []byte(p), Position: t.Position, Start: t.Start, End: t.End, Type: t.Type})
		}
	}
	return out
}

// split returns the parts of w, longest head first, or nil when w is not a compound
// of known words. depth limits recursion to three parts.
func (f *decompoundFilter) split(w string, depth int) []string {
	n := utf8.RuneCountInString(w)
	if n < 2*minPart || n > maxCompound || depth > 1 {
		return nil
	}
	runes := []rune(w)
	// First choice: both parts are words of the content. Second: a known head with a
	// tail of at least minPart letters ("Einbürgerungs|test": "Test" alone is not in
	// the content, but a newcomer may ask about "den Test").
	for _, needTail := range []bool{true, false} {
		for i := n - minPart; i >= minPart; i-- {
			head, tail := string(runes[:i]), string(runes[i:])
			if needTail && !f.known(tail) {
				continue
			}
			for _, fg := range fugen {
				h := head
				if fg != "" {
					if len(h) <= len(fg) || h[len(h)-len(fg):] != fg {
						continue
					}
					h = h[:len(h)-len(fg)]
				}
				if utf8.RuneCountInString(h) < minPart {
					continue
				}
				if f.known(h) {
					return []string{h, tail}
				}
				if sub := f.split(h, depth+1); sub != nil && needTail {
					return append(sub, tail)
				}
			}
		}
	}
	return nil
}

func (f *decompoundFilter) known(w string) bool { return f.dict[f.stem(w)] }

func init() {
	registry.RegisterTokenFilter(decompoundType, func(config map[string]any, c *registry.Cache) (analysis.TokenFilter, error) {
		stemmer, err := c.TokenFilterNamed("stemmer_de_light")
		if err != nil {
			return nil, err
		}
		f := &decompoundFilter{dict: map[string]bool{}, stem: func(w string) string {
			ts := stemmer.Filter(analysis.TokenStream{&analysis.Token{Term: []byte(w)}})
			return string(ts[0].Term)
		}}
		words, _ := config["words"].([]any)
		for _, w := range words {
			if s, ok := w.(string); ok {
				f.dict[s] = true
			}
		}
		return f, nil
	})
}
