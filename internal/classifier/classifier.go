// Package classifier is a supervised text classifier for short, messy messages: each
// message becomes a TF-IDF vector of its folded words and their character n-grams,
// and a label's score is how close the message comes to that label's examples
// (nearest neighbours by cosine, Model), or a probability learned from them
// (multinomial logistic regression, Softmax; a binary one, Binary). Character
// n-grams make it robust to inflection, typos, compounds and missing diacritics
// ("auslanderbehorde", "Ausländerbehörden"); one model serves every language, so a
// question is understood in whatever language and script it is written.
package classifier

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/fold"
)

// Doc is one labelled example.
type Doc struct {
	Label string
	Lang  string
	Text  string
	tf    []feat // the features of Text, once Prepare ran
	// ids number tf's features in vocab, which Prepare shares among the
	// documents it prepares: models count such documents' features by these
	// numbers rather than numbering them again, in a new table of hundreds of
	// thousands of features (most of the time of counting, once per model).
	ids   []int32
	vocab *table
}

// Prepare computes the features of docs once, so that several models can be trained
// on them without analysing the texts again, and numbers them in a vocabulary the
// documents share: models count them by these numbers. The texts are analysed on
// two goroutines.
func Prepare(docs []Doc) {
	half := len(docs) / 2
	done := make(chan struct{})
	go func() {
		analyse(docs[:half])
		close(done)
	}()
	analyse(docs[half:])
	<-done
	total := 0
	for _, d := range docs {
		total += len(d.tf)
	}
	// Distinct features grow about as the square root of the occurrences (the
	// shipped phrasings: 2.27 M occurrences, 233 k distinct; the emergency
	// examples: 644 k, 136 k); the table grows if there are more. Its slots are
	// fresh memory, which costs more to touch than to allocate, and a table that
	// grows touches both sizes.
	v := newTable(int(170 * math.Sqrt(float64(total))))
	ids := make([]int32, 0, total)
	for i := range docs {
		start := len(ids)
		for _, x := range docs[i].tf {
			id, _ := v.number(x.h, int32(v.n))
			ids = append(ids, id)
		}
		docs[i].ids, docs[i].vocab = ids[start:len(ids):len(ids)], v
	}
}

// analyse computes the features of docs into arrays shared by many documents:
// fewer and fuller allocations than one per document.
func analyse(docs []Doc) {
	var sc scratch
	var arena []feat
	for i := range docs {
		tf := sc.termFreqs(docs[i].Text)
		if len(arena)+len(tf) > cap(arena) {
			arena = make([]feat, 0, max(1<<14, len(tf)))
		}
		start := len(arena)
		arena = append(arena, tf...)
		docs[i].tf = arena[start:len(arena):len(arena)]
	}
}

func (d Doc) features() []feat {
	if d.tf != nil {
		return d.tf
	}
	return termFreqs(d.Text)
}

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	labels   []string
	labelIdx map[string]int
	docLabel []int32
	docLang  []string
	features map[uint64]int32
	idf      []float32
	flat     []posting // the postings of all features, feature by feature
	off      []int32   // feature id → its postings, flat[off[id]:off[id+1]]
	nonEmpty int       // documents with at least one feature
}

type posting struct {
	doc    int32
	weight float32
}

// pruneFrom is the number of examples from which features of one example only are
// dropped: in a small model they may be all a label has.
const pruneFrom = 1000

// maxDFShare drops features found in more than this share of the documents from the
// postings: they tell no label apart and make every query slow.
const maxDFShare = 0.3

// Numbered are examples with their features counted and numbered once, so that
// several models can be trained on them (the nearest neighbours at start-up, the
// softmax models later in the background) without counting again. Training reads
// them and changes nothing: models may train one after another or side by side.
type Numbered struct {
	docs     []Doc // the examples with at least one feature
	features *numbering
	df       []int32     // feature number → examples that have it
	vecs     [][]posting // per example: (feature number, term frequency)
}

// Number counts and numbers the features of docs. Documents without any word are
// left out.
func Number(docs []Doc) *Numbered {
	e := &Numbered{docs: make([]Doc, 0, len(docs))}
	e.features, e.vecs = numberFeatures(docs, &e.df, func(d Doc) {
		// The models read the labels and languages; the features are in vecs.
		// Without them, the prepared features (the largest arrays of start-up)
		// are garbage once every model that numbers them has: the heap of
		// start-up, and the pages the process touches, stay smaller.
		e.docs = append(e.docs, Doc{Label: d.Label, Lang: d.Lang, Text: d.Text})
	})
	return e
}

