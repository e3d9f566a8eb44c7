package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/content/contenttest"
)

func TestSearchShipped(t *testing.T) {
	c := contenttest.Shipped(t)
	ix, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tests := []struct {
		name, text, lang, want string
	}{
		{"exact de", "Ausländerbüro Pferdemarkt", "de", "immigration-office"},
		{"typo de", "Auslanderbüro Adresse", "de", "immigration-office"},
		{"en", "naturalisation German citizenship", "en", "naturalisation"},
		{"typo en", "naturalsation citizenshp", "en", "naturalisation"},
		{"oldenburg pass", "Oldenburg-Pass", "de", "oldenburg-pass"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(tt.text, tt.lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].TopicID != tt.want {
				t.Fatalf("Search(%q) = %+v, want %s first", tt.text, res.Hits, tt.want)
			}
			if res.Hits[0].Coverage < 0.5 {
				t.Errorf("coverage %.2f, want ≥ 0.5", res.Hits[0].Coverage)
			}
		})
	}
}

func TestSearchNoWords(t *testing.T) {
	ix, err := Build(contenttest.Shipped(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, q := range []string{"", "???", "12345 678", "😀😀", "der die das und"} {
		res, err := ix.Search(q, "de", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Words) != 0 || len(res.Hits) != 0 {
			t.Errorf("Search(%q) = words %v hits %v, want none", q, res.Words, res.Hits)
		}
	}
	res, _ := ix.Search("asdf qwertz", "de", 3)
	if res.Known != 0 {
		t.Errorf("unknown words counted as known: %+v", res)
	}
	for _, h := range res.Hits {
		if h.Coverage > 0 {
			t.Errorf("nonsense covered: %+v", h)
		}
	}
	if _, err := ix.Search("hallo", "xx", 3); err == nil {
		t.Error("unsupported language accepted")
	}
}

func TestUkrainianStemmer(t *testing.T) {
	for _, group := range [][]string{
		{"біженців", "біженці", "біженцям", "біженцями"},
		{"школа", "школу", "школі", "школою"},
		{"роботу", "робота", "роботи"},
	} {
		want := stemUK(group[0])
		for _, w := range group[1:] {
			if got := stemUK(w); got != want {
				t.Errorf("stemUK(%q) = %q, want %q (as %q)", w, got, want, group[0])
			}
		}
	}
}

func TestWithinEdits(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
		want bool
	}{
		{"auslanderburo", "auslanderburo", 0, true},
		{"auslanderbro", "auslanderburo", 1, true},
		{"abc", "xyz", 1, false},
		{"einburgerung", "einbuergerung", 1, true},
		{"kurs", "kursen", 1, false},
	} {
		if got := withinEdits(tt.a, tt.b, tt.d); got != tt.want {
			t.Errorf("withinEdits(%q, %q, %d) = %v", tt.a, tt.b, tt.d, got)
		}
	}
}

func BenchmarkBuildShipped(b *testing.B) {
	c := contenttest.Shipped(b)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Build(c)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkBuild10k(b *testing.B) {
	c := contenttest.Synthetic(synthN, 1)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Build(c)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

const synthN = 10000

func TestArabicProclitics(t *testing.T) {
	ix, err := Build(contenttest.Shipped(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Search("لموعد", "ar", 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Known != 1 || len(res.Unknown) != 0 {
		t.Errorf("لموعد: known=%d unknown=%v, want it known as موعد", res.Known, res.Unknown)
	}
}

// TestGermanCompounds: compounds and their parts find each other, both ways.
func TestGermanCompounds(t *testing.T) {
	ix, err := Build(contenttest.Shipped(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for q, want := range map[string]string{
		"Integrationskurs":          "learning-german",
		"Einbürgerungstest":         "naturalisation",
		"Kurs für Integration":      "learning-german",
		"Test für die Einbürgerung": "naturalisation",
	} {
		res, err := ix.Search(q, "de", 3)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.TopicID)
		}
		if !slices.Contains(ids, want) || len(res.Unknown) > 0 {
			t.Errorf("Search(%q) = %v (unknown %v), want %s among the first three", q, ids, res.Unknown, want)
		}
	}
	groups := ix.groups("de", "Integrationskurs")
	if len(groups) != 1 || len(groups[0]) < 3 {
		t.Errorf("Integrationskurs analysed as %v, want the word with its parts", groups)
	}
}

func BenchmarkSearchJunkWord(b *testing.B) {
	ix, err := Build(contenttest.Shipped(b))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	junk := strings.Repeat("x", 4096)
	for b.Loop() {
		ix.Search(junk, "de", 3)
	}
}
