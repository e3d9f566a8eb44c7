package search

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/char/regexp"
	_ "github.com/blevesearch/bleve/v2/analysis/token/truncate"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzer variants beyond Bleve's own. DefaultAnalyzers picks, per language, the one
// that found more in TestAnalyzerChoice (analyzers_test.go).
const (
	ruYo      = "ru_yo"    // Bleve's Russian with ё folded into е
	faLight   = "fa_light" // Persian: ZWNJ joined, yeh/kaf folded, light stemmer
	ukTrunc   = "uk_trunc" // Ukrainian: words cut to their first five letters
	faStemmer = "stemmer_fa_light"
)

// DefaultAnalyzers maps a language to its analyzer where it is not Bleve's.
var DefaultAnalyzers = map[string]string{"de": deAnalyzer, "uk": ukTrunc, "ru": ruYo, "fa": faLight}

func addVariants(m *mapping.IndexMappingImpl) error {
	steps := []func() error{
		func() error {
			return m.AddCustomCharFilter("yo_e", map[string]any{"type": "regexp", "regexp": "[ёЁ]", "replace": "е"})
		},
		func() error {
			return m.AddCustomAnalyzer(ruYo, map[string]any{"type": "custom", "char_filters": []any{"yo_e"}, "tokenizer": "unicode",
				"token_filters": []any{"to_lower", "stop_ru", "stemmer_ru_snowball"}})
		},
		func() error {
			// Persian writes "می‌خواهم" with a zero-width non-joiner, or "میخواهم", or
			// "می خواهم"; joining at the ZWNJ makes the first two one word.
			return m.AddCustomCharFilter("zwnj_join", map[string]any{"type": "regexp", "regexp": "\u200c", "replace": ""})
		},
		func() error {
			return m.AddCustomAnalyzer(faLight, map[string]any{"type": "custom", "char_filters": []any{"zwnj_join"}, "tokenizer": "unicode",
				"token_filters": []any{"to_lower", "normalize_ar", "normalize_fa", "stop_fa", faStemmer}})
		},
		func() error {
			return m.AddCustomTokenFilter("truncate5", map[string]any{"type": "truncate_token", "length": 5.0})
		},
		func() error {
			return m.AddCustomAnalyzer(ukTrunc, map[string]any{"type": "custom", "tokenizer": "unicode",
				"token_filters": []any{"to_lower", ukStop, "truncate5"}})
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// Persian affixes, written as normalize_fa leaves them (Arabic yeh and kaf).
var (
	faPrefixes = fold("نمی", "می")
	faSuffixes = fold("هایی", "های", "ها", "ترین", "تر", "یی", "ای", "ام", "ات", "اش", "مان", "تان", "شان", "ان")
)

func fold(ws ...string) []string {
	r := strings.NewReplacer("ی", "ي", "ک", "ك")
	for i, w := range ws {
		ws[i] = r.Replace(w)
	}
	return ws
}

type faStemFilter struct{}

func (faStemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = []byte(stemFA(string(t.Term)))
	}
	return in
}

// stemFA strips one verb prefix and one suffix, keeping at least three letters.
func stemFA(w string) string {
	for _, p := range faPrefixes {
		if strings.HasPrefix(w, p) && utf8.RuneCountInString(w)-utf8.RuneCountInString(p) >= 3 {
			w = w[len(p):]
			break
		}
	}
	// Words ending in silent heh make their plural with "گان": پناهنده → پناهندگان.
	if g := "گان"; strings.HasSuffix(w, g) && utf8.RuneCountInString(w) >= 5 {
		return w[:len(w)-len(g)] + "ه"
	}
	for _, s := range faSuffixes {
		if strings.HasSuffix(w, s) && utf8.RuneCountInString(w)-utf8.RuneCountInString(s) >= 3 {
			return w[:len(w)-len(s)]
		}
	}
	return w
}

func init() {
	registry.RegisterTokenFilter(faStemmer, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return faStemFilter{}, nil
	})
}
