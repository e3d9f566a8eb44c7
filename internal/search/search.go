// Package search indexes the content with Bleve, one field set per language, each
// with that language's analyzer, and finds the topics that match a question.
package search

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
	_ "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
)

// field names the parts of a topic that are indexed, with their boosts: what people
// ask (title, questions) weighs more than the body.
type field struct {
	name  string
	boost float64
	fuzzy bool
}

var fields = []field{
	{"title", 3, true},
	{"questions", 3, true},
	{"tags", 2, true},
	{"body", 1, false},
}

const batchSize = 500

// bodyMaxDF is the smallest document frequency above which a word is not looked up in
// the body of a large corpus (see Search).
const bodyMaxDF = 50

// common reports whether a word is named in the title, questions or tags of most
// topics, so that it tells none apart ("Oldenburg"): it is neither searched nor
// weighed. (Bodies are not counted: "immigration office" is mentioned in most bodies
// but still singles out one topic by its title.)
func (ix *Index) common(lang, w string) bool {
	return ix.n >= 20 && ix.dfHead[lang][w] > ix.n/2
}

func fieldName(f, lang string) string { return f + "_" + lang }

// Index is a built search index over a corpus. It is safe for concurrent use.
type Index struct {
	idx       bleve.Index
	analyzers map[string]analysis.Analyzer
	df        map[string]map[string]int  // lang → term → number of topics
	dfHead    map[string]map[string]int  // the same for title, questions and tags
	filler    map[string]map[string]bool // lang → analyzed filler words
	n         int
	// scoreWeight weighs the relative score against coverage in rerank.
	scoreWeight float64
}

// Build indexes every topic of c in memory with scorch.
func Build(c *content.Corpus) (*Index, error) { return BuildWith(c, Options{}) }

// BuildWith is Build with options.
func BuildWith(c *content.Corpus, opt Options) (*Index, error) {
	m, err := newMapping(c, opt)
	if err != nil {
		return nil, err
	}
	// An in-memory scorch index: NewMemOnly uses the slower upsidedown/gtreap store.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("search: new index: %w", err)
	}
	ix := &Index{idx: idx, analyzers: map[string]analysis.Analyzer{}, df: map[string]map[string]int{}, dfHead: map[string]map[string]int{}, filler: map[string]map[string]bool{}, n: len(c.IDs), scoreWeight: DefaultScoreWeight}
	if opt.ScoreWeight != nil {
		ix.scoreWeight = *opt.ScoreWeight
	}
	for _, l := range content.Languages {
		a := m.AnalyzerNamed(opt.analyzerFor(l))
		if a == nil {
			return nil, fmt.Errorf("search: no analyzer for %q", l) // see analyzerFor
		}
		ix.analyzers[l] = a
		ix.df[l] = map[string]int{}
		ix.dfHead[l] = map[string]int{}
		ix.filler[l] = map[string]bool{}
		if in := c.Intents[l]; in != nil {
			// Greetings and thanks around a question carry no topic either.
			for _, w := range slices.Concat(in.Filler, in.Greeting, in.Thanks) {
				for _, t := range ix.analyze(l, w) {
					ix.filler[l][t] = true
				}
			}
		}
	}
	// Scorch turns each batch into a segment, built by the goroutine that calls
	// Batch. Batches of moderate size, two at a time, use both cores; one huge batch
	// costs far more (measured: 10,000 topics in one batch 29 s).
	var chunks [][]string
	size := min(batchSize, max(1, (len(c.IDs)+1)/2))
	for ids := c.IDs; len(ids) > 0; ids = ids[min(size, len(ids)):] {
		chunks = append(chunks, ids[:min(size, len(ids))])
	}
	sem := make(chan struct{}, 2)
	errs := make(chan error, len(chunks))
	for _, ids := range chunks {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- indexBatch(idx, c, ids)
		}()
	}
	for range chunks {
		if err := <-errs; err != nil {
			idx.Close()
			return nil, err
		}
	}
	if err := ix.countTerms(); err != nil {
		return nil, err
	}
	return ix, nil
}

