package staff

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords is the set of common-passwords.txt, read on first use.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
})

// sequences are runs of characters that make a password easy to guess when it is a
// piece of one of them, forwards or backwards: the alphabet, digits (which wrap:
// "123456789012"), and the rows of German, English and French keyboards.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	"01234567890123456789012345678901234567890123456789",
	"абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
	"qwertzuiopüasdfghjklöäyxcvbnm", "qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn",
	"1qaz2wsx3edc4rfv5tgb6zhn7ujm8ik9ol0p", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"qayxswedcvfrtgbnhzujmkiolp", "qazwsxedcrfvtgbyhnujmikolp",
	"!\"§$%&/()=?", "!@#$%^&*()_+", "^1234567890ß´", "`1234567890-=",
}

// CheckPassword reports why password is not good enough for the account name, as a
// sentence for the person setting it, or nil. Besides the length (MinPassword to
// MaxPassword) it refuses what is guessed first: one of the most common passwords,
// perhaps with digits or punctuation around it ("Passwort2024!"); one character or a
// short piece repeated ("aaaaaaaaaaaa", "abcabcabcabc"); a run of the alphabet, of
// digits or of a keyboard row ("123456789012", "qwertzuiopü"); and a password
// that contains the account's name. name may be "" (not known yet).
func CheckPassword(name, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPassword {
		return fmt.Errorf("%w: the password must have at least %d characters", ErrInvalid, MinPassword)
	}
	if len(password) > MaxPassword {
		return fmt.Errorf("%w: the password must have at most %d bytes", ErrInvalid, MaxPassword)
	}
	p := strings.ToLower(password)
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, p)
	if utf8.RuneCountInString(compact) < MinPassword/2 {
		return fmt.Errorf("%w: the password is mostly spaces; use words or other characters", ErrInvalid)
	}
	base := strings.TrimFunc(compact, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if commonPasswords()[compact] || commonPasswords()[base] {
		return fmt.Errorf("%w: the password is one of the most common passwords; choose another, for example a few words that belong together only for you", ErrInvalid)
	}
	if repeated(compact) {
		return fmt.Errorf("%w: the password repeats one character or a short piece; choose another", ErrInvalid)
	}
	if inSequence(compact) {
		return fmt.Errorf("%w: the password is a run of the alphabet, of digits or of a keyboard row; choose another", ErrInvalid)
	}
	if n := strings.ToLower(strings.TrimSpace(name)); utf8.RuneCountInString(n) >= 3 && strings.Contains(compact, strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, n)) {
		return fmt.Errorf("%w: the password must not contain the account's name", ErrInvalid)
	}
	return nil
}

// repeated reports whether s is a piece of up to half its length repeated
// (with a partial piece at the end), or is made of fewer than four different
// characters.
func repeated(s string) bool {
	rs := []rune(s)
	distinct := map[rune]bool{}
	for _, r := range rs {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return true
	}
	for size := 1; size <= len(rs)/2; size++ {
		ok := true
		for i := size; i < len(rs); i++ {
			if rs[i] != rs[i%size] {
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

// inSequence reports whether s, or s without its last four characters (a year
// added), is a piece of one of the sequences, forwards or backwards.
func inSequence(s string) bool {
	cands := []string{s}
	if rs := []rune(s); len(rs) > 10 {
		cands = append(cands, string(rs[:len(rs)-4]), string(rs[4:]))
	}
	for _, seq := range sequences {
		rev := []rune(seq)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		for _, c := range cands {
			if strings.Contains(seq, c) || strings.Contains(string(rev), c) {
				return true
			}
		}
	}
	return false
}
