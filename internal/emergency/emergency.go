// Package emergency recognises a life-threatening situation described in a message,
// in any of the supported languages, by meaning rather than by one exact phrase: a
// lexicon of cues (words and phrases with inflected endings, in order with a few words
// between them) and nearest neighbours over examples of each situation, against
// harmless look-alikes ("Can my employer fire me?") that veto a cue.
//
// The lexicon and examples are data (content/emergency/<lang>.yaml). One example in
// five is held out of the model (Held) to measure it on messages it has not seen.
package emergency

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/classifier"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/fold"
)

// Number is the number to call first.
type Number string

const (
	Ambulance Number = "112" // fire brigade and ambulance
	Police    Number = "110"
)

// Line is a specialised help line that fits a situation, besides 112/110.
type Line string

const (
	NoLine       Line = ""
	PoisonLine   Line = "poison"   // Giftinformationszentrum-Nord
	CrisisLine   Line = "crisis"   // TelefonSeelsorge
	ViolenceLine Line = "violence" // Hilfetelefon Gewalt gegen Frauen
)

// General is the category of a cue from the intent lists, which name no situation.
const General = "general"

var police = map[string]bool{
	"break_in": true, "weapon": true, "violence": true, "domestic_violence": true,
	"sexual_assault": true, "child_danger": true,
}

var lines = map[string]Line{
	"poisoning": PoisonLine, "suicide": CrisisLine,
	"domestic_violence": ViolenceLine, "sexual_assault": ViolenceLine,
}

// NumberFor returns the number to call first for a category.
func NumberFor(category string) Number {
	if police[category] {
		return Police
	}
	return Ambulance
}

// LineFor returns the specialised line for a category, or NoLine.
func LineFor(category string) Line { return lines[category] }

// Match is a recognised emergency.
type Match struct {
	Category string
	Lang     string // the language of the cue or example that matched
	// Why says what matched, for --debug: the cue, or the nearest example's category
	// and similarity.
	Why string
}

// Options tune the learned part; the zero value uses the defaults, which TestHeldOut
// measures.
type Options struct {
	// MinProbability is the logistic model's least probability for an alarm.
	MinProbability float64
	// SureProbability is the least probability that needs no confirmation by the
	// closest examples.
	SureProbability float64
	// Training tunes the logistic model (for measurements).
	Training classifier.BinaryOptions
}

// DefaultMinProbability is measured on the held-out examples by TestHeldOut.
const DefaultMinProbability = 0.4

// DefaultSureProbability is the model's probability above which no example needs to
// confirm it; measured by TestHeldOut.
const DefaultSureProbability = 0.65

// minModelWords is the shortest message the learned model judges.
const minModelWords = 3

// Detector recognises emergencies. It is safe for concurrent use.
type Detector struct {
	// negBefore and negAfter are the folded negation words of every language.
	negBefore, negAfter map[string]bool
	cues                index
	harmless            index
	short               index // cues that count only in messages of at most three words
	// model says whether a message is an emergency; nearest confirms it and says
	// which one.
	model        *classifier.Binary
	nearest      *classifier.Model
	nearestReady chan struct{} // closed when nearest is built
	opt          Options
}

const none = "none"

