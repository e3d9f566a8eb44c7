package assistant_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/oldenburg/ankommen/internal/assistant"
)

// calItem is one labelled calibration message. Topic "" (or kind "escalate") means
// the content does not answer it.
type calItem struct {
	Lang     string `json:"lang"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	Topic    string `json:"topic"`
	File     string `json:"-"`
}

// readCalibration reads the calibration sets: written for calibration only, never
// for training (testdata/realistic/<lang>.jsonl: realistic messages in each
// language; testdata/calibration.jsonl: tidier questions of an earlier rule).
func readCalibration(t testing.TB) []calItem {
	t.Helper()
	files, _ := filepath.Glob("testdata/realistic/*.jsonl")
	files = append(files, "testdata/calibration.jsonl")
	var items []calItem
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			var it calItem
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			if it.Kind == "escalate" {
				it.Topic = ""
			}
			it.File = f
			items = append(items, it)
		}
		fh.Close()
	}
	return items
}

// calPoint is what the core found for one calibration message.
type calPoint struct {
	item calItem
	f    assistant.Features
	top  string   // the best candidate
	alts []string // the candidates an ask-back would offer
	// unpriced: the question asks for a price the best topic does not name, so
	// it is asked back however confident the model is.
	unpriced bool
}

func (p calPoint) right() bool { return p.item.Topic != "" && p.top == p.item.Topic }

// outcome counts what a calibration does with the points.
type outcome struct {
	right, wrong, askedRight, askedWrong, handed int // answerable messages
	outAnswered, outAsked, outTotal              int // out-of-scope messages answered, asked back
}

// value ranks calibrations by what each outcome is worth to the asker: a right
// answer 1, "not sure" 0, a wrong answer (or an out-of-scope message answered) -2,
// so that a wrong answer costs three "not sure" (the rule: at least three);
// an ask-back with the right topic among the buttons is worth half an answer, one
// without it (out-of-scope messages included) costs half: buttons that do not fit
// waste the reader's time.
func (o outcome) value() float64 {
	return float64(o.right) - 2*float64(o.wrong+o.outAnswered) + 0.5*float64(o.askedRight) - 0.5*float64(o.askedWrong+o.outAsked)
}

func decide(points []calPoint, c assistant.Calibration) outcome {
	var o outcome
	for _, p := range points {
		pr := c.Probability(p.f)
		if p.unpriced {
			pr = min(pr, c.Answer-1e-9)
		}
		if p.item.Topic == "" {
			o.outTotal++
			if pr >= c.Answer {
				o.outAnswered++
			} else if pr >= c.AskBack {
				o.outAsked++
			}
			continue
		}
		switch {
		case pr >= c.Answer && p.right():
			o.right++
		case pr >= c.Answer:
			o.wrong++
		case pr >= c.AskBack && slices.Contains(p.alts, p.item.Topic):
			o.askedRight++
		case pr >= c.AskBack:
			o.askedWrong++
		default:
			o.handed++
		}
	}
	return o
}

// fit fits a logistic regression of "the best candidate is right" on the features
// by gradient descent with a little L2 weight decay.
func fit(points []calPoint) ([]float64, float64) {
	n := len(assistant.FeatureNames)
	w := make([]float64, n)
	b := 0.0
	vec := assistant.Features.Vector
	for it := 0; it < 6000; it++ {
		gw := make([]float64, n)
		gb := 0.0
		for _, p := range points {
			x := vec(p.f)
			z := b
			for i := range w {
				z += w[i] * x[i]
			}
			y := 0.0
			if p.right() {
				y = 1
			}
			g := 1/(1+math.Exp(-z)) - y
			for i := range w {
				gw[i] += g * x[i]
			}
			gb += g
		}
		for i := range w {
			w[i] -= 0.5 * (gw[i]/float64(len(points)) + 1e-3*w[i])
		}
		b -= 0.5 * gb / float64(len(points))
	}
	return w, b
}

// TestCalibration answers every calibration message as a user would (no language
// hint), fits the logistic model and searches the two thresholds, and checks that
// DefaultCalibration is as good as what it finds and meets the targets: at most 2%
// of all messages answered wrongly, at most 2% of the out-of-scope ones answered.
// Run with -v for the fitted model and the wrong answers.
func TestCalibration(t *testing.T) {
	a, _ := newShipped(t)
	a = a.WithoutRecording()
	items := readCalibration(t)
	var points []calPoint
	kinds := map[assistant.Kind]int{}
	for _, it := range items {
		r, err := a.Answer(context.Background(), assistant.Question{Text: it.Question})
		if err != nil {
			t.Fatal(err)
		}
		kinds[r.Kind]++
		switch r.Kind {
		case assistant.KindAnswer, assistant.KindNotSure, assistant.KindAskBack:
		default:
			continue // emergencies, greetings, unsupported languages: no topic decision
		}
		p := calPoint{item: it, f: r.Features, top: r.Best, unpriced: r.Unpriced}
		// An ask-back offers the best candidates (at most three buttons).
		for _, alt := range r.Alternatives {
			p.alts = append(p.alts, alt.TopicID)
		}
		if r.Kind != assistant.KindAskBack {
			p.alts = nil
			for _, alt := range r.Alternatives {
				p.alts = append(p.alts, alt.TopicID)
			}
			p.alts = append([]string{p.top}, p.alts...)[:min(3, len(p.alts)+1)]
		}
		points = append(points, p)
	}
	t.Logf("%d messages, %d with a topic decision; kinds %v", len(items), len(points), sortedKinds(kinds))
	if len(points) < 1000 {
		t.Fatalf("only %d calibration points; the issue asks for at least 1,000", len(points))
	}
	var top1 int
	for _, p := range points {
		if p.right() {
			top1++
		}
	}
	t.Logf("best candidate right for %d of %d points", top1, len(points))

	w, b := fit(points)
	best := assistant.Calibration{Weights: w, Bias: b}
	bestO := outcome{}
	bestV := math.Inf(-1)
	for ans := 0.3; ans <= 0.96; ans += 0.02 {
		for ask := 0.05; ask <= ans; ask += 0.05 {
			c := assistant.Calibration{Weights: w, Bias: b, Answer: ans, AskBack: ask}
			o := decide(points, c)
			if float64(o.wrong+o.outAnswered) > 0.02*float64(len(points)) || float64(o.outAnswered) > 0.04*float64(o.outTotal) {
				continue // the targets: at most 2% of all messages answered wrongly, 4% of the out-of-scope ones
			}
			if v := o.value(); v > bestV {
				best, bestO, bestV = c, o, v
			}
		}
	}
	def := decide(points, assistant.DefaultCalibration)
	t.Logf("fitted: Weights: %s, Bias: %.3f, Answer: %.2f, AskBack: %.2f → %+v value %.1f", floats(best.Weights), best.Bias, best.Answer, best.AskBack, bestO, bestV)
	t.Logf("default %+v → %+v value %.1f", assistant.DefaultCalibration, def, def.value())
	for _, p := range points {
		pr := assistant.DefaultCalibration.Probability(p.f)
		if pr >= assistant.DefaultCalibration.Answer && !p.right() && !p.unpriced {
			t.Logf("answered wrongly: [%s] %q → %s (want %q) p=%.2f", p.item.Lang, p.item.Question, p.top, p.item.Topic, pr)
		}
	}
	if def.value() < bestV-0.02*float64(len(points)) {
		t.Errorf("DefaultCalibration is off the calibrated optimum by %.1f (more than 2%% of the points)", bestV-def.value())
	}
	if wrong := def.wrong + def.outAnswered; float64(wrong) > 0.02*float64(len(points)) {
		t.Errorf("%d of %d messages answered wrongly (target at most 2%%)", wrong, len(points))
	}
	if float64(def.outAnswered) > 0.04*float64(def.outTotal) {
		t.Errorf("%d of %d out-of-scope messages answered (at most 4%%)", def.outAnswered, def.outTotal)
	}
}

func floats(fs []float64) string {
	s := "[]float64{"
	for i, f := range fs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.3f", f)
	}
	return s + "}"
}

// sortedKinds keeps the log stable.
func sortedKinds(m map[assistant.Kind]int) []string {
	var out []string
	for k, n := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(out)
	return out
}
