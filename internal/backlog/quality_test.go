package backlog_test

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/backlog"
	corpus "github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/nlu"
)

// labelled is one question of testdata/questions.tsv.
type labelled struct {
	item  backlog.Item
	group string
}

func readLabelled(t testing.TB, file string) []labelled {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		parts := strings.Split(s, "\t")
		if len(parts) != 3 || !corpus.IsLanguage(parts[1]) || parts[2] == "" {
			t.Fatalf("%s:%d: want group, language and text separated by tabs", file, line)
		}
		id := int64(len(out) + 1)
		out = append(out, labelled{group: parts[0], item: backlog.Item{
			Kind: handoff.KindQuestion, ID: id, At: start.Add(time.Duration(id) * time.Minute), Lang: parts[1], Text: parts[2]}})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// shippedNeeds is the needs lexicon of the shipped content.
func shippedNeeds(t testing.TB) *backlog.Needs {
	t.Helper()
	n, issues := backlog.LoadNeeds(content.FS)
	if len(issues) > 0 {
		t.Fatalf("needs: %v", issues)
	}
	return n
}

var shipped struct {
	once   sync.Once
	models *nlu.Models
	corpus *corpus.Corpus
}

// shippedModels trains the answering models on the shipped content once.
func shippedModels(t testing.TB) (*nlu.Models, *corpus.Corpus) {
	t.Helper()
	shipped.once.Do(func() {
		c, _, err := corpus.Load(content.FS)
		if err != nil {
			panic(err)
		}
		shipped.corpus, shipped.models = c, nlu.Build(c)
	})
	return shipped.models, shipped.corpus
}

// pairScores returns the pairwise precision and recall of groups against the labels:
// of the pairs put in one group, the share with the same label; of the pairs with
// the same label, the share put in one group.
func pairScores(qs []labelled, groups []backlog.Group) (precision, recall float64, cross float64) {
	label := map[int64]string{}
	lang := map[int64]string{}
	for _, q := range qs {
		label[q.item.ID], lang[q.item.ID] = q.group, q.item.Lang
	}
	var together, right, crossRight int
	for _, g := range groups {
		for i, a := range g.Items {
			for _, b := range g.Items[i+1:] {
				together++
				if label[a.ID] == label[b.ID] {
					right++
					if lang[a.ID] != lang[b.ID] {
						crossRight++
					}
				}
			}
		}
	}
	same, sameCross := 0, 0
	for i, a := range qs {
		for _, b := range qs[i+1:] {
			if a.group == b.group {
				same++
				if a.item.Lang != b.item.Lang {
					sameCross++
				}
			}
		}
	}
	if together > 0 {
		precision = float64(right) / float64(together)
	}
	return precision, float64(right) / float64(same), float64(crossRight) / float64(sameCross)
}

// Floors of the grouping quality on testdata/questions.tsv, a little below what the
// grouping reaches with its defaults (precision 0.953, recall 0.694): a change that
// makes groups worse fails here. Precision matters more: staff act on a whole group.
const (
	minPrecision = 0.93
	minRecall    = 0.66
)

// TestGroupingQuality groups 336 unanswered-style questions in seven languages,
// written for this test, and measures pairwise precision and recall against their
// labels.
func TestGroupingQuality(t *testing.T) {
	qs := readLabelled(t, "testdata/questions.tsv")
	if len(qs) < 300 {
		t.Fatalf("%d labelled questions, want at least 300", len(qs))
	}
	models, _ := shippedModels(t)
	items := make([]backlog.Item, len(qs))
	for i, q := range qs {
		items[i] = q.item
	}
	if os.Getenv("BACKLOG_SWEEP") != "" {
		for _, conf := range []float64{0.3, 0.4, 0.6} {
			for _, ww := range []float64{0.3, 0.4, 0.5} {
				backlog.SetWeights(conf, ww)
				for _, th := range []float64{0.2, 0.25, 0.3, 0.35} {
					groups := backlog.NewGrouper(models, shippedNeeds(t), backlog.Options{Threshold: th}).Group(items)
					p, r, cr := pairScores(qs, groups)
					t.Logf("conf %.2f words %.2f threshold %.2f: %d groups, pairwise precision %.3f, recall %.3f (across languages %.3f)", conf, ww, th, len(groups), p, r, cr)
				}
			}
		}
		backlog.SetWeights(0.6, 0.3)
	}
	// What the lexicon adds: without it, only the ranker's topics and the words.
	bare := backlog.NewGrouper(models, nil, backlog.Options{}).Group(items)
	bp, br, bcr := pairScores(qs, bare)
	t.Logf("without the needs lexicon: %d groups, pairwise precision %.3f, recall %.3f (across languages %.3f)", len(bare), bp, br, bcr)
	groups := backlog.NewGrouper(models, shippedNeeds(t), backlog.Options{}).Group(items)
	p, r, cr := pairScores(qs, groups)
	t.Logf("default: %d groups, pairwise precision %.3f, recall %.3f (across languages %.3f)", len(groups), p, r, cr)
	logGroups(t, qs, groups)
	if p < minPrecision || r < minRecall {
		t.Errorf("pairwise precision %.3f (floor %.2f), recall %.3f (floor %.2f)", p, minPrecision, r, minRecall)
	}
}

// Floors on testdata/heldout.tsv, written after the weights and threshold were
// chosen and never used to choose them; set after its first run (precision 0.997,
// recall 0.701).
const (
	minHeldOutPrecision = 0.95
	minHeldOutRecall    = 0.66
)

// TestGroupingHeldOut measures the grouping on 154 questions written after it was
// tuned: six needs and topics it was not tuned on, two of them unknown to the needs
// lexicon, and new phrasings of two needs it was.
func TestGroupingHeldOut(t *testing.T) {
	qs := readLabelled(t, "testdata/heldout.tsv")
	models, _ := shippedModels(t)
	items := make([]backlog.Item, len(qs))
	for i, q := range qs {
		items[i] = q.item
	}
	bare := backlog.NewGrouper(models, nil, backlog.Options{}).Group(items)
	bp, br, bcr := pairScores(qs, bare)
	t.Logf("held out without the needs lexicon: %d groups, pairwise precision %.3f, recall %.3f (across languages %.3f)", len(bare), bp, br, bcr)
	groups := backlog.NewGrouper(models, shippedNeeds(t), backlog.Options{}).Group(items)
	p, r, cr := pairScores(qs, groups)
	t.Logf("held out: %d questions, %d groups, pairwise precision %.3f, recall %.3f (across languages %.3f)", len(qs), len(groups), p, r, cr)
	logGroups(t, qs, groups)
	if p < minHeldOutPrecision || r < minHeldOutRecall {
		t.Errorf("pairwise precision %.3f (floor %.2f), recall %.3f (floor %.2f)", p, minHeldOutPrecision, r, minHeldOutRecall)
	}
}

// logGroups shows with -v each group of two or more with the labels it holds.
func logGroups(t *testing.T, qs []labelled, groups []backlog.Group) {
	if !testing.Verbose() {
		return
	}
	label := map[int64]string{}
	for _, q := range qs {
		label[q.item.ID] = q.group
	}
	for _, g := range groups {
		if g.Size() < 2 {
			continue
		}
		counts := map[string]int{}
		for _, it := range g.Items {
			counts[label[it.ID]]++
		}
		t.Logf("%s size %d topic %s %.2f needs %v labels %v", g.ID, g.Size(), g.Topic, g.TopicScore, g.Needs, counts)
	}
}
