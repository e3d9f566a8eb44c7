package backlog

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/fold"
)

//go:embed needs/*.yaml
var needsFS embed.FS

// Needs is a lexicon of needs newcomers ask about that the content may have no
// topic for (a driving licence, a sports club, a bank account), and how people write
// each in every language. It bridges languages when questions are grouped: two
// questions that name the same need belong together whatever their language. It is
// never used to answer. It is safe for concurrent use.
type Needs struct {
	byLang map[string][]needTerm
	ids    []string
}

type needTerm struct {
	id    string
	words []string // folded; Arabic article removed
}

// DefaultNeeds returns the lexicon embedded in the binary (needs/<lang>.yaml).
func DefaultNeeds() *Needs {
	n, err := LoadNeeds(needsFS, "needs")
	if err != nil {
		panic(err) // embedded and tested: cannot happen
	}
	return n
}

// LoadNeeds reads dir/<lang>.yaml from fsys: a map from a need's id to how people
// write it. Every language must list the same ids; an error names the file and line.
func LoadNeeds(fsys fs.FS, dir string) (*Needs, error) {
	n := &Needs{byLang: map[string][]needTerm{}}
	idsOf := map[string][]string{}
	for _, lang := range content.Languages {
		file := dir + "/" + lang + ".yaml"
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("backlog: needs: %w", err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("backlog: needs: %s: %w", file, err)
		}
		if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("backlog: needs: %s: want a map from a need's id to a list of phrases", file)
		}
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return nil, fmt.Errorf("backlog: needs: %s:%d: %q: want a non-empty list of phrases", file, k.Line, k.Value)
			}
			if slices.Contains(idsOf[lang], k.Value) {
				return nil, fmt.Errorf("backlog: needs: %s:%d: %q twice", file, k.Line, k.Value)
			}
			idsOf[lang] = append(idsOf[lang], k.Value)
			for _, p := range v.Content {
				words := needWords(p.Value)
				if len(words) == 0 {
					return nil, fmt.Errorf("backlog: needs: %s:%d: an empty phrase", file, p.Line)
				}
				n.byLang[lang] = append(n.byLang[lang], needTerm{id: k.Value, words: words})
			}
		}
	}
	n.ids = slices.Clone(idsOf[content.SourceLang])
	slices.Sort(n.ids)
	for _, lang := range content.Languages {
		got := slices.Sorted(slices.Values(idsOf[lang]))
		if !slices.Equal(got, n.ids) {
			return nil, fmt.Errorf("backlog: needs: %s/%s.yaml lists other needs than %s.yaml: %v, want %v", dir, lang, content.SourceLang, got, n.ids)
		}
	}
	return n, nil
}

// IDs returns the ids of the needs, sorted.
func (n *Needs) IDs() []string { return slices.Clone(n.ids) }

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
