package locale

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/oldenburg/ankommen/internal/content"
)

// Problem is one finding of Check in a locale file, reported like content issues.
type Problem = content.Issue

// Coverage is how complete one language's messages are.
type Coverage struct {
	Lang          string
	Messages      int // messages present and complete
	TotalMessages int // messages in the source language
}

// pluralKeys are the go-i18n fields of a message, in CLDR order.
var pluralKeys = []string{"zero", "one", "two", "few", "many", "other"}

var placeholderRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// message is one parsed message: its plural forms and the line of its header.
type message struct {
	forms map[string]string
	line  int
}

// Check compares every language's message file with the source language's (German):
// missing and extra ids, empty values, placeholders that differ, missing plural forms.
// A message missing in any language is an error: at run time users would get the
// English text (the fallback chain), which translators must not leave in place.
//
// The staff page's strings (staff.<lang>.toml) are checked when the source language
// has such a file, for StaffLangs only; every message is required there, and an id
// may not be in both sets (they share one bundle).
func Check(fsys fs.FS, source string, langs []string) ([]Problem, []Coverage) {
	problems, cov, src := checkSet(fsys, FilePrefix, source, langs)
	if _, err := fs.Stat(fsys, StaffPrefix+source+FileSuffix); err == nil {
		sp, _, staff := checkSet(fsys, StaffPrefix, source, StaffLangs)
		problems = append(problems, sp...)
		for id, m := range staff {
			if _, ok := src[id]; ok {
				problems = append(problems, Problem{File: StaffPrefix + source + FileSuffix, Line: m.line,
					Msg: fmt.Sprintf("message %q is also in %s%s%s; staff and bot messages share one bundle", id, FilePrefix, source, FileSuffix)})
			}
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return problems, cov
}

// checkSet checks the files prefix<lang>.toml against the source language's. It also
// returns the source file's messages.
func checkSet(fsys fs.FS, prefix, source string, langs []string) ([]Problem, []Coverage, map[string]message) {
	var problems []Problem
	files := map[string]map[string]message{}
	for _, lang := range langs {
		name := prefix + lang + FileSuffix
		msgs, line, err := parseFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, Problem{File: name, Msg: fmt.Sprintf("the file is missing; create it empty, then run `make i18n` to get the messages to translate (German text inside %s%s%s)", prefix, source, FileSuffix)})
			continue
		}
		if err != nil {
			problems = append(problems, Problem{File: name, Line: line, Msg: err.Error()})
			continue
		}
		files[lang] = msgs
	}
	src := files[source]
	if src == nil {
		return problems, nil, nil
	}
	ids := make([]string, 0, len(src))
	for id := range src {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var cov []Coverage
	for _, lang := range langs {
		msgs, ok := files[lang]
		if !ok {
			cov = append(cov, Coverage{Lang: lang, TotalMessages: len(ids)})
			continue
		}
		name := prefix + lang + FileSuffix
		add := func(line int, warn bool, format string, args ...any) {
			problems = append(problems, Problem{File: name, Line: line, Warning: warn, Msg: fmt.Sprintf(format, args...)})
		}
		forms := requiredForms(lang)
		complete := 0
		for _, id := range ids {
			m, ok := msgs[id]
			if !ok {
				add(0, false, "message %q is missing; run `make i18n` to get it to translate", id)
				continue
			}
			good := true
			want := placeholders(src[id])
			isPlural := len(src[id].forms) > 1 || src[id].forms["one"] != ""
			for _, k := range pluralKeys {
				v, has := m.forms[k]
				if has && strings.TrimSpace(v) == "" {
					add(m.line, false, "message %q: %s is empty", id, k)
					good = false
				}
			}
			if isPlural {
				for _, f := range forms {
					if strings.TrimSpace(m.forms[f]) == "" {
						add(m.line, false, "message %q: plural form %q is missing (%s needs %s)", id, f, lang, strings.Join(forms, ", "))
						good = false
					}
				}
			} else if strings.TrimSpace(m.forms["other"]) == "" {
				if _, has := m.forms["other"]; !has {
					add(m.line, false, "message %q has no text (\"other\")", id)
				}
				good = false
			}
			for k, v := range m.forms {
				got := placeholders(message{forms: map[string]string{k: v}})
				if !slices.Equal(got, want) && !(isPlural && subset(got, want)) {
					add(m.line, false, "message %q (%s): placeholders %v differ from the German %v", id, k, got, want)
					good = false
				}
			}
			if good {
				complete++
			}
		}
		for id, m := range msgs {
			if _, ok := src[id]; !ok {
				add(m.line, true, "message %q is not in the German file (extra)", id)
			}
		}
		cov = append(cov, Coverage{Lang: lang, Messages: complete, TotalMessages: len(ids)})
	}
	return problems, cov, src
}

// subset reports whether every placeholder of a plural form is one of the message's:
// a form may leave out {{.Count}} ("one" in "ein Thema").
func subset(got, want []string) bool {
	for _, g := range got {
		if !slices.Contains(want, g) {
			return false
		}
	}
	return true
}

func placeholders(m message) []string {
	seen := map[string]bool{}
	for _, v := range m.forms {
		for _, p := range placeholderRe.FindAllStringSubmatch(v, -1) {
			seen[p[1]] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// requiredForms returns the CLDR plural forms lang distinguishes for integers, found
// by asking x/text's CLDR tables which form each of 0…1000 takes, plus "other".
func requiredForms(lang string) []string {
	tag := language.Make(lang)
	// "other" is always needed: CLDR requires it, and go-i18n falls back to it.
	seen := map[plural.Form]bool{plural.Other: true}
	for n := 0; n <= 1000; n++ {
		seen[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)] = true
	}
	var out []string
	for i, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
		if seen[f] {
			out = append(out, pluralKeys[i])
		}
	}
	return out
}

// RequiredForms returns the plural forms (zero, one, two, few, many, other) that lang
// needs for whole numbers.
func RequiredForms(lang string) []string { return requiredForms(lang) }

var headerRe = regexp.MustCompile(`^\s*\[\s*"?([^"\]]+)"?\s*\]`)

// parseFile reads the messages of one file; on a syntax error it returns the line
// of the error (0 when unknown).
func parseFile(fsys fs.FS, name string) (map[string]message, int, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read: %w", err)
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		line, msg := tomlErr(err)
		return nil, line, errors.New(msg)
	}
	lines := map[string]int{}
	for i, l := range strings.Split(string(data), "\n") {
		if m := headerRe.FindStringSubmatch(l); m != nil {
			lines[strings.TrimSpace(m[1])] = i + 1
		}
	}
	out := map[string]message{}
	for id, v := range raw {
		m := message{forms: map[string]string{}, line: lines[id]}
		switch v := v.(type) {
		case string:
			m.forms["other"] = v
		case map[string]any:
			for _, k := range pluralKeys {
				if s, ok := v[k].(string); ok {
					m.forms[k] = s
				}
			}
		}
		out[id] = m
	}
	return out, 0, nil
}
