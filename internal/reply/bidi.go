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
	var b strings.Builder
	last := 0
	for _, loc := range ltrRun.FindAllStringIndex(s, -1) {
		m := s[loc[0]:loc[1]]
		// A bot command ("/topics") must stay as it is for Telegram to link it.
		if loc[0] > 0 && s[loc[0]-1] == '/' {
			continue
		}
		core := m
		for core != "" {
			end := core[len(core)-1]
			unbalanced := end == ')' && strings.Count(core, "(") < strings.Count(core, ")")
			if !strings.ContainsRune(".,:;( ", rune(end)) && !unbalanced {
				break
			}
			core = core[:len(core)-1]
		}
		if core == "" {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(fsi + core + pdi + m[len(core):])
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
