package reply

import (
	"html"
	"regexp"
	"strings"
)

// The content uses a small Markdown subset: paragraphs, "-" lists, **bold** and
// [text](url) links. These render it as plain text or as Telegram HTML.

var (
	linkRe = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	boldRe = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// plain renders md as plain text — links as "text (url)", bold unmarked, list items
// with a bullet — passing text (not URLs) through tr when set.
func plain(md string, tr func(string) string) string {
	var out []string
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimRight(line, " \t")
		if item, ok := listItem(line); ok {
			line = "• " + item
		}
		line = linkRe.ReplaceAllStringFunc(line, func(m string) string {
			p := linkRe.FindStringSubmatch(m)
			if p[1] == p[2] {
				return p[2]
			}
			return p[1] + " (" + p[2] + ")"
		})
		line = boldRe.ReplaceAllString(line, "$1")
		if tr != nil {
			line = tr(line)
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// htmlText renders md as the HTML subset Telegram accepts (<b>, <a href>), every
// piece of text escaped, passing text (not URLs) through tr when set.
func htmlText(md string, tr func(string) string) string {
	if tr == nil {
		tr = func(s string) string { return s }
	}
	var out []string
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimRight(line, " \t")
		prefix := ""
		if item, ok := listItem(line); ok {
			prefix, line = "• ", item
		}
		out = append(out, prefix+inlineHTML(line, tr))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func inlineHTML(s string, tr func(string) string) string {
	var b strings.Builder
	for s != "" {
		loc := linkRe.FindStringSubmatchIndex(s)
		if loc == nil {
			b.WriteString(boldHTML(s, tr))
			break
		}
		b.WriteString(boldHTML(s[:loc[0]], tr))
		text, url := s[loc[2]:loc[3]], s[loc[4]:loc[5]]
		if strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "mailto:") || strings.HasPrefix(url, "tel:") {
			b.WriteString(`<a href="` + html.EscapeString(url) + `">` + html.EscapeString(tr(boldRe.ReplaceAllString(text, "$1"))) + `</a>`)
		} else {
			b.WriteString(html.EscapeString(tr(text)))
		}
		s = s[loc[1]:]
	}
	return b.String()
}

func boldHTML(s string, tr func(string) string) string {
	var b strings.Builder
	for s != "" {
		loc := boldRe.FindStringSubmatchIndex(s)
		if loc == nil {
			b.WriteString(html.EscapeString(tr(s)))
			break
		}
		b.WriteString(html.EscapeString(tr(s[:loc[0]])))
		b.WriteString("<b>" + html.EscapeString(tr(s[loc[2]:loc[3]])) + "</b>")
		s = s[loc[1]:]
	}
	return b.String()
}

func listItem(line string) (string, bool) {
	t := strings.TrimLeft(line, " ")
	for _, p := range []string{"- ", "* "} {
		if strings.HasPrefix(t, p) {
			return strings.TrimSpace(t[len(p):]), true
		}
	}
	return "", false
}
