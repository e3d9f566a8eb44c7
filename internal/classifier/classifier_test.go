package classifier

import (
	"math"
	"testing"
)

var docs = []Doc{
	{Label: "german", Lang: "de", Text: "Wo kann ich Deutsch lernen?"},
	{Label: "german", Lang: "de", Text: "Deutschkurs für Anfänger"},
	{Label: "german", Lang: "en", Text: "where can I learn German"},
	{Label: "office", Lang: "de", Text: "Wo ist das Ausländerbüro?"},
	{Label: "office", Lang: "de", Text: "Termin bei der Ausländerbehörde"},
	{Label: "office", Lang: "ru", Text: "где находится ведомство по делам иностранцев"},
	{Label: "office", Lang: "ar", Text: "wen maktab el ajaneb"},
}

// TestClassifyIsRobust: inflection, missing diacritics, typos and compounds still
// find the label; the languages of the nearest examples are reported.
func TestClassifyIsRobust(t *testing.T) {
	m := Train(docs)
	tests := []struct{ text, want string }{
		{"auslanderbehorde termin", "office"},
		{"Ausländerbehörden", "office"},
		{"deutschkurse", "german"},
		{"lernen deutsh", "german"},
		{"ведомства иностранцев", "office"},
	}
	for _, tt := range tests {
		p := m.Classify(tt.text)
		if len(p.Labels) == 0 || p.Labels[0].Label != tt.want {
			t.Errorf("%q: %+v, want %s first", tt.text, p.Labels, tt.want)
		}
	}
	if p := m.Classify("где ведомство"); p.Langs["ru"] < 0.5 || p.Nearest <= 0 {
		t.Errorf("languages %v nearest %v", p.Langs, p.Nearest)
	}
	if p := m.Classify("xyzzy"); len(p.Labels) != 0 || len(p.Langs) != 0 {
		t.Errorf("unknown word scored: %+v", p)
	}
	if m.nonEmpty != len(docs) || len(m.labels) != 2 {
		t.Errorf("docs %d labels %v", m.nonEmpty, m.labels)
	}
}

// TestPrepareChangesNothing: features computed ahead give the same model.
func TestPrepareChangesNothing(t *testing.T) {
	prepared := append([]Doc(nil), docs...)
	Prepare(prepared)
	a, b := Train(docs).Classify("Ausländerbüro Termin"), Train(prepared).Classify("Ausländerbüro Termin")
	if len(a.Labels) != len(b.Labels) || a.Labels[0].Label != b.Labels[0].Label || math.Abs(a.Labels[0].Score-b.Labels[0].Score) > 1e-6 {
		t.Errorf("%+v != %+v", a.Labels, b.Labels)
	}
}

// TestBinary: the logistic model learns the positive class and judges only what it
// knows.
func TestBinary(t *testing.T) {
	train := []Doc{
		{Label: "yes", Text: "the kitchen is on fire"}, {Label: "yes", Text: "smoke everywhere in the stairwell"},
		{Label: "yes", Text: "fire in the flat, we cannot get out"}, {Label: "yes", Text: "thick smoke in the corridor"},
		{Label: "no", Text: "where can I learn German"}, {Label: "no", Text: "opening hours of the office"},
		{Label: "no", Text: "how do I register my flat"}, {Label: "no", Text: "German course for beginners"},
	}
	b := TrainBinary(train, map[string]bool{"yes": true}, BinaryOptions{})
	if p := b.Probability("smoke and fire in the corridor"); p < 0.5 {
		t.Errorf("fire: p=%.2f", p)
	}
	if p := b.Probability("German course opening hours"); p > 0.5 {
		t.Errorf("course: p=%.2f", p)
	}
	if p := b.Probability("qqq zzz"); p != 0 {
		t.Errorf("unknown words: p=%.2f, want 0", p)
	}
}

