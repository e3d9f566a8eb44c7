package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// frontMeta carries what parseTopic learns beyond the Translation.
type frontMeta struct {
	contact, emergency bool
	generalAmounts     bool
	relatedLines       []int
	owner, reviewBy    string
	reviewLine         int
}

var knownFields = map[string]bool{
	"title": true, "short": true, "questions": true, "tags": true, "sources": true, "as_of": true,
	"related": true, "contact": true, "emergency": true, "source_hash": true, "owner": true, "review_by": true,
	"general_amounts": true,
}

// MaxShortWords is the longest short answer, in words: what a reader on a phone
// takes in at a glance.
const MaxShortWords = 60

// parseTopic parses one topic file. It returns a nil Translation when the file cannot be
// used at all; otherwise the issues are problems in an otherwise readable file.
//
// The steps: split the file into front matter and body, parse the front matter as
// a YAML mapping, decode and check each field, check what must be there, then take
// the body and hash what a reader sees.
func parseTopic(name, lang string, data []byte) (*Translation, frontMeta, []Issue) {
	p := &topicParser{name: name}
	parts, ok := p.split(data)
	if !ok {
		return nil, p.meta, p.issues
	}
	root, ok := p.mapping(parts.front)
	if !ok {
		return nil, p.meta, p.issues
	}
	tr := &Translation{Lang: lang, File: name}
	seen := p.fields(root, tr)
	p.required(seen, tr)
	p.body(tr, parts)
	return tr, p.meta, p.issues
}

// topicParser collects what parseTopic finds in one file.
type topicParser struct {
	name   string
	meta   frontMeta
	issues []Issue
}

func (p *topicParser) add(line int, format string, args ...any) {
	p.issues = append(p.issues, Issue{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// fileLine is the file line of a front matter node: the front matter starts on line 2.
func fileLine(n *yaml.Node) int { return n.Line + 1 }

// topicParts are the two parts of a topic file.
type topicParts struct {
	front, body string
	bodyLine    int // the file line the body starts on
}

// split checks the encoding and cuts the file into front matter (between the first
// two "---" lines) and body.
func (p *topicParser) split(data []byte) (topicParts, bool) {
	if !utf8.Valid(data) {
		p.add(1+bytes.Count(data[:firstInvalid(data)], []byte("\n")), "file is not valid UTF-8")
		return topicParts{}, false
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	if !strings.HasPrefix(text, "---\n") {
		p.add(1, "file must start with a front matter line \"---\"")
		return topicParts{}, false
	}
	rest := text[4:]
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		if !strings.HasSuffix(rest, "\n---") {
			p.add(1, "front matter is not closed by a line \"---\"")
			return topicParts{}, false
		}
		end = len(rest) - 4 // closed on the last line, no body
	}
	parts := topicParts{front: rest[:end]}
	if end+5 <= len(rest) {
		parts.body = rest[end+5:]
	}
	parts.bodyLine = 2 + strings.Count(parts.front, "\n") + 2
	return parts, true
}

// mapping parses the front matter; it must be a YAML mapping.
func (p *topicParser) mapping(front string) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil {
		l, msg := yamlErr(err)
		p.add(l, "front matter: %s", msg)
		return nil, false
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		p.add(2, "front matter must be a mapping of fields (title: …, questions: …)")
		return nil, false
	}
	return doc.Content[0], true
}

// fields decodes each known field of the front matter into tr (or p.meta) and
// returns the fields seen; unknown and repeated fields are reported and skipped.
func (p *topicParser) fields(root *yaml.Node, tr *Translation) map[string]bool {
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		switch {
		case !knownFields[key]:
			p.add(fileLine(k), "unknown field %q (known: title, short, questions, tags, sources, as_of, owner, review_by, related, contact, emergency, source_hash)", key)
			continue
		case seen[key]:
			p.add(fileLine(k), "field %q appears twice", key)
			continue
		}
		seen[key] = true
		if err := p.field(key, v, tr); err != nil {
			_, msg := yamlErr(err)
			p.add(fileLine(v), "field %q: %s", key, msg)
		}
	}
	return seen
}

// field decodes one field; the error is a decoding error, problems with a decoded
// value are added as issues.
func (p *topicParser) field(key string, v *yaml.Node, tr *Translation) error {
	switch key {
	case "title":
		return v.Decode(&tr.Title)
	case "short":
		if err := v.Decode(&tr.Short); err != nil {
			return err
		}
		tr.Short = strings.TrimSpace(tr.Short)
		if n := len(strings.Fields(tr.Short)); n > MaxShortWords {
			p.add(fileLine(v), "short has %d words; at most %d (the two or three things most people need; the body has the rest)", n, MaxShortWords)
		}
	case "owner":
		return v.Decode(&p.meta.owner)
	case "review_by":
		if err := v.Decode(&p.meta.reviewBy); err != nil {
			return err
		}
		p.meta.reviewLine = fileLine(v)
		if _, err := time.Parse(time.DateOnly, p.meta.reviewBy); err != nil {
			p.add(fileLine(v), "review_by %q is not YYYY-MM-DD", p.meta.reviewBy)
		}
	case "questions":
		return v.Decode(&tr.Questions)
	case "tags":
		return v.Decode(&tr.Tags)
	case "sources":
		if err := v.Decode(&tr.Sources); err != nil {
			return err
		}
		p.checkSources(v, tr.Sources)
	case "as_of":
		if err := v.Decode(&tr.AsOf); err != nil {
			return err
		}
		if !dateRe.MatchString(tr.AsOf) {
			p.add(fileLine(v), "as_of %q is not YYYY-MM or YYYY-MM-DD", tr.AsOf)
		}
	case "related":
		err := v.Decode(&tr.Related)
		for _, n := range v.Content {
			p.meta.relatedLines = append(p.meta.relatedLines, fileLine(n))
		}
		return err
	case "contact":
		return v.Decode(&p.meta.contact)
	case "emergency":
		return v.Decode(&p.meta.emergency)
	case "general_amounts":
		return v.Decode(&p.meta.generalAmounts)
	case "source_hash":
		return v.Decode(&tr.SourceHash)
	}
	return nil
}

// checkSources reports a source without an http(s) URL or without a valid date, on
// the line of that source.
func (p *topicParser) checkSources(v *yaml.Node, sources []Source) {
	for j, s := range sources {
		sl := fileLine(v)
		if j < len(v.Content) {
			sl = fileLine(v.Content[j])
		}
		if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
			p.add(sl, "source %d: url must start with http:// or https://", j+1)
		}
		switch {
		case s.Date == "":
			p.add(sl, "source %d: date is missing (use YYYY-MM-DD, YYYY-MM, YYYY or undated)", j+1)
		case s.Date != "undated" && !dateRe.MatchString(s.Date):
			p.add(sl, "source %d: date %q is not YYYY-MM-DD, YYYY-MM, YYYY or undated", j+1, s.Date)
		}
	}
}

