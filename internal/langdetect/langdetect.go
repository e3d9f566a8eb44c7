// Package langdetect tells which supported language a short question is written in,
// and picks a language from Telegram's language_code.
//
// Short chat questions defeat statistical detectors built for sentences, so the
// detector uses what short texts do carry: the script, letters that only one of the
// languages sharing a script uses, and the function words of each language.
package langdetect

import (
	"strings"
	"unicode"

	"github.com/abadojack/whatlanggo"

	"github.com/oldenburg/ankommen/internal/content"
)

// Result is a detection: Lang is "" when the text carries no usable signal.
type Result struct {
	Lang string
	// Sure is true when the text clearly belongs to Lang (several cues, or one
	// decisive letter); short or language-less texts are never sure.
	Sure bool
}

type script int

const (
	scriptNone script = iota
	scriptLatin
	scriptCyrillic
	scriptArabic
)

// Detect returns the language of text among de, en, tr (Latin), ru, uk (Cyrillic) and
// ar, fa (Arabic script).
func Detect(text string) Result {
	var latin, cyr, arab int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Arabic, r):
			arab++
		}
	}
	// Newcomers write German office names inside their own language ("Як продовжити
	// Aufenthaltstitel?"), so a few Cyrillic or Arabic letters outweigh Latin ones.
	var s script
	switch {
	case arab > 0 && arab >= cyr && (arab >= 3 || arab >= latin):
		s = scriptArabic
	case cyr > 0 && (cyr >= 3 || cyr >= latin):
		s = scriptCyrillic
	case latin > 0:
		s = scriptLatin
	default:
		return Result{}
	}
	words := tokenize(text, s)
	if s == scriptLatin {
		words, text = dropLoanwords(words, text)
	}
	scores := map[string]float64{}
	var langs []string
	switch s {
	case scriptArabic:
		langs = []string{"ar", "fa"}
	case scriptCyrillic:
		langs = []string{"ru", "uk"}
	default:
		langs = []string{"de", "en", "tr"}
	}
	for _, l := range langs {
		p := profiles[l]
		for _, r := range text {
			if strings.ContainsRune(p.letters, r) {
				scores[l] += 2
			} else if strings.ContainsRune(p.weakLetters, r) {
				scores[l] += 0.5
			}
		}
		for _, w := range words {
			if p.words[w] {
				scores[l] += 1.5
			}
			for _, suf := range p.suffixes {
				if len([]rune(w)) > len([]rune(suf))+2 && strings.HasSuffix(w, suf) {
					scores[l] += 0.5
					break
				}
			}
			for _, pre := range p.prefixes {
				if len([]rune(w)) > len([]rune(pre))+2 && strings.HasPrefix(w, pre) {
					scores[l] += 0.5
					break
				}
			}
		}
	}
	// A supported language without a profile here (one added to content.Languages
	// later) is found by whatlanggo's trigram statistics.
	if l, ok := unprofiled(text); ok {
		return Result{Lang: l, Sure: len(words) >= 3}
	}
	best, second := "", ""
	for _, l := range langs {
		if best == "" || scores[l] > scores[best] {
			best, second = l, best
		} else if second == "" || scores[l] > scores[second] {
			second = l
		}
	}
	lead := scores[best] - scores[second]
	if scores[best] == 0 || lead == 0 {
		// No cue tells the languages of this script apart. Arabic script and Cyrillic
		// still narrow it down to the more common language of the two among newcomers.
		switch s {
		case scriptArabic:
			return Result{Lang: "ar", Sure: false}
		case scriptCyrillic:
			return Result{Lang: "ru", Sure: false}
		}
		return Result{}
	}
	letters := 0
	for _, w := range words {
		letters += len([]rune(w))
	}
	sure := lead >= 2 && len(words) >= 2 && letters >= 6
	return Result{Lang: best, Sure: sure}
}

// tokenize returns the lower-cased words of text written in script s; words in other
// scripts (a German office name in a Persian question) carry no cue.
func tokenize(text string, s script) []string {
	text = strings.ToLower(text)
	// Persian typed on an Arabic keyboard uses Arabic yeh and kaf; fold them so the
	// Persian word list matches. The letters themselves still count for Arabic.
	if s == scriptArabic {
		text = arabicFold.Replace(text)
	}
	// Persian writes some words with a zero-width non-joiner (می‌خواهم); split there too.
	f := func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’')
	}
	var out []string
	for _, w := range strings.FieldsFunc(text, f) {
		w = strings.Trim(w, "'’")
		if w != "" && inScript(w, s) {
			out = append(out, w)
		}
	}
	return out
}

var arabicFold = strings.NewReplacer("ي", "ی", "ك", "ک", "\u064b", "", "\u064e", "", "\u064f", "", "\u0650", "", "\u0651", "", "\u0652", "")

func inScript(w string, s script) bool {
	for _, r := range w {
		switch s {
		case scriptLatin:
			return unicode.Is(unicode.Latin, r)
		case scriptCyrillic:
			return unicode.Is(unicode.Cyrillic, r)
		case scriptArabic:
			return unicode.Is(unicode.Arabic, r)
		}
	}
	return false
}

// loanwords are German office and document names that newcomers write inside
// sentences of their own language ("Ausländerbüro nerede?", "Jobcenter appointment"):
// they say nothing about the language of the sentence.
var loanwords = set("ausländerbüro", "auslanderburo", "auslaenderbuero", "ausländerbehörde", "ausländeramt",
	"anmeldung", "abmeldung", "jobcenter", "bürgerbüro", "buergerbuero", "aufenthaltstitel",
	"aufenthaltserlaubnis", "niederlassungserlaubnis", "fiktionsbescheinigung", "duldung", "termin",
	"bürgergeld", "buergergeld", "kita", "integrationskurs", "sprachkurs", "deutschkurs", "einbürgerung",
	"wohnungsgeberbestätigung", "krankenkasse", "deutschlandticket", "oldenburg", "oldenburg-pass",
	"welcome", "center", "sprachmittler", "integrationsbeauftragte", "landkreis", "stadt", "amt", "pass",
	"vhs", "ibis", "drk", "wohngeld", "kindergeld", "elterngeld", "führerschein", "schufa", "steuer-id")

// dropLoanwords removes German loanwords from words, and from text for the letter
// cues, unless nothing else is left: a German sentence of only such words is German.
func dropLoanwords(words []string, text string) ([]string, string) {
	var kept []string
	for _, w := range words {
		if !loanwords[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return words, text
	}
	lower := strings.ToLower(text)
	for _, w := range words {
		if loanwords[w] {
			lower = strings.ReplaceAll(lower, w, " ")
		}
	}
	return kept, lower
}

// unprofiled returns the language of text when whatlanggo reliably finds a supported
// language that has no profile in profiles.
func unprofiled(text string) (string, bool) {
	if len(content.Languages) == len(profiles) {
		return "", false // every language has a profile: the common case
	}
	info := whatlanggo.Detect(text)
	code := info.Lang.Iso6391()
	if _, has := profiles[code]; has || !supported(info.Lang) || !info.IsReliable() {
		return "", false
	}
	return code, true
}
