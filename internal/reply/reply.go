// Package reply turns the core's Result into what a user reads, in the user's
// language: plain text for the terminal and eval, Telegram HTML for the bot.
package reply

import (
	"html"
	"strings"

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
}

// Render returns the reply to r as text in format f. Parts are separated by blank
// lines; a channel may split long replies at those.
func (rd Renderer) Render(r assistant.Result, f Format) string { return rd.RenderWith(r, f, "") }

// RenderWith is Render with a channel's own paragraph (already in format f) added
// before the closing line of 112/110, which stays last.
func (rd Renderer) RenderWith(r assistant.Result, f Format, extra string) string {
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
		parts = append(parts, title+"\n"+md(r.Text.Body))
		parts = append(parts, rd.sources(lang, r.Text, f))
		if len(r.Alternatives) > 0 && f == FormatPlain {
			var titles []string
			for _, a := range r.Alternatives {
				titles = append(titles, a.Title)
			}
			parts = append(parts, t("RelatedLabel", nil)+": "+strings.Join(titles, " · "))
		}
	case assistant.KindAskBack:
		lines := []string{t("AskBack", nil)}
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

func (rd Renderer) sources(lang string, tr *content.Translation, f Format) string {
	var urls []string
	for _, s := range tr.Sources {
		if f == FormatHTML {
			urls = append(urls, `<a href="`+html.EscapeString(s.URL)+`">`+html.EscapeString(hostOf(s.URL))+`</a>`)
		} else {
			urls = append(urls, s.URL)
		}
	}
	line := Escape(rd.Locale.T(lang, "SourceLabel", nil), f) + ": " + strings.Join(urls, f.sep())
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
