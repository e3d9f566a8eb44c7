package telegram

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxMessage is Telegram's limit for the text of one message: 4096 characters (UTF-16
// code units) after the HTML is parsed. Split measures the HTML itself, tags and
// entities included, so its pieces stay below the limit.
const MaxMessage = 4096

// Split cuts Telegram HTML into pieces of at most limit UTF-16 code units: at
// paragraph boundaries (blank lines) where it can, else at line ends, else between
// words. A tag open at a cut is closed at the end of one piece and opened again at the
// start of the next; entities (&amp;) are never cut.
func Split(html string, limit int) []string {
	html = strings.TrimSpace(html)
	if html == "" {
		return nil
	}
	if len16(html) <= limit {
		return []string{html}
	}
	var out []string
	pack(&out, strings.Split(html, "\n\n"), "\n\n", limit, func(p string) []string {
		var lines []string
		pack(&lines, strings.Split(p, "\n"), "\n", limit, func(l string) []string { return splitLine(l, limit) })
		return lines
	})
	return out
}

// pack appends parts joined by sep into pieces of at most limit; a part over the
// limit is cut by smaller and its pieces appended on their own.
func pack(out *[]string, parts []string, sep string, limit int, smaller func(string) []string) {
	cur, curLen := "", 0
	flush := func() {
		if strings.TrimSpace(cur) != "" {
			*out = append(*out, strings.TrimSpace(cur))
		}
		cur, curLen = "", 0
	}
	for _, p := range parts {
		n := len16(p)
		switch {
		case n > limit:
			flush()
			*out = append(*out, smaller(p)...)
		case cur == "":
			cur, curLen = p, n
		case curLen+len16(sep)+n <= limit:
			cur += sep + p
			curLen += len16(sep) + n
		default:
			flush()
			cur, curLen = p, n
		}
	}
	flush()
}

// splitLine cuts one line of HTML between words, keeping tags balanced in each piece:
// a tag open at a cut is closed there and opened again in the next piece. An opening
// tag is written only together with the text after it, so no piece ends in one.
func splitLine(line string, limit int) []string {
	var (
		out     []string
		cur     strings.Builder
		curLen  int
		hasText bool
		open    []string // opening tags written to cur and not closed, outermost first
		pending []string // opening tags waiting for their first text
	)
	closers := func(tags ...[]string) int {
		n := 0
		for _, ts := range tags {
			for _, t := range ts {
				n += len16("</" + tagName(t) + ">")
			}
		}
		return n
	}
	flush := func() {
		piece := strings.TrimRight(cur.String(), " ")
		for i := len(open) - 1; i >= 0; i-- {
			piece += "</" + tagName(open[i]) + ">"
		}
		if hasText {
			out = append(out, strings.TrimSpace(piece))
		}
		cur.Reset()
		curLen, hasText = 0, false
		for _, t := range open {
			cur.WriteString(t)
			curLen += len16(t)
		}
	}
	addText := func(unit string) {
		if !hasText && strings.TrimSpace(unit) == "" {
			return // no piece starts with a space
		}
		need := len16(strings.Join(pending, "")) + len16(strings.TrimRight(unit, " ")) + closers(open, pending)
		if hasText && curLen+need > limit {
			flush()
		}
		for _, t := range pending {
			cur.WriteString(t)
			curLen += len16(t)
		}
		open, pending = append(open, pending...), nil
		cur.WriteString(unit)
		curLen += len16(unit)
		hasText = hasText || strings.TrimSpace(unit) != ""
	}
	for line != "" {
		if line[0] == '<' {
			end := strings.IndexByte(line, '>')
			if end < 0 {
				end = len(line) - 1
			}
			tag := line[:end+1]
			line = line[end+1:]
			switch {
			case !strings.HasPrefix(tag, "</"):
				pending = append(pending, tag)
			case len(pending) > 0:
				pending = pending[:len(pending)-1] // an empty element: dropped
			case len(open) > 0:
				open = open[:len(open)-1]
				cur.WriteString(tag)
				curLen += len16(tag)
			}
			continue
		}
		end := strings.IndexByte(line, '<')
		if end < 0 {
			end = len(line)
		}
		room := limit - len16(strings.Join(open, "")) - len16(strings.Join(pending, "")) - closers(open, pending)
		for _, u := range units(line[:end], room) {
			addText(u)
		}
		line = line[end:]
	}
	flush()
	return out
}

// units cuts text into words with their trailing space; a word longer than limit is
// cut further, never inside an entity or a character.
func units(text string, limit int) []string {
	limit = max(limit, 1)
	var out []string
	for text != "" {
		i := strings.IndexByte(text, ' ')
		w := text
		if i >= 0 {
			w = text[:i+1]
		}
		text = text[len(w):]
		for len16(w) > limit {
			cut := 0
			for n := 0; cut < len(w); {
				step := 1
				if w[cut] == '&' {
					if semi := strings.IndexByte(w[cut:], ';'); semi > 0 && semi < 10 {
						step = semi + 1
					}
				} else {
					_, step = utf8.DecodeRuneInString(w[cut:])
				}
				if n+len16(w[cut:cut+step]) > limit {
					break
				}
				n += len16(w[cut : cut+step])
				cut += step
			}
			if cut == 0 {
				break
			}
			out = append(out, w[:cut])
			w = w[cut:]
		}
		out = append(out, w)
	}
	return out
}

func tagName(open string) string {
	name := strings.TrimPrefix(open, "<")
	if i := strings.IndexAny(name, " >"); i >= 0 {
		name = name[:i]
	}
	return name
}

func stripTags(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		s = s[i+j+1:]
	}
	return b.String()
}

// len16 is the length of s in UTF-16 code units, as Telegram counts.
func len16(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