// Train builds a model from docs. Documents without any word are skipped.
func Train(docs []Doc) *Model { return Number(docs).Model() }

// Model trains the nearest-neighbour model.
func (e *Numbered) Model() *Model {
	m := &Model{labelIdx: map[string]int{}}
	for _, d := range e.docs {
		li, ok := m.labelIdx[d.Label]
		if !ok {
			li = len(m.labels)
			m.labelIdx[d.Label] = li
			m.labels = append(m.labels, d.Label)
		}
		m.docLabel = append(m.docLabel, int32(li))
		m.docLang = append(m.docLang, d.Lang)
	}
	df, vecs := e.df, e.vecs
	n := len(vecs)
	m.nonEmpty = n
	m.idf = make([]float32, len(df))
	for i, d := range df {
		m.idf[i] = float32(math.Log(float64(n+1)/float64(d+1)) + 1)
	}
	limit := int32(maxDFShare*float64(n)) + 1
	// A feature of one example only (most character n-grams of a rare word) finds
	// nothing the rest do not, and costs memory: it stays in that example's norm,
	// but is not looked up. A feature in most examples is not looked up either.
	kept := func(id int32) bool { return n <= pruneFrom || df[id] >= 2 }
	looked := func(id int32) bool { return n <= 50 || (kept(id) && df[id] <= limit) }
	if n > pruneFrom {
		nk := 0
		for _, d := range df {
			if d >= 2 {
				nk++
			}
		}
		m.features = e.features.toMap(nk, kept)
	} else {
		m.features = e.features.toMap(len(df), func(id int32) bool { return df[id] > 0 })
	}
	// The postings of feature id are flat[off[id]:off[id+1]]: one array, not a
	// slice per feature.
	m.off = make([]int32, len(df)+1)
	for id, d := range df {
		m.off[id+1] = m.off[id]
		if looked(int32(id)) {
			m.off[id+1] += d
		}
	}
	m.flat = make([]posting, m.off[len(df)])
	next := slices.Clone(m.off[:len(df)])
	var xs []float32
	for doc, vec := range vecs {
		var norm float64
		xs = xs[:0]
		for _, p := range vec {
			x := sublinear(p.weight) * m.idf[p.doc]
			xs = append(xs, x)
			norm += float64(x) * float64(x)
		}
		inv := float32(1 / math.Sqrt(norm))
		for i, p := range vec {
			if looked(p.doc) {
				m.flat[next[p.doc]] = posting{int32(doc), xs[i] * inv}
				next[p.doc]++
			}
		}
	}
	return m
}

// numbering says which number each feature has.
type numbering struct {
	base  *table // the vocabulary of most documents: features keep its numbers
	extra *table // the features not in base, numbered from base.n on
}

// each calls f for every feature, in no particular order.
func (nb *numbering) each(f func(h uint64, id int32)) {
	if nb.base != nil {
		nb.base.each(f)
	}
	nb.extra.each(f)
}

// toMap returns the features whose numbers keep accepts as a map, for look-ups
// at query time; n is how many there will be.
func (nb *numbering) toMap(n int, keep func(id int32) bool) map[uint64]int32 {
	m := make(map[uint64]int32, n)
	nb.each(func(h uint64, id int32) {
		if keep(id) {
			m[h] = id
		}
	})
	return m
}

