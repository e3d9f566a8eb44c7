package reply

import (
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
	localesfs "github.com/oldenburg/ankommen/locales"
)

// TestRender: each kind of result, rendered as Telegram HTML and as plain text, in a
// left-to-right and a right-to-left language.
func TestRender(t *testing.T) {
	loc, err := locale.Load(localesfs.FS, content.Languages, nil)
	if err != nil {
		t.Fatal(err)
	}
	rd := Renderer{Locale: loc}
	topic := &content.Topic{ID: "immigration-office"}
	tr := &content.Translation{Lang: "en", Title: "Immigration office <ABH>", AsOf: "2025-05",
		Body:    "Book at [the booking page](https://www.oldenburg.de/termine).\n\n- passport & photo",
		Sources: []content.Source{{URL: "https://www.oldenburg.de/abh.html?a=1&b=2"}}}
	contact := &content.Translation{Lang: "en", Title: "Integration officer", Body: "**Aliz Müller**, 0441 235-0\n\nMore text"}
	alts := []assistant.Alternative{{TopicID: "work", Title: "Work & jobs"}}
	tests := []struct {
		name   string
		r      assistant.Result
		f      Format
		extra  string
		want   []string // in this order
		absent []string
	}{
		{"answer, HTML", assistant.Result{Kind: assistant.KindAnswer, Lang: "en", AnswerLang: "en", Topic: topic, Text: tr, Alternatives: alts}, FormatHTML, "",
			[]string{"<b>Immigration office &lt;ABH&gt;</b>", `<a href="https://www.oldenburg.de/termine">the booking page</a>`, "• passport &amp; photo",
				`Source: <a href="https://www.oldenburg.de/abh.html?a=1&amp;b=2">oldenburg.de</a> (`},
			[]string{"Work & jobs", "Related"}},
		{"answer, plain, related topics listed", assistant.Result{Kind: assistant.KindAnswer, Lang: "en", AnswerLang: "en", Topic: topic, Text: tr, Alternatives: alts}, FormatPlain, "",
			[]string{"Immigration office <ABH>", "the booking page (https://www.oldenburg.de/termine)", "https://www.oldenburg.de/abh.html?a=1&b=2 ", "Work & jobs"},
			[]string{"<b>", "&amp;"}},
		{"answer in another language: says so, not stale", assistant.Result{Kind: assistant.KindAnswer, Lang: "ar", AnswerLang: "en", Topic: topic, Text: tr, Stale: true}, FormatHTML, "",
			[]string{"<b>\u2068Immigration office\u2069 &lt;\u2068ABH\u2069&gt;</b>"}, []string{"German text has changed"}},
		{"stale translation", assistant.Result{Kind: assistant.KindAnswer, Lang: "en", AnswerLang: "en", Topic: topic, Text: tr, Stale: true}, FormatPlain, "",
			[]string{"Note: the German text has changed", "Immigration office"}, nil},
		{"not sure: suggestions, contact, extra, safety line last", assistant.Result{Kind: assistant.KindNotSure, Lang: "en", Contact: contact, Alternatives: alts}, FormatHTML, "EXTRA",
			[]string{"• Work &amp; jobs", "This person at the City of Oldenburg can help you:\n<b>Aliz Müller</b>, 0441 235-0", "EXTRA", "In an emergency: 112"},
			[]string{"More text"}},
		{"not sure without suggestions", assistant.Result{Kind: assistant.KindNotSure, Lang: "en"}, FormatPlain, "",
			[]string{"You can also ask the question in other words.", "In an emergency: 112"}, nil},
		{"ask back", assistant.Result{Kind: assistant.KindAskBack, Lang: "en", Alternatives: alts, Contact: contact}, FormatPlain, "",
			[]string{"Did you mean one of these topics?", "• Work & jobs", "Aliz Müller", "In an emergency: 112"}, nil},
		{"ask back about a price the topic does not name", assistant.Result{Kind: assistant.KindAskBack, Lang: "en", Alternatives: alts, Contact: contact, Unpriced: true}, FormatPlain, "",
			[]string{"I have no checked information on this cost.", "• Work & jobs", "Aliz Müller", "In an emergency: 112"}, []string{"Did you mean"}},
		{"a person: no intro before the card", assistant.Result{Kind: assistant.KindHuman, Lang: "en", Contact: contact}, FormatPlain, "",
			[]string{"This is how you reach a person", "Aliz Müller, 0441 235-0"}, []string{"can help you:"}},
		{"emergency, police first, with a help line", assistant.Result{Kind: assistant.KindEmergency, Lang: "en",
			Alarm: &assistant.Alarm{Category: "poisoning", Number: "110", Line: "poison", LineName: "GIZ-Nord", LineNumber: "0551 19240"}}, FormatPlain, "",
			[]string{"Call the police now: 110", "Poison emergency line, GIZ-Nord: 0551 19240"}, nil},
		{"emergency, general", assistant.Result{Kind: assistant.KindEmergency, Lang: "en", Alarm: &assistant.Alarm{Category: "general"}}, FormatPlain, "",
			[]string{"Emergency? Call now: 112"}, nil},
		{"truncated greeting", assistant.Result{Kind: assistant.KindGreeting, Lang: "en", Truncated: true}, FormatPlain, "",
			[]string{"Your message was very long", "Hello!"}, nil},
		{"empty", assistant.Result{Kind: assistant.KindEmpty, Lang: "en"}, FormatPlain, "", []string{"Please write your question"}, nil},
		{"right to left: Latin runs isolated", assistant.Result{Kind: assistant.KindNotSure, Lang: "ar", Contact: contact}, FormatHTML, "",
			[]string{"\u2068Aliz Müller\u2069", "\u20680441 235-0\u2069", "112"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rd.render(tc.r, tc.f, tc.extra, false)
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Errorf("lacks %q after position %d:\n%s", w, at, got)
					continue
				}
				at += i + len(w)
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("contains %q:\n%s", a, got)
				}
			}
		})
	}
}

