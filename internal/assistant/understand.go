package assistant

import (
	"math"
	"sort"
)

// Models are what the core needs from models that learn from data (package nlu
// provides them). Without models the core falls back to the intent lists and the
// coverage rule.
type Models interface {
	// DetectEmergency reports whether text describes an emergency, in any language.
	DetectEmergency(text string) (Alarm, bool)
	// Expand adds to text what helps to understand it in lang: the German names of
	// offices it mentions in any language, and, for Latin letters in a language with
	// another script, the text transliterated into that script.
	Expand(text, lang string) string
	// Classify scores the topics for text, whatever its language.
	Classify(text string) Classification
}

// Alarm is a recognised emergency.
type Alarm struct {
	Category string // e.g. "fire", "break_in"; "general" when a listed word matched
	Number   string // the number to call first: 112 or 110
	// Line names a specialised help line that fits ("poison", "crisis",
	// "violence"), or "".
	Line string
	// LineName and LineNumber are the help line's name and number from the content
	// (helplines.yaml), set by the core.
	LineName, LineNumber string
	Why                  string // what matched, for --debug
	// Lang is the language of the cue or examples that matched: the reply's
	// language when the text gives no other sign.
	Lang string
}

// TopicScore is a topic's score from the classifier, between 0 and 1.
type TopicScore struct {
	TopicID string
	Score   float64
}

// Classification is the classifier's view of a message.
type Classification struct {
	Topics []TopicScore // best first
	// Langs is the share of each language among the examples closest to the text,
	// mixed with a language model's probabilities; the shares sum to 1.
	Langs map[string]float64
	// None is the score of the messages no topic answers (content.OutOfScope).
	None float64
	// Nearest is the similarity of the closest example, between 0 and 1.
	Nearest float64
	// Probs are the topics' probabilities from a discriminative model (they sum to
	// at most 1 with NoneProb), best first; nil when the model knows no word of
	// the text.
	Probs []TopicScore
	// NoneProb is the probability that no topic answers the message.
	NoneProb float64
}

// candidate is a topic found by the classifier, the search, or both.
type candidate struct {
	id       string
	clf      float64 // classifier score
	prob     float64 // the discriminative model's probability
	score    float64 // Bleve's score
	coverage float64
	fused    float64
}

// Fusion weights: the nearest examples and the discriminative model know how people
// ask, the search knows the content's own words. Measured on the calibration sets
// (value of the fitted calibration, TestCalibration's rule): 0.75/0/0.25 gave
// 1649.5, 0.4/0.4/0.2 1674.5, 0.25/0.5/0.25 1674.5, 0/0.75/0.25 1649.0.
const (
	fuseClassifier = 0.4
	fuseProb       = 0.4
	fuseSearch     = 0.2
)

// fuse merges the classifier's topics and the search hits into one ranking.
func fuse(cl Classification, hits []Hit) []candidate {
	cls := cl.Topics
	byID := map[string]*candidate{}
	get := func(id string) *candidate {
		c := byID[id]
		if c == nil {
			c = &candidate{id: id}
			byID[id] = c
		}
		return c
	}
	for _, t := range cls[:min(10, len(cls))] {
		get(t.TopicID).clf = t.Score
	}
	top := 0.0
	for _, h := range hits {
		top = max(top, h.Score)
	}
	for _, h := range hits {
		c := get(h.TopicID)
		c.score, c.coverage = h.Score, h.Coverage
	}
	for _, t := range cl.Probs[:min(10, len(cl.Probs))] {
		get(t.TopicID)
	}
	// A topic that only the search found still needs its classifier score.
	for _, t := range cls {
		if c := byID[t.TopicID]; c != nil && c.clf == 0 {
			c.clf = t.Score
		}
	}
	for _, t := range cl.Probs {
		if c := byID[t.TopicID]; c != nil {
			c.prob = t.Score
		}
	}
	out := make([]candidate, 0, len(byID))
	for _, c := range byID {
		s := 0.0
		if top > 0 {
			s = (c.coverage + 0.5*c.score/top) / 1.5
		}
		if cl.Probs == nil && len(cls) > 0 {
			// Without the discriminative model (too many topics for it) the
			// nearest examples take its share.
			c.fused = (fuseClassifier+fuseProb)*c.clf + fuseSearch*s
		} else {
			c.fused = fuseClassifier*c.clf + fuseProb*c.prob + fuseSearch*s
		}
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].fused != out[j].fused {
			return out[i].fused > out[j].fused
		}
		return out[i].id < out[j].id
	})
	return out
}

