package classifier

import (
	"cmp"
	"math"
	"slices"
)

// Softmax is a multinomial logistic regression over the same features as Model:
// where the nearest neighbours say how close a message comes to some example, it
// learns which words and word parts tell the labels apart. A word every label's
// examples use ("my daughter", "we arrived last week", a place in town) gets little
// weight, so a message that tells the person's story keeps the evidence of its few
// topical words: a label's logit is a sum of evidence, not a cosine that every
// other word dilutes. Its probabilities are what the calibration reads. It is safe
// for concurrent use.
type Softmax struct {
	labels []string
	*inputs
	// q holds the weights quantised to 8 bits, feature-major: the weights of
	// feature f are q[f*L:(f+1)*L] times scale[f]. A quarter of float32's memory;
	// the largest error is 1/254 of a row's largest weight.
	q     []int8
	scale []float32
	bias  []float32
}

// inputs are the features and their idf, shared by the models trained on the same
// examples.
type inputs struct {
	features map[uint64]int32
	idf      []float32
}

// SoftmaxOptions tune TrainSoftmax; the zero value uses the defaults.
type SoftmaxOptions struct {
	Epochs int     // passes over the data (default 3)
	Rate   float64 // initial learning rate (default 0.25)
	// MinDF drops features found in fewer examples (default 2, and 3 from 10,000
	// examples on): a feature of one or two examples mostly fits those examples,
	// and costs a row of weights per label. On the shipped data (17,000 examples),
	// against 2: start-up (BenchmarkLoad, test binaries run in turn) 1.00-1.08 s →
	// 0.94-0.97 s; TestCalibration's value 1785.2 → 1774.3 averaged over three
	// training orders (of 2,569 messages: right 1798 → 1790, wrong 33 → 35 in the
	// shipped order); dev2.jsonl the same within a message.
	MinDF int
	// MaxWeights caps the number of weights, features times labels (default
	// 16M, 16 MB): the weights are dense, and thousands of labels would need
	// gigabytes.
	MaxWeights int
	// MaxLabels caps the number of labels (default 1,000), checked before any
	// feature is counted.
	MaxLabels int
}

// scaleBase scales a message's TF-IDF vector: x = tfidf / sqrt(scaleBase + n), n
// its number of known features. A short question's few features are not blown up
// as by the L2 norm, and a long message's evidence does not grow without bound.
// Measured by TestCalibration's value on the calibration sets: 0 (about the L2
// norm) 1691.5, 3 1687.5, 10 1683.5, 30 1688.5, 100 1673, 300 1634.5.
const scaleBase = 30

// TrainSoftmax fits the model by stochastic gradient descent on the cross-entropy,
// in a fixed order (trainingOrder: by a hash of each example), so that training is
// reproducible. It returns nil when there are more than opt.MaxLabels labels or the
// model would need more than opt.MaxWeights weights.
func TrainSoftmax(docs []Doc, opt SoftmaxOptions) *Softmax {
	return TrainSoftmaxes(docs, opt, func(d Doc) string { return d.Label })[0]
}

// TrainSoftmaxes trains one model per labelling of docs (e.g. by topic and by
// language); the models share their features, which are counted once. A model is
// nil where TrainSoftmax would return nil.
func TrainSoftmaxes(docs []Doc, opt SoftmaxOptions, labelings ...func(Doc) string) []*Softmax {
	return Number(docs).Softmaxes(opt, labelings...)
}

