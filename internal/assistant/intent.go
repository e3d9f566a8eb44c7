package assistant

import (
	"regexp"
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
	phrases map[intent][][]string // each phrase as its words
}

func newIntentMatcher(in map[string]*content.Intents) *intentMatcher {
	m := &intentMatcher{phrases: map[intent][][]string{}}
	for _, lang := range content.Languages {
		i := in[lang]
		if i == nil {
			continue
		}
		for kind, list := range map[intent][]string{
			intentGreeting: i.Greeting, intentThanks: i.Thanks, intentHuman: i.Human, intentPrice: i.Price,
		} {
			for _, p := range list {
				if ws := words(p); len(ws) > 0 {
					m.phrases[kind] = append(m.phrases[kind], ws)
				}
			}
		}
	}
	return m
}

// match reports whether text contains a phrase of kind as whole words in order.
func (m *intentMatcher) match(text string, kind intent) bool {
	ws := words(text)
	for _, p := range m.phrases[kind] {
		if containsSeq(ws, p) {
			return true
		}
	}
	return false
}

func containsSeq(ws, p []string) bool {
	for i := 0; i+len(p) <= len(ws); i++ {
		ok := true
		for j := range p {
			if ws[i+j] != p[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
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
// says that something is free: only they answer a question about a price.
func pricedTopics(c *content.Corpus) map[string]bool {
	out := map[string]bool{}
	for id, t := range c.Topics {
		tr, _ := t.Best(content.SourceLang)
		if tr != nil && pricePattern.MatchString(tr.Short+"\n"+tr.Body) {
			out[id] = true
		}
	}
	return out
}
