package handoff

import (
	"strings"

	"github.com/oldenburg/ankommen/internal/content"
)

// normalize is how questions are compared: lower case, single spaces.
func normalize(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// MergeLearned adds learned phrasings to the questions of their topics in c, so that
// the index built from c finds them. A phrasing is skipped when its topic is gone or
// has no text in its language, or when a topic of that language lists it already.
// It returns how many were added.
func MergeLearned(c *content.Corpus, ls []Learned) int {
	have := map[string]bool{} // lang + "\x00" + normalized question
	for _, id := range c.IDs {
		for lang, tr := range c.Topics[id].Langs {
			for _, q := range tr.Questions {
				have[lang+"\x00"+normalize(q)] = true
			}
		}
	}
	n := 0
	for _, l := range ls {
		t := c.Topic(l.TopicID)
		if t == nil || t.In(l.Lang) == nil {
			continue
		}
		key := l.Lang + "\x00" + normalize(l.Text)
		if have[key] || normalize(l.Text) == "" {
			continue
		}
		have[key] = true
		tr := t.In(l.Lang)
		tr.Questions = append(tr.Questions, l.Text)
		n++
	}
	return n
}
