// Package fold brings text into the form the models compare: lower case, without
// diacritics, with the letter variants of the Arabic script unified and every digit
// written as an ASCII digit. People write "auslanderbehorde", "Ausländerbehörde" and
// "AUSLAENDERBEHOERDE"; "أين" and "اين"; "٠١٧٦" and "0176": folded, each pair meets.
package fold

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
	t := folded()
	if isASCII(s) {
		return foldASCII(s, &t.ascii)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < tableRunes {
			b.WriteString(t.runes[r])
		} else {
			foldRune(&b, r)
		}
	}
	return squeeze(b.String())
}

// tableRunes is where folded's table ends: it holds the Latin letters with their
// diacritics, Cyrillic and Arabic (with Persian), whose runes Fold looks up rather
// than decomposes.
const tableRunes = 0x800

// tables are what Fold makes of each rune below tableRunes (unsqueezed), and the
// same for ASCII as one byte each: 0 for the apostrophe, which it drops.
type tables struct {
	runes [tableRunes]string
	ascii [utf8.RuneSelf]byte
}

var folded = sync.OnceValue(func() *tables {
	t := &tables{}
	for r := range rune(tableRunes) {
		var b strings.Builder
		foldRune(&b, r)
		t.runes[r] = b.String()
	}
	for c := range t.ascii {
		if f := t.runes[c]; f != "" {
			t.ascii[c] = f[0] // a lower-case letter, a digit or a space
		}
	}
	return t
})

// foldRune writes what Fold makes of r, unsqueezed: decomposition works rune by
// rune, and the marks it separates, which a reordering would move, are dropped.
func foldRune(b *strings.Builder, r rune) {
	for _, r := range norm.NFD.String(string(r)) {
		foldDecomposed(b, r)
	}
}

// foldDecomposed writes what Fold makes of r, a rune of decomposed text.
func foldDecomposed(b *strings.Builder, r rune) {
	if v, ok := special[r]; ok {
		b.WriteString(v)
		return
	}
	switch {
	case unicode.Is(unicode.Mn, r):
	case unicode.IsDigit(r):
		b.WriteRune(rune('0' + digitValue(r)))
	case unicode.IsLetter(r):
		b.WriteRune(unicode.ToLower(r))
	default:
		b.WriteByte(' ')
	}
}

// foldASCII is Fold of an ASCII string with the byte table ascii, in one pass over
// its bytes: most German, English and Turkish messages, and every transliterated
// one.
func foldASCII(s string, ascii *[utf8.RuneSelf]byte) string {
	b := make([]byte, 0, len(s))
	run := 0 // the length of the run of one letter b ends with
	for i := 0; i < len(s); i++ {
		c := ascii[s[i]]
		if c == 0 {
			continue
		}
		if n := len(b); n > 0 && b[n-1] == c && c >= 'a' {
			run++
			if run >= 3 {
				// The third time or more: the run is written once.
				if run == 3 {
					b = b[:n-1]
				}
				continue
			}
		} else {
			run = 1
		}
		b = append(b, c)
	}
	return string(b)
}

// squeeze writes a letter repeated three times or more once: "hilfeeee" is
// "hilfe", while "kaffee" keeps its two.
func squeeze(s string) string {
	if !hasRun(s) {
		return s
	}
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

// hasRun reports whether s holds a letter three times in a row.
func hasRun(s string) bool {
	var p1, p2 rune = -1, -1
	for _, r := range s {
		if r == p1 && r == p2 && unicode.IsLetter(r) {
			return true
		}
		p2, p1 = p1, r
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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
