package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// frontMeta carries what parseTopic learns beyond the Translation.
type frontMeta struct {
	contact, emergency bool
	relatedLines       []int
}

var knownFields = map[string]bool{
	"title": true, "questions": true, "tags": true, "sources": true, "as_of": true,
	"related": true, "contact": true, "emergency": true, "source_hash": true,
}

// parseTopic parses one topic file. It returns a nil Translation when the file cannot be
// used at all; otherwise the issues are problems in an otherwise readable file.
func parseTopic(name, lang string, data []byte) (*Translation, frontMeta, []Issue) {
	var meta frontMeta
	var issues []Issue
	add := func(line int, format string, args ...any) {
		issues = append(issues, Issue{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		add(line, "file is not valid UTF-8")
		return nil, meta, issues
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	if !strings.HasPrefix(text, "---\n") {
		add(1, "file must start with a front matter line \"---\"")
		return nil, meta, issues
	}
	rest := text[4:]
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		if strings.HasSuffix(rest, "\n---") {
			end = len(rest) - 4
		} else {
			add(1, "front matter is not closed by a line \"---\"")
			return nil, meta, issues
		}
	}
	front := rest[:end]
	body := ""
	if end+5 <= len(rest) {
		body = rest[end+5:]
	}
	bodyLine := 2 + strings.Count(front, "\n") + 2

	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil {
		l, msg := yamlErr(err)
		add(l, "front matter: %s", msg)
		return nil, meta, issues
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		add(2, "front matter must be a mapping of fields (title: …, questions: …)")
		return nil, meta, issues
	}
	root := doc.Content[0]
	tr := &Translation{Lang: lang, File: name}
	seen := map[string]bool{}
	line := func(n *yaml.Node) int { return n.Line + 1 } // front matter starts on line 2
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		if !knownFields[key] {
			add(line(k), "unknown field %q (known: title, questions, tags, sources, as_of, related, contact, emergency, source_hash)", key)
			continue
		}
		if seen[key] {
			add(line(k), "field %q appears twice", key)
			continue
		}
		seen[key] = true
		var err error
		switch key {
		case "title":
			err = v.Decode(&tr.Title)
		case "questions":
			err = v.Decode(&tr.Questions)
		case "tags":
			err = v.Decode(&tr.Tags)
		case "sources":
			err = v.Decode(&tr.Sources)
			if err == nil {
				for j, s := range tr.Sources {
					sl := line(v)
					if j < len(v.Content) {
						sl = line(v.Content[j])
					}
					if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
						add(sl, "source %d: url must start with http:// or https://", j+1)
					}
					if s.Date == "" {
						add(sl, "source %d: date is missing (use YYYY-MM-DD, YYYY-MM, YYYY or undated)", j+1)
					} else if s.Date != "undated" && !dateRe.MatchString(s.Date) {
						add(sl, "source %d: date %q is not YYYY-MM-DD, YYYY-MM, YYYY or undated", j+1, s.Date)
					}
				}
			}
		case "as_of":
			err = v.Decode(&tr.AsOf)
			if err == nil && !dateRe.MatchString(tr.AsOf) {
				add(line(v), "as_of %q is not YYYY-MM or YYYY-MM-DD", tr.AsOf)
			}
		case "related":
			err = v.Decode(&tr.Related)
			for _, n := range v.Content {
				meta.relatedLines = append(meta.relatedLines, line(n))
			}
		case "contact":
			err = v.Decode(&meta.contact)
		case "emergency":
			err = v.Decode(&meta.emergency)
		case "source_hash":
			err = v.Decode(&tr.SourceHash)
		}
		if err != nil {
			_, msg := yamlErr(err)
			add(line(v), "field %q: %s", key, msg)
		}
	}
	for _, f := range []string{"title", "questions", "tags", "sources", "as_of"} {
		if !seen[f] {
			add(2, "required field %q is missing", f)
		}
	}
	if seen["title"] && strings.TrimSpace(tr.Title) == "" {
		add(2, "title is empty")
	}
	if seen["questions"] && len(tr.Questions) == 0 {
		add(2, "questions is empty: give at least one way people ask for this topic")
	}
	for _, q := range tr.Questions {
		if strings.TrimSpace(q) == "" {
			add(2, "questions has an empty entry")
		}
	}
	if seen["sources"] && len(tr.Sources) == 0 {
		add(2, "sources is empty: every topic needs at least one source")
	}
	for _, r := range tr.Related {
		if !idRe.MatchString(r) {
			add(2, "related %q is not a topic id", r)
		}
	}
	tr.Body = strings.TrimSpace(body)
	// Translations record this hash: only a change of what a reader sees (title and
	// body) makes them stale, not a new search phrasing in questions or tags.
	sum := sha256.Sum256([]byte(strings.TrimSpace(tr.Title) + "\n" + tr.Body))
	tr.Hash = hex.EncodeToString(sum[:])
	if tr.Body == "" {
		add(bodyLine, "body is empty")
	}
	return tr, meta, issues
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
