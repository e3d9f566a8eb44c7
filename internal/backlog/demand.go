package backlog

import (
	"cmp"
	"slices"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// TopicDemand is how often the bot showed a topic, per language and in all.
type TopicDemand struct {
	TopicID string
	Total   int
	Langs   []LangCount // most first
}

// Translation states a translator acts on.
const (
	Missing = "missing" // the topic has no text in the language
	Stale   = "stale"   // the text was made from an older German version
)

// TranslationWork is a missing or stale translation, weighted by how often the
// topic is shown in its language.
type TranslationWork struct {
	TopicID string
	Lang    string
	State   string // Missing or Stale
	Shown   int    // times the topic was shown in Lang
	Total   int    // times the topic was shown in every language
	// Weight orders the work: shown in the language first, then a tenth of all
	// showings (people of a language without a translation get another language's
	// text, and so are counted in their own language already; the total breaks
	// ties between translations nobody asked for yet).
	Weight float64
}

// Demand is the work ranked by demand: topics by how often they were shown,
// translations to write or update by that demand, groups of unanswered questions
// by size, and the needs waiting for a topic.
type Demand struct {
	Topics       []TopicDemand     // most shown first
	Translations []TranslationWork // heaviest first
	Groups       []Group           // largest first
	Needs        []Need            // most asked first
}

// RankDemand ranks the work from the counts of topics shown (TopicDemand of the
// store), the content, the groups and the needs.
func RankDemand(c *content.Corpus, counts []handoff.TopicCount, groups []Group, needs []Need) Demand {
	d := Demand{Groups: groups, Needs: needs}
	byTopic := map[string]*TopicDemand{}
	shown := map[[2]string]int{}
	for _, tc := range counts {
		if c.Topic(tc.TopicID) == nil {
			continue // a topic since removed
		}
		td := byTopic[tc.TopicID]
		if td == nil {
			td = &TopicDemand{TopicID: tc.TopicID}
			byTopic[tc.TopicID] = td
		}
		td.Total += tc.N
		td.Langs = append(td.Langs, LangCount{tc.Lang, tc.N})
		shown[[2]string{tc.TopicID, tc.Lang}] += tc.N
	}
	for _, td := range byTopic {
		sortLangs(td.Langs)
		d.Topics = append(d.Topics, *td)
	}
	slices.SortFunc(d.Topics, func(a, b TopicDemand) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.TopicID, b.TopicID))
	})
	for _, id := range c.IDs {
		t := c.Topic(id)
		total := 0
		if td := byTopic[id]; td != nil {
			total = td.Total
		}
		for _, lang := range content.Languages {
			if lang == content.SourceLang {
				continue
			}
			state := ""
			switch {
			case t.In(lang) == nil:
				state = Missing
			case t.Stale(lang):
				state = Stale
			default:
				continue
			}
			n := shown[[2]string{id, lang}]
			d.Translations = append(d.Translations, TranslationWork{TopicID: id, Lang: lang, State: state, Shown: n, Total: total,
				Weight: float64(n) + float64(total)/10})
		}
	}
	slices.SortFunc(d.Translations, func(a, b TranslationWork) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.State, b.State), cmp.Compare(a.TopicID, b.TopicID),
			cmp.Compare(langOrder(a.Lang), langOrder(b.Lang)))
	})
	return d
}
