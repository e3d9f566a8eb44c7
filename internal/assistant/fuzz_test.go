package assistant_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
)

// FuzzAnswer: any text in any supported language gets a result without error or
// panic; an empty-looking text is never confident; the answer language is supported.
func FuzzAnswer(f *testing.F) {
	a, _ := newShipped(f)
	for _, s := range []string{"Wo ist das Ausländerbüro?", "", "???", "😀", "asdf", "\x00\xff", "112",
		"أين مكتب الأجانب؟", "Де знаходиться Ausländerbüro?", "feuer feuer feuer", "a\u200cb", "\u202eevil",
		// Long words (a 3,000-letter word once broke the typo matching), many words,
		// scripts the bot does not speak, combining marks.
		strings.Repeat("abcdefghij", 300), strings.Repeat("Einbürgerungs", 40), strings.Repeat("مرحبا", 100),
		strings.Repeat("Wohnung ", 2000), "外国人局 ᚠᚢᚦ 𝔄𝔫𝔪𝔢𝔩𝔡𝔲𝔫𝔤 ไทย ‍👩‍👩‍👧", "a" + strings.Repeat("\u0301", 500),
		"۰۹۱۲۳۴۵۶۷۸۹ ٠١٧٦١٢٣٤٥٦٧ ０１７６１２３４５６７"} {
		f.Add(s, "")
		f.Add(s, "fa")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		if lang != "" && !content.IsLanguage(lang) {
			lang = ""
		}
		r, err := a.Answer(context.Background(), assistant.Question{Text: text, Lang: lang})
		if err != nil {
			t.Fatalf("Answer(%q): %v", text, err)
		}
		if !content.IsLanguage(r.Lang) {
			t.Fatalf("answer language %q", r.Lang)
		}
		if !utf8.ValidString(r.Question) || len(r.Question) > assistant.MaxQuestionBytes {
			t.Fatalf("cleaned question invalid: %q", r.Question)
		}
		if r.Kind == assistant.KindAnswer && (r.Text == nil || !r.Confident) {
			t.Fatalf("answer without text or confidence: %+v", r)
		}
		if r.Kind == assistant.KindEmpty && r.Confident {
			t.Fatal("empty input answered confidently")
		}
	})
}
