// Package reply turns the core's Result into what a user reads, in the user's
// language: plain text for the terminal and eval, Telegram HTML for the bot.
package reply

import (
	"html"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
)

// Format selects the markup of a rendered reply.
type Format int

const (
	FormatPlain Format = iota
	FormatHTML
)

// Renderer renders results with a message bundle.
type Renderer struct {
	Locale *locale.Bundle
	// Now is the clock that tells whether sources are old (time.Now when nil).
	Now func() time.Time
}

// Render returns the reply to r as text in format f. Parts are separated by blank
// lines; a channel may split long replies at those. An answer shows the topic's
// short answer with its main source; RenderFull shows the whole text.
func (rd Renderer) Render(r assistant.Result, f Format) string { return rd.render(r, f, "", false) }

// RenderFull is Render with an answer's whole text and every source.
func (rd Renderer) RenderFull(r assistant.Result, f Format) string { return rd.render(r, f, "", true) }

// Reply is a reply of the core as a chat shows it: the text, and the labels of the
// buttons the chat may put under it.
type Reply struct {
	Text   string
	Labels Labels
}

// Labels are the labels of the buttons under a reply, in the reply's language. They
// are plain text (Telegram shows them as they are), neither escaped nor isolated. A
// label the reply has no use for is "".
type Labels struct {
	More, ShowGerman, Helpful, NotHelpful string // under an answer
	Person                                string // the way to a person
	Handoff                               string // send the question to the city team
	// Notify asks to be told once when the recorded question has an answer (not
	// sure and asking back, when the question was recorded: Result.Ref).
	Notify string
	Topics string // open the topic list
	// Language is the reply language's own name: a button to keep talking in it.
	// SourceLanguage is the source language's own name, under a stale answer: a
	// button to the German text.
	Language, SourceLanguage string
}

// Chat renders r for a chat in one call: Render's text and the labels of its
// buttons. handoffDays, when set, offers handing the question to the city team: the
// text says how long that keeps it (HandoffConsent, before the closing line) and the
// labels have Handoff instead of Person.
func (rd Renderer) Chat(r assistant.Result, f Format, handoffDays int) Reply {
	lang := r.Lang
	label := func(id string) string { return rd.Locale.T(lang, id, nil) }
	var l Labels
	extra := ""
	if handoffDays > 0 {
		extra = rd.HandoffConsent(lang, handoffDays, f)
	}
	switch r.Kind {
	case assistant.KindAnswer:
		l.More, l.ShowGerman = label("ButtonMore"), label("ButtonShowGerman")
		l.Helpful, l.NotHelpful, l.Person = label("ButtonHelpful"), label("ButtonNotHelpful"), label("ButtonPerson")
		if r.Stale {
			l.SourceLanguage = rd.Locale.T(content.SourceLang, "NativeName_"+content.SourceLang, nil)
		}
	case assistant.KindNotSure, assistant.KindAskBack, assistant.KindHuman:
		if handoffDays > 0 {
			l.Handoff = label("ButtonHandoff")
		} else {
			l.Person = label("ButtonPerson")
		}
		if r.Ref != "" && r.Kind != assistant.KindHuman {
			l.Notify = label("ButtonNotify")
		}
	case assistant.KindGreeting, assistant.KindThanks, assistant.KindEmpty:
		l.Topics = label("ButtonTopics")
	}
	if r.Kind != assistant.KindUnsupported {
		l.Language = label("NativeName_" + lang)
	}
	return Reply{Text: rd.render(r, f, extra, false), Labels: l}
}

// HandoffConsent is the line that says what handing a question to the city team
// stores and for how long (days).
func (rd Renderer) HandoffConsent(lang string, days int, f Format) string {
	return rd.Sentence(lang, "HandoffConsentLine", map[string]any{"Days": rd.Locale.N(lang, "Days", days, nil)}, f)
}

