package backlog_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

func TestNeedsFind(t *testing.T) {
	n := shippedNeeds(t)
	tests := []struct {
		name, text, lang string
		want             []string
	}{
		{"inflected German", "Wie lange gilt mein Führerscheins?", "de", []string{"driving-licence"}},
		{"Arabic with article", "وين ارمي الزبالة", "ar", []string{"waste"}},
		{"German loanword in Russian", "письмо от Rundfunkbeitrag", "ru", []string{"broadcast-fee"}},
		{"Latin-letter Russian", "kak otkryt schet v sparkasse", "ru", []string{"bank-account"}},
		{"short word only whole", "simple question", "en", nil},
		{"two needs", "dentist and a bank account", "en", []string{"bank-account", "dentist"}},
		{"nothing", "Wo ist das Ausländerbüro?", "de", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.Find(tt.text, tt.lang); !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestLoadNeedsProblems(t *testing.T) {
	files := func(de, en string) fstest.MapFS {
		fs := fstest.MapFS{}
		for _, l := range content.Languages {
			fs["needs/"+l+".yaml"] = &fstest.MapFile{Data: []byte("a: [x]\n")}
		}
		fs["needs/de.yaml"] = &fstest.MapFile{Data: []byte(de)}
		if en == "" {
			delete(fs, "needs/en.yaml")
		} else {
			fs["needs/en.yaml"] = &fstest.MapFile{Data: []byte(en)}
		}
		return fs
	}
	tests := []struct{ name, de, en, want string }{
		{"other ids", "a: [x]\n", "b: [y]\n", `needs/en.yaml:1: error: need "b" is not in de.yaml`},
		{"missing id", "a: [x]\nb: [y]\n", "a: [x]\n", `needs/en.yaml:1: error: need "b" of de.yaml is missing`},
		{"empty list", "a: []\n", "a: [x]\n", `needs/de.yaml:1: error: need "a": want a non-empty list`},
		{"empty phrase", "a: [x, '?!']\n", "a: [x]\n", `needs/de.yaml:1: error: need "a": an empty phrase`},
		{"not a map", "- a\n", "a: [x]\n", "needs/de.yaml:1: error: want a map"},
		{"twice", "a: [x]\na: [y]\n", "a: [x]\n", `needs/de.yaml:2: error: need "a" is listed twice`},
		{"bad yaml", "a: [x\n", "a: [x]\n", "needs/de.yaml:1: error: yaml:"},
		{"missing file", "a: [x]\n", "", "needs/en.yaml:1: error: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, issues := backlog.LoadNeeds(files(tt.de, tt.en))
			var got []string
			for _, i := range issues {
				got = append(got, i.String())
			}
			if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, tt.want) }) {
				t.Errorf("issues %q, want one starting %q", got, tt.want)
			}
		})
	}
	n, issues := backlog.LoadNeeds(files("a: [x]\n", "a: [y]\n"))
	if len(issues) != 0 || !slices.Equal(n.IDs(), []string{"a"}) {
		t.Errorf("good files: %v, %v", n.IDs(), issues)
	}
	if n, issues := backlog.LoadNeeds(fstest.MapFS{}); len(issues) != 0 || len(n.IDs()) != 0 {
		t.Errorf("no needs directory: %v, %v", n.IDs(), issues)
	}
}

func TestKeys(t *testing.T) {
	for _, it := range []backlog.Item{{Kind: handoff.KindQuestion, ID: 12}, {Kind: handoff.KindHandoff, ID: 3}} {
		k, id, ok := backlog.ParseKey(it.Key())
		if !ok || k != it.Kind || id != it.ID {
			t.Errorf("%s: %s %d %v", it.Key(), k, id, ok)
		}
	}
	for _, bad := range []string{"", "q", "x3", "q0", "q-1", "q1x", "h99999999999999999999"} {
		if _, _, ok := backlog.ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) ok", bad)
		}
	}
}

// TestGroupIDStable: a group's id comes from its smallest question and does not
// change when newer questions join.
func TestGroupIDStable(t *testing.T) {
	g := backlog.NewGrouper(nil, shippedNeeds(t), backlog.Options{})
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	items := []backlog.Item{
		{Kind: handoff.KindQuestion, ID: 5, At: at, Lang: "de", Text: "Zahnarzt gesucht"},
		{Kind: handoff.KindHandoff, ID: 1, At: at.Add(time.Hour), Lang: "en", Text: "looking for a dentist"},
	}
	first := g.Group(items)
	more := g.Group(append(items, backlog.Item{Kind: handoff.KindQuestion, ID: 9, At: at.Add(2 * time.Hour), Lang: "tr", Text: "diş hekimi lazım"}))
	if len(first) != 1 || len(more) != 1 || first[0].ID != more[0].ID || more[0].Size() != 3 {
		t.Fatalf("groups %+v then %+v", first, more)
	}
	if more[0].Items[0].ID != 9 {
		t.Errorf("items not newest first: %+v", more[0].Items)
	}
	if len(g.Group(nil)) != 0 {
		t.Error("groups of nothing")
	}
}

func TestRankDemand(t *testing.T) {
	de := &content.Translation{Lang: "de", Hash: "aaaa"}
	c := &content.Corpus{IDs: []string{"kita", "work"}, Topics: map[string]*content.Topic{
		"kita": {ID: "kita", Langs: map[string]*content.Translation{"de": de, "en": {Lang: "en", SourceHash: "bbbb"}, "ar": {Lang: "ar", SourceHash: "aaaa"},
			"uk": {Lang: "uk"}, "ru": {Lang: "ru"}, "tr": {Lang: "tr"}, "fa": {Lang: "fa"}}},
		"work": {ID: "work", Langs: map[string]*content.Translation{"de": de, "en": {Lang: "en"}, "ar": {Lang: "ar"}, "uk": {Lang: "uk"},
			"ru": {Lang: "ru"}, "tr": {Lang: "tr"}}},
	}}
	counts := []handoff.TopicCount{{TopicID: "kita", Lang: "en", N: 4}, {TopicID: "kita", Lang: "ar", N: 9}, {TopicID: "work", Lang: "fa", N: 2}, {TopicID: "work", Lang: "de", N: 30}, {TopicID: "gone", Lang: "de", N: 99}}
	d := backlog.RankDemand(c, counts, nil, nil)
	if len(d.Topics) != 2 || d.Topics[0].TopicID != "work" || d.Topics[0].Total != 32 || d.Topics[1].Langs[0] != (backlog.LangCount{Lang: "ar", N: 9}) {
		t.Fatalf("topics %+v", d.Topics)
	}
	// kita/en stale: 4 shown + 13/10 = 5.3; work/fa missing: 2 + 32/10 = 5.2.
	if len(d.Translations) != 2 {
		t.Fatalf("translations %+v", d.Translations)
	}
	if w := d.Translations[0]; w.TopicID != "kita" || w.Lang != "en" || w.State != backlog.Stale || w.Shown != 4 || w.Weight != 5.3 {
		t.Errorf("first %+v", w)
	}
	if w := d.Translations[1]; w.TopicID != "work" || w.Lang != "fa" || w.State != backlog.Missing || w.Shown != 2 || w.Total != 32 {
		t.Errorf("second %+v", w)
	}
}
