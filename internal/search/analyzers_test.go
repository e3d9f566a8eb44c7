package search

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/oldenburg/ankommen/internal/content/contenttest"
)

type labelled struct {
	Lang, Question, Topic string
}

func calibrationSet(t *testing.T) []labelled {
	f, err := os.Open("../assistant/testdata/calibration.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Topic != "" && l.Topic != "emergency" {
			out = append(out, l)
		}
	}
	return out
}

// TestAnalyzerChoice measures, on the labelled questions of each language, how often
// the right topic comes first and is covered (coverage ≥ 0.35) with each analyzer
// variant, and checks that the default is the best of its language's variants.
// go test -v -run TestAnalyzerChoice ./internal/search prints the table.
func TestAnalyzerChoice(t *testing.T) {
	c := contenttest.Shipped(t)
	set := calibrationSet(t)
	variants := map[string][]string{
		"de": {"de", deAnalyzer},
		"uk": {ukAnalyzer, ukTrunc},
		"ru": {"ru", ruYo},
		"fa": {"fa", faLight},
	}
	for lang, names := range variants {
		found := map[string]int{}
		total := 0
		for _, name := range names {
			ix, err := BuildWith(c, Options{Analyzers: map[string]string{lang: name}})
			if err != nil {
				t.Fatal(err)
			}
			total = 0
			for _, l := range set {
				if l.Lang != lang {
					continue
				}
				total++
				res, err := ix.Search(l.Question, lang, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Hits) > 0 && res.Hits[0].TopicID == l.Topic && res.Hits[0].Coverage >= 0.35 {
					found[name]++
				}
			}
			ix.Close()
			t.Logf("%s %-12s found %d/%d", lang, name, found[name], total)
		}
		// Differences of one question or two in 38 are noise (they flip with a
		// translator's new question); the default must not be worse than that.
		def := DefaultAnalyzers[lang]
		for _, name := range names {
			if found[name] > found[def]+max(1, total/20) {
				t.Errorf("%s: %s finds %d, more than the default %s (%d)", lang, name, found[name], def, found[def])
			}
		}
	}
}

func TestStemFA(t *testing.T) {
	for _, group := range [][]string{
		fold("پناهندگان", "پناهنده"),
		fold("میخواهم", "خواهم"),
		fold("کتابها", "کتابهای", "کتاب"),
	} {
		want := stemFA(group[len(group)-1])
		for _, w := range group {
			if got := stemFA(w); got != want {
				t.Errorf("stemFA(%q) = %q, want %q", w, got, want)
			}
		}
	}
}

// TestRanking measures how often the right topic comes first on the labelled questions
// for several weights of the relative score against coverage (negative: Bleve's score
// alone), and checks that DefaultScoreWeight is the best of them.
func TestRanking(t *testing.T) {
	c := contenttest.Shipped(t)
	set := calibrationSet(t)
	found := map[float64]int{}
	weights := []float64{-1, 0, 0.25, 0.5, 1, 2}
	for _, w := range weights {
		ix, err := BuildWith(c, Options{ScoreWeight: &w})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range set {
			res, err := ix.Search(l.Question, l.Lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) > 0 && res.Hits[0].TopicID == l.Topic {
				found[w]++
			}
		}
		ix.Close()
		t.Logf("score weight %5.2f: right topic first for %d/%d", w, found[w], len(set))
	}
	for _, w := range weights {
		if found[w] > found[DefaultScoreWeight] {
			t.Errorf("weight %.2f finds %d, more than the default %.2f (%d)", w, found[w], DefaultScoreWeight, found[DefaultScoreWeight])
		}
	}
}
