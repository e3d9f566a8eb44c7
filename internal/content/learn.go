package content

import (
	"fmt"
	"hash"
	"io/fs"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The data that models learn from lives beside the topics, one file per language, so
// that translators edit it like the topics:
//
//	phrasings/<lang>.yaml   topic id → how newcomers ask about it (the topic classifier)
//	emergency/<lang>.yaml   emergency categories → cues and examples (the emergency detector)
//	glossary/<lang>.yaml    German office name → how people write it in that language
const (
	PhrasingDir  = "phrasings"
	EmergencyDir = "emergency"
	GlossaryDir  = "glossary"
)

// MinPhrasings is how many phrasings every topic should have in every language; check
// warns below it.
const MinPhrasings = 30

// OutOfScope is the key, in a phrasing file, of messages that no topic answers
// (insurance for a car, a mosque's prayer times): they teach the classifier what the
// content does not cover.
const OutOfScope = "_none"

// Phrasing is one way a newcomer asks about a topic.
type Phrasing struct {
	TopicID string
	Lang    string
	Text    string
	File    string
	Line    int
}

// EmergencyCategories are the situations the emergency detector knows, in the order
// the data files list them. Each maps to the number to call first.
var EmergencyCategories = []string{
	"not_breathing", "unconscious", "chest_pain", "stroke", "bleeding", "poisoning",
	"fire", "break_in", "weapon", "violence", "domestic_violence", "sexual_assault",
	"child_danger", "drowning", "accident", "suicide",
}

// Example is one message of the emergency data: a situation described in words, or a
// harmless message that uses such words.
type Example struct {
	Text string
	Line int
}

// Cue is a word or phrase of the emergency lexicon.
type Cue struct {
	Text string
	Line int
}

// EmergencyClass is one category's lexicon and examples in one language.
type EmergencyClass struct {
	Cues     []Cue
	Examples []Example
}

// EmergencyData is one language's emergency file.
type EmergencyData struct {
	Lang       string
	File       string
	Categories map[string]*EmergencyClass
	// Harmless are look-alikes: their cues veto an emergency cue at the same place
	// ("fire me"), their examples teach the detector what is not an emergency.
	Harmless EmergencyClass
	// Negations are words that, just before a cue, say the opposite ("er ist nicht
	// bewusstlos"); NegationsAfter the same just after it (Turkish "değil").
	Negations, NegationsAfter []string
}

// GlossaryEntry is a German office or procedure name and how people write it in one
// language.
type GlossaryEntry struct {
	German   string
	Variants []string
	Lang     string
	Line     int
}

// learnData holds what loadLearnData read.
type learnData struct {
	phrasings []Phrasing
	emergency map[string]*EmergencyData
	glossary  []GlossaryEntry
}

func loadLearnData(fsys fs.FS, whole hash.Hash, topics map[string]*Topic) (learnData, []Issue) {
	d := learnData{emergency: map[string]*EmergencyData{}}
	var issues []Issue
	add := func(file string, line int, warn bool, format string, args ...any) {
		issues = append(issues, Issue{File: file, Line: line, Warning: warn, Msg: fmt.Sprintf(format, args...)})
	}
	eachFile(fsys, whole, PhrasingDir, &issues, func(file, lang string, root *yaml.Node) {
		counts := map[string]int{}
		forMap(root, file, &issues, func(k, v *yaml.Node) {
			id := k.Value
			if topics[id] == nil && id != OutOfScope {
				add(file, k.Line, false, "unknown topic %q", id)
				return
			}
			for _, s := range stringList(v, file, &issues) {
				d.phrasings = append(d.phrasings, Phrasing{TopicID: id, Lang: lang, Text: s.Text, File: file, Line: s.Line})
				counts[id]++
			}
		})
		for id := range topics {
			if n := counts[id]; n < MinPhrasings {
				add(file, 0, true, "topic %q has %d phrasings (want at least %d)", id, n, MinPhrasings)
			}
		}
	})
	eachFile(fsys, whole, EmergencyDir, &issues, func(file, lang string, root *yaml.Node) {
		ed := &EmergencyData{Lang: lang, File: file, Categories: map[string]*EmergencyClass{}}
		forMap(root, file, &issues, func(k, v *yaml.Node) {
			switch k.Value {
			case "categories":
				forMap(v, file, &issues, func(ck, cv *yaml.Node) {
					if !slices.Contains(EmergencyCategories, ck.Value) {
						add(file, ck.Line, false, "unknown emergency category %q (known: %s)", ck.Value, strings.Join(EmergencyCategories, ", "))
						return
					}
					c := emergencyClass(cv, file, &issues)
					if len(c.Cues) == 0 && len(c.Examples) == 0 {
						add(file, ck.Line, false, "category %q has neither cues nor examples", ck.Value)
					}
					ed.Categories[ck.Value] = &c
				})
			case "harmless":
				ed.Harmless = emergencyClass(v, file, &issues)
			case "negations", "negations_after":
				var words []string
				for _, s := range stringList(v, file, &issues) {
					words = append(words, s.Text)
				}
				if k.Value == "negations" {
					ed.Negations = words
				} else {
					ed.NegationsAfter = words
				}
			default:
				add(file, k.Line, false, "unknown key %q (want categories, harmless, negations, negations_after)", k.Value)
			}
		})
		for _, c := range EmergencyCategories {
			if ed.Categories[c] == nil {
				add(file, 0, true, "emergency category %q is missing", c)
			}
		}
		d.emergency[lang] = ed
	})
	eachFile(fsys, whole, GlossaryDir, &issues, func(file, lang string, root *yaml.Node) {
		forMap(root, file, &issues, func(k, v *yaml.Node) {
			e := GlossaryEntry{German: k.Value, Lang: lang, Line: k.Line}
			for _, s := range stringList(v, file, &issues) {
				e.Variants = append(e.Variants, s.Text)
			}
			d.glossary = append(d.glossary, e)
		})
	})
	return d, issues
}

func emergencyClass(n *yaml.Node, file string, issues *[]Issue) EmergencyClass {
	var c EmergencyClass
	forMap(n, file, issues, func(k, v *yaml.Node) {
		switch k.Value {
		case "cues":
			for _, s := range stringList(v, file, issues) {
				if strings.Trim(s.Text, "* ") == "" {
					*issues = append(*issues, Issue{File: file, Line: s.Line, Msg: "a cue needs a word"})
					continue
				}
				c.Cues = append(c.Cues, Cue(s))
			}
		case "examples":
			for _, s := range stringList(v, file, issues) {
				c.Examples = append(c.Examples, Example(s))
			}
		default:
			*issues = append(*issues, Issue{File: file, Line: k.Line, Msg: fmt.Sprintf("unknown key %q (want cues, examples)", k.Value)})
		}
	})
	return c
}

// eachFile parses every dir/<lang>.yaml and calls fn with its document's root node.
// A missing directory is no error: a content tree without learning data still loads
// (the models then learn from the topics' own questions).
func eachFile(fsys fs.FS, whole hash.Hash, dir string, issues *[]Issue, fn func(file, lang string, root *yaml.Node)) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return
	}
	// The files are parsed side by side; what comes of them is taken in the
	// order of the directory.
	type yamlFile struct {
		data []byte
		err  error // reading
		doc  yaml.Node
		perr error // parsing
	}
	files := make([]yamlFile, len(entries))
	parallel(len(entries), func(i int) {
		e, f := entries[i], &files[i]
		name := e.Name()
		lang, ok := strings.CutSuffix(name, ".yaml")
		if e.IsDir() || strings.HasPrefix(name, ".") || !ok || !IsLanguage(lang) {
			return
		}
		if f.data, f.err = fs.ReadFile(fsys, dir+"/"+name); f.err == nil {
			f.perr = yaml.Unmarshal(f.data, &f.doc)
		}
	})
	for i, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		file := dir + "/" + name
		lang, ok := strings.CutSuffix(name, ".yaml")
		if !ok {
			*issues = append(*issues, Issue{File: file, Msg: "files here are named <lang>.yaml"})
			continue
		}
		if !IsLanguage(lang) {
			*issues = append(*issues, Issue{File: file, Msg: fmt.Sprintf("unknown language %q", lang)})
			continue
		}
		f := &files[i]
		if f.err != nil {
			*issues = append(*issues, Issue{File: file, Msg: f.err.Error()})
			continue
		}
		whole.Write([]byte(file))
		whole.Write(f.data)
		if err := f.perr; err != nil {
			line, msg := yamlErr(err)
			*issues = append(*issues, Issue{File: file, Line: max(1, line-1), Msg: msg})
			continue
		}
		if len(f.doc.Content) == 0 {
			continue // an empty file
		}
		fn(file, lang, f.doc.Content[0])
	}
}