func indexBatch(idx bleve.Index, c *content.Corpus, ids []string) error {
	batch := idx.NewBatch()
	for _, id := range ids {
		doc := map[string]any{}
		for lang, tr := range c.Topics[id].Langs {
			doc[fieldName("title", lang)] = tr.Title
			doc[fieldName("questions", lang)] = tr.Questions
			doc[fieldName("tags", lang)] = tr.Tags
			doc[fieldName("body", lang)] = tr.Body
		}
		if err := batch.Index(id, doc); err != nil {
			return fmt.Errorf("search: index %s: %w", id, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("search: index batch: %w", err)
	}
	return nil
}

// countTerms reads the document frequencies from Bleve's term dictionaries instead of
// analysing the content a second time. A word's frequency in a language is the
// largest of its fields' frequencies (a topic naming it in title and body counts
// once); dfHead does the same over title, questions and tags.
func (ix *Index) countTerms() error {
	for _, lang := range content.Languages {
		for _, f := range fields {
			d, err := ix.idx.FieldDict(fieldName(f.name, lang))
			if err != nil {
				return fmt.Errorf("search: field dictionary: %w", err)
			}
			for e, err := d.Next(); e != nil && err == nil; e, err = d.Next() {
				n := int(e.Count)
				ix.df[lang][e.Term] = max(ix.df[lang][e.Term], n)
				if f.name != "body" {
					ix.dfHead[lang][e.Term] = max(ix.dfHead[lang][e.Term], n)
				}
			}
			if err := d.Close(); err != nil {
				return fmt.Errorf("search: field dictionary: %w", err)
			}
		}
	}
	return nil
}

// partsCredit is how much a compound found only through its parts counts: the parts
// of "Kindergeld" (child benefit) in a topic about money for children are not quite
// the same thing.
const partsCredit = 0.5

// rerankDepth is how many of Bleve's best hits are re-ranked.
const rerankDepth = 10

// DefaultScoreWeight is the weight of the relative Bleve score against coverage when
// ranking; measured by TestRanking.
const DefaultScoreWeight = 0.5

// rerank orders hits by coverage plus the weighted score relative to the best score:
// Bleve's score sums each word's match, so a frequent word in a boosted title can
// outrank the topic that has the question's rare words; coverage weighs by rarity.
func (ix *Index) rerank(hits []assistant.Hit) {
	if len(hits) == 0 || ix.scoreWeight < 0 {
		return
	}
	top := 0.0
	for _, h := range hits {
		top = max(top, h.Score)
	}
	if top == 0 {
		return
	}
	key := func(h assistant.Hit) float64 { return h.Coverage + ix.scoreWeight*h.Score/top }
	sort.SliceStable(hits, func(i, j int) bool { return key(hits[i]) > key(hits[j]) })
}

// Options tune Build.
type Options struct {
	// ScoreWeight overrides DefaultScoreWeight; a negative weight ranks by Bleve's
	// score alone.
	ScoreWeight *float64
	// Analyzers overrides DefaultAnalyzers per language (for measurements).
	Analyzers map[string]string
}

func (o Options) analyzerFor(lang string) string {
	if a, ok := o.Analyzers[lang]; ok {
		return a
	}
	if a, ok := DefaultAnalyzers[lang]; ok {
		return a
	}
	if _, err := registry.NewCache().AnalyzerNamed(lang); err == nil {
		return lang
	}
	return "standard"
}

const (
	deAnalyzer     = "de_compound"
	deBaseAnalyzer = "de_base"
	deDecompound   = "de_decompound_corpus"
)

func newMapping(c *content.Corpus, opt Options) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := addVariants(m); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if err := m.AddCustomAnalyzer(deBaseAnalyzer, map[string]any{
		"type": "custom", "tokenizer": "unicode",
		"token_filters": []any{"to_lower", "normalize_de", "stemmer_de_light"},
	}); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	base := m.AnalyzerNamed(deBaseAnalyzer)
	seen := map[string]bool{}
	var words []any
	for _, id := range c.IDs {
		tr := c.Topics[id].Langs["de"]
		if tr == nil {
			continue
		}
		for _, s := range append(append([]string{tr.Title, tr.Body}, tr.Questions...), tr.Tags...) {
			for _, t := range base.Analyze([]byte(s)) {
				w := string(t.Term)
				if utf8.RuneCountInString(w) >= minPart && !seen[w] && hasLetter(w) {
					seen[w] = true
					words = append(words, w)
				}
			}
		}
	}
	if err := m.AddCustomTokenFilter(deDecompound, map[string]any{"type": decompoundType, "words": words}); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if err := m.AddCustomAnalyzer(deAnalyzer, map[string]any{
		"type": "custom", "tokenizer": "unicode",
		"token_filters": []any{"to_lower", "stop_de", "normalize_de", deDecompound, "stemmer_de_light"},
	}); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	doc := bleve.NewDocumentMapping()
	for _, l := range content.Languages {
		for _, f := range fields {
			fm := bleve.NewTextFieldMapping()
			fm.Analyzer = opt.analyzerFor(l)
			fm.Store = false
			fm.IncludeTermVectors = true // locations tell which words matched
			fm.IncludeInAll = false
			doc.AddFieldMappingsAt(fieldName(f.name, l), fm)
		}
	}
	doc.Dynamic = false
	m.DefaultMapping = doc
	m.DefaultAnalyzer = "standard"
	return m, nil
}

// Close releases the index.
func (ix *Index) Close() error { return ix.idx.Close() }

// analyze returns the meaningful terms of s in lang: analyzed, and without tokens
// that have no letter (digits, emoji and punctuation carry no topic).
func (ix *Index) analyze(lang, s string) []string {
	var out []string
	for _, g := range ix.groups(lang, s) {
		out = append(out, g...)
	}
	return out
}

// groups returns the meaningful terms of s grouped by word: a German compound comes
// with its parts ("integrationskur", "integration", "kur").
func (ix *Index) groups(lang, s string) [][]string {
	a := ix.analyzers[lang]
	if a == nil {
		return nil
	}
	var out [][]string
	last := -1
	for _, t := range a.Analyze([]byte(s)) {
		w := string(t.Term)
		if !hasLetter(w) {
			continue
		}
		if ix.filler[lang][w] {
			continue
		}
		if t.Position == last && len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], w)
			continue
		}
		last = t.Position
		out = append(out, []string{w})
	}
	return out
}