// Features describe how sure the best candidate is; Calibration turns them into a
// probability that it is the right topic.
type Features struct {
	Classifier       float64 // the best candidate's classifier score
	ClassifierMargin float64 // ... minus the best other classifier score
	Fused            float64
	FusedMargin      float64 // the best fused score minus the second
	Coverage         float64 // the search's coverage of the question by the best candidate
	SearchAgrees     float64 // 1 when the search ranks the same topic first
	Words            float64 // log(1 + number of words)
	// OverNone is the best candidate's classifier score minus the score of the
	// messages no topic answers.
	OverNone float64
	// Prob is the best candidate's probability from the discriminative model, and
	// ProbMargin that minus the best other topic's.
	Prob, ProbMargin float64
	// NoneProb is the discriminative model's probability that no topic answers the
	// message; Agree is 1 when the nearest examples, the discriminative model and
	// the search all rank the best candidate first.
	NoneProb, Agree float64
}

// Vector returns the features in the order of FeatureNames.
func (f Features) Vector() []float64 {
	return []float64{f.Classifier, f.ClassifierMargin, f.Fused, f.FusedMargin, f.Coverage, f.SearchAgrees, f.Words, f.OverNone, f.Prob, f.ProbMargin, f.NoneProb, f.Agree}
}

func features(cands []candidate, hits []Hit, words int, cl Classification) Features {
	none := cl.None
	if len(cands) == 0 {
		return Features{Words: math.Log1p(float64(words)), OverNone: -none, NoneProb: cl.NoneProb}
	}
	b := cands[0]
	f := Features{Classifier: b.clf, Fused: b.fused, Coverage: b.coverage, Words: math.Log1p(float64(words)), OverNone: b.clf - none, Prob: b.prob}
	for _, p := range cl.Probs {
		if p.TopicID != b.id {
			f.ProbMargin = b.prob - p.Score
			break
		}
	}
	other := 0.0
	for _, c := range cands[1:] {
		other = max(other, c.clf)
	}
	f.ClassifierMargin = b.clf - other
	if len(cands) > 1 {
		f.FusedMargin = b.fused - cands[1].fused
	} else {
		f.FusedMargin = b.fused
	}
	if len(hits) > 0 && hits[0].TopicID == b.id {
		f.SearchAgrees = 1
	}
	f.NoneProb = cl.NoneProb
	if f.SearchAgrees == 1 && len(cl.Topics) > 0 && cl.Topics[0].TopicID == b.id && len(cl.Probs) > 0 && cl.Probs[0].TopicID == b.id {
		f.Agree = 1
	}
	return f
}

// Calibration is a logistic model over Features: the probability that the best
// candidate is the right topic. Answer and AskBack are the thresholds of the three
// outcomes: answer at or above Answer; ask back with buttons at or above AskBack;
// below, hand over to a person.
type Calibration struct {
	Weights []float64 // in the order of Features' fields
	Bias    float64
	Answer  float64
	AskBack float64
}

// Probability returns the calibrated probability for f.
func (c Calibration) Probability(f Features) float64 {
	z := c.Bias
	for i, x := range f.Vector() {
		if i < len(c.Weights) {
			z += c.Weights[i] * x
		}
	}
	return 1 / (1 + math.Exp(-z))
}

// FeatureNames names the Features in vector order (for reports).
var FeatureNames = []string{"classifier", "classifier_margin", "fused", "fused_margin", "coverage", "search_agrees", "log_words", "over_none", "prob", "prob_margin", "none_prob", "agree"}
