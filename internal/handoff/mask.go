package handoff

import (
	"regexp"
	"strings"
)

// Replacements for what Mask removes.
const (
	MaskedEmail = "[e-mail]"
	MaskedPhone = "[phone]"
)

var (
	// An address with @, or written with [at], (at) or {at} to hide it from spam bots.
	emailRe = regexp.MustCompile(`(?i)[\p{L}\p{N}._%+\-]+\s*(?:@|\[at\]|\(at\)|\{at\})\s*[\p{L}\p{N}\-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[\p{L}\p{N}\-]+)+`)
	// Digits in groups separated by spaces, dashes, slashes or brackets, perhaps
	// with a leading +; whether it is long enough to be a phone number is decided
	// by counting its digits.
	phoneRe = regexp.MustCompile(`\+?\(?\d[\d \-/()]*\d`)
)

// minPhoneDigits: shorter runs are not phone numbers (112, a year, a postcode).
const minPhoneDigits = 7

// Mask replaces e-mail addresses and phone numbers in text with MaskedEmail and
// MaskedPhone. It is applied before an anonymous question is stored: the question
// is kept to improve the content, and the person asking must not be identifiable
// from it. Numbers of up to six digits stay (112, 26121, 2025).
func Mask(text string) string {
	text = emailRe.ReplaceAllString(text, MaskedEmail)
	return phoneRe.ReplaceAllStringFunc(text, func(m string) string {
		n := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n < minPhoneDigits {
			return m
		}
		// Keep a bracket or space the pattern took from around the number.
		lead := ""
		if strings.HasPrefix(m, "(") && !strings.Contains(m, ")") {
			lead = "("
		}
		return lead + MaskedPhone
	})
}