// proclitics are one-letter prefixes written together with the next word that the
// language's analyzer leaves on: Arabic "ل" (for), "ب" (with), "و" (and), "ف", "ك".
var proclitics = map[string][]string{"ar": {"ل", "ب", "و", "ف", "ك"}}

// rescue adds, for a word the content does not know, the word without a proclitic
// when the content knows that: "لموعد" (for an appointment) finds "موعد".
func (ix *Index) rescue(lang string, groups [][]string) [][]string {
	for i, g := range groups {
		if ix.df[lang][g[0]] > 0 {
			continue
		}
		for _, p := range proclitics[lang] {
			rest, ok := strings.CutPrefix(g[0], p)
			if ok && utf8.RuneCountInString(rest) >= 3 && ix.df[lang][rest] > 0 {
				groups[i] = append(g, rest)
				break
			}
		}
	}
	return groups
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// maxFuzzyRunes is the longest word matched with a typo: longer ones are pasted
// junk rather than words, and Bleve's automaton for a word of thousands of letters
// fails ("dfa contains more than 10000 states").
const maxFuzzyRunes = 30

// fuzziness is the edit distance a word may be off by: none for short words, where
// one edit makes another word, and none for words over maxFuzzyRunes; one otherwise.
func fuzziness(w string) int {
	if n := utf8.RuneCountInString(w); n >= 5 && n <= maxFuzzyRunes {
		return 1
	}
	return 0
}

// Search finds up to n topics for text written in lang.
func (ix *Index) Search(text, lang string, n int) (assistant.SearchResult, error) {
	var res assistant.SearchResult
	if ix.analyzers[lang] == nil {
		return res, fmt.Errorf("search: unsupported language %q", lang)
	}
	groups := ix.rescue(lang, ix.groups(lang, text))
	if len(groups) > 48 { // a pasted essay: the first words are enough to find a topic
		groups = groups[:48]
	}
	var words []string
	for _, g := range groups {
		words = append(words, g...)
	}
	words = uniq(words)
	res.Words = words
	if len(words) == 0 || n <= 0 {
		return res, nil
	}
	var qs []query.Query
	for _, w := range words {
		df := ix.df[lang][w]
		if ix.common(lang, w) {
			continue
		}
		for _, f := range fields {
			// The body of a large corpus holds most words somewhere; a frequent word
			// only finds it through title, questions and tags.
			if f.name == "body" && df > max(bodyMaxDF, ix.n/10) {
				continue
			}
			tq := query.NewTermQuery(w)
			tq.SetField(fieldName(f.name, lang))
			tq.SetBoost(f.boost)
			qs = append(qs, tq)
			if f.fuzzy && fuzziness(w) > 0 && df == 0 {
				fq := query.NewFuzzyQuery(w)
				fq.SetField(fieldName(f.name, lang))
				fq.SetFuzziness(fuzziness(w))
				fq.SetPrefix(1)
				fq.SetBoost(f.boost * 0.5)
				qs = append(qs, fq)
			}
		}
	}
	if len(qs) == 0 {
		return res, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), max(n, rerankDepth), 0, false)
	req.IncludeLocations = true
	sr, err := ix.idx.Search(req)
	if err != nil {
		return res, fmt.Errorf("search: %w", err)
	}
	known := map[string]bool{} // words the content has, exactly or with a typo
	for _, w := range words {
		if ix.df[lang][w] > 0 {
			known[w] = true
		}
	}
	for _, h := range sr.Hits {
		matched := map[string]bool{}
		for fname, terms := range h.Locations {
			if !strings.HasSuffix(fname, "_"+lang) {
				continue
			}
			for t := range terms {
				matched[t] = true
			}
		}
		res.Hits = append(res.Hits, assistant.Hit{
			TopicID:  h.ID,
			Score:    h.Score,
			Coverage: ix.coverage(lang, groups, matched, known),
		})
	}
	ix.rerank(res.Hits)
	if len(res.Hits) > n {
		res.Hits = res.Hits[:n]
	}
	for _, g := range groups {
		k := false
		for _, w := range g {
			k = k || known[w]
		}
		if k {
			res.Known++
		} else {
			res.Unknown = append(res.Unknown, g[0])
		}
	}
	return res, nil
}

