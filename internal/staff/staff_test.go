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
