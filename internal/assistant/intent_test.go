package assistant

import (
	"testing"

	"github.com/oldenburg/ankommen/internal/content"
)

func TestPhraseGaps(t *testing.T) {
	p := parsePhrase("how much * does * get")
	for text, want := range map[string]bool{
		"How much Bürgergeld does a single person get?":                  true,
		"how much does one get":                                          true,
		"how much does it cost":                                          false,
		"how much paperwork does the office need before I get a date":    false, // "get" 5 words after "does"
		"how much time, they said, until the new office does let us get": false,
	} {
		if got := p.in(words(text), nil); got != want {
			t.Errorf("%q in %q = %v, want %v", "how much * does * get", text, got, want)
		}
	}
	if parsePhrase("how much *") != nil || parsePhrase("* get") != nil {
		t.Error("a phrase with an empty part was accepted")
	}
}

func TestNotPrice(t *testing.T) {
	m := newIntentMatcher(map[string]*content.Intents{"en": {
		Price:    []string{"how much * get", "how much is"},
		NotPrice: []string{"time", "days"},
	}})
	for text, want := range map[string]bool{
		"how much Bürgergeld do we get":               true,
		"how much time do we get to register":         false, // "time" in the gap
		"how much is it in days":                      false, // "days" just after
		"how much is the pass, and can I pay in days": true,  // "days" too far after
	} {
		if got := m.match(text, intentPrice); got != want {
			t.Errorf("%q asks a price: %v, want %v", text, got, want)
		}
	}
}
