package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Bleve ships no Ukrainian analyzer. This one is a Unicode tokenizer, lower-casing,
// Ukrainian stop words and a light suffix-stripping stemmer (noun, adjective and verb
// endings), so that "біженців", "біженцям" and "біженці" meet in one term.
const (
	ukAnalyzer = "uk"
	ukStop     = "stop_uk"
	ukStemmer  = "stemmer_uk_light"
)

var ukStopWords = []string{
	"а", "але", "б", "би", "бо", "був", "була", "були", "було", "бути", "в", "вам", "вас", "ваш",
	"ваша", "ваше", "ваші", "від", "він", "вона", "вони", "воно", "все", "всі", "вже", "ви", "де",
	"для", "до", "є", "же", "з", "за", "зі", "і", "із", "й", "їх", "його", "її", "к", "коли",
	"котрий", "ми", "мене", "мені", "мій", "мною", "моя", "можна", "мої", "на", "нам", "нас",
	"наш", "не", "неї", "нема", "немає", "ним", "них", "ні", "но", "о", "об", "один", "от", "по",
	"при", "про", "с", "та", "так", "також", "там", "те", "тем", "ти", "то", "тобі", "того",
	"тоді", "той", "тому", "треба", "ту", "тут", "у", "хто", "це", "цей", "ці", "ця", "цю",
	"чи", "чий", "чому", "що", "щоб", "як", "яка", "який", "які", "якщо", "я", "мені", "мої",
	"мою", "моєї", "моє", "свій", "своє", "своя", "свої", "себе", "собі", "дуже", "ще", "лише",
	"тільки", "або", "через", "після", "перед", "між", "без", "під", "над", "біля", "коло",
	"можу", "може", "можете", "хочу", "будь", "ласка", "мені", "потрібно", "потрібен", "потрібна",
}

// ukSuffixes is ordered longest first.
var ukSuffixes = []string{
	"ськими", "цького", "ського", "ському", "ською", "ської", "ських", "ться", "ами", "ями",
	"ові", "еві", "ого", "ому", "ими", "ати", "ити", "іти", "ють", "уть", "ать", "ять", "ою",
	"ею", "ів", "ах", "ях", "ам", "ям", "ий", "ій", "ої", "ом", "ем", "им", "их", "ує", "а", "я",
	"о", "е", "и", "і", "у", "ю", "ь", "й", "ї", "є",
}

type ukStemFilter struct{}

func (ukStemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = []byte(stemUK(string(t.Term)))
	}
	return in
}

// stemUK strips the longest known ending, keeping a stem of at least three letters.
// One pass only: stripping twice ("школа" → "школ" → "шко") merges unrelated words.
func stemUK(w string) string {
	for _, s := range ukSuffixes {
		if len(w) > len(s) && w[len(w)-len(s):] == s && utf8.RuneCountInString(w)-utf8.RuneCountInString(s) >= 3 {
			return w[:len(w)-len(s)]
		}
	}
	return w
}

func init() {
	// Registration is how Bleve finds analysis components by name; its own
	// language packages do the same.
	registry.RegisterTokenFilter(ukStemmer, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return ukStemFilter{}, nil
	})
	registry.RegisterTokenMap(ukStop, func(map[string]any, *registry.Cache) (analysis.TokenMap, error) {
		m := analysis.NewTokenMap()
		for _, w := range ukStopWords {
			m.AddToken(w)
		}
		return m, nil
	})
	registry.RegisterTokenFilter(ukStop, func(_ map[string]any, c *registry.Cache) (analysis.TokenFilter, error) {
		m, err := c.TokenMapNamed(ukStop)
		if err != nil {
			return nil, err
		}
		return stop.NewStopTokensFilter(m), nil
	})
	registry.RegisterAnalyzer(ukAnalyzer, func(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
		tok, err := c.TokenizerNamed(unicode.Name)
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, n := range []string{lowercase.Name, ukStop, ukStemmer} {
			f, err := c.TokenFilterNamed(n)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: filters}, nil
	})
}
