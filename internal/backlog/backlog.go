// Package backlog is the work that waits for staff, translators and editors: open
// unanswered and handed-over questions grouped across languages by what they ask
// about, the needs staff said call for a new topic, and work ranked by demand
// (topics shown most, stale or missing translations of them, the largest groups).
// It declares the store and model interfaces it needs and imports no adapter.
package backlog

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/fold"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/translit"
)

// Item is an open question or handoff to group. Its text is masked (handoff.Mask)
// like everything the inbox shows.
type Item struct {
	Kind       handoff.Kind
	ID         int64
	At         time.Time
	Lang       string
	Text       string
	Candidates []handoff.Candidate // the ranker's topics when it was asked, best first
}

// Key names the item across kinds: "q12" for question 12, "h3" for handoff 3.
func (it Item) Key() string {
	if it.Kind == handoff.KindHandoff {
		return "h" + strconv.FormatInt(it.ID, 10)
	}
	return "q" + strconv.FormatInt(it.ID, 10)
}

// ParseKey reads what Key wrote; ok is false for anything else.
func ParseKey(s string) (kind handoff.Kind, id int64, ok bool) {
	if len(s) < 2 {
		return "", 0, false
	}
	switch s[0] {
	case 'q':
		kind = handoff.KindQuestion
	case 'h':
		kind = handoff.KindHandoff
	default:
		return "", 0, false
	}
	id, err := strconv.ParseInt(s[1:], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return kind, id, true
}

// LangCount is how many items of a group are in one language.
type LangCount struct {
	Lang string
	N    int
}

// Group is items that ask about the same thing, whatever their language.
type Group struct {
	// ID is stable while the group's first item stays: a hash of the key of its
	// smallest question (its smallest handoff when it has no question).
	ID    string
	Items []Item      // newest first
	Langs []LangCount // most first; ties in the order of content.Languages
	// Topic is the topic that fits the group's questions best ("" when none), with
	// the mean of its scores over the group's items, between 0 and 1: low means the
	// content probably has no answer yet.
	Topic      string
	TopicScore float64
	// Needs are the needs of the lexicon that most of the items name, sorted.
	Needs []string
}

// Size is the number of items in the group.
func (g Group) Size() int { return len(g.Items) }

// Examples returns up to n items of lang, newest first.
func (g Group) Examples(lang string, n int) []Item {
	var out []Item
	for _, it := range g.Items {
		if it.Lang == lang && len(out) < n {
			out = append(out, it)
		}
	}
	return out
}

// Models is what grouping needs of the answering models (nlu.Models provides it).
type Models interface {
	// Expand adds the German office names text mentions and, for Latin letters, the
	// text in lang's script.
	Expand(text, lang string) string
	// Classify scores the topics for text, whatever its language.
	Classify(text string) assistant.Classification
}

// Options tune a Grouper; the zero value uses the defaults measured by
// TestGroupingQuality.
type Options struct {
	// Threshold is the least average similarity of two groups that are merged
	// (average link); default DefaultThreshold.
	Threshold float64
	// MaxItems bounds the items grouped, newest kept (default 3000): grouping
	// compares every pair.
	MaxItems int
}

// DefaultThreshold is the merging threshold of the average-link clustering.
const DefaultThreshold = 0.35

// Grouper groups items across languages. It is safe for concurrent use.
type Grouper struct {
	models Models // nil: no topics, no glossary
	needs  *Needs // nil: no lexicon
	opt    Options
}

// NewGrouper returns a Grouper. models and needs may be nil (grouping then relies on
// the stored candidates and the words).
func NewGrouper(models Models, needs *Needs, opt Options) *Grouper {
	if opt.Threshold <= 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.MaxItems <= 0 {
		opt.MaxItems = 3000
	}
	return &Grouper{models: models, needs: needs, opt: opt}
}

// profile is what an item is compared by.
type profile struct {
	needs  []string
	words  sparse // folded words and character 4-grams of the expanded text, TF-IDF
	topics sparse // topic scores of the classifier and the stored candidates
	top    float64
}

// Group groups items, largest group first (ties: newest first). Every item is in
// exactly one group; an item alike to none is a group of one.
func (g *Grouper) Group(items []Item) []Group {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b Item) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.Kind, b.Kind), cmp.Compare(b.ID, a.ID))
	})
	if len(items) > g.opt.MaxItems {
		items = items[:g.opt.MaxItems]
	}
	profs, names := g.profiles(items)
	clusters := averageLink(len(items), func(i, j int) float64 { return similarity(&profs[i], &profs[j]) }, g.opt.Threshold)
	groups := make([]Group, 0, len(clusters))
	for _, members := range clusters {
		groups = append(groups, g.group(items, profs, names, members))
	}
	slices.SortFunc(groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(len(b.Items), len(a.Items)), b.Items[0].At.Compare(a.Items[0].At), cmp.Compare(a.ID, b.ID))
	})
	return groups
}

