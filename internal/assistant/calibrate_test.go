package assistant_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/oldenburg/ankommen/internal/assistant"
)

type calItem struct {
	Lang     string `json:"lang"`
	Question string `json:"question"`
	Topic    string `json:"topic"` // "" for questions the content does not answer
}

type calPoint struct {
	item            calItem
	score, coverage float64
	known           bool
	top             string
}

// outcome counts what a policy does with the calibration set.
type outcome struct {
	right, wrong, unsure   int // answerable questions: right topic, wrong topic, not confident
	falseConfident, negTot int // out-of-scope questions answered confidently
}

// value ranks policies: a wrong answer costs three right ones, and answering an
// out-of-scope question confidently costs five (the person should have been sent to
// a human). Policies answering more than 3% of out-of-scope questions are out.
func (o outcome) value() int {
	if o.falseConfident*100 > 3*o.negTot {
		return -1 << 30
	}
	return o.right - 3*o.wrong - 5*o.falseConfident
}

func evaluate(points []calPoint, p assistant.Policy) outcome {
	var o outcome
	for _, pt := range points {
		confident := pt.known && p.Confident(pt.score, pt.coverage)
		switch {
		case pt.item.Topic == "":
			o.negTot++
			if confident {
				o.falseConfident++
			}
		case !confident:
			o.unsure++
		case pt.top == pt.item.Topic:
			o.right++
		default:
			o.wrong++
		}
	}
	return o
}

// TestCalibration measures score and coverage on a labelled question set written for
// this purpose (testdata/calibration.jsonl: 11 questions per topic in seven languages
// and 100 out-of-scope or nonsense questions), searches the best thresholds, and
// checks that DefaultPolicy is as good as the best found. Run with -v to see the grid.
func TestCalibration(t *testing.T) {
	a, _ := newShipped(t)
	f, err := os.Open("testdata/calibration.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	corpus := a.Corpus()
	var points []calPoint
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var it calItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("calibration line: %v", err)
		}
		if it.Topic == "emergency" {
			continue // answered by the emergency words before any search
		}
		if it.Topic != "" && corpus.Topic(it.Topic).In(it.Lang) == nil {
			continue // no content in this language yet
		}
		r, err := a.WithPolicy(assistant.Policy{}).Answer(context.Background(), assistant.Question{Text: it.Question, Lang: it.Lang})
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != assistant.KindAnswer && r.Kind != assistant.KindNotSure {
			if it.Topic != "" {
				t.Logf("answerable question handled as %s: %q", r.Kind, it.Question)
			}
			continue
		}
		pt := calPoint{item: it, score: r.Score, coverage: r.Coverage, known: r.Confident}
		if r.Topic != nil {
			pt.top = r.Topic.ID
		}
		points = append(points, pt)
	}
	if len(points) < 200 {
		t.Fatalf("only %d calibration points", len(points))
	}
	best, bestPolicy := evaluate(points, assistant.DefaultPolicy), assistant.DefaultPolicy
	for cov := 0.25; cov <= 0.8; cov += 0.05 {
		for score := 0.0; score <= 1.0; score += 0.05 {
			for high := cov; high <= 1.01; high += 0.05 {
				for floor := 0.0; floor <= score; floor += 0.05 {
					p := assistant.Policy{MinCoverage: cov, MinScore: score, HighCoverage: high, FloorScore: floor}
					if o := evaluate(points, p); o.value() > best.value() {
						best, bestPolicy = o, p
					}
				}
			}
		}
	}
	def := evaluate(points, assistant.DefaultPolicy)
	t.Logf("%d points; default %+v: %+v value %d", len(points), assistant.DefaultPolicy, def, def.value())
	t.Logf("best on the grid %+v: %+v value %d", bestPolicy, best, best.value())
	for _, pt := range points {
		confident := pt.known && assistant.DefaultPolicy.Confident(pt.score, pt.coverage)
		if (pt.item.Topic == "" && confident) || (pt.item.Topic != "" && confident && pt.top != pt.item.Topic) {
			t.Logf("confident but wrong: [%s] %q → %s (want %q) score=%.3f cov=%.2f", pt.item.Lang, pt.item.Question, pt.top, pt.item.Topic, pt.score, pt.coverage)
		}
	}
	if os.Getenv("CALIBRATION_DUMP") != "" {
		for _, pt := range points {
			t.Logf("DUMP\t%s\t%s\t%s\t%.3f\t%.2f\t%v\t%s", pt.item.Lang, pt.item.Topic, pt.top, pt.score, pt.coverage, pt.known, pt.item.Question)
		}
	}
	// The default must be within 2% of the best policy's value (which also keeps
	// confident answers to out-of-scope questions at 3% at most).
	if float64(def.value()) < float64(best.value())-0.02*float64(len(points)) {
		t.Errorf("DefaultPolicy %+v is off the calibrated optimum %+v", assistant.DefaultPolicy, bestPolicy)
	}
	if def.falseConfident*100 > 3*def.negTot {
		t.Errorf("%d of %d out-of-scope questions answered confidently", def.falseConfident, def.negTot)
	}
}