// render renders r; extra is a channel's own paragraph (already in format f), put
// before the closing line of 112/110, which stays last; full shows an answer's whole
// text and every source.
func (rd Renderer) render(r assistant.Result, f Format, extra string, full bool) string {
	lang := r.Lang
	tr := isolator(lang)
	t := func(id string, data any) string { return rd.Sentence(lang, id, data, f) }
	md := func(s string) string {
		if f == FormatHTML {
			return htmlText(s, tr)
		}
		return plain(s, tr)
	}
	var parts []string
	if r.Truncated {
		parts = append(parts, t("Truncated", nil))
	}
	switch r.Kind {
	case assistant.KindEmpty:
		parts = append(parts, t("Empty", nil))
	case assistant.KindUnsupported:
		var names []string
		for _, l := range content.Languages {
			names = append(names, rd.Locale.T(l, "LangName_"+l, nil)) // each in its own language
		}
		parts = append(parts, t("UnsupportedLang", map[string]string{"List": strings.Join(names, ", ")}))
	case assistant.KindGreeting:
		parts = append(parts, t("Greeting", nil))
	case assistant.KindThanks:
		parts = append(parts, t("Thanks", nil))
	case assistant.KindEmergency:
		parts = append(parts, rd.alarm(r.Alarm, t))
		if r.Emergency != nil {
			parts = append(parts, md(r.Emergency.Body))
		}
	case assistant.KindHuman:
		parts = append(parts, t("HumanIntro", nil))
		parts = append(parts, rd.contact(r, f, md)...)
		parts = appendExtra(parts, extra) // the consent line: what is stored, and how long
	case assistant.KindAnswer:
		if r.AnswerLang != lang {
			name := rd.Locale.T(lang, "LangName_"+r.AnswerLang, nil)
			parts = append(parts, t("NotInLanguage", map[string]string{"LangName": name}))
		} else if r.Stale {
			parts = append(parts, t("Stale", nil))
		}
		title := Text(lang, r.Text.Title, f)
		if f == FormatHTML {
			title = "<b>" + title + "</b>"
		}
		short := !full && r.Text.Short != ""
		if short {
			parts = append(parts, title+"\n"+md(r.Text.Short))
		} else {
			parts = append(parts, title+"\n"+md(r.Text.Body))
		}
		parts = append(parts, rd.sources(lang, r.Text, f, short))
		if old := rd.outdated(lang, r.Text, f); old != "" {
			parts = append(parts, old)
		}
		if len(r.Alternatives) > 0 && f == FormatPlain {
			var titles []string
			for _, a := range r.Alternatives {
				titles = append(titles, a.Title)
			}
			parts = append(parts, t("RelatedLabel", nil)+": "+strings.Join(titles, " · "))
		}
	case assistant.KindAskBack:
		head := t("AskBack", nil)
		if r.Unpriced {
			head = t("AskBackNoPrice", nil)
		}
		lines := []string{head}
		for _, a := range r.Alternatives {
			lines = append(lines, "• "+Text(lang, a.Title, f))
		}
		parts = append(parts, strings.Join(lines, "\n"))
		parts = append(parts, rd.contact(r, f, md)...)
		parts = appendExtra(parts, extra)
		parts = append(parts, t("SafetyLine", nil))
	case assistant.KindNotSure:
		parts = append(parts, t("NotSure", nil))
		if len(r.Alternatives) > 0 {
			lines := []string{t("NotSureSuggestions", nil)}
			for _, a := range r.Alternatives {
				lines = append(lines, "• "+Text(lang, a.Title, f))
			}
			parts = append(parts, strings.Join(lines, "\n"))
		} else {
			parts = append(parts, t("NotSureRephrase", nil))
		}
		parts = append(parts, rd.contact(r, f, md)...)
		parts = appendExtra(parts, extra)
		parts = append(parts, t("SafetyLine", nil))
	default:
		parts = appendExtra(parts, extra)
	}
	return strings.Join(parts, "\n\n")
}

func appendExtra(parts []string, extra string) []string {
	if extra == "" {
		return parts
	}
	return append(parts, extra)
}

// alarm is the first line of an emergency reply: the number that fits the situation
// first (110 for the police, else 112), then a specialised help line where one fits.
func (rd Renderer) alarm(al *assistant.Alarm, t func(string, any) string) string {
	switch {
	case al == nil || al.Category == "general":
		return t("EmergencyIntro", nil)
	case al.Number == "110":
		s := t("Emergency110", nil)
		if al.LineNumber != "" {
			s += "\n" + t("Line_"+al.Line, map[string]string{"Name": al.LineName, "Number": al.LineNumber})
		}
		return s
	}
	s := t("Emergency112", nil)
	if al.LineNumber != "" {
		s += "\n" + t("Line_"+al.Line, map[string]string{"Name": al.LineName, "Number": al.LineNumber})
	}
	return s
}

func (rd Renderer) contact(r assistant.Result, f Format, md func(string) string) []string {
	if r.Contact == nil {
		return nil
	}
	intro := rd.Sentence(r.Lang, "ContactIntro", nil, f)
	if r.Kind == assistant.KindHuman {
		intro = ""
	}
	body := md(firstParagraph(r.Contact.Body))
	if intro == "" {
		return []string{body}
	}
	return []string{intro + "\n" + body}
}

