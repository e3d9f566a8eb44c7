package classifier

import (
	"math"
)

// Binary is a logistic regression over the same features as Model: it learns which
// words and word parts speak for one class ("blood", "smoke", "не дышит") and which
// against it, so it generalises from examples to messages that share no phrase with
// any of them. It is safe for concurrent use.
type Binary struct {
	features map[uint64]int32
	idf      []float32
	weights  []float32
	bias     float32
}

// BinaryOptions tune TrainBinary; the zero value uses the defaults.
type BinaryOptions struct {
	Epochs int     // passes over the data (default 12)
	Rate   float64 // initial learning rate (default 0.5)
	L2     float64 // weight decay per step (default 1e-5)
	// PositiveWeight weighs the positive examples' loss (default: balances the classes).
	PositiveWeight float64
}

// TrainBinary fits a logistic regression: docs whose label is in positive are the
// positive class. Training is deterministic (trainingOrder).
func TrainBinary(docs []Doc, positive map[string]bool, opt BinaryOptions) *Binary {
	return Number(docs).TrainBinary(positive, opt)
}

// TrainBinary is TrainBinary on examples numbered already: the emergency detector
// numbers its examples once for this model and the nearest neighbours (Model).
func (e *Numbered) TrainBinary(positive map[string]bool, opt BinaryOptions) *Binary {
	if opt.Epochs == 0 {
		opt.Epochs = 12
	}
	if opt.Rate == 0 {
		opt.Rate = 0.5
	}
	if opt.L2 == 0 {
		opt.L2 = 1e-5
	}
	b := &Binary{}
	type ex struct {
		y   float32
		vec []posting // feature id, term frequency
		x   []float32 // the features' weights
	}
	df := e.df
	npos := 0
	b.features = e.features.toMap(len(df), func(id int32) bool { return df[id] > 0 })
	// The postings are e's, which other models read side by side: their weights
	// go to an array of their own (half a copy of the postings).
	total := 0
	for _, v := range e.vecs {
		total += len(v)
	}
	xs := make([]float32, total)
	exs := make([]ex, len(e.vecs))
	for i, v := range e.vecs {
		y := float32(0)
		if positive[e.docs[i].Label] {
			y = 1
			npos++
		}
		exs[i] = ex{y: y, vec: v, x: xs[:len(v):len(v)]}
		xs = xs[len(v):]
	}
	n := len(exs)
	b.idf = make([]float32, len(df))
	for i, d := range df {
		b.idf[i] = float32(math.Log(float64(n+1)/float64(d+1)) + 1)
	}
	for _, x := range exs {
		var norm float64
		for i, p := range x.vec {
			w := sublinear(p.weight) * b.idf[p.doc]
			x.x[i] = w
			norm += float64(w) * float64(w)
		}
		inv := float32(1 / math.Sqrt(norm))
		for i := range x.x {
			x.x[i] *= inv
		}
	}
	if opt.PositiveWeight == 0 && npos > 0 {
		opt.PositiveWeight = float64(n-npos) / float64(npos)
	}
	b.weights = make([]float32, len(df))
	order, to := make([]int, n), newTrainingOrder(e.docs)
	step := 0
	for ep := 0; ep < opt.Epochs; ep++ {
		to.epoch(order, ep)
		for _, i := range order {
			x := exs[i]
			rate := float32(opt.Rate / (1 + 1e-4*float64(step)))
			step++
			g := float32(b.logitOf(x.vec, x.x)) // probability
			g -= x.y
			if x.y == 1 {
				g *= float32(opt.PositiveWeight)
			}
			for j, p := range x.vec {
				w := &b.weights[p.doc]
				*w -= rate * (g*x.x[j] + float32(opt.L2)**w)
			}
			b.bias -= rate * g * 0.1
		}
	}
	return b
}

// vector returns the L2-normalised TF-IDF vector of tf over known features.
func (b *Binary) vector(tf []feat) []posting { return tfidf(tf, b.features, b.idf) }

func (b *Binary) logit(vec []posting) float64 {
	z := float64(b.bias)
	for _, p := range vec {
		z += float64(b.weights[p.doc] * p.weight)
	}
	return 1 / (1 + math.Exp(-z))
}

// logitOf is logit of the features of vec with the weights x.
func (b *Binary) logitOf(vec []posting, x []float32) float64 {
	z := float64(b.bias)
	x = x[:len(vec)]
	for i, p := range vec {
		z += float64(b.weights[p.doc] * x[i])
	}
	return 1 / (1 + math.Exp(-z))
}

// minKnown is the least share of a message's features the model must know to judge
// it: of "ضصثق فغع" or "123456" it knows nearly nothing, and its bias alone is no
// judgement.
const minKnown = 0.5

// Probability returns the probability that text belongs to the positive class, or 0
// when the model knows less than half of the text's features.
func (b *Binary) Probability(text string) float64 {
	tf := termFreqs(text)
	vec := b.vector(tf)
	if len(tf) == 0 || float64(len(vec)) < minKnown*float64(len(tf)) {
		return 0
	}
	return b.logit(vec)
}