// numberFeatures numbers the features of docs, counts in df how many documents
// have each, and returns the numbering and each non-empty document as (feature
// number, term frequency), calling use for it. Numbers may be left unused (their
// df is 0): the base vocabulary may have features none of docs has.
func numberFeatures(docs []Doc, df *[]int32, use func(Doc)) (*numbering, [][]posting) {
	tfs := make([][]feat, len(docs))
	total := 0
	byVocab := map[*table]int{}
	for i, d := range docs {
		tfs[i] = d.features()
		total += len(tfs[i])
		if d.vocab != nil && len(d.ids) == len(tfs[i]) {
			byVocab[d.vocab]++
		}
	}
	nb := &numbering{}
	for v, n := range byVocab {
		if nb.base == nil || n > byVocab[nb.base] || (n == byVocab[nb.base] && v.n > nb.base.n) {
			nb.base = v
		}
	}
	next := int32(0)
	if nb.base != nil {
		next = int32(nb.base.n)
	}
	other := total
	if nb.base != nil {
		for i, d := range docs {
			if d.vocab == nb.base && len(d.ids) == len(tfs[i]) {
				other -= len(tfs[i])
			}
		}
	}
	nb.extra = newTable(other / 7) // the emergency examples: 644 k occurrences, 79 k new features
	*df = make([]int32, next)
	// The documents of another vocabulary are numbered by their features'
	// numbers there too: remaps[v][id] is the number of v's feature id, or -1
	// before it is looked up.
	remaps := map[*table][]int32{}
	var vocab *table
	var remap []int32
	// The documents' postings share one array.
	flat := make([]posting, 0, total)
	vecs := make([][]posting, 0, len(docs))
	for i, d := range docs {
		tf := tfs[i]
		if len(tf) == 0 {
			continue
		}
		use(d)
		start := len(flat)
		prepared := d.vocab != nil && len(d.ids) == len(tf)
		inBase := prepared && d.vocab == nb.base
		if prepared && !inBase && d.vocab != vocab {
			vocab = d.vocab
			remap = remaps[vocab]
			if remap == nil {
				remap = make([]int32, vocab.n)
				for k := range remap {
					remap[k] = -1
				}
				remaps[vocab] = remap
			}
		}
		for j, x := range tf {
			var id int32
			switch {
			case inBase:
				id = d.ids[j]
			case prepared && remap[d.ids[j]] >= 0:
				id = remap[d.ids[j]]
			default:
				var ok bool
				if nb.base != nil {
					id, ok = nb.base.find(x.h)
				}
				if !ok {
					var isNew bool
					id, isNew = nb.extra.number(x.h, next)
					if isNew {
						next++
						*df = append(*df, 0)
					}
				}
				if prepared {
					remap[d.ids[j]] = id
				}
			}
			(*df)[id]++
			flat = append(flat, posting{id, x.f})
		}
		vecs = append(vecs, flat[start:len(flat):len(flat)])
	}
	return nb, vecs
}

// weigh turns term frequencies into an L2-normalised TF-IDF vector over known
// features (sublinear tf).
func (m *Model) weigh(tf []feat) []posting { return tfidf(tf, m.features, m.idf) }

// tfidf returns the L2-normalised TF-IDF vector of tf over the features known by
// number, with sublinear tf; posting is reused as (feature number, weight).
func tfidf(tf []feat, features map[uint64]int32, idf []float32) []posting {
	out := make([]posting, 0, len(tf))
	var norm float64
	for _, x := range tf {
		id, ok := features[x.h]
		if !ok {
			continue
		}
		w := sublinear(x.f) * idf[id]
		out = append(out, posting{id, w})
		norm += float64(w) * float64(w)
	}
	if norm == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range out {
		out[i].weight *= inv
	}
	return out
}

// sublinear is a term frequency's weight, 1 + ln(tf). Most features occur once in
// a text: their weight needs no logarithm (ln 1 is 0 exactly).
func sublinear(tf float32) float32 {
	if tf == 1 {
		return 1
	}
	return 1 + float32(math.Log(float64(tf)))
}

// Score is one label's closeness to a message, between 0 and 1.
type Score struct {
	Label string
	Score float64
}

// Prediction is what Classify finds.
type Prediction struct {
	Labels []Score // best first, only labels with a score above zero
	// Langs is the share of each language among the nearest examples, weighed by
	// closeness: a message in Latin letters that is close to the Arabizi examples is
	// Arabic.
	Langs map[string]float64
	// Nearest is the cosine similarity of the closest example.
	Nearest float64
}

// maxLabels is how many of the best labels Classify returns.
const maxLabels = 30

// neighbours is how many of a label's nearest examples its score averages: one
// close example alone may be a coincidence.
const neighbours = 3

