package handoff

import (
	"testing"

	"github.com/oldenburg/ankommen/internal/content"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"call me 0176 1234567 please", "call me [phone] please"},
		{"Tel. +49 (0) 441 235-3233!", "Tel. [phone]!"},
		{"meine Nummer: 0441/2353233", "meine Nummer: [phone]"},
		{"+380501234567", "[phone]"},
		{"write to anna.mueller@example.org today", "write to [e-mail] today"},
		{"aliz.mueller[at]stadt-oldenburg.de", "[e-mail]"},
		{"ali (at) gmx (dot) de", "[e-mail]"},
		{"почта: иван@почта.рф", "почта: [e-mail]"},
		{"both: a@b.de and 0151-23456789", "both: [e-mail] and [phone]"},
		// Not personal: emergency numbers, years, postcodes, short counts.
		{"call 112 or 110", "call 112 or 110"},
		{"since 2024 in 26121 Oldenburg", "since 2024 in 26121 Oldenburg"},
		{"2 children, 3 and 5 years", "2 children, 3 and 5 years"},
		{"on 12.05.2024 at 10:30", "on 12.05.2024 at 10:30"},
		{"Wo ist das Ausländerbüro?", "Wo ist das Ausländerbüro?"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCandidatesRoundTrip(t *testing.T) {
	cs := []Candidate{{TopicID: "work", Score: 0.1234}, {TopicID: "housing", Score: 2}}
	s := FormatCandidates(cs)
	if s != "work:0.123,housing:2.000" {
		t.Fatalf("format: %q", s)
	}
	got := ParseCandidates(s + ",broken,:1,x:y")
	if len(got) != 2 || got[0].TopicID != "work" || got[0].Score != 0.123 || got[1].Score != 2 {
		t.Fatalf("parse: %+v", got)
	}
}

func TestMergeLearned(t *testing.T) {
	c := &content.Corpus{Topics: map[string]*content.Topic{
		"work":    {ID: "work", Langs: map[string]*content.Translation{"de": {Lang: "de", Questions: []string{"Wie finde ich Arbeit?"}}, "en": {Lang: "en"}}},
		"housing": {ID: "housing", Langs: map[string]*content.Translation{"de": {Lang: "de", Questions: []string{"Wohnung suchen"}}}},
	}, IDs: []string{"housing", "work"}}
	n := MergeLearned(c, []Learned{
		{TopicID: "work", Lang: "de", Text: "Jobcenter Termin"},
		{TopicID: "work", Lang: "de", Text: "jobcenter  termin"}, // the same again
		{TopicID: "work", Lang: "de", Text: "wohnung SUCHEN"},    // another topic has it
		{TopicID: "work", Lang: "en", Text: "find a job"},
		{TopicID: "housing", Lang: "en", Text: "find a flat"}, // no English text
		{TopicID: "gone", Lang: "de", Text: "x"},
	})
	if n != 2 {
		t.Errorf("merged %d, want 2", n)
	}
	if got := c.Topics["work"].Langs["de"].Questions; len(got) != 2 || got[1] != "Jobcenter Termin" {
		t.Errorf("work/de questions: %q", got)
	}
	if got := c.Topics["work"].Langs["en"].Questions; len(got) != 1 || got[0] != "find a job" {
		t.Errorf("work/en questions: %q", got)
	}
}
