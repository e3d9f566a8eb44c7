package emergency_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/oldenburg/ankommen/internal/classifier"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/emergency"
	"github.com/oldenburg/ankommen/internal/nlu"
)

func load(t testing.TB) *content.Corpus {
	t.Helper()
	c, _, err := content.Load(os.DirFS("../../content"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ordinary are the messages the detector learns are no emergency, as the app gives
// them.
func ordinary(c *content.Corpus) []classifier.Doc { return nlu.Ordinary(c) }

// calibrationMessages are ordinary messages no model learned from: the calibration
// sets of the assistant, by language, without the questions about emergency numbers.
func calibrationMessages(t testing.TB) map[string][]string {
	t.Helper()
	c := load(t)
	nearEmergency := map[string]bool{}
	for _, id := range c.IDs {
		tp := c.Topics[id]
		nearEmergency[id] = tp.Emergency
		if de := tp.In(content.SourceLang); de != nil {
			for _, r := range de.Related {
				if rt := c.Topic(r); rt != nil && rt.Emergency {
					nearEmergency[id] = true
				}
			}
		}
	}
	out := map[string][]string{}
	files, _ := filepath.Glob("../assistant/testdata/realistic/*.jsonl")
	files = append(files, "../assistant/testdata/calibration.jsonl")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var it struct{ Lang, Question, Topic string }
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			// A question about the emergency numbers or crisis lines is answered by
			// the emergency reply too (it names 112/110 and the fitting line): no
			// false alarm either way. These are the topics nlu.Ordinary leaves out.
			if !nearEmergency[it.Topic] {
				out[it.Lang] = append(out[it.Lang], it.Question)
			}
		}
		fh.Close()
	}
	return out
}

// TestHeldOut measures the detector on the examples held out of its model (one in
// five), per language: the situations recognised (recall) and the ordinary messages
// that raise an alarm (held-out harmless look-alikes and the calibration questions,
// which no model learned from). The target is recall at least 98% and false
// alarms at most 1% in every language, and the test holds it: a change of the
// phrasings (the model's ordinary messages) can move recall by an example, so run it
// after every data change. Measured 2026-12-06: recall 98.1–100% in every language,
// false alarms 0.47–0.90%. Run with -v for the misses.
func TestHeldOut(t *testing.T) {
	c := load(t)
	d := emergency.New(c, ordinary(c), emergency.Options{})
	cal := calibrationMessages(t)
	for _, lang := range content.Languages {
		ed := c.Emergency[lang]
		if ed == nil {
			t.Errorf("%s: no emergency data", lang)
			continue
		}
		t.Run(lang, func(t *testing.T) {
			var pos, caught, neg, alarms int
			for _, cat := range content.EmergencyCategories {
				cl := ed.Categories[cat]
				if cl == nil {
					continue
				}
				for _, ex := range cl.Examples {
					if !emergency.Held(ex.Text) {
						continue
					}
					pos++
					if _, ok := d.Detect(ex.Text); ok {
						caught++
					} else {
						t.Logf("missed %s: %s", cat, ex.Text)
					}
				}
			}
			ordinary := cal[lang]
			for _, ex := range ed.Harmless.Examples {
				if emergency.Held(ex.Text) {
					ordinary = append(ordinary, ex.Text)
				}
			}
			for _, s := range ordinary {
				neg++
				if m, ok := d.Detect(s); ok {
					alarms++
					t.Logf("false alarm (%s): %s", m.Why, s)
				}
			}
			recall := float64(caught) / float64(max(1, pos))
			falseRate := float64(alarms) / float64(max(1, neg))
			t.Logf("%s: recall %d/%d = %.1f%%, false alarms %d/%d = %.2f%%", lang, caught, pos, 100*recall, alarms, neg, 100*falseRate)
			if pos < 20 || recall < 0.98 {
				t.Errorf("recall %d/%d, want at least 98%% of at least 20", caught, pos)
			}
			if neg < 50 || falseRate > 0.01 {
				t.Errorf("false alarms %d/%d, want at most 1%% of at least 50", alarms, neg)
			}
		})
	}
}

// TestLookAlikes: harmless messages that use emergency words stay ordinary, in the
// words of the issue; described situations without the obvious keyword are alarms.
func TestLookAlikes(t *testing.T) {
	c := load(t)
	d := emergency.New(c, ordinary(c), emergency.Options{})
	for _, s := range []string{
		"Can my employer fire me?",
		"I'm dying to know when the integration course starts",
		"How do I join the volunteer fire brigade?",
		"my battery died, where can I charge my phone",
		"Where do I get a police certificate of good conduct?",
		"Wo bekomme ich ein Führungszeugnis?",
		"Ich möchte bei der freiwilligen Feuerwehr mitmachen",
	} {
		if m, ok := d.Detect(s); ok {
			t.Errorf("false alarm (%s): %q", m.Why, s)
		}
	}
	for s, want := range map[string]emergency.Number{
		"he is not breathing":                       emergency.Ambulance,
		"smoke in the stairwell, we cannot get out": emergency.Ambulance,
		"someone broke into our flat right now":     emergency.Police,
		"Mein Mann schlägt mich gerade":             emergency.Police,
		"он не дышит":                               emergency.Ambulance,
	} {
		m, ok := d.Detect(s)
		if !ok {
			t.Errorf("no alarm for %q", s)
			continue
		}
		if got := emergency.NumberFor(m.Category); got != want {
			t.Errorf("%q: category %s calls %s, want %s", s, m.Category, got, want)
		}
	}
}
