package content

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const goodDE = `---
title: Ausländerbüro
questions:
  - Wo ist das Ausländerbüro?
tags: [aufenthalt]
sources:
  - url: https://example.org/a
    date: 2022-12-15
as_of: 2025-10
related: [officer]
short: Das Ausländerbüro ist am **Pferdemarkt 14**.
owner: Stadt Oldenburg, Ausländerbüro
review_by: 2027-06-30
---
Das **Ausländerbüro** ist am Pferdemarkt 14.
`

const officerDE = `---
title: Integrationsbeauftragte
short: Kontakt über die Stadt.
questions:
  - Wer hilft mir?
tags: [kontakt]
sources:
  - url: https://example.org/b
    date: undated
as_of: 2025-07
owner: Stadt Oldenburg
review_by: 2027-06-30
contact: true
---
Kontakt: Beispiel.
`

const emergencyDE = `---
title: Notruf
short: 112 und 110.
questions: [Notruf]
tags: [112]
sources:
  - url: https://example.org/c
    date: undated
as_of: 2025-07
owner: Feuerwehr und Polizei
review_by: 2027-06-30
emergency: true
general_amounts: true
---
112 und 110.
`

const intentsDE = "emergency: [feuer]\ngreeting: [hallo]\n"

func fixture(extra map[string]string) fstest.MapFS {
	fs := fstest.MapFS{
		"office.de.md":    {Data: []byte(goodDE)},
		"officer.de.md":   {Data: []byte(officerDE)},
		"emergency.de.md": {Data: []byte(emergencyDE)},
	}
	for _, l := range Languages {
		fs["intents/"+l+".yaml"] = &fstest.MapFile{Data: []byte(intentsDE)}
	}
	for k, v := range extra {
		if v == "" {
			delete(fs, k)
			continue
		}
		fs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fs
}

func TestLoadGood(t *testing.T) {
	c, issues, err := Load(fixture(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(issues) != 0 {
		t.Errorf("issues = %v, want none", issues)
	}
	if got := strings.Join(c.IDs, ","); got != "emergency,office,officer" {
		t.Errorf("IDs = %s", got)
	}
	tr := c.Topic("office").In("de")
	if tr.Title != "Ausländerbüro" || tr.Sources[0].URL != "https://example.org/a" || tr.AsOf != "2025-10" {
		t.Errorf("parsed %+v", tr)
	}
	if !strings.HasPrefix(tr.Body, "Das **Ausländerbüro**") {
		t.Errorf("body = %q", tr.Body)
	}
	if c.Contact().ID != "officer" || c.EmergencyTopic().ID != "emergency" {
		t.Errorf("contact/emergency = %v/%v", c.Contact(), c.EmergencyTopic())
	}
	if c.Intents["de"].Emergency[0] != "feuer" {
		t.Errorf("intents = %+v", c.Intents["de"])
	}
	if !c.Topic("emergency").GeneralAmounts || c.Topic("office").GeneralAmounts {
		t.Errorf("general_amounts: emergency %v, office %v; want true, false", c.Topic("emergency").GeneralAmounts, c.Topic("office").GeneralAmounts)
	}
}

// TestLoadErrors checks that each broken file is reported with its file and line.
// TestOwnerReviewAndShort: the German file's owner and review date belong to the
// topic; a topic is due on its review date; a missing short answer is a warning.
func TestOwnerReviewAndShort(t *testing.T) {
	c, issues, err := Load(fixture(map[string]string{"office.en.md": strings.Replace(strings.Replace(goodDE, "short: Das Ausländerbüro ist am **Pferdemarkt 14**.\n", "", 1), "owner: Stadt Oldenburg, Ausländerbüro\n", "", 1)}))
	if err != nil {
		t.Fatal(err)
	}
	office := c.Topic("office")
	if office.Owner != "Stadt Oldenburg, Ausländerbüro" || office.ReviewBy != "2027-06-30" || office.In("de").Short != "Das Ausländerbüro ist am **Pferdemarkt 14**." {
		t.Errorf("office %+v, short %q", office, office.In("de").Short)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	if office.DueForReview(day("2027-06-29")) || !office.DueForReview(day("2027-06-30")) {
		t.Error("DueForReview")
	}
	var warned bool
	for _, i := range issues {
		warned = warned || (i.File == "office.en.md" && i.Warning && strings.Contains(i.Msg, "no short answer"))
		if strings.Contains(i.Msg, "owner") {
			t.Errorf("a translation needs no owner: %v", i)
		}
	}
	if !warned {
		t.Errorf("no warning for the missing short answer: %v", issues)
	}
}

// TestLearnDataLoads: phrasings (with out-of-scope messages), emergency data, the
// glossary and help lines are read with their lines; a topic with few phrasings and
// a missing emergency category are warnings, not errors.
func TestLearnDataLoads(t *testing.T) {
	c, issues, err := Load(fixture(map[string]string{
		"phrasings/de.yaml": "# Kommentar\noffice:\n  - wo ist das amt\n  - ausländerbüro adresse\n_none:\n  - autoversicherung\n",
		"emergency/de.yaml": "categories:\n  fire:\n    cues: [es brennt, rauch* treppenhaus]\n    examples:\n      - überall rauch im flur\nharmless:\n  cues: [freiwillige feuerwehr]\n  examples: [wie werde ich feuerwehrmann]\n",
		"glossary/de.yaml":  "Ausländerbehörde: [ABH, ausländerbüro]\n",
		"helplines.yaml":    "crisis:\n  name: TelefonSeelsorge\n  number: \"0800 111 0 111\"\n  as_of: \"2025\"\n  sources:\n    - url: https://example.org/t\n      date: undated\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Phrasings) != 3 || c.Phrasings[1].Text != "ausländerbüro adresse" || c.Phrasings[1].Line != 4 || c.Phrasings[2].TopicID != OutOfScope {
		t.Errorf("phrasings %+v", c.Phrasings)
	}
	fire := c.Emergency["de"].Categories["fire"]
	if len(fire.Cues) != 2 || fire.Cues[1].Text != "rauch* treppenhaus" || len(fire.Examples) != 1 || fire.Examples[0].Line != 5 {
		t.Errorf("fire %+v", fire)
	}
	if h := c.Emergency["de"].Harmless; len(h.Cues) != 1 || len(h.Examples) != 1 {
		t.Errorf("harmless %+v", h)
	}
	if len(c.Glossary) != 1 || c.Glossary[0].German != "Ausländerbehörde" || len(c.Glossary[0].Variants) != 2 {
		t.Errorf("glossary %+v", c.Glossary)
	}
	if h := c.Helplines["crisis"]; h == nil || h.Number != "0800 111 0 111" {
		t.Errorf("helplines %+v", c.Helplines)
	}
	var warnings []string
	for _, i := range issues {
		if i.Warning {
			warnings = append(warnings, i.String())
		}
	}
	joined := strings.Join(warnings, "\n")
	for _, want := range []string{`phrasings/de.yaml:1: warning: topic "office" has 2 phrasings (want at least 30)`, `emergency/de.yaml:1: warning: emergency category "stroke" is missing`} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings:\n%s\nwant %q", joined, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // substring of one issue, "file:line: error: message"
	}{
		{"unknown field", map[string]string{"office.de.md": strings.Replace(goodDE, "tags:", "tagz:", 1)}, `office.de.md:5: error: unknown field "tagz"`},
		{"missing field", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "", 1)}, `office.de.md:2: error: required field "as_of" is missing`},
		{"unknown language", map[string]string{"office.xx.md": goodDE}, `office.xx.md:1: error: unknown language "xx"`},
		{"bad file name", map[string]string{"Office.de.md": goodDE}, `Office.de.md:1: error: file name must be`},
		{"id too long", map[string]string{strings.Repeat("a", 49) + ".de.md": goodDE}, `is longer than 48 characters`},
		{"empty body", map[string]string{"office.de.md": strings.Split(goodDE, "---\nDas")[0] + "---\n\n"}, `office.de.md:15: error: body is empty`},
		{"broken related", map[string]string{"office.de.md": strings.Replace(goodDE, "[officer]", "[officer, nowhere]", 1)}, `office.de.md:10: error: related topic "nowhere" does not exist`},
		{"no sources", map[string]string{"office.de.md": strings.Replace(goodDE, "sources:\n  - url: https://example.org/a\n    date: 2022-12-15\n", "sources: []\n", 1)}, `office.de.md:2: error: sources is empty`},
		{"bad source url", map[string]string{"office.de.md": strings.Replace(goodDE, "https://example.org/a", "example.org/a", 1)}, `office.de.md:7: error: source 1: url must start with http`},
		{"yaml syntax", map[string]string{"office.de.md": strings.Replace(goodDE, "tags: [aufenthalt]", "tags: [aufenthalt", 1)}, `office.de.md:`},
		{"not closed", map[string]string{"office.de.md": strings.Replace(goodDE, "---\nDas", "Das", 1)}, `office.de.md:1: error: front matter is not closed`},
		{"no front matter", map[string]string{"office.de.md": "Just text\n"}, `office.de.md:1: error: file must start with`},
		{"invalid utf8", map[string]string{"office.de.md": goodDE + "\xff\xfe\n"}, `office.de.md:16: error: file is not valid UTF-8`},
		{"duplicate field", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "as_of: 2025-10\nas_of: 2025-11\n", 1)}, `office.de.md:`},
		{"translation without source", map[string]string{"lonely.en.md": goodDE}, `lonely.en.md:1: error: topic "lonely" has no German (de) source file`},
		{"two contacts", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "as_of: 2025-10\ncontact: true\n", 1)}, `contact: true is also set`},
		{"no emergency", map[string]string{"emergency.de.md": ""}, `no topic has emergency: true`},
		{"intent file broken", map[string]string{"intents/tr.yaml": "emergency: [yangın\n"}, `intents/tr.yaml:`},
		{"intent unknown key", map[string]string{"intents/tr.yaml": "emergency: [yangın]\nhelp: [x]\n"}, `intents/tr.yaml:2: error:`},
		{"intent missing", map[string]string{"intents/fa.yaml": ""}, `intents/fa.yaml:1: error: intent file missing`},
		{"phrasing for an unknown topic", map[string]string{"phrasings/de.yaml": "office:\n  - wo ist das amt\nofice:\n  - tippfehler\n"}, `phrasings/de.yaml:3: error: unknown topic "ofice"`},
		{"phrasing not a list", map[string]string{"phrasings/de.yaml": "office: wo ist das amt\n"}, `phrasings/de.yaml:1: error: expected a list`},
		{"phrasing yaml syntax", map[string]string{"phrasings/de.yaml": "office:\n  - [kaputt\n"}, `phrasings/de.yaml:`},
		{"phrasing empty entry", map[string]string{"phrasings/de.yaml": "office:\n  - wo\n  - \"\"\n"}, `phrasings/de.yaml:3: error: empty entry`},
		{"phrasing twice the same topic", map[string]string{"phrasings/de.yaml": "office:\n  - a\noffice:\n  - b\n"}, `phrasings/de.yaml:3: error: "office" appears twice (first on line 1)`},
		{"phrasing file of unknown language", map[string]string{"phrasings/xx.yaml": "office:\n  - a\n"}, `phrasings/xx.yaml:1: error: unknown language "xx"`},
		{"emergency unknown category", map[string]string{"emergency/de.yaml": "categories:\n  feuer:\n    cues: [brennt]\n"}, `emergency/de.yaml:2: error: unknown emergency category "feuer"`},
		{"emergency unknown key", map[string]string{"emergency/de.yaml": "categories:\n  fire:\n    cue: [brennt]\n"}, `emergency/de.yaml:3: error: unknown key "cue" (want cues, examples)`},
		{"emergency empty cue", map[string]string{"emergency/de.yaml": "categories:\n  fire:\n    cues: [\"*\"]\n"}, `emergency/de.yaml:3: error: a cue needs a word`},
		{"glossary not a list", map[string]string{"glossary/ar.yaml": "Jobcenter: جوب سنتر\n"}, `glossary/ar.yaml:1: error: expected a list`},
		{"helpline without source", map[string]string{"helplines.yaml": "poison:\n  name: GIZ\n  number: \"0551 19240\"\n"}, `helplines.yaml:1: error: help line "poison" needs a number and at least one source`},
		{"short too long", map[string]string{"office.de.md": strings.Replace(goodDE, "short: Das Ausländerbüro ist am **Pferdemarkt 14**.", "short: "+strings.Repeat("Wort ", 61), 1)}, `office.de.md:11: error: short has 61 words; at most 60`},
		{"review_by not a date", map[string]string{"office.de.md": strings.Replace(goodDE, "review_by: 2027-06-30", "review_by: bald", 1)}, `office.de.md:13: error: review_by "bald" is not YYYY-MM-DD`},
		{"duplicate question", map[string]string{"office.de.md": strings.Replace(goodDE, "  - Wo ist das Ausländerbüro?\n", "  - Wo ist das Ausländerbüro?\n  - wer  hilft mir?\n", 1)}, `officer.de.md:1: error: question "Wer hilft mir?" is also listed in topic "office"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, issues, err := Load(fixture(tt.files))
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q (issues %v)", tt.want, issues)
			}
			var all []string
			for _, i := range issues {
				all = append(all, i.String())
			}
			joined := strings.Join(all, "\n")
			if !strings.Contains(joined, tt.want) {
				t.Errorf("issues:\n%s\nwant one containing %q", joined, tt.want)
			}
		})
	}
}

func TestStale(t *testing.T) {
	c, _, err := Load(fixture(nil))
	if err != nil {
		t.Fatal(err)
	}
	hash := ShortHash(c.Topic("office").In("de").Hash)
	en := strings.Replace(goodDE, "as_of: 2025-10\n", "as_of: 2025-10\nsource_hash: "+hash+"\n", 1)
	c, issues, err := Load(fixture(map[string]string{"office.en.md": en}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Topic("office").Stale("en") || len(issues) != 0 {
		t.Fatalf("fresh translation reported stale: %v", issues)
	}
	// Changing a question keeps the translation fresh; changing the body makes it stale.
	de := strings.Replace(goodDE, "  - Wo ist das Ausländerbüro?\n", "  - Wo ist das Ausländerbüro?\n  - Ausländerbehörde\n", 1)
	c, _, _ = Load(fixture(map[string]string{"office.en.md": en, "office.de.md": de}))
	if c.Topic("office").Stale("en") {
		t.Error("a new question made the translation stale")
	}
	de = strings.Replace(goodDE, "Pferdemarkt 14", "Markt 4-5", 1)
	c, issues, _ = Load(fixture(map[string]string{"office.en.md": en, "office.de.md": de}))
	if !c.Topic("office").Stale("en") {
		t.Error("a changed body did not make the translation stale")
	}
	if len(issues) != 1 || !issues[0].Warning || !strings.Contains(issues[0].Msg, "stale") {
		t.Fatalf("issues = %v, want one stale warning", issues)
	}
	// The warning says what to do next.
	if want := "office.en.md:1: warning: stale: the German file changed since this translation (source_hash is " + hash + ", German is now " + ShortHash(c.Topic("office").In("de").Hash) + "); translate the change from office.de.md, then run `ankommen stamp` on this file"; issues[0].String() != want {
		t.Errorf("stale warning:\n%s\nwant\n%s", issues[0], want)
	}
}
