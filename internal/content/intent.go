package content

import (
	"fmt"
	"hash"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"
)

// Intents are the phrases recognised before any search, for one language.
type Intents struct {
	Emergency []string `yaml:"emergency"`
	// EmergencyShort are words that mean an emergency only in a message of at most
	// three words ("Fire!"), but not inside a question ("Can my boss fire me?").
	EmergencyShort []string `yaml:"emergency_short"`
	Greeting       []string `yaml:"greeting"`
	Thanks         []string `yaml:"thanks"`
	Human          []string `yaml:"human"`
	// Filler are words that carry no topic in a question ("erreichen", "bekommen",
	// "Hilfe"): search ignores them, so they neither rank nor count against an answer.
	Filler []string `yaml:"filler"`
	// Price are words that ask what something costs or how much money one gets or
	// pays ("kostet", "Gebühren", "how much money"). A topic whose text names no
	// amount and nothing free does not answer such a question: the bot asks back.
	Price []string `yaml:"price"`
	// NotPrice are words of time and waiting ("Zeit", "days", "времени"): in the
	// gap of a price entry ("how much * get") or just after one, they make it a
	// question of how long, not of how much money.
	NotPrice []string `yaml:"not_price"`
}

// IntentDir is the directory inside the content tree that holds intents/<lang>.yaml.
const IntentDir = "intents"

func loadIntents(fsys fs.FS, whole hash.Hash) (map[string]*Intents, []Issue) {
	out := map[string]*Intents{}
	var issues []Issue
	entries, err := fs.ReadDir(fsys, IntentDir)
	if err != nil {
		return out, []Issue{{File: IntentDir, Msg: fmt.Sprintf("cannot read intent directory: %v", err)}}
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		file := IntentDir + "/" + name
		lang, ok := strings.CutSuffix(name, ".yaml")
		if !ok {
			issues = append(issues, Issue{File: file, Msg: "intent files are named <lang>.yaml"})
			continue
		}
		if !IsLanguage(lang) {
			issues = append(issues, Issue{File: file, Msg: fmt.Sprintf("unknown language %q", lang)})
			continue
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			issues = append(issues, Issue{File: file, Msg: err.Error()})
			continue
		}
		whole.Write([]byte(file))
		whole.Write(data)
		var in Intents
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&in); err != nil {
			line, msg := 0, err.Error()
			if l, m := yamlErr(err); l > 0 {
				line, msg = l-1, m // intent files have no front matter offset
			}
			if line < 1 {
				line = 1
			}
			issues = append(issues, Issue{File: file, Line: line, Msg: msg})
			continue
		}
		if len(in.Emergency) == 0 {
			issues = append(issues, Issue{File: file, Line: 1, Msg: "emergency list is empty"})
		}
		out[lang] = &in
	}
	for _, l := range Languages {
		if out[l] == nil && !hasIssueFor(issues, IntentDir+"/"+l+".yaml") {
			issues = append(issues, Issue{File: IntentDir + "/" + l + ".yaml", Msg: "intent file missing: emergencies would not be recognised in this language"})
		}
	}
	return out, issues
}

func hasIssueFor(issues []Issue, file string) bool {
	for _, i := range issues {
		if i.File == file {
			return true
		}
	}
	return false
}
