package assistant

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/oldenburg/ankommen/internal/content"
)

type intent int

const (
	intentGreeting intent = iota
	intentThanks
	intentHuman
	// intentPrice asks what something costs or how much money one gets or pays.
	intentPrice
)

// intentMatcher finds intent phrases from all languages' intent lists in a text. An
// emergency written in Arabic is an emergency whatever language the chat uses.
type intentMatcher struct {
	phrases map[intent][]phrase
	// notPrice are the words that turn a price phrase into a question of time.
	notPrice map[string]bool
}

// phrase is an intent phrase as its parts, each a run of words: "how much * get" is
// "how much", then "get" at most maxGap words later.
type phrase [][]string

// maxGap is the most words a "*" in an intent phrase stands for: "how much
// Bürgergeld does a couple get" asks an amount, and a longer gap joins the words of
// two sentences.
const maxGap = 4

func newIntentMatcher(in map[string]*content.Intents) *intentMatcher {
	m := &intentMatcher{phrases: map[intent][]phrase{}, notPrice: map[string]bool{}}
	for _, lang := range content.Languages {
		i := in[lang]
		if i == nil {
			continue
		}
		for kind, list := range map[intent][]string{
			intentGreeting: i.Greeting, intentThanks: i.Thanks, intentHuman: i.Human, intentPrice: i.Price,
		} {
			for _, p := range list {
				if ph := parsePhrase(p); ph != nil {
					m.phrases[kind] = append(m.phrases[kind], ph)
				}
			}
		}
		for _, w := range i.NotPrice {
			for _, w := range words(w) {
				m.notPrice[w] = true
			}
		}
	}
	return m
}

// match reports whether text contains a phrase of kind as whole words in order. A
// price phrase does not count with a word of notPrice in its gaps or in the three
// words after it: "how much time do we get" asks for time.
func (m *intentMatcher) match(text string, kind intent) bool {
	ws := words(text)
	var stop map[string]bool
	if kind == intentPrice {
		stop = m.notPrice
	}
	for _, p := range m.phrases[kind] {
		if p.in(ws, stop) {
			return true
		}
	}
	return false
}

// parsePhrase splits p at its "*"s; nil when a part has no word.
func parsePhrase(p string) phrase {
	var ph phrase
	for part := range strings.SplitSeq(p, "*") {
		ws := words(part)
		if len(ws) == 0 {
			return nil
		}
		ph = append(ph, ws)
	}
	return ph
}

// in reports whether ws hold the phrase: its first part anywhere, each further
// part at most maxGap words after the one before, with no word of stop in a gap
// or in the three words after the phrase.
func (p phrase) in(ws []string, stop map[string]bool) bool {
	for i := range ws {
		if p.at(ws, i, 0, stop) {
			return true
		}
	}
	return false
}

// at reports whether part k of p starts at ws[i] and the rest follows.
func (p phrase) at(ws []string, i, k int, stop map[string]bool) bool {
	part := p[k]
	if i+len(part) > len(ws) || !slices.Equal(ws[i:i+len(part)], part) {
		return false
	}
	end := i + len(part)
	if k == len(p)-1 {
		for _, w := range ws[end:min(end+3, len(ws))] {
			if stop[w] {
				return false
			}
		}
		return true
	}
	for j := end; j <= end+maxGap && j < len(ws); j++ {
		if p.at(ws, j, k+1, stop) {
			return true
		}
		if stop[ws[j]] {
			return false // the gap would hold it
		}
	}
	return false
}

// words lower-cases s, folds Persian/Arabic letter variants and ZWNJ, and splits it
// into words of letters and digits.
func words(s string) []string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("\u200c", " ", "ي", "ی", "ك", "ک", "ё", "е", "’", "'").Replace(s)
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'')
	})
}

// pricePattern finds an amount of money, or that something is free, in a topic's
// German text (the source the translations follow).
var pricePattern = regexp.MustCompile(`(?i)\d[\d.,]*\s*(€|euro\b|eur\b)|€\s*\d|\b(kostenlos|kostenfrei|gebührenfrei|beitragsfrei|gratis|umsonst|keine kosten|nichts)`)

// pricedTopics returns the ids of the topics whose text names an amount of money or
// says that something is free: only they answer a question about a price. A topic
// whose amounts are general figures (general_amounts) answers none: a national rate
// of last year or an income limit is not what this person will pay or get.
func pricedTopics(c *content.Corpus) map[string]bool {
	out := map[string]bool{}
	for id, t := range c.Topics {
		if t.GeneralAmounts {
			continue
		}
		tr, _ := t.Best(content.SourceLang)
		if tr != nil && pricePattern.MatchString(tr.Short+"\n"+tr.Body) {
			out[id] = true
		}
	}
	return out
}