// TestSoftmax: the discriminative model learns the labels from their words, its
// probabilities sum to one, and a message of unknown words gets none.
func TestSoftmax(t *testing.T) {
	s := TrainSoftmax(docs, SoftmaxOptions{Epochs: 30, Rate: 1, MinDF: 1})
	tests := []struct{ text, want string }{
		{"auslanderbehorde termin", "office"},
		{"Ausländerbehörden", "office"},
		{"deutschkurse", "german"},
		// Story words the model never saw do not change what it finds.
		{"my wife and my three children arrived yesterday, where can I learn German", "german"},
		{"ведомства иностранцев", "office"},
	}
	for _, tt := range tests {
		ps := s.Probabilities(tt.text)
		if len(ps) != 2 || ps[0].Label != tt.want || ps[0].Score <= ps[1].Score {
			t.Errorf("%q: %+v, want %s first", tt.text, ps, tt.want)
			continue
		}
		if sum := ps[0].Score + ps[1].Score; math.Abs(sum-1) > 1e-5 {
			t.Errorf("%q: probabilities sum to %v", tt.text, sum)
		}
	}
	if ps := s.Probabilities("xyzzy qqq"); ps != nil {
		t.Errorf("unknown words: %+v, want nil", ps)
	}
}

// TestSoftmaxes: models trained together on two labellings share their features,
// and each learns its own labels.
func TestSoftmaxes(t *testing.T) {
	ms := TrainSoftmaxes(docs, SoftmaxOptions{Epochs: 30, Rate: 1, MinDF: 1},
		func(d Doc) string { return d.Label }, func(d Doc) string { return d.Lang })
	if len(ms) != 2 || ms[0] == nil || ms[1] == nil || ms[0].inputs != ms[1].inputs {
		t.Fatalf("models %+v", ms)
	}
	if ps := ms[0].Probabilities("Ausländerbehörde Termin"); ps[0].Label != "office" {
		t.Errorf("topic: %+v", ps)
	}
	if ps := ms[1].Probabilities("где ведомство"); ps[0].Label != "ru" {
		t.Errorf("language: %+v", ps)
	}
	if ms := TrainSoftmaxes(docs, SoftmaxOptions{MaxLabels: 3}, func(d Doc) string { return d.Label }, func(d Doc) string { return d.Lang }); ms[0] == nil || ms[1] != nil {
		t.Errorf("MaxLabels 3: %v, want a topic model and no language model (4 languages)", ms)
	}
}

// TestPrepared: models trained on documents prepared in vocabularies of their own
// (some in one, some in another, some not at all) score exactly as models trained
// on the texts alone: the numbering of features does not depend on how the
// documents came.
func TestPrepared(t *testing.T) {
	// b's documents share features ("ausländer"), numbered through a's.
	a := append(append([]Doc(nil), docs[:3]...), docs[6])
	b := append([]Doc(nil), docs[3:6]...)
	Prepare(a)
	Prepare(b)
	extra := Doc{Label: "office", Lang: "de", Text: "Ausländerbehörde Öffnungszeiten"}
	mixed := append(append(append([]Doc(nil), b...), a...), extra)
	order := append(append(append([]Doc(nil), docs[3:6]...), append(docs[:3:3], docs[6])...), extra)
	positive := map[string]bool{"office": true}
	for _, q := range []string{"auslanderbehorde termin", "deutschkurse", "где ведомство", "wen maktab", "xyzzy"} {
		want, got := Train(order).Classify(q), Train(mixed).Classify(q)
		if len(want.Labels) != len(got.Labels) {
			t.Fatalf("%q: %v, want %v", q, got.Labels, want.Labels)
		}
		for i := range want.Labels {
			if want.Labels[i] != got.Labels[i] {
				t.Errorf("%q: %v, want %v", q, got.Labels, want.Labels)
			}
		}
		opt := BinaryOptions{Epochs: 5}
		if w, g := TrainBinary(order, positive, opt).Probability(q), TrainBinary(mixed, positive, opt).Probability(q); w != g {
			t.Errorf("%q: binary %v, want %v", q, g, w)
		}
		so := SoftmaxOptions{MinDF: 1}
		w, g := TrainSoftmax(order, so).Probabilities(q), TrainSoftmax(mixed, so).Probabilities(q)
		if len(w) != len(g) || (len(w) > 0 && w[0] != g[0]) {
			t.Errorf("%q: softmax %v, want %v", q, g, w)
		}
	}
}
