package assistant

import (
	"context"

	"github.com/oldenburg/ankommen/internal/fold"
	"github.com/oldenburg/ankommen/internal/langdetect"
)

// DefaultCalibration is fitted by TestCalibration on labelled messages written for
// calibration only (testdata/realistic/*.jsonl and testdata/calibration.jsonl): a
// right answer is worth 1, "not sure" 0, a wrong answer -2, so that a wrong answer
// costs three "not sure".
var DefaultCalibration = Calibration{
	Weights: []float64{0.172, 1.520, 0.741, 1.601, 1.600, 0.138, 0.864, 2.267, 1.370, 1.126, -2.444, 0.426},
	Bias:    -4.818,
	Answer:  0.84,
	AskBack: 0.30,
}

// scriptLangs are the languages with a script of their own that people also write in
// Latin letters.
var scriptLangs = map[string]bool{"ar": true, "fa": true, "ru": true, "uk": true}

// minLangShare is the share of the nearest examples that must agree on a language
// (the largest share) before a message whose letters do not tell counts as written
// in it.
const minLangShare = 0.4

// minLangSimilarity is how close the nearest example must be for the examples to
// tell a language: "xylophone quantum zebra" is close to nothing.
const minLangSimilarity = 0.25

// understand answers with the models: the question is understood in the language it
// is written in (the reply's language may differ), the classifier and the search are
// fused, and the calibrated probability decides between answer, ask back and hand
// over.
func (a *Assistant) understand(ctx context.Context, q Question, det langdetect.Result, r Result) (Result, error) {
	text := r.Question
	ul := ""
	if det.Sure {
		ul = det.Lang
	}
	// The letters alone do not tell (Turkish without ş and ı), or tell wrongly
	// (Arabizi, Finglish, Russian or Ukrainian in Latin letters): the language of
	// the examples closest to the text as written does.
	var raw *Classification // the text as written, when classified for its language
	if !det.Sure || fold.Latin(text) {
		c := a.models.Classify(text)
		raw = &c
		// The chat's own language stays when the examples do not rule it out
		// (Ukrainian without і and ї reads much like Russian).
		keep := q.Preferred != "" && c.Langs[q.Preferred] >= minLangShare/2
		if l, share := topLang(c.Langs); !keep && c.Nearest >= minLangSimilarity && share >= minLangShare && l != ul && (!det.Sure || scriptLangs[l]) {
			ul = l
			if q.Lang == "" {
				r.Lang = l
			}
		}
	}
	var cls Classification
	expanded := a.models.Expand(text, ul)
	if raw != nil && expanded == text {
		cls = *raw // nothing added: the same classification
	} else {
		cls = a.models.Classify(expanded)
	}
	// Search needs a language: the reply's when the text did not tell, with the
	// transliteration into it.
	if ul == "" {
		ul = r.Lang
		expanded = a.models.Expand(text, ul)
	}
	r.Understood = ul
	res, err := a.search.Search(expanded, ul, 10)
	if err != nil {
		return r, err
	}
	r.Words, r.Unknown = res.Words, res.Unknown
	cands := fuse(cls, res.Hits)
	// Candidates without a translation or topic are dropped (content changed under a
	// learned phrasing).
	kept := cands[:0]
	for _, c := range cands {
		if a.corpus.Topic(c.id) != nil {
			kept = append(kept, c)
		}
	}
	cands = kept
	f := features(cands, res.Hits, len(fold.Words(text)), cls)
	r.Features = f
	if len(cands) > 0 {
		r.Best = cands[0].id
		r.Probability = a.calib.Probability(f)
		for _, h := range res.Hits {
			if h.TopicID == cands[0].id {
				r.Score, r.Coverage = h.Score, h.Coverage
			}
		}
	}
	// A question about a price is not answered by a topic that names none ("How much
	// is a Kita place?" and the Kita topic says nothing of fees): where the bot would
	// answer, it asks back, and staff see the question.
	r.Unpriced = len(cands) > 0 && !a.priced[cands[0].id] && a.intents.match(text, intentPrice)
	r.Confident = len(cands) > 0 && r.Probability >= a.calib.Answer && !r.Unpriced
	if !r.Confident && q.Lang == "" {
		if _, foreign := langdetect.Foreign(text); foreign {
			r.Kind, r.Lang = KindUnsupported, "en"
			return r, nil
		}
	}
	switch {
	case r.Confident:
		r.Kind = KindAnswer
		r.Topic = a.corpus.Topic(cands[0].id)
		r.Text, _ = r.Topic.Best(r.Lang)
		r.AnswerLang = r.Text.Lang
		r.Stale = r.Topic.Stale(r.AnswerLang)
		a.alternatives(&r, cands[1:], cands[0].fused/2, false)
	case len(cands) > 0 && r.Probability >= a.calib.AskBack:
		r.Kind = KindAskBack
		r.Escalated = true
		a.setContact(&r)
		a.alternatives(&r, cands, cands[0].fused/2, true)
		a.record(ctx, &r, hitsOf(cands))
	default:
		r.Kind = KindNotSure
		r.Escalated = true
		a.setContact(&r)
		a.alternatives(&r, cands, 0.15, false)
		a.record(ctx, &r, hitsOf(cands))
	}
	return r, nil
}

// alternatives adds up to three candidates scoring at least min. The emergency topic
// (numbers to call) is offered only when asked back: as a suggestion next to another
// answer it would alarm.
func (a *Assistant) alternatives(r *Result, cands []candidate, min float64, emergencyOK bool) {
	for _, c := range cands {
		if len(r.Alternatives) == 3 || c.fused < min {
			break
		}
		t := a.corpus.Topic(c.id)
		if t == nil || (t.Emergency && !emergencyOK) {
			continue
		}
		tr, _ := t.Best(r.Lang)
		r.Alternatives = append(r.Alternatives, Alternative{TopicID: t.ID, Title: tr.Title, Score: c.fused})
	}
}

func hitsOf(cands []candidate) []Hit {
	var out []Hit
	for _, c := range cands[:min(4, len(cands))] {
		out = append(out, Hit{TopicID: c.id, Score: c.fused, Coverage: c.coverage})
	}
	return out
}

func topLang(langs map[string]float64) (string, float64) {
	best, share := "", 0.0
	for l, s := range langs {
		if s > share || (s == share && l < best) {
			best, share = l, s
		}
	}
	return best, share
}
