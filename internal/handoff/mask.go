package handoff

import (
	"regexp"
	"strings"
	"unicode"
)

// Replacements for what Mask removes.
const (
	MaskedEmail    = "[e-mail]"
	MaskedPhone    = "[phone]"
	MaskedIBAN     = "[IBAN]"
	MaskedDocument = "[document number]"
)

// Words people write instead of @ and the dot to hide an address from spam bots, in
// the bot's seven languages: "anna at example dot org", "анна собака mail точка ru".
const (
	atWords  = `at|ät|et|собака|собачка|равлик|ет|ат|آت|اَت|أت|ات|ایت`
	dotWords = `dot|punkt|nokta|точка|тчк|крапка|نقطه|نقطة|دوت|دات|نقطہ`
)

// tlds are the top-level domains a spelled-out address must end in: the common
// generic ones and those of the countries most users come from or live in.
const tlds = `com|org|net|edu|gov|info|biz|io|me|co|eu|de|at|ch|nl|fr|it|es|pl|cz|uk|us|ru|ua|by|kz|md|ge|am|az|tr|ir|af|iq|sy|lb|jo|eg|sa|ae|ma|tn|dz|er|so|rs|ro|bg|gr|рф|укр|онлайн`

var (
	// An address with @ (or a full-width ＠), or with the @ in brackets: [at],
	// (at), {at}, <at>, in any of the languages.
	emailRe = regexp.MustCompile(`(?i)[\p{L}\p{N}._%+\-]+\s*(?:[@＠]|[\[({<]\s*(?:` + atWords + `)\s*[\])}>])\s*[\p{L}\p{N}\-]+` +
		`(?:\s*(?:[.．]|[\[({<]\s*(?:` + dotWords + `)\s*[\])}>])\s*[\p{L}\p{N}\-]+)+`)
	// An address spelled out with words between spaces: "anna at example dot org".
	// The last dot must be spelled too ("I study at uni-oldenburg.de" is a
	// sentence), and followed by a common top-level domain ("look at the dot on
	// the map" is one too).
	spelledEmailRe = regexp.MustCompile(`(?i)[\p{L}\p{N}._%+\-]+\s+(?:` + atWords + `)\s+[\p{L}\p{N}\-]+` +
		`(?:(?:[.．]|\s+(?:` + dotWords + `)\s+)[\p{L}\p{N}\-]+)*\s+(?:` + dotWords + `)\s+(?:` + tlds + `)\b`)
	// An IBAN: a country, two check digits, then groups of (usually four) letters
	// and digits, with or without spaces: DE89 3704 0044 0532 0130 00.
	ibanRe = regexp.MustCompile(`(?i)\b[a-z]{2}[0-9]{2}(?:[ \-]?[a-z0-9]{4}){2,7}(?:[ \-]?[a-z0-9]{1,3})?\b`)
	// A document number: German identity cards, passports and residence permits
	// have nine letters and digits (L01X00T47), perhaps with the check digit; other
	// countries' passports are similar (FA123456).
	docRe = regexp.MustCompile(`\b[A-Za-z0-9]{8,10}\b`)
	// Digits (of any script: Arabic-Indic ٠١٢, Persian ۰۱۲, full-width ０１２, …) in
	// groups separated by spaces, dashes, slashes or brackets, perhaps with a
	// leading +; whether it is long enough to be a phone number is decided by
	// counting its digits.
	// A date written 2024-05-12 or 12/05/2024: as many digits as a short phone
	// number, but not personal.
	dateRe  = regexp.MustCompile(`^(?:\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}|\p{Nd}{2}/\p{Nd}{2}/\p{Nd}{4})$`)
	phoneRe = regexp.MustCompile(`[+＋]?[(（]?\p{Nd}[\p{Nd} \x{00a0}\-‐‑–－/()（）]*\p{Nd}`)
)

// minPhoneDigits: shorter runs are not phone numbers (112, a year, a postcode).
const minPhoneDigits = 7

// Mask replaces e-mail addresses, IBANs, document numbers and phone numbers in text
// with MaskedEmail, MaskedIBAN, MaskedDocument and MaskedPhone. It is applied
// before an anonymous question is stored: the question is kept to improve the
// content, and the person asking must not be identifiable from it. Numbers of up
// to six digits stay (112, 26121, 2025), in whatever script they are written.
func Mask(text string) string {
	text = emailRe.ReplaceAllString(text, MaskedEmail)
	text = spelledEmailRe.ReplaceAllString(text, MaskedEmail)
	text = ibanRe.ReplaceAllStringFunc(text, func(m string) string {
		if digits(m) < 10 {
			return m
		}
		return MaskedIBAN
	})
	text = docRe.ReplaceAllStringFunc(text, func(m string) string {
		if !document(m) {
			return m
		}
		return MaskedDocument
	})
	return phoneRe.ReplaceAllStringFunc(text, func(m string) string {
		if digits(m) < minPhoneDigits || dateRe.MatchString(m) {
			return m
		}
		// Keep a bracket the pattern took from around the number.
		lead := ""
		if (strings.HasPrefix(m, "(") && !strings.Contains(m, ")")) || (strings.HasPrefix(m, "（") && !strings.Contains(m, "）")) {
			lead = m[:len(string([]rune(m)[0]))]
		}
		return lead + MaskedPhone
	})
}

// digits counts the decimal digits of s in any script.
func digits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// germanDocChars are the characters of German document numbers: digits and the
// consonants that cannot be mistaken for digits.
const germanDocChars = "0123456789CFGHJKLMNPRTVWXYZ"

// document reports whether a token of 8 to 10 letters and digits looks like a
// document number rather than a word or a product name: a German one (nine or ten
// of germanDocChars, at least three digits and a letter) or another country's
// (at least one letter and five digits).
func document(tok string) bool {
	letters, nums := 0, 0
	german := len(tok) == 9 || len(tok) == 10
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			nums++
		default:
			letters++
			if !strings.ContainsRune(germanDocChars, unicode.ToUpper(r)) {
				german = false
			}
		}
	}
	if letters == 0 {
		return false // digits only: a phone number or nothing
	}
	return nums >= 5 || (german && nums >= 3)
}
