package assistant

import "testing"

func TestPhraseGaps(t *testing.T) {
	p := parsePhrase("how much * does * get")
	for text, want := range map[string]bool{
		"How much Bürgergeld does a single person get?":                  true,
		"how much does one get":                                          true,
		"how much does it cost":                                          false,
		"how much paperwork does the office need before I get a date":    false, // "get" 5 words after "does"
		"how much time, they said, until the new office does let us get": false,
	} {
		if got := p.in(words(text)); got != want {
			t.Errorf("%q in %q = %v, want %v", "how much * does * get", text, got, want)
		}
	}
	if parsePhrase("how much *") != nil || parsePhrase("* get") != nil {
		t.Error("a phrase with an empty part was accepted")
	}
}