// Classify scores every label for text. A label's score mixes its nearest example's
// cosine similarity with the mean of its three nearest.
func (m *Model) Classify(text string) Prediction {
	var p Prediction
	q := m.weigh(termFreqs(text))
	if len(q) == 0 {
		return p
	}
	sims := make([]float32, len(m.docLabel))
	for _, f := range q {
		for _, ps := range m.flat[m.off[f.doc]:m.off[f.doc+1]] {
			sims[ps.doc] += f.weight * ps.weight
		}
	}
	best := make([][neighbours]float32, len(m.labels))
	// The ten closest examples, best first (they tell the language): kept in a
	// small sorted array rather than sorting every example that shares a feature.
	type near struct {
		doc int
		sim float32
	}
	var top [10]near
	ntop := 0
	for doc, s := range sims {
		if s <= 0 {
			continue
		}
		b := &best[m.docLabel[doc]]
		for i := range b {
			if s > b[i] {
				copy(b[i+1:], b[i:len(b)-1])
				b[i] = s
				break
			}
		}
		if ntop < len(top) || s > top[ntop-1].sim {
			i := min(ntop, len(top)-1)
			for i > 0 && top[i-1].sim < s {
				if i < len(top) {
					top[i] = top[i-1]
				}
				i--
			}
			top[i] = near{doc, s}
			ntop = min(ntop+1, len(top))
		}
	}
	byScore := func(a, b Score) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(a.Label, b.Label)
	}
	// Only the best labels are of use: with thousands of labels, sorting them all
	// would cost more than the rest of the query. The list is kept sorted and cut
	// at maxLabels as labels come.
	for li, b := range best {
		if b[0] == 0 {
			continue
		}
		var mean float32
		for _, s := range b {
			mean += s
		}
		mean /= neighbours
		sc := Score{m.labels[li], float64(0.5*b[0] + 0.5*mean)}
		if len(p.Labels) == maxLabels && byScore(sc, p.Labels[maxLabels-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(p.Labels, sc, byScore)
		p.Labels = slices.Insert(p.Labels, i, sc)
		if len(p.Labels) > maxLabels {
			p.Labels = p.Labels[:maxLabels]
		}
	}
	if ntop > 0 {
		p.Nearest = float64(top[0].sim)
	}
	p.Langs = map[string]float64{}
	var sum float64
	for _, t := range top[:ntop] {
		p.Langs[m.docLang[t.doc]] += float64(t.sim)
		sum += float64(t.sim)
	}
	for l := range p.Langs {
		p.Langs[l] /= sum
	}
	return p
}

// Feature kinds, mixed into the hash so that the word "kur" and the n-gram "kur" differ.
const (
	kindWord   = 'w'
	kindGram   = 'g'
	kindBigram = 'b'
	kindOrder  = 'o' // the training order's keys, not a feature
)

// maxWordRunes caps the word length that is cut into n-grams: a pasted 3,000-letter
// "word" is not a question.
const maxWordRunes = 40

// termFreqs returns the features of text with their counts: each folded word, each
// pair of neighbouring words, and the character 3-, 4- and 5-grams of each word with
// its boundaries marked.
func termFreqs(text string) []feat {
	var sc scratch
	return sc.termFreqs(text)
}

// scratch holds termFreqs' buffers, for reuse over many texts.
type scratch struct {
	ones, halves []uint64
	rs           []rune
	out          []feat
	spare        []uint64 // sortHashes' other array
	count        []int32  // sortHashes' buckets
}

// sortHashes sorts hs, hashes whose high bits are evenly spread, and returns them
// sorted, in hs or in a buffer of sc. They are put in buckets by their high bits,
// a quarter as many buckets as hashes, then insertion-sorted: each hash is at most
// a bucket's length from its place. Equal hashes are equal, so the order is the
// one any sort gives. For the hundred or few hundred hashes of a message it is
// faster than slices.Sort: BenchmarkTermFreqs of one sentence 5.3-5.6 µs with
// slices.Sort, 4.7-4.8 µs with sortHashes.
func (sc *scratch) sortHashes(hs []uint64) []uint64 {
	n := len(hs)
	if n < 32 {
		slices.Sort(hs)
		return hs
	}
	b := bits.Len(uint(n-1)) - 1
	shift := uint(64 - b)
	if cap(sc.count) < 1<<b+1 {
		sc.count = make([]int32, 1<<b+1)
	}
	count := sc.count[:1<<b+1]
	clear(count)
	for _, h := range hs {
		count[h>>shift+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	if cap(sc.spare) < n {
		sc.spare = make([]uint64, n)
	}
	out := sc.spare[:n]
	for _, h := range hs {
		out[count[h>>shift]] = h
		count[h>>shift]++
	}
	moves := 0
	for i := 1; i < n; i++ {
		h := out[i]
		j := i
		for j > 0 && out[j-1] > h {
			out[j] = out[j-1]
			j--
		}
		out[j] = h
		if moves += i - j; moves > 8*n {
			// Crowded buckets (hashes that share their high bits): no quadratic
			// time, whatever the text.
			slices.Sort(out)
			break
		}
	}
	sc.spare = hs[:0]
	return out
}

// termFreqs is termFreqs with the buffers of sc: the result is valid until the
// next call.
func (sc *scratch) termFreqs(text string) []feat {
	words := fold.Words(text)
	if len(words) > 200 {
		words = words[:200]
	}
	// Every occurrence is appended, then sorted and counted: cheaper than a map
	// for the hundred or two features of a message, and the order is fixed, so
	// feature numbers and the sums of floats in training come out the same in
	// every run. Word pairs count half.
	ones := sc.ones[:0]
	if cap(ones) < len(words)*14 {
		ones = make([]uint64, 0, len(words)*14)
	}
	halves := sc.halves[:0]
	if cap(halves) < len(words) {
		halves = make([]uint64, 0, len(words))
	}
	rs := sc.rs[:0]
	if cap(rs) < maxWordRunes+2 {
		rs = make([]rune, 0, maxWordRunes+2)
	}
	prev := ""
	var buf [utf8.UTFMax]byte
	for _, w := range words {
		if utf8.RuneCountInString(w) > maxWordRunes {
			prev = ""
			continue
		}
		ones = append(ones, hash(kindWord, w))
		if prev != "" {
			halves = append(halves, hash2(kindBigram, prev, w))
		}
		prev = w
		rs = append(rs[:0], '<')
		for _, r := range w {
			rs = append(rs, r)
		}
		rs = append(rs, '>')
		// The n-grams starting at i, grown one rune at a time: no string per n-gram.
		for i := range rs {
			h := uint64(offset64)
			h = (h ^ kindGram) * prime64
			for n := 1; n <= 5 && i+n <= len(rs); n++ {
				k := utf8.EncodeRune(buf[:], rs[i+n-1])
				for _, c := range buf[:k] {
					h = (h ^ uint64(c)) * prime64
				}
				if n >= 3 {
					ones = append(ones, h)
				}
			}
		}
	}
	ones = sc.sortHashes(ones)
	slices.Sort(halves)
	sc.ones, sc.halves, sc.rs = ones, halves, rs
	out := sc.out[:0]
	if cap(out) < len(ones)+len(halves) {
		out = make([]feat, 0, len(ones)+len(halves))
	}
	add := func(h uint64, f float32) {
		if n := len(out); n > 0 && out[n-1].h == h {
			out[n-1].f += f
			return
		}
		out = append(out, feat{h, f})
	}
	i, j := 0, 0
	for i < len(ones) || j < len(halves) {
		if j == len(halves) || (i < len(ones) && ones[i] <= halves[j]) {
			add(ones[i], 1)
			i++
		} else {
			add(halves[j], 0.5)
			j++
		}
	}
	sc.out = out
	return out
}

// feat is one feature (its hash) with its count in a text.
type feat struct {
	h uint64
	f float32
}

const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
)

func hash2(kind byte, a, b string) uint64 {
	h := uint64(offset64)
	h = (h ^ uint64(kind)) * prime64
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * prime64
	}
	h = (h ^ ' ') * prime64
	for i := 0; i < len(b); i++ {
		h = (h ^ uint64(b[i])) * prime64
	}
	return h
}

// hash is FNV-1a over the kind and s, written out to avoid an allocation per n-gram.
func hash(kind byte, s string) uint64 {
	h := uint64(offset64)
	h = (h ^ uint64(kind)) * prime64
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * prime64
	}
	return h
}

