package assistant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
)

// TestAnyInputIsAnswered: whatever a user sends — one word of thousands of letters,
// thousands of words, scripts the bot does not speak — comes back as a normal reply
// in a supported language, never as an error.
func TestAnyInputIsAnswered(t *testing.T) {
	a, _ := newShipped(t)
	many := strings.Repeat("Ausländerbüro Wohnung Arbeit ", 10000/3)
	tests := []struct{ name, text string }{
		{"one word of 3,000 letters", strings.Repeat("a", 3000)},
		{"one word of 3,000 mixed letters", strings.Repeat("abcdefghij", 300)},
		{"a long German word", strings.Repeat("Einbürgerungs", 230)},
		{"a long Cyrillic word", strings.Repeat("здравствуйте", 250)},
		{"a long Arabic word", strings.Repeat("مرحبا", 600)},
		{"10,000 words", many},
		{"10,000 different words", manyWords(10000)},
		{"words of 31 to 60 letters", longWords()},
		{"mixed scripts", "Wo ist das 外国人局 Ausländerbüro где مكتب ‍👩‍👩‍👧 ᚠᚢᚦ 𝔄𝔫𝔪𝔢𝔩𝔡𝔲𝔫𝔤 ไทย"},
		{"mixed scripts in one word", strings.Repeat("aя ب中ä", 500)},
		{"combining marks", "a" + strings.Repeat("\u0301", 3000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"", "de", "fa"} {
				r, err := a.Answer(context.Background(), assistant.Question{Text: tc.text, Lang: lang})
				if err != nil {
					t.Fatalf("lang %q: %v", lang, err)
				}
				if !content.IsLanguage(r.Lang) || r.Kind == "" {
					t.Errorf("lang %q: reply %q in %q", lang, r.Kind, r.Lang)
				}
			}
		})
	}
}

func manyWords(n int) string {
	var b strings.Builder
	for i := range n {
		for j := i; ; j /= 26 {
			b.WriteByte(byte('a' + j%26))
			if j < 26 {
				break
			}
		}
		b.WriteString("xyzzy ")
	}
	return b.String()
}

func longWords() string {
	var ws []string
	for n := 31; n <= 60; n++ {
		ws = append(ws, strings.Repeat("ö", n/2)+strings.Repeat("k", n-n/2))
	}
	return strings.Join(ws, " ")
}
