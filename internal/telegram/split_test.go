package telegram

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	para := func(n int, word string) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	cases := []struct {
		name   string
		html   string
		limit  int
		pieces []string
	}{
		{"short", "<b>Hi</b>\n\nthere", 100, []string{"<b>Hi</b>\n\nthere"}},
		{"empty", "  \n\n ", 100, nil},
		{"at paragraphs", "aaaa\n\nbbbb\n\ncccc", 10, []string{"aaaa\n\nbbbb", "cccc"}},
		{"at lines", "aaaa\nbbbb\ncccc", 9, []string{"aaaa\nbbbb", "cccc"}},
		{"between words, tags reopened", "<b>one two three four</b>", 20, []string{"<b>one two three</b>", "<b>four</b>"}},
		{"link kept whole when it fits", `see <a href="https://x.org">the page</a> now`, 40, []string{`see <a href="https://x.org">the page</a>`, "now"}},
		{"link cut", `see <a href="https://x.org">the page</a> now`, 36, []string{`see <a href="https://x.org">the</a>`, `<a href="https://x.org">page</a> now`}},
		{"no piece ends in an opening tag", `aaaa bbbb <b>cccc</b>`, 12, []string{"aaaa bbbb", "<b>cccc</b>"}},
		{"entity not cut", "&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;", 12, []string{"&amp;&amp;", "&amp;&amp;", "&amp;&amp;", "&amp;&amp;"}},
		{"UTF-16 counted", "😀😀😀😀 😀😀", 8, []string{"😀😀😀😀", "😀😀"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Split(c.html, c.limit)
			if strings.Join(got, "|") != strings.Join(c.pieces, "|") || len(got) != len(c.pieces) {
				t.Errorf("Split(%q, %d) =\n%q\nwant\n%q", c.html, c.limit, got, c.pieces)
			}
		})
	}
	// A real-sized answer: 40 paragraphs of ~170 characters.
	long := ""
	for i := 0; i < 40; i++ {
		long += "<b>P</b> " + para(40, "word") + "\n\n"
	}
	got := Split(long, MaxMessage)
	if len(got) != 3 { // 40 × 211 characters
		t.Errorf("long answer in %d pieces, want 3", len(got))
	}
	for i, p := range got {
		if len16(p) > MaxMessage || i < len(got)-1 && len16(p) < MaxMessage-300 {
			t.Errorf("piece %d of %d characters", i, len16(p))
		}
		if strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("piece with blank edges: %q…", p[:20])
		}
	}
}

var tagRe = regexp.MustCompile(`</?[a-z]+[^>]*>`)

// TestSplitProperties splits random HTML at random limits: every piece fits, has
// balanced tags and no cut entity, and together they keep the text in order.
func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"Ausländerbüro", "&amp;", "&lt;b&gt;", "12", "مكتب", "😀", "Pferdemarkt", "a", "Встреча", "x-y"}
	for n := 0; n < 300; n++ {
		var b strings.Builder
		for i := 0; i < 5+r.IntN(200); i++ {
			switch r.IntN(12) {
			case 0:
				b.WriteString("\n")
			case 1:
				b.WriteString("\n\n")
			case 2:
				b.WriteString("<b>" + words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + "</b> ")
			case 3:
				b.WriteString(`<a href="https://e.org/?a=1&amp;b=2">` + words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + "</a> ")
			default:
				b.WriteString(words[r.IntN(len(words))] + " ")
			}
		}
		html := b.String()
		limit := 50 + r.IntN(300) // room for the longest tag pair and a letter
		pieces := Split(html, limit)
		var texts []string
		for _, p := range pieces {
			if len16(p) > limit {
				t.Fatalf("piece of %d > %d: %q", len16(p), limit, p)
			}
			depth := 0
			for _, tag := range tagRe.FindAllString(p, -1) {
				if strings.HasPrefix(tag, "</") {
					depth--
				} else {
					depth++
				}
				if depth < 0 || depth > 1 {
					t.Fatalf("unbalanced tags in %q", p)
				}
			}
			if depth != 0 {
				t.Fatalf("unclosed tag in %q", p)
			}
			if regexp.MustCompile(`&[a-z]*$|^[a-z]*;`).MatchString(stripTags(p)) {
				t.Fatalf("cut entity in %q", p)
			}
			texts = append(texts, strings.Fields(stripTags(p))...)
		}
		// Words stay in order; a word longer than a piece is cut, so compare the
		// letters.
		if want := strings.Fields(stripTags(html)); strings.Join(texts, "") != strings.Join(want, "") {
			t.Fatalf("text changed:\n%q\n%q", want, texts)
		}
	}
}
