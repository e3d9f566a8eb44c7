package staff

import (
	"errors"
	"strings"
	"testing"
)

func TestNamesAndPasswords(t *testing.T) {
	for name, ok := range map[string]bool{"anna": true, "anna.schmidt@stadt": true, "Jürgen_2": true, "": false, "a b": false,
		"<script>": false, strings.Repeat("x", 65): false} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
	if _, err := Hash("too short", 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("short password: %v", err)
	}
	if _, err := Hash(strings.Repeat("ü", 40), 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("password over 72 bytes: %v", err)
	}
	h, err := Hash("Grünkohl mit Pinkel", 4)
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(h, "Grünkohl mit Pinkel") || Verify(h, "Grünkohl mit pinkel") || Verify(nil, "Grünkohl mit Pinkel") {
		t.Error("Verify")
	}
	a, b := NewToken(), NewToken()
	if len(a) != 43 || a == b || TokenHash(a) == a || len(TokenHash(a)) != 64 {
		t.Errorf("tokens %q %q", a, b)
	}
}

func TestCheckPassword(t *testing.T) {
	bad := map[string]string{
		"twelve spaces":           strings.Repeat(" ", 12),
		"spaces and tabs":         " \t  \t   \t  \t ",
		"digits in a row":         "123456789012",
		"digits backwards":        "987654321098",
		"alphabet":                "abcdefghijklm",
		"alphabet backwards":      "zyxwvutsrqpo",
		"keyboard row":            "qwertzuiopü",
		"keyboard row with year":  "qwertzuiop2024",
		"keyboard English":        "qwertyuiopasdf",
		"keyboard columns":        "1qaz2wsx3edc",
		"one character":           "aaaaaaaaaaaa",
		"one character, unicode":  strings.Repeat("ü", 12),
		"a short piece repeated":  "abcabcabcabc",
		"a word repeated":         "hallohallohallo",
		"three characters":        "ababccababcc",
		"common":                  "password1234",
		"common German":           "Passwort2024!",
		"common with punctuation": "!!Sommer2024!!",
		"common with spaces":      "ich liebe dich",
		"the name":                "erika-mustermann-99",
		"the name, other case":    "ERIKA ist toll 42",
	}
	for what, pw := range bad {
		if err := CheckPassword("Erika", pw); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s (%q): %v, want refused", what, pw, err)
		} else if !strings.Contains(err.Error(), "password") {
			t.Errorf("%s: the message does not say what is wrong: %v", what, err)
		}
	}
	for _, pw := range []string{"Grünkohl mit Pinkel", "a long enough password", "Tee trinken am Hafen 7", "correct horse battery staple", "Rathaus-Lappan-1345!"} {
		if err := CheckPassword("erika", pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
	// The list is there and read.
	if n := len(commonPasswords()); n < 300 {
		t.Errorf("%d common passwords, want at least 300", n)
	}
	// Hash refuses what CheckPassword refuses without a name.
	if _, err := Hash("123456789012", 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("Hash of a run of digits: %v", err)
	}
}
