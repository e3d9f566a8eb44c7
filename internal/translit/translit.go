// Package translit writes Latin-letter Russian, Ukrainian, Arabic (Arabizi) and
// Persian (Finglish) back in their own script, so that a question typed on a phone
// without the right keyboard ("gde mozhno vyuchit nemeckij", "wen ma7al el jobcenter",
// "koja mitonam almani yad begiram") reaches the search in the script the content is
// written in.
//
// The rules are the common informal conventions, longest match first. Arabic and
// Persian omit short vowels: a vowel inside a word is dropped, a long or final one is
// written. The result is an approximation that search and classifier, which tolerate
// typos, can use; it is never shown to anyone.
package translit

import (
	"slices"
	"strings"
	"unicode"

	"github.com/oldenburg/ankommen/internal/fold"
)

// Supported reports whether lang has transliteration rules.
func Supported(lang string) bool { return rules[lang] != nil }

// ToScript transliterates the Latin words of s into lang's script; other words stay.
// It returns s unchanged for a language without rules.
func ToScript(lang, s string) string {
	r := rules[lang]
	if r == nil {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		if isLatinWord(w) && !keep[w] {
			words[i] = r.word(w)
		}
	}
	return strings.Join(words, " ")
}

// keep are Latin words that are German office names or brands, understood as they
// are in every language.
var keep = map[string]bool{"jobcenter": true, "bamf": true, "kita": true, "welcome": true, "center": true, "oldenburg": true}

func isLatinWord(w string) bool {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
		if unicode.Is(unicode.Latin, r) {
			n++
		}
	}
	return n > 0
}

type ruleSet struct {
	pairs [][2]string // longest first
	abjad bool
	// long maps a vowel written at the start or end of a word, or doubled, to a letter.
	long map[string]string
}

func (rs *ruleSet) word(w string) string {
	w = fold.Fold(w)
	var b strings.Builder
	for i := 0; i < len(w); {
		if rs.abjad {
			if out, n, ok := rs.vowel(w, i); ok {
				b.WriteString(out)
				i += n
				continue
			}
		}
		matched := false
		for _, p := range rs.pairs {
			if strings.HasPrefix(w[i:], p[0]) {
				b.WriteString(p[1])
				i += len(p[0])
				matched = true
				break
			}
		}
		if !matched {
			if w[i] >= '0' && w[i] <= '9' || w[i] == ' ' {
				b.WriteByte(w[i])
			}
			i++
		}
	}
	return b.String()
}

// vowel handles a vowel in an abjad: long (doubled) and word-initial or final vowels
// are written, short ones inside a word are dropped.
func (rs *ruleSet) vowel(w string, i int) (string, int, bool) {
	for _, v := range []string{"aa", "ee", "ii", "oo", "ou", "uu", "ei", "ai", "a", "e", "i", "o", "u"} {
		if !strings.HasPrefix(w[i:], v) {
			continue
		}
		first, last := i == 0, i+len(v) == len(w)
		out, ok := rs.long[v]
		switch {
		case len(v) == 2 && ok:
			if first {
				return "ا" + out, len(v), true
			}
			return out, len(v), true
		case first:
			return "ا", len(v), true // a short vowel starting a word sits on an alef
		case last:
			if ok {
				return out, len(v), true
			}
			return "", len(v), true
		default:
			return "", len(v), true
		}
	}
	return "", 0, false
}

var rules = map[string]*ruleSet{
	"ru": {pairs: sortPairs(cyrillic(map[string]string{
		"shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш",
		"yu": "ю", "ju": "ю", "ya": "я", "ja": "я", "yo": "ё", "jo": "ё", "ye": "е",
		"iy": "ий", "yi": "ый", "y": "ы", "j": "й", "e": "е", "i": "и", "h": "х",
		"c": "ц", "w": "в", "x": "кс", "'": "ь",
	}))},
	"uk": {pairs: sortPairs(cyrillic(map[string]string{
		"shch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш",
		"yu": "ю", "iu": "ю", "ju": "ю", "ya": "я", "ia": "я", "ja": "я", "ye": "є", "ie": "є",
		"yi": "ї", "ji": "ї", "y": "и", "j": "й", "e": "е", "i": "і", "h": "г", "g": "ґ",
		"c": "ц", "w": "в", "x": "кс",
	}))},
	"ar": {abjad: true, long: map[string]string{
		"aa": "ا", "ee": "ي", "ii": "ي", "ei": "ي", "ai": "ي", "oo": "و", "uu": "و", "ou": "و", "a": "ا", "i": "ي", "e": "ه", "o": "و", "u": "و",
	}, pairs: sortPairs(map[string]string{
		"sh": "ش", "ch": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ",
		"2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "ق", "9": "ق",
		"b": "ب", "t": "ت", "g": "ج", "j": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س",
		"f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي",
		"p": "ب", "v": "ف", "c": "ك", "x": "كس",
	})},
	"fa": {abjad: true, long: map[string]string{
		"aa": "ا", "ee": "ی", "ii": "ی", "ei": "ی", "ai": "ای", "oo": "و", "uu": "و", "ou": "و", "a": "ا", "i": "ی", "e": "ه", "o": "و", "u": "و",
	}, pairs: sortPairs(map[string]string{
		"sh": "ش", "ch": "چ", "kh": "خ", "gh": "ق", "zh": "ژ",
		"b": "ب", "p": "پ", "t": "ت", "j": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س",
		"f": "ف", "q": "ق", "k": "ک", "g": "گ", "l": "ل", "m": "م", "n": "ن", "h": "ه",
		"v": "و", "w": "و", "y": "ی", "c": "ک", "x": "کس",
	})},
}

// cyrillic completes a Cyrillic table with the letters that map one to one.
func cyrillic(m map[string]string) map[string]string {
	base := map[string]string{
		"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "z": "з", "k": "к", "l": "л",
		"m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф",
		"q": "к",
	}
	for k, v := range m {
		base[k] = v
	}
	return base
}

func sortPairs(m map[string]string) [][2]string {
	var out [][2]string
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	// Longest first, then alphabetical, so that "shch" wins over "sh" and the
	// order is stable.
	slices.SortFunc(out, func(a, b [2]string) int {
		if len(a[0]) != len(b[0]) {
			return len(b[0]) - len(a[0])
		}
		return strings.Compare(a[0], b[0])
	})
	return out
}
