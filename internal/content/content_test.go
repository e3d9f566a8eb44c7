package content

import (
	"strings"
	"testing"
	"testing/fstest"
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
---
Das **Ausländerbüro** ist am Pferdemarkt 14.
`

const officerDE = `---
title: Integrationsbeauftragte
questions:
  - Wer hilft mir?
tags: [kontakt]
sources:
  - url: https://example.org/b
    date: undated
as_of: 2025-07
contact: true
---
Kontakt: Beispiel.
`

const emergencyDE = `---
title: Notruf
questions: [Notruf]
tags: [112]
sources:
  - url: https://example.org/c
    date: undated
as_of: 2025-07
emergency: true
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
}

// TestLoadErrors checks that each broken file is reported with its file and line.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // substring of one issue, "file:line: error: message"
	}{
		{"unknown field", map[string]string{"office.de.md": strings.Replace(goodDE, "tags:", "tagz:", 1)}, `office.de.md:5: error: unknown field "tagz"`},
		{"missing field", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "", 1)}, `office.de.md:2: error: required field "as_of" is missing`},
		{"unknown language", map[string]string{"office.xx.md": goodDE}, `office.xx.md: error: unknown language "xx"`},
		{"bad file name", map[string]string{"Office.de.md": goodDE}, `Office.de.md: error: file name must be`},
		{"id too long", map[string]string{strings.Repeat("a", 49) + ".de.md": goodDE}, `is longer than 48 characters`},
		{"empty body", map[string]string{"office.de.md": strings.Split(goodDE, "---\nDas")[0] + "---\n\n"}, `office.de.md:12: error: body is empty`},
		{"broken related", map[string]string{"office.de.md": strings.Replace(goodDE, "[officer]", "[officer, nowhere]", 1)}, `office.de.md:10: error: related topic "nowhere" does not exist`},
		{"no sources", map[string]string{"office.de.md": strings.Replace(goodDE, "sources:\n  - url: https://example.org/a\n    date: 2022-12-15\n", "sources: []\n", 1)}, `office.de.md:2: error: sources is empty`},
		{"bad source url", map[string]string{"office.de.md": strings.Replace(goodDE, "https://example.org/a", "example.org/a", 1)}, `office.de.md:7: error: source 1: url must start with http`},
		{"yaml syntax", map[string]string{"office.de.md": strings.Replace(goodDE, "tags: [aufenthalt]", "tags: [aufenthalt", 1)}, `office.de.md:`},
		{"not closed", map[string]string{"office.de.md": strings.Replace(goodDE, "---\nDas", "Das", 1)}, `office.de.md:1: error: front matter is not closed`},
		{"no front matter", map[string]string{"office.de.md": "Just text\n"}, `office.de.md:1: error: file must start with`},
		{"invalid utf8", map[string]string{"office.de.md": goodDE + "\xff\xfe\n"}, `office.de.md:13: error: file is not valid UTF-8`},
		{"duplicate field", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "as_of: 2025-10\nas_of: 2025-11\n", 1)}, `office.de.md:`},
		{"translation without source", map[string]string{"lonely.en.md": goodDE}, `lonely.en.md: error: topic "lonely" has no German (de) source file`},
		{"two contacts", map[string]string{"office.de.md": strings.Replace(goodDE, "as_of: 2025-10\n", "as_of: 2025-10\ncontact: true\n", 1)}, `contact: true is also set`},
		{"no emergency", map[string]string{"emergency.de.md": ""}, `no topic has emergency: true`},
		{"intent file broken", map[string]string{"intents/tr.yaml": "emergency: [yangın\n"}, `intents/tr.yaml:`},
		{"intent unknown key", map[string]string{"intents/tr.yaml": "emergency: [yangın]\nhelp: [x]\n"}, `intents/tr.yaml:2: error:`},
		{"intent missing", map[string]string{"intents/fa.yaml": ""}, `intents/fa.yaml: error: intent file missing`},
		{"duplicate question", map[string]string{"office.de.md": strings.Replace(goodDE, "  - Wo ist das Ausländerbüro?\n", "  - Wo ist das Ausländerbüro?\n  - wer  hilft mir?\n", 1)}, `officer.de.md: error: question "Wer hilft mir?" is also listed in topic "office"`},
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
		t.Errorf("issues = %v, want one stale warning", issues)
	}
}