// sources is the source line: every source, or (short) the main one and how many
// more the whole text lists.
func (rd Renderer) sources(lang string, tr *content.Translation, f Format, short bool) string {
	var urls []string
	list := tr.Sources
	if short && len(list) > 1 {
		list = list[:1]
	}
	for _, s := range list {
		if f == FormatHTML {
			urls = append(urls, `<a href="`+html.EscapeString(s.URL)+`">`+html.EscapeString(hostOf(s.URL))+`</a>`)
		} else {
			urls = append(urls, s.URL)
		}
	}
	line := Escape(rd.Locale.T(lang, "SourceLabel", nil), f) + ": " + strings.Join(urls, f.sep())
	if more := len(tr.Sources) - len(list); more > 0 {
		line += " " + Escape(rd.Locale.T(lang, "MoreSources", map[string]int{"N": more}), f)
	}
	if tr.AsOf != "" {
		line += " (" + Escape(rd.Locale.T(lang, "AsOf", map[string]string{"Date": tr.AsOf}), f) + ")"
	}
	return line
}

// sep separates source links. In plain text the comma stands apart, so that a
// terminal does not take it into the URL it makes clickable.
func (f Format) sep() string {
	if f == FormatHTML {
		return ", "
	}
	return " , "
}

func hostOf(url string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u = u[:i]
	}
	return strings.TrimPrefix(u, "www.")
}

// firstParagraph returns the contact card: the body up to its first blank line.
func firstParagraph(md string) string {
	if i := strings.Index(md, "\n\n"); i >= 0 {
		return md[:i]
	}
	return md
}

// Escape makes s (text as written, by a user or by staff) safe in format f.
func Escape(s string, f Format) string {
	if f == FormatHTML {
		return html.EscapeString(s)
	}
	return s
}

// Text prepares a sentence for a reply in lang: in a right-to-left language its
// Latin-script runs are isolated (see Isolate), then it is escaped for f. Every
// sentence a channel shows is made by Text, Sentence or Render: escaping and
// isolation happen here and nowhere else.
func Text(lang, s string, f Format) string {
	if RTL(lang) {
		s = Isolate(s)
	}
	return Escape(s, f)
}

// Sentence is message id of the locale files in lang, with data, prepared by Text.
func (rd Renderer) Sentence(lang, id string, data any, f Format) string {
	return Text(lang, rd.Locale.T(lang, id, data), f)
}

// isolator returns Isolate for a right-to-left language, else nil.
func isolator(lang string) func(string) string {
	if RTL(lang) {
		return Isolate
	}
	return nil
}

// outdatedAfter is how old the newest source may be before an answer says that it
// may be out of date.
const outdatedAfter = 2 * 365 * 24 * time.Hour

// outdated is the line that says an answer may be out of date: its newest dated
// source is more than two years old. Undated sources say nothing either way.
func (rd Renderer) outdated(lang string, tr *content.Translation, f Format) string {
	newest, date := time.Time{}, ""
	for _, s := range tr.Sources {
		if d, ok := sourceDate(s.Date); ok && d.After(newest) {
			newest, date = d, s.Date
		}
	}
	now := time.Now
	if rd.Now != nil {
		now = rd.Now
	}
	if newest.IsZero() || now().Sub(newest) <= outdatedAfter {
		return ""
	}
	return rd.Sentence(lang, "PossiblyOutdated", map[string]string{"Date": date}, f)
}

// sourceDate reads a source date (YYYY-MM-DD, YYYY-MM or YYYY) as the last day it
// may mean: "2023" is as new as 31 December 2023.
func sourceDate(s string) (time.Time, bool) {
	for _, l := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{time.DateOnly, func(t time.Time) time.Time { return t }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, -1) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, -1) }},
	} {
		if t, err := time.Parse(l.layout, s); err == nil {
			return l.next(t), true
		}
	}
	return time.Time{}, false
}

// GermanCard is what a newcomer shows at the office: one line in their language
// saying what the card is, then the topic's title and short answer in German,
// with office names, addresses and numbers exactly as the office uses them. The
// German text has no isolation marks: it is read by German staff.
func (rd Renderer) GermanCard(lang string, t *content.Topic, f Format) string {
	de := t.In(content.SourceLang)
	if de == nil {
		return ""
	}
	text := de.Short
	if text == "" {
		text = firstParagraph(de.Body)
	}
	title := Escape(de.Title, f)
	if f == FormatHTML {
		title = "<b>" + title + "</b>"
		text = htmlText(text, nil)
	} else {
		text = plain(text, nil)
	}
	return rd.Sentence(lang, "GermanCardIntro", nil, f) + "\n\n" + title + "\n" + text
}

// ContactCard renders the contact topic's card — the first paragraph of its text tr
// — for a reply in lang (used by /privacy: whom to contact).
func (rd Renderer) ContactCard(lang string, tr *content.Translation, f Format) string {
	if tr == nil {
		return ""
	}
	iso := isolator(lang)
	if f == FormatHTML {
		return htmlText(firstParagraph(tr.Body), iso)
	}
	return plain(firstParagraph(tr.Body), iso)
}