// TestText: escaping and isolation of one sentence, in one place.
func TestText(t *testing.T) {
	tests := []struct {
		lang, in string
		f        Format
		want     string
	}{
		{"en", "Tom & <Jerry>", FormatHTML, "Tom &amp; &lt;Jerry&gt;"},
		{"en", "Tom & <Jerry>", FormatPlain, "Tom & <Jerry>"},
		{"ar", "اتصل على 0441 & ABH", FormatHTML, "اتصل على \u20680441\u2069 &amp; \u2068ABH\u2069"},
		{"fa", "ABH", FormatPlain, "\u2068ABH\u2069"},
		{"de", "ABH", FormatPlain, "ABH"},
	}
	for _, tc := range tests {
		if got := Text(tc.lang, tc.in, tc.f); got != tc.want {
			t.Errorf("Text(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

// TestChat: Chat is Render with, when a handoff is offered, the consent line before
// the closing line, and the labels the reply's buttons need.
func TestChat(t *testing.T) {
	loc, err := locale.Load(localesfs.FS, content.Languages, nil)
	if err != nil {
		t.Fatal(err)
	}
	rd := Renderer{Locale: loc}
	contact := &content.Translation{Lang: "ar", Title: "Integration officer", Body: "**Aliz Müller**, 0441 235-0"}
	notSure := assistant.Result{Kind: assistant.KindNotSure, Lang: "ar", Contact: contact}
	tests := []struct {
		name        string
		r           assistant.Result
		handoffDays int
		wantText    string
		want        Labels
	}{
		{"not sure, no handoff", notSure, 0, rd.Render(notSure, FormatHTML),
			Labels{Person: loc.T("ar", "ButtonPerson", nil), Language: loc.T("ar", "NativeName_ar", nil)}},
		{"not sure, handoff offered", notSure, 30, rd.render(notSure, FormatHTML, rd.HandoffConsent("ar", 30, FormatHTML), false),
			Labels{Handoff: loc.T("ar", "ButtonHandoff", nil), Language: loc.T("ar", "NativeName_ar", nil)}},
		{"greeting", assistant.Result{Kind: assistant.KindGreeting, Lang: "en"}, 0, rd.Render(assistant.Result{Kind: assistant.KindGreeting, Lang: "en"}, FormatHTML),
			Labels{Topics: loc.T("en", "ButtonTopics", nil), Language: "English"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rd.Chat(tc.r, FormatHTML, tc.handoffDays)
			if got.Text != tc.wantText {
				t.Errorf("text:\n%s\nwant:\n%s", got.Text, tc.wantText)
			}
			if got.Labels != tc.want {
				t.Errorf("labels %+v, want %+v", got.Labels, tc.want)
			}
		})
	}
}

// TestConsentLineWithEveryOffer: wherever the button that hands a question to the
// city team is offered (not sure, asking back, a request for a person), the reply
// says what is stored and for how long, before the closing 112/110 line.
func TestConsentLineWithEveryOffer(t *testing.T) {
	loc, err := locale.Load(localesfs.FS, content.Languages, nil)
	if err != nil {
		t.Fatal(err)
	}
	rd := Renderer{Locale: loc}
	contact := &content.Translation{Lang: "en", Title: "Integration officer", Body: "Aliz Müller, 0441 235-0"}
	consent := rd.HandoffConsent("en", 30, FormatPlain)
	for _, kind := range []assistant.Kind{assistant.KindNotSure, assistant.KindAskBack, assistant.KindHuman} {
		r := assistant.Result{Kind: kind, Lang: "en", Contact: contact}
		got := rd.Chat(r, FormatPlain, 30).Text
		if !strings.Contains(got, consent) {
			t.Errorf("%s: no consent line:\n%s", kind, got)
		}
	}
}
