package backlog

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/fold"
)

// NeedsDir is the directory of the content that holds the needs lexicon, one
// <lang>.yaml each.
const NeedsDir = "needs"

// Needs is a lexicon of needs newcomers ask about that the content may have no
// topic for (a driving licence, a sports club, a bank account), and how people write
// each in every language. It bridges languages when questions are grouped: two
// questions that name the same need belong together whatever their language. It is
// never used to answer. A nil *Needs finds nothing. It is safe for concurrent use.
type Needs struct {
	byLang map[string][]needTerm
	ids    []string
}

type needTerm struct {
	id    string
	words []string // folded; Arabic article removed
}

// LoadNeeds reads NeedsDir/<lang>.yaml from the content fsys: a map from a need's
// id to how people write it. A content without the directory has an empty lexicon;
// with it, every language lists the same ids as German. Problems come as issues
// with file and line, as content.Load reports them; the lexicon holds what loaded.
func LoadNeeds(fsys fs.FS) (*Needs, []content.Issue) {
	n := &Needs{byLang: map[string][]needTerm{}}
	var issues []content.Issue
	add := func(file string, line int, format string, args ...any) {
		issues = append(issues, content.Issue{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if _, err := fs.Stat(fsys, NeedsDir); err != nil {
		return n, nil
	}
	idsOf := map[string][]string{}
	lineOf := map[string]int{}
	for _, lang := range content.Languages {
		file := NeedsDir + "/" + lang + ".yaml"
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			add(file, 0, "missing: every language lists the needs (%v)", err)
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			add(file, 0, "%v", err)
			continue
		}
		if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
			add(file, 0, "want a map from a need's id to a list of phrases")
			continue
		}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				add(file, k.Line, "need %q: want a non-empty list of phrases", k.Value)
				continue
			}
			if slices.Contains(idsOf[lang], k.Value) {
				add(file, k.Line, "need %q is listed twice", k.Value)
				continue
			}
			idsOf[lang] = append(idsOf[lang], k.Value)
			lineOf[lang+"\x00"+k.Value] = k.Line
			for _, p := range v.Content {
				words := needWords(p.Value)
				if len(words) == 0 {
					add(file, p.Line, "need %q: an empty phrase", k.Value)
					continue
				}
				n.byLang[lang] = append(n.byLang[lang], needTerm{id: k.Value, words: words})
			}
		}
	}
	n.ids = slices.Sorted(slices.Values(idsOf[content.SourceLang]))
	for _, lang := range content.Languages {
		if lang == content.SourceLang || idsOf[lang] == nil {
			continue
		}
		file := NeedsDir + "/" + lang + ".yaml"
		for _, id := range idsOf[lang] {
			if !slices.Contains(n.ids, id) {
				add(file, lineOf[lang+"\x00"+id], "need %q is not in %s.yaml", id, content.SourceLang)
			}
		}
		for _, id := range n.ids {
			if !slices.Contains(idsOf[lang], id) {
				add(file, 0, "need %q of %s.yaml is missing", id, content.SourceLang)
			}
		}
	}
	return n, issues
}

// IDs returns the ids of the needs, sorted.
func (n *Needs) IDs() []string {
	if n == nil {
		return nil
	}
	return slices.Clone(n.ids)
}

// needWords folds a phrase into the words it is matched by.
func needWords(s string) []string {
	ws := fold.Words(s)
	for i, w := range ws {
		ws[i] = stripArticle(w)
	}
	return ws
}

// arabicPrefixes are the article and the clitics written before it, longest first.
var arabicPrefixes = []string{"وبال", "وال", "بال", "فال", "كال", "لل", "ال"}

// stripArticle removes the Arabic article from a word, so that "الرخصه" and
// "رخصه" meet; other words stay as they are.
func stripArticle(w string) string {
	for _, p := range arabicPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= 3 {
			return rest
		}
	}
	return w
}

// Find returns the ids of the needs text names, sorted: the phrases of lang and of
// German (newcomers write German office words in every language). A phrase word of
// four letters or more matches the start of a word ("führerschein" in
// "Führerscheins"); a shorter one only a whole word.
func (n *Needs) Find(text, lang string) []string {
	if n == nil {
		return nil
	}
	words := fold.Words(text)
	for i, w := range words {
		words[i] = stripArticle(w)
	}
	var found []string
	langs := []string{lang}
	if lang != content.SourceLang {
		langs = append(langs, content.SourceLang)
	}
	for _, l := range langs {
		for _, t := range n.byLang[l] {
			if !slices.Contains(found, t.id) && containsPhrase(words, t.words) {
				found = append(found, t.id)
			}
		}
	}
	slices.Sort(found)
	return found
}

// containsPhrase reports whether the phrase's words follow each other in words.
func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, p := range phrase {
			if !wordMatch(words[i+j], p) {
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

func wordMatch(w, p string) bool {
	if utf8.RuneCountInString(p) < 4 {
		return w == p
	}
	return strings.HasPrefix(w, p)
}
