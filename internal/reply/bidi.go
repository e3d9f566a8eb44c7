package reply

import (
	"regexp"
	"strings"
)

// In Arabic and Persian replies, Latin-script runs (German office names, addresses,
// phone numbers, e-mails, URLs) are wrapped in Unicode first-strong isolates, so that a
// right-to-left paragraph does not reorder "0441 235-3233" or "Pferdemarkt 14".
const (
	fsi = "\u2068" // FIRST STRONG ISOLATE
	pdi = "\u2069" // POP DIRECTIONAL ISOLATE
)

// ltrRun matches Latin words and numbers, with the punctuation inside addresses,
// e-mails and URLs, joined by single spaces.
var ltrRun = regexp.MustCompile(`[\p{Latin}0-9+][\p{Latin}0-9@.\-–_/:+()\[\]&%?=#,]*(?: [\p{Latin}0-9+(][\p{Latin}0-9@.\-–_/:+()\[\]&%?=#,]*)*`)

// RTL reports whether lang is written right to left.
func RTL(lang string) bool { return lang == "ar" || lang == "fa" }

// Isolate wraps each Latin-script run of s in isolates; sentence punctuation at the
// end of a run stays outside.
func Isolate(s string) string {
	return ltrRun.ReplaceAllStringFunc(s, func(m string) string {
		core := m
		for core != "" {
			last := core[len(core)-1]
			unbalanced := last == ')' && strings.Count(core, "(") < strings.Count(core, ")")
			if !strings.ContainsRune(".,:;( ", rune(last)) && !unbalanced {
				break
			}
			core = core[:len(core)-1]
		}
		if core == "" {
			return m
		}
		return fsi + core + pdi + m[len(core):]
	})
}