// New builds a detector from the corpus's emergency data and intent lists. ordinary
// are messages that are no emergency (the topics' phrasings): they teach the learned
// part what ordinary questions look like. Their labels do not matter.
func New(c *content.Corpus, ordinary []classifier.Doc, opt Options) *Detector {
	if opt.MinProbability == 0 {
		opt.MinProbability = DefaultMinProbability
	}
	if opt.SureProbability == 0 {
		opt.SureProbability = DefaultSureProbability
	}
	d := &Detector{cues: newIndex(), harmless: newIndex(), short: newIndex(), opt: opt, negBefore: map[string]bool{}, negAfter: map[string]bool{}}
	var docs []classifier.Doc
	for _, lang := range content.Languages {
		ed := c.Emergency[lang]
		if in := c.Intents[lang]; in != nil {
			// The intent lists are the old lexicon: used everywhere where a language
			// has no emergency data yet, else in short messages ("Feuer!",
			// "Krankenwagen"), where a question about the number is answered by the
			// emergency reply too.
			for _, s := range in.Emergency {
				if ed == nil {
					d.cues.add(s, General, lang)
				} else {
					d.short.add(s, General, lang)
				}
			}
			for _, s := range in.EmergencyShort {
				d.short.add(s, General, lang)
			}
		}
		if ed == nil {
			continue
		}
		for _, w := range ed.Negations {
			d.negBefore[strings.Join(fold.Words(w), " ")] = true
		}
		for _, w := range ed.NegationsAfter {
			d.negAfter[strings.Join(fold.Words(w), " ")] = true
		}
		for _, cat := range content.EmergencyCategories {
			cl := ed.Categories[cat]
			if cl == nil {
				continue
			}
			for _, cue := range cl.Cues {
				d.cues.add(cue.Text, cat, lang)
				// The cue is an example too: the model learns the situation's
				// words, and finds them with other endings and typos.
				docs = append(docs, classifier.Doc{Label: cat, Lang: lang, Text: strings.ReplaceAll(cue.Text, "*", "")})
			}
			for _, ex := range cl.Examples {
				if !Held(ex.Text) {
					docs = append(docs, classifier.Doc{Label: cat, Lang: lang, Text: ex.Text})
				}
			}
		}
		for _, cue := range ed.Harmless.Cues {
			d.harmless.add(cue.Text, none, lang)
			docs = append(docs, classifier.Doc{Label: none, Lang: lang, Text: strings.ReplaceAll(cue.Text, "*", "")})
		}
		for _, ex := range ed.Harmless.Examples {
			if !Held(ex.Text) {
				docs = append(docs, classifier.Doc{Label: none, Lang: lang, Text: ex.Text})
			}
		}
	}
	classifier.Prepare(docs)
	for _, o := range ordinary {
		o.Label = none
		docs = append(docs, o)
	}
	positive := map[string]bool{}
	for _, cat := range content.EmergencyCategories {
		positive[cat] = true
	}
	tr := opt.Training
	if tr == (classifier.BinaryOptions{}) {
		// Measured by TestHeldOut: the classes as they come (no reweighting, so that a
		// message the model knows little about is no emergency), six passes at a higher rate (twelve and thirty measured no better).
		tr = classifier.BinaryOptions{PositiveWeight: 1, Epochs: 6, Rate: 1}
	}
	// Both models learn from the same examples: their features are counted and
	// numbered once.
	numbered := classifier.Number(docs)
	// The closest examples confirm doubtful judgements only: that index is built
	// in the background, so that start-up does not wait for it; the first doubtful
	// message waits if it comes sooner.
	d.nearestReady = make(chan struct{})
	go func() {
		d.nearest = numbered.Model()
		close(d.nearestReady)
	}()
	d.model = numbered.TrainBinary(positive, tr)
	return d
}

// Ready is closed when the detector has built everything, including what it builds
// in the background.
func (d *Detector) Ready() <-chan struct{} { return d.nearestReady }

// Held reports whether an example is held out of the model: one in five, chosen by a
// hash of its folded text so that the split stays put when the file is edited.
func Held(example string) bool {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(fold.Words(example), " ")))
	return h.Sum32()%5 == 0
}

// Detect reports whether text describes an emergency.
func (d *Detector) Detect(text string) (Match, bool) {
	words := fold.Words(text)
	if len(words) == 0 {
		return Match{}, false
	}
	veto := append(d.harmless.spans(words), d.negated(words)...)
	if m, ok := d.cues.first(words, veto); ok {
		return m, true
	}
	if len(words) <= 3 {
		if m, ok := d.short.first(words, veto); ok {
			return m, true
		}
	}
	// A word or two ("Hallo!", "Feuer!") is judged by the cues alone: the model
	// needs a described situation.
	if len(words) < minModelWords {
		return Match{}, false
	}
	p := d.model.Probability(text)
	if p < d.opt.MinProbability {
		return Match{}, false
	}
	// The closest examples confirm a doubtful judgement: they must be situations,
	// not ordinary questions, unless the model is sure.
	<-d.nearestReady
	near := d.nearest.Classify(text)
	if len(near.Labels) == 0 || (near.Labels[0].Label == none && p < d.opt.SureProbability) {
		return Match{}, false
	}
	m := Match{Category: General, Why: fmt.Sprintf("model p=%.2f", p)}
	for _, s := range near.Labels {
		if s.Label != none {
			m.Category = s.Label
			m.Why += " nearest " + m.Category
			break
		}
	}
	best := 0.0
	for l, share := range near.Langs {
		if share > best || (share == best && l < m.Lang) {
			m.Lang, best = l, share
		}
	}
	return m, true
}