// group builds the group of items[members] (members ascending: newest first).
func (g *Grouper) group(items []Item, profs []profile, names []string, members []int) Group {
	gr := Group{}
	langs := map[string]int{}
	topics := map[string]float64{}
	needs := map[string]int{}
	var firstQ, firstH *Item
	for _, m := range members {
		it := items[m]
		gr.Items = append(gr.Items, it)
		langs[it.Lang]++
		for _, f := range profs[m].topics {
			topics[names[f.key][1:]] += f.raw
		}
		for _, n := range profs[m].needs {
			needs[n]++
		}
		switch it.Kind {
		case handoff.KindQuestion:
			if firstQ == nil || it.ID < firstQ.ID {
				firstQ = &items[m]
			}
		default:
			if firstH == nil || it.ID < firstH.ID {
				firstH = &items[m]
			}
		}
	}
	first := firstQ
	if first == nil {
		first = firstH
	}
	sum := sha256.Sum256([]byte(first.Key()))
	gr.ID = "g" + hex.EncodeToString(sum[:5])
	for l, n := range langs {
		gr.Langs = append(gr.Langs, LangCount{l, n})
	}
	sortLangs(gr.Langs)
	for t, s := range topics {
		if s > gr.TopicScore || (s == gr.TopicScore && t < gr.Topic) {
			gr.Topic, gr.TopicScore = t, s
		}
	}
	gr.TopicScore /= float64(len(members))
	for n, c := range needs {
		if 2*c > len(members) {
			gr.Needs = append(gr.Needs, n)
		}
	}
	slices.Sort(gr.Needs)
	return gr
}

// sortLangs sorts counts most first; ties in the order of content.Languages.
func sortLangs(ls []LangCount) {
	slices.SortFunc(ls, func(a, b LangCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(langOrder(a.Lang), langOrder(b.Lang)), cmp.Compare(a.Lang, b.Lang))
	})
}

// langOrder is the place of lang in content.Languages; unknown languages last.
func langOrder(lang string) int {
	if i := slices.Index(content.Languages, lang); i >= 0 {
		return i
	}
	return len(content.Languages)
}

// topicsKept is how many of the classifier's best topics an item's profile keeps.
const topicsKept = 5

// profiles computes what items are compared by; names are the features' names by
// number ("t" and a topic id for topics).
func (g *Grouper) profiles(items []Item) (profs []profile, names []string) {
	profs = make([]profile, len(items))
	ids := map[string]int32{}
	intern := func(s string) int32 {
		id, ok := ids[s]
		if !ok {
			id = int32(len(names))
			ids[s] = id
			names = append(names, s)
		}
		return id
	}
	df := map[string]int{}
	terms := make([]map[string]float64, len(items))
	for i, it := range items {
		text := it.Text
		if g.models != nil {
			text = g.models.Expand(text, it.Lang)
		} else if translit.Supported(it.Lang) && fold.Latin(text) {
			text += " " + translit.ToScript(it.Lang, text)
		}
		p := &profs[i]
		p.needs = g.needs.Find(text, it.Lang)
		tf := map[string]float64{}
		for _, w := range fold.Words(text) {
			w = stripArticle(w)
			tf["w"+w]++
			rs := []rune(" " + w + " ")
			for k := 0; k+4 <= len(rs); k++ {
				tf["c"+string(rs[k:k+4])] += 0.5
			}
		}
		for t := range tf {
			df[t]++
		}
		terms[i] = tf
		topics := map[string]float64{}
		for _, c := range it.Candidates {
			topics[c.TopicID] = max(topics[c.TopicID], c.Score)
		}
		if g.models != nil {
			cl := g.models.Classify(it.Text)
			for k, t := range cl.Topics {
				if k == topicsKept {
					break
				}
				topics[t.TopicID] = max(topics[t.TopicID], t.Score)
			}
		}
		for t, s := range topics {
			p.topics = append(p.topics, feature{key: intern("t" + t), raw: s, w: s})
			p.top = max(p.top, s)
		}
		p.topics.normalize()
	}
	n := float64(len(items))
	for i, tf := range terms {
		for t, f := range tf {
			if df[t] < 2 {
				continue // a term of one item relates it to nothing
			}
			idf := math.Log(1 + n/float64(df[t]))
			profs[i].words = append(profs[i].words, feature{key: intern(t), raw: f, w: (1 + math.Log(f)) * idf})
		}
		profs[i].words.normalize()
	}
	return profs, names
}

// similarity of two items, between 0 and 1: the same need counts most, then the
// words (same language, or shared office names), then the nearest topics. Two items
// that name different needs and no common one are kept apart.
func similarity(a, b *profile) float64 {
	need := 0.0
	if len(a.needs) > 0 && len(b.needs) > 0 {
		shared := 0
		for _, n := range a.needs {
			if slices.Contains(b.needs, n) {
				shared++
			}
		}
		if shared == 0 {
			return 0.2 * dot(a.words, b.words)
		}
		need = float64(shared) / float64(min(len(a.needs), len(b.needs)))
	}
	// Topic scores say little when the best of them is weak: the question is about
	// something the content does not have, and so are many others.
	conf := min(1, math.Sqrt(a.top*b.top)/confident)
	s := wordWeight*dot(a.words, b.words) + (1-wordWeight)*conf*dot(a.topics, b.topics)
	return max(need, s)
}

// Weights of the similarity, measured by TestGroupingQuality.
var (
	confident  = 0.6
	wordWeight = 0.3
)

// feature is one dimension of a vector: a term or a topic, numbered per grouping
// so that comparing vectors compares integers.
type feature struct {
	key    int32
	raw, w float64
}

// sparse is a vector as its non-zero features, sorted by key once normalized.
type sparse []feature

func (v sparse) normalize() {
	var sum float64
	for _, f := range v {
		sum += f.w * f.w
	}
	if sum == 0 {
		return
	}
	norm := math.Sqrt(sum)
	for i := range v {
		v[i].w /= norm
	}
	slices.SortFunc(v, func(a, b feature) int { return cmp.Compare(a.key, b.key) })
}

// dot is the cosine of two normalized vectors.
func dot(a, b sparse) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch c := cmp.Compare(a[i].key, b[j].key); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}
