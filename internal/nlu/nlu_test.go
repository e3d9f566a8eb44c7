package nlu_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/content/contenttest"
	"github.com/oldenburg/ankommen/internal/nlu"
)

const topic = `---
title: %s
questions: ["%s"]
tags: [x]
sources:
  - url: https://example.org/%s
    date: undated
as_of: 2025-10
%s---
Text.
`

func corpus(t *testing.T) *content.Corpus {
	t.Helper()
	fs := fstest.MapFS{
		"office.de.md":      {Data: []byte(sprintf(topic, "Ausländerbüro", "Wo ist das Ausländerbüro?", "a", ""))},
		"german.de.md":      {Data: []byte(sprintf(topic, "Deutsch lernen", "Wo lerne ich Deutsch?", "b", ""))},
		"officer.de.md":     {Data: []byte(sprintf(topic, "Integrationsbeauftragte", "Wer hilft mir?", "c", "contact: true\n"))},
		"emergency.de.md":   {Data: []byte(sprintf(topic, "Notruf", "Notrufnummer", "d", "emergency: true\n"))},
		"phrasings/ru.yaml": {Data: []byte("german:\n  - где выучить немецкий\n  - курсы немецкого языка\noffice:\n  - где ведомство по делам иностранцев\n_none:\n  - какая страховка для машины дешевле\n")},
		"glossary/ru.yaml":  {Data: []byte("Ausländerbehörde: [ведомство по делам иностранцев, ausländerbüro]\n")},
		"emergency/en.yaml": {Data: []byte("categories:\n  fire:\n    cues: [smoke* stairwell]\n    examples: [the whole corridor is black and we cannot get out]\n  poisoning:\n    cues: [swallowed* pills]\n    examples: [my son ate the dishwasher tabs and is vomiting]\nharmless:\n  cues: [smoke detector]\n  examples: [where do i buy a smoke detector]\n")},
		"helplines.yaml":    {Data: []byte("poison:\n  name: GIZ-Nord\n  number: \"0551 19240\"\n  as_of: \"2018\"\n  sources:\n    - url: https://example.org/giz\n      date: \"2018\"\n")},
	}
	for _, l := range content.Languages {
		fs["intents/"+l+".yaml"] = &fstest.MapFile{Data: []byte("emergency: [feuer]\n")}
	}
	c, _, err := content.Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sprintf(format string, args ...any) string {
	s := format
	for _, a := range args {
		s = strings.Replace(s, "%s", a.(string), 1)
	}
	return s
}

func TestExpand(t *testing.T) {
	m := nlu.Build(corpus(t))
	got := m.Expand("где ведомство по делам иностранцев?", "ru")
	if !strings.Contains(got, "Ausländerbehörde") {
		t.Errorf("glossary: %q lacks the German name", got)
	}
	got = m.Expand("gde vyuchit nemeckij", "ru")
	if !strings.Contains(got, "где") || !strings.Contains(got, "немецкий") {
		t.Errorf("transliteration: %q", got)
	}
	if got := m.Expand("gde vyuchit nemeckij", "de"); got != "gde vyuchit nemeckij" {
		t.Errorf("German has no transliteration: %q", got)
	}
}

func TestDetectEmergency(t *testing.T) {
	m := nlu.Build(corpus(t))
	tests := []struct {
		text, category, number, line string
	}{
		{"there is smoke in the stairwell", "fire", "112", ""},
		{"he swallowed all the pills", "poisoning", "112", "poison"},
		{"Feuer!", "general", "112", ""},
	}
	for _, tt := range tests {
		al, ok := m.DetectEmergency(tt.text)
		if !ok || al.Category != tt.category || al.Number != tt.number || al.Line != tt.line {
			t.Errorf("%q: %+v %v, want %s %s %q", tt.text, al, ok, tt.category, tt.number, tt.line)
		}
	}
	if al, ok := m.DetectEmergency("где выучить немецкий"); ok {
		t.Errorf("an ordinary question raised %+v", al)
	}
}

func TestClassify(t *testing.T) {
	m := nlu.Build(corpus(t))
	c := m.Classify("где выучить немецкий язык")
	if len(c.Topics) == 0 || c.Topics[0].TopicID != "german" {
		t.Fatalf("topics %+v", c.Topics)
	}
	for _, s := range c.Topics {
		if s.TopicID == content.OutOfScope {
			t.Errorf("out-of-scope messages listed as a topic")
		}
	}
	if c.Langs["ru"] < 0.5 {
		t.Errorf("languages of the nearest examples: %v", c.Langs)
	}
	if none := m.Classify("страховка для машины").None; none <= 0 {
		t.Errorf("out-of-scope score %v", none)
	}
}

// TestExpandDistrict: with the shipped glossary, the towns of the Landkreis name the
// district, whose offices are not the city's; the German verb "hatten" does not.
func TestExpandDistrict(t *testing.T) {
	m := nlu.Build(contenttest.Shipped(t))
	for _, q := range []string{"Wir wohnen in Hatten, wohin?", "we live in Hude now", "Hatten'de oturuyoruz", "ми живемо у Варденбурзі", "ساكنين بهاتن"} {
		if got := m.Expand(q, ""); !strings.Contains(got, "Landkreis Oldenburg") {
			t.Errorf("glossary: %q lacks the district: %q", q, got)
		}
	}
	if got := m.Expand("Wir hatten einen Termin", "de"); strings.Contains(got, "Landkreis") {
		t.Errorf("the verb read as the town: %q", got)
	}
}