// negated returns the places a negation word rules out: the two words after a
// negation ("nicht bewusstlos", "is not unconscious") and the word before a
// negation that follows ("bilinçsiz değil"). A cue that starts with the negation
// itself ("не дышит", "not breathing") is not ruled out: the negation is its
// first word, and the span begins after it.
func (d *Detector) negated(words []string) []span {
	var out []span
	for i, w := range words {
		if d.negBefore[w] && i+1 < len(words) {
			out = append(out, span{i + 1, min(i+2, len(words)-1)})
		}
		if d.negAfter[w] && i > 0 {
			out = append(out, span{i - 1, i - 1})
		}
	}
	return out
}

// A cue is a sequence of folded tokens; a token ending in * matches any ending.
type cue struct {
	toks     []token
	category string
	lang     string
	text     string
}

type token struct {
	word   string
	prefix bool
}

// maxGap is how many other words may stand between two words of a cue.
const maxGap = 2

// index finds cues by their first token.
type index struct {
	exact  map[string][]*cue
	prefix map[string][]*cue
}

func newIndex() index {
	return index{exact: map[string][]*cue{}, prefix: map[string][]*cue{}}
}

func (ix index) add(s, category, lang string) {
	var toks []token
	for _, f := range strings.Fields(s) {
		p := strings.HasSuffix(f, "*")
		for _, w := range fold.Words(strings.TrimSuffix(f, "*")) {
			toks = append(toks, token{word: w})
		}
		if p && len(toks) > 0 {
			toks[len(toks)-1].prefix = true
		}
	}
	if len(toks) == 0 {
		return
	}
	c := &cue{toks: toks, category: category, lang: lang, text: s}
	if toks[0].prefix {
		ix.prefix[toks[0].word] = append(ix.prefix[toks[0].word], c)
	} else {
		ix.exact[toks[0].word] = append(ix.exact[toks[0].word], c)
	}
}

// clitics are the prefixes written together with an Arabic or Persian word ("والنار",
// "بالسكين"): a cue word matches the word without them too.
var clitics = []string{"وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ک", "می", "ن"}

// forms returns w and, for a word in Arabic script, w without its clitic prefixes.
func forms(w string) []string {
	out := []string{w}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.Is(unicode.Arabic, r) {
		return out
	}
	for _, p := range clitics {
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 2 {
			out = append(out, rest)
		}
	}
	return out
}

func (t token) matches(w string) bool {
	for _, f := range forms(w) {
		if f == t.word || (t.prefix && strings.HasPrefix(f, t.word)) {
			return true
		}
	}
	return false
}

// candidates returns the cues whose first token may match w.
func (ix index) candidates(w string) []*cue {
	var out []*cue
	for _, f := range forms(w) {
		out = append(out, ix.exact[f]...)
		for i := range f {
			if i > 0 {
				out = append(out, ix.prefix[f[:i]]...)
			}
		}
		out = append(out, ix.prefix[f]...)
	}
	return out
}

// span is a matched range of word positions, inclusive.
type span struct{ from, to int }

// matchAt returns the end of the cue's match starting at word i, or -1.
func (c *cue) matchAt(words []string, i int) int {
	if !c.toks[0].matches(words[i]) {
		return -1
	}
	return c.rest(words, 1, i)
}

func (c *cue) rest(words []string, t, last int) int {
	if t == len(c.toks) {
		return last
	}
	for j := last + 1; j < len(words) && j <= last+1+maxGap; j++ {
		if c.toks[t].matches(words[j]) {
			if end := c.rest(words, t+1, j); end >= 0 {
				return end
			}
		}
	}
	return -1
}

// spans returns where the index's cues match words.
func (ix index) spans(words []string) []span {
	var out []span
	for i, w := range words {
		for _, c := range ix.candidates(w) {
			if end := c.matchAt(words, i); end >= 0 {
				out = append(out, span{i, end})
			}
		}
	}
	return out
}

// first returns the first cue that matches words outside the vetoed spans.
func (ix index) first(words []string, veto []span) (Match, bool) {
	for i, w := range words {
		for _, c := range ix.candidates(w) {
			end := c.matchAt(words, i)
			if end < 0 || overlaps(span{i, end}, veto) {
				continue
			}
			return Match{Category: c.category, Lang: c.lang, Why: "cue " + c.text}, true
		}
	}
	return Match{}, false
}

func overlaps(s span, veto []span) bool {
	for _, v := range veto {
		if s.from <= v.to && v.from <= s.to {
			return true
		}
	}
	return false
}