// trainingOrder gives the examples' order in each epoch of training: by a hash of
// each example's label and text, mixed with the epoch. An example added to the
// data takes a place of its own and leaves the others' order as it was, which a
// fixed-seed shuffle of their positions does not: with it, one new phrasing
// reordered every step of training.
type trainingOrder struct {
	keys []uint64 // per example
	ps   []uint64 // epoch's buffer
	sc   scratch
}

func newTrainingOrder(docs []Doc) *trainingOrder {
	o := &trainingOrder{keys: make([]uint64, len(docs)), ps: make([]uint64, len(docs))}
	for i, d := range docs {
		o.keys[i] = hash2(kindOrder, d.Label, d.Text)
	}
	return o
}

// epoch sets order to the examples' numbers in the order of epoch ep.
func (o *trainingOrder) epoch(order []int, ep int) {
	salt := (uint64(ep+1) + orderSeed) * 0x9e3779b97f4a7c15
	// Each example's mixed key with its number in the low bits, sorted as evenly
	// spread hashes (sortHashes): the order of the keys, ties of their high bits
	// by number, in a tenth of the time of a sort with a comparison function.
	b := bits.Len(uint(len(order)))
	low := uint64(1)<<b - 1
	ps := o.ps[:len(order)]
	for i := range ps {
		ps[i] = mix(o.keys[i]^salt)&^low | uint64(i)
	}
	sorted := o.sc.sortHashes(ps)
	for i, p := range sorted {
		order[i] = int(p & low)
	}
	o.ps = sorted // sortHashes keeps the other array as its spare
}

// orderSeed varies the training order as a whole, to measure how much the models
// depend on it (TestCalibration and eval with other values).
const orderSeed = 0

// mix is splitmix64's finaliser: every bit of x moves every bit of the result.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
