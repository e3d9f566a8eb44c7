// Package fold brings text into the form the models compare: lower case, without
// diacritics, with the letter variants of the Arabic script unified and every digit
// written as an ASCII digit. People write "auslanderbehorde", "Ausländerbehörde" and
// "AUSLAENDERBEHOERDE"; "أين" and "اين"; "٠١٧٦" and "0176": folded, each pair meets.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// special maps runes that decomposition leaves alone.
var special = map[rune]string{
	'ß': "ss", 'ı': "i", 'ø': "o", 'æ': "ae", 'œ': "oe", 'ł': "l", 'đ': "d",
	// Arabic script: one form per letter, whatever the keyboard (Arabic or Persian).
	'ة': "ه", 'ى': "ي", 'ی': "ي", 'ې': "ي", 'ۍ': "ي", 'ك': "ک", 'ۀ': "ه", 'ە': "ه",
	'ٱ': "ا", 'ء': "", 'ـ': "", // hamza alone and tatweel carry nothing
	'\u200c': "", '\u200d': "", '\u200f': "", '\u200e': "", // ZWNJ joins ("می‌خوام" = "میخوام")
	'’': "", '\'': "", 'ʼ': "", // apostrophes: "can't" = "cant", Ukrainian "м'ясо"
}

// Fold returns s folded: lower case, diacritics and Arabic vowel marks removed, letter
// variants unified, digits of every script as ASCII digits, a letter typed three
// times or more ("HILFEEEE", "ساعدوووني") once, and every other character that is
// not a letter or digit a space. Runs of space are kept as they come; use Words for
// tokens.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	if !isASCII(s) {
		s = norm.NFD.String(s)
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case special[r] != "" || isEmptySpecial(r):
			b.WriteString(special[r])
		case unicode.IsDigit(r):
			b.WriteRune(rune('0' + digitValue(r)))
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return squeeze(b.String())
}

// squeeze writes a letter repeated three times or more once: "hilfeeee" is
// "hilfe", while "kaffee" keeps its two.
func squeeze(s string) string {
	rs := []rune(s)
	out := rs[:0]
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		if j-i >= 3 && unicode.IsLetter(rs[i]) {
			out = append(out, rs[i])
		} else {
			out = append(out, rs[i:j]...)
		}
		i = j
	}
	return string(out)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isEmptySpecial(r rune) bool {
	v, ok := special[r]
	return ok && v == ""
}

// digitValue returns the value of a decimal digit of any script: Unicode puts each
// script's digits in runs of ten from zero to nine (some runs follow each other).
func digitValue(r rune) int {
	start := r
	for unicode.IsDigit(start-1) && r-start < 100 {
		start--
	}
	return int(r-start) % 10
}

// Words returns the folded words of s.
func Words(s string) []string { return strings.Fields(Fold(s)) }

// Latin reports whether most letters of s are Latin letters.
func Latin(s string) bool {
	var latin, other int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.IsLetter(r):
			other++
		}
	}
	return latin > 0 && latin >= 2*other
}