// Softmaxes is TrainSoftmaxes on examples numbered already.
func (e *Numbered) Softmaxes(opt SoftmaxOptions, labelings ...func(Doc) string) []*Softmax {
	docs := e.docs
	if opt.Epochs == 0 {
		opt.Epochs = 3
	}
	if opt.Rate == 0 {
		opt.Rate = 0.25
	}
	if opt.MinDF == 0 {
		opt.MinDF = 2
		if len(docs) >= 10000 {
			opt.MinDF = 3
		}
	}
	if opt.MaxWeights == 0 {
		opt.MaxWeights = 16 << 20
	}
	if opt.MaxLabels == 0 {
		opt.MaxLabels = 1000
	}
	models := make([]*Softmax, len(labelings))
	ys := make([][]int32, len(labelings))
	idx := make([]map[string]int, len(labelings))
	some := false
	for k, label := range labelings {
		distinct := map[string]bool{}
		for _, d := range docs {
			distinct[label(d)] = true
		}
		if len(distinct) <= opt.MaxLabels {
			models[k] = &Softmax{}
			idx[k] = map[string]int{}
			some = true
		}
	}
	if !some {
		return models
	}
	all, df := e.features, e.df
	for _, d := range docs {
		for k, label := range labelings {
			m := models[k]
			if m == nil {
				continue
			}
			l := label(d)
			li, ok := idx[k][l]
			if !ok {
				li = len(m.labels)
				idx[k][l] = li
				m.labels = append(m.labels, l)
			}
			ys[k] = append(ys[k], int32(li))
		}
	}
	// Renumber the features that stay, the most frequent first (by a counting
	// sort; ties in the order of their first numbers): the weights most steps
	// touch lie together, in fewer cache lines and memory pages, and training
	// spends less time waiting for memory. The order changes no sum.
	newID := make([]int32, len(df))
	maxDF := int32(0)
	for _, d := range df {
		maxDF = max(maxDF, d)
	}
	start := make([]int32, maxDF+2) // start[maxDF-d]: the first number of df d
	for _, d := range df {
		if int(d) >= opt.MinDF {
			start[maxDF-d+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	nf := start[len(start)-1]
	for id, d := range df {
		newID[id] = -1
		if int(d) >= opt.MinDF {
			newID[id] = start[maxDF-d]
			start[maxDF-d]++
		}
	}
	n := len(e.vecs)
	in := &inputs{features: make(map[uint64]int32, nf), idf: make([]float32, nf)}
	for id, d := range df {
		if newID[id] >= 0 {
			in.idf[newID[id]] = float32(math.Log(float64(n+1)/float64(d+1)) + 1)
		}
	}
	all.each(func(h uint64, id int32) {
		if newID[id] >= 0 {
			in.features[h] = newID[id]
		}
	})
	vecs := make([][]posting, n)
	for i, v := range e.vecs {
		out := make([]posting, 0, len(v))
		for _, p := range v {
			if id := newID[p.doc]; id >= 0 {
				out = append(out, posting{id, p.weight})
			}
		}
		vecs[i] = in.scale(out)
	}
	// The models train together, in one pass over the examples: each example's
	// weights are fetched from memory once for all of them (waiting for memory
	// is most of a step's time). Their labels lie side by side in one row per
	// feature, padded to a multiple of 8 for the vector kernels; each model's
	// weights and softmax are its own, so each comes out as if trained alone.
	var blocks []block
	stride := 0
	for k, m := range models {
		if m == nil {
			continue
		}
		if int(nf)*len(m.labels) > opt.MaxWeights {
			models[k] = nil
			continue
		}
		m.inputs = in
		blocks = append(blocks, block{off: stride, n: len(m.labels), ys: ys[k]})
		stride += len(m.labels)
	}
	if len(blocks) == 0 {
		return models
	}
	stride = (stride + 7) &^ 7
	w, bias := sgd(vecs, newTrainingOrder(docs), int(nf), stride, blocks, opt)
	k := 0
	for _, m := range models {
		if m == nil {
			continue
		}
		b := blocks[k]
		k++
		m.bias = slices.Clone(bias[b.off : b.off+b.n])
		m.quantise(w, stride, b.off)
	}
	return models
}

// block is one model's labels in the rows of the weights trained together.
type block struct {
	off, n int     // the labels are row[off:off+n]
	ys     []int32 // the examples' labels
}

// quantise sets the 8-bit weights, with a scale per feature, from the float
// weights w: feature f's are w[f*stride+off:][:L].
func (s *Softmax) quantise(w []float32, stride, off int) {
	L := len(s.labels)
	nf := len(w) / stride
	s.q = make([]int8, nf*L)
	s.scale = make([]float32, nf)
	for f := range nf {
		row := w[f*stride+off:][:L]
		// The largest magnitude, as max(top, w, -w) gives it (a NaN stays NaN),
		// without the builtin's handling of signed zeros and NaN in every step of
		// the chain: quantising takes less than half the time.
		var top float32
		for _, w := range row {
			if a := float32(math.Abs(float64(w))); a > top || a != a {
				top = a
			}
		}
		if top == 0 {
			continue
		}
		s.scale[f] = top / 127
		inv := 127 / top
		q := s.q[f*L : (f+1)*L]
		for l, w := range row {
			// math.Round without its branches: v±0.5 is exact in float64 (v is a
			// float32), and the conversion truncates toward zero.
			v := float64(w * inv)
			q[l] = int8(int32(v + math.Copysign(0.5, v)))
		}
	}
}

// sgd fits the weights of the models blocks to the examples vecs (over nf
// features), and returns them: feature f's are w[f*stride:][:stride], the
// biases bias[:stride].
//
// It is exempt from the race detector's instrumentation (go:norace): it reads and
// writes only memory that this goroutine allocated and has not yet shared, and
// instrumented it ran ten times slower, which the first answers after start-up
// (waiting for the model) and the tests under -race could not afford.
//
//go:norace
func sgd(vecs [][]posting, to *trainingOrder, nf, stride int, blocks []block, opt SoftmaxOptions) (w, bias []float32) {
	n := len(vecs)
	w = make([]float32, nf*stride)
	bias = make([]float32, stride)
	order := make([]int, n)
	z := make([]float32, stride)
	g := make([]float32, stride)
	active := make([]int, 0, stride)
	total := float64(opt.Epochs * n)
	step := 0
	for ep := range opt.Epochs {
		to.epoch(order, ep)
		for _, i := range order {
			vec := vecs[i]
			logits(w, stride, bias, vec, z)
			// The rate falls linearly to a tenth: large steps first, then settling.
			rate := float32(opt.Rate * (1 - 0.9*float64(step)/total))
			step++
			active = active[:0]
			for _, b := range blocks {
				zb := z[b.off : b.off+b.n]
				softmax(zb)
				y := b.ys[i]
				for l, gl := range zb {
					if int32(l) == y {
						gl--
					}
					// A label the model already rules out needs no update: this keeps
					// a step near the cost of the example's own features.
					if gl > 1e-3 || gl < -1e-3 {
						g[b.off+l] = rate * gl
						active = append(active, b.off+l)
					}
				}
			}
			if len(active) > denseFrom {
				// g is 0 but for the active labels: the whole row is updated with
				// the vector kernel, and the others stay as they are (x > 0, so
				// row + 0*(-x) is row, bit for bit, as row - g*x is for active ones).
				for _, p := range vec {
					addRow(w[int(p.doc)*stride:][:stride:stride], g, -p.weight)
				}
			} else {
				for _, p := range vec {
					row := w[int(p.doc)*stride:][:stride:stride]
					for _, l := range active {
						row[l] -= g[l] * p.weight
					}
				}
			}
			for _, l := range active {
				bias[l] -= 0.1 * g[l]
				g[l] = 0
			}
		}
	}
	return w, bias
}

// denseFrom is the number of labels to update from which a step updates whole
// rows with the vector kernel rather than label by label.
const denseFrom = 8

// logits sets z to the bias plus the weighed rows of vec's features.
func logits(w []float32, stride int, bias []float32, vec []posting, z []float32) {
	copy(z, bias)
	// Four features a call: z is read and written a quarter as often.
	i := 0
	for ; i+4 <= len(vec); i += 4 {
		p := vec[i : i+4 : i+4]
		addRows4(z,
			w[int(p[0].doc)*stride:][:stride:stride], w[int(p[1].doc)*stride:][:stride:stride],
			w[int(p[2].doc)*stride:][:stride:stride], w[int(p[3].doc)*stride:][:stride:stride],
			p[0].weight, p[1].weight, p[2].weight, p[3].weight)
	}
	for _, p := range vec[i:] {
		addRow(z, w[int(p.doc)*stride:][:stride:stride], p.weight)
	}
}

// scale turns term frequencies (by feature number) into the model's input.
func (s *inputs) scale(vec []posting) []posting {
	var n float32
	for i, p := range vec {
		vec[i].weight = sublinear(p.weight) * s.idf[p.doc]
		n++
	}
	inv := float32(1 / math.Sqrt(float64(scaleBase+n)))
	for i := range vec {
		vec[i].weight *= inv
	}
	return vec
}

// quantisedLogits is logits over the 8-bit weights.
func (s *Softmax) quantisedLogits(vec []posting, z []float32) {
	L := len(s.labels)
	z = z[:L]
	copy(z, s.bias)
	for _, p := range vec {
		off := int(p.doc) * L
		row := s.q[off : off+L : off+L]
		row = row[:len(z)]
		x := p.weight * s.scale[p.doc]
		for l, w := range row {
			z[l] += float32(w) * x
		}
	}
}

// softmax turns logits into probabilities in place.
func softmax(z []float32) {
	top := slices.Max(z)
	var sum float32
	for l := range z {
		z[l] = float32(math.Exp(float64(z[l] - top)))
		sum += z[l]
	}
	for l := range z {
		z[l] /= sum
	}
}

// Probabilities returns every label's probability for text, best first; nil when
// the model knows none of the text's features.
func (s *Softmax) Probabilities(text string) []Score {
	tf := termFreqs(text)
	vec := make([]posting, 0, len(tf))
	for _, x := range tf {
		if id, ok := s.features[x.h]; ok {
			vec = append(vec, posting{id, x.f})
		}
	}
	if len(vec) == 0 {
		return nil
	}
	vec = s.inputs.scale(vec)
	z := make([]float32, len(s.labels))
	s.quantisedLogits(vec, z)
	softmax(z)
	out := make([]Score, len(z))
	for l, p := range z {
		out[l] = Score{s.labels[l], float64(p)}
	}
	slices.SortFunc(out, func(a, b Score) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(a.Label, b.Label)
	})
	return out
}