func forMap(n *yaml.Node, file string, issues *[]Issue, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		*issues = append(*issues, Issue{File: file, Line: n.Line, Msg: "expected a mapping (key: value)"})
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if l, dup := seen[k.Value]; dup {
			*issues = append(*issues, Issue{File: file, Line: k.Line, Msg: fmt.Sprintf("%q appears twice (first on line %d)", k.Value, l)})
			continue
		}
		seen[k.Value] = k.Line
		fn(k, n.Content[i+1])
	}
}

type lineText struct {
	Text string
	Line int
}

func stringList(n *yaml.Node, file string, issues *[]Issue) []lineText {
	if n.Kind != yaml.SequenceNode {
		*issues = append(*issues, Issue{File: file, Line: n.Line, Msg: "expected a list (- item)"})
		return nil
	}
	var out []lineText
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			*issues = append(*issues, Issue{File: file, Line: item.Line, Msg: "expected text"})
			continue
		}
		s := strings.TrimSpace(item.Value)
		if s == "" {
			*issues = append(*issues, Issue{File: file, Line: item.Line, Msg: "empty entry"})
			continue
		}
		out = append(out, lineText{Text: s, Line: item.Line})
	}
	return out
}

// HelplineFile lists the help lines that emergency replies name.
const HelplineFile = "helplines.yaml"

// Helpline is a specialised help line with its source.
type Helpline struct {
	Name    string   `yaml:"name"`
	Number  string   `yaml:"number"`
	AsOf    string   `yaml:"as_of"`
	Sources []Source `yaml:"sources"`
}

func loadHelplines(fsys fs.FS, whole hash.Hash) (map[string]*Helpline, []Issue) {
	out := map[string]*Helpline{}
	data, err := fs.ReadFile(fsys, HelplineFile)
	if err != nil {
		return out, nil // optional: emergency replies then name 112/110 only
	}
	whole.Write([]byte(HelplineFile))
	whole.Write(data)
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil {
		line, msg := yamlErr(err)
		return map[string]*Helpline{}, []Issue{{File: HelplineFile, Line: max(1, line-1), Msg: msg}}
	}
	var issues []Issue
	for id, h := range out {
		if h == nil || h.Number == "" || len(h.Sources) == 0 {
			issues = append(issues, Issue{File: HelplineFile, Msg: fmt.Sprintf("help line %q needs a number and at least one source", id)})
		}
	}
	return out, issues
}