// required reports missing and empty required fields and malformed related ids; they
// concern the front matter as a whole, so they are on its first line.
func (p *topicParser) required(seen map[string]bool, tr *Translation) {
	for _, f := range []string{"title", "questions", "tags", "sources", "as_of"} {
		if !seen[f] {
			p.add(2, "required field %q is missing", f)
		}
	}
	if seen["title"] && strings.TrimSpace(tr.Title) == "" {
		p.add(2, "title is empty")
	}
	if seen["questions"] && len(tr.Questions) == 0 {
		p.add(2, "questions is empty: give at least one way people ask for this topic")
	}
	for _, q := range tr.Questions {
		if strings.TrimSpace(q) == "" {
			p.add(2, "questions has an empty entry")
		}
	}
	if seen["sources"] && len(tr.Sources) == 0 {
		p.add(2, "sources is empty: every topic needs at least one source")
	}
	for _, r := range tr.Related {
		if !idRe.MatchString(r) {
			p.add(2, "related %q is not a topic id", r)
		}
	}
}

// body sets the body and the hash that translations record.
func (p *topicParser) body(tr *Translation, parts topicParts) {
	tr.Body = strings.TrimSpace(parts.body)
	// Translations record this hash: only a change of what a reader sees (title,
	// short answer and body) makes them stale, not a new search phrasing in
	// questions or tags.
	seen := strings.TrimSpace(tr.Title) + "\n" + tr.Body
	if tr.Short != "" {
		seen = strings.TrimSpace(tr.Title) + "\n" + tr.Short + "\n" + tr.Body
	}
	sum := sha256.Sum256([]byte(seen))
	tr.Hash = hex.EncodeToString(sum[:])
	if tr.Body == "" {
		p.add(parts.bodyLine, "body is empty")
	}
}

var yamlLineRe = regexp.MustCompile(`line (\d+): `)

// yamlErr turns a yaml.v3 error into a file line and a message. yaml.v3 counts lines
// from the start of the front matter, which is line 2 of the file.
func yamlErr(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	line := 2
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = n + 1
		msg = yamlLineRe.ReplaceAllString(msg, "")
	}
	return line, msg
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