// coverage weighs each query word by its inverse document frequency and returns the
// matched share. A word found only with a typo takes the weight of the word it matched;
// a compound counts as matched when one of its parts is, with the weight of its
// rarest known part; a word the content does not know takes the highest weight, so a
// question about something else is not covered by a common word like "Oldenburg".
func (ix *Index) coverage(lang string, groups [][]string, matched, known map[string]bool) float64 {
	idf := func(df int) float64 { return math.Log(1 + float64(ix.n)/float64(df+1)) }
	var total, hit float64
	for _, g := range groups {
		// The word as written decides whether it is common: a rare compound stays
		// rare when one of its parts ("Integration") is everywhere.
		if ix.common(lang, g[0]) {
			continue
		}
		weight := 0.0
		found := make([]bool, len(g))
		for i, w := range g {
			df := ix.df[lang][w]
			if matched[w] {
				found[i] = true
			} else if d := fuzziness(w); d > 0 && df == 0 {
				for t := range matched {
					if withinEdits(w, t, d) {
						df, found[i] = ix.df[lang][t], true
						known[w] = true
						break
					}
				}
			}
			if df > 0 {
				weight = max(weight, idf(df))
			}
		}
		if weight == 0 {
			weight = idf(0)
		}
		total += weight
		// A compound the topic has as written counts whole; otherwise each of its
		// parts the topic has counts for its share ("Kindergeld" is not covered by a
		// topic that only mentions "Kinder").
		switch {
		case found[0]:
			hit += weight
		case len(g) > 1:
			n := 0
			for _, f := range found[1:] {
				if f {
					n++
				}
			}
			hit += partsCredit * weight * float64(n) / float64(len(g)-1)
		}
	}
	if total == 0 {
		return 0
	}
	return hit / total
}

func uniq(ws []string) []string {
	seen := map[string]bool{}
	out := ws[:0]
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// withinEdits reports whether a and b are at most d edits (Levenshtein) apart.
func withinEdits(a, b string, d int) bool {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > d {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > d {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= d
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
