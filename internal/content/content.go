// Package content loads and validates the city's topics and the intent word lists.
//
// Topics live one per file, translations side by side: <id>.<lang>.md with YAML front
// matter. Every error names the file and line it concerns.
package content

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Languages lists the supported languages, source language first.
var Languages = []string{"de", "en", "ar", "uk", "ru", "tr", "fa"}

// MaxIDLen is the longest topic id: Telegram's callback data (64 bytes) carries it.
const MaxIDLen = 48

// SourceLang is the language translations are made from.
const SourceLang = "de"

// IsLanguage reports whether lang is a supported language code.
func IsLanguage(lang string) bool { return slices.Contains(Languages, lang) }

// Source is one reference a topic's facts come from.
type Source struct {
	URL  string `yaml:"url"`
	Date string `yaml:"date"`
}

// Translation is one language version of a topic.
type Translation struct {
	Lang       string
	Title      string
	Short      string // the short answer, shown first (at most MaxShortWords words)
	Questions  []string
	Tags       []string
	Sources    []Source
	AsOf       string
	Related    []string
	SourceHash string
	Body       string // Markdown
	File       string // path inside the content FS
	Hash       string // hex SHA-256 of title and body: what translations are made from
}

// Topic is one subject with its translations.
type Topic struct {
	ID        string
	Contact   bool // the escalation contact shown when the bot is not sure
	Emergency bool // the answer to emergencies
	// GeneralAmounts marks a topic whose amounts are general figures (national
	// rates and prices that change every year, income limits), not what the person
	// asking will pay or get: a question about an amount is not answered with it.
	// It comes from the German file.
	GeneralAmounts bool
	// Owner is the office responsible for the facts; ReviewBy the date by which
	// someone checks them against the sources again (YYYY-MM-DD). Both come from the
	// German file.
	Owner, ReviewBy string
	Langs           map[string]*Translation
}

// DueForReview reports whether the topic's review date has come by now.
func (t *Topic) DueForReview(now time.Time) bool {
	d, err := time.Parse(time.DateOnly, t.ReviewBy)
	return err == nil && !now.Before(d)
}

// In returns the translation in lang, or nil.
func (t *Topic) In(lang string) *Translation { return t.Langs[lang] }

// Best returns the translation in lang if there is one, else in English, else in German,
// else any; the second result reports whether it is in lang.
func (t *Topic) Best(lang string) (*Translation, bool) {
	if tr := t.Langs[lang]; tr != nil {
		return tr, true
	}
	for _, l := range []string{"en", SourceLang} {
		if tr := t.Langs[l]; tr != nil {
			return tr, false
		}
	}
	for _, l := range Languages {
		if tr := t.Langs[l]; tr != nil {
			return tr, false
		}
	}
	return nil, false
}

// Stale reports whether a translation was made from an older version of the source
// language file. Translations without source_hash are not stale (the check warns).
func (t *Topic) Stale(lang string) bool {
	tr, src := t.Langs[lang], t.Langs[SourceLang]
	if tr == nil || src == nil || lang == SourceLang || tr.SourceHash == "" {
		return false
	}
	return !strings.HasPrefix(src.Hash, tr.SourceHash)
}

// Corpus is the whole content: topics by id, sorted ids, and intents by language.
type Corpus struct {
	Topics  map[string]*Topic
	IDs     []string
	Intents map[string]*Intents
	// Phrasings are how newcomers ask about each topic (phrasings/<lang>.yaml).
	Phrasings []Phrasing
	// Emergency is the emergency lexicon and examples by language.
	Emergency map[string]*EmergencyData
	// Glossary lists German office names and how people write them.
	Glossary []GlossaryEntry
	// Helplines are the specialised help lines by id (poison, crisis, violence).
	Helplines map[string]*Helpline
	// Hash identifies the content as a whole (used to reuse a built index).
	Hash string
}

// Topic returns the topic with id, or nil.
func (c *Corpus) Topic(id string) *Topic { return c.Topics[id] }

// Contact returns the escalation contact topic, or nil.
func (c *Corpus) Contact() *Topic {
	for _, id := range c.IDs {
		if c.Topics[id].Contact {
			return c.Topics[id]
		}
	}
	return nil
}

// EmergencyTopic returns the emergency topic, or nil.
func (c *Corpus) EmergencyTopic() *Topic {
	for _, id := range c.IDs {
		if c.Topics[id].Emergency {
			return c.Topics[id]
		}
	}
	return nil
}

// Issue is one problem found in the content. Errors stop start-up; warnings do not.
type Issue struct {
	File    string
	Line    int
	Warning bool
	Msg     string
}

// String is "file:line: error: message" or "file:line: warning: message", the
// shape compilers use and editors jump to. A problem of a file as a whole (Line 0)
// is on line 1; a problem of the whole directory (File "." or ending in "/") names
// the directory without a line: "content/: error: no topics found".
func (i Issue) String() string {
	kind := "error"
	if i.Warning {
		kind = "warning"
	}
	if i.File == "." || strings.HasSuffix(i.File, "/") {
		return fmt.Sprintf("%s: %s: %s", i.File, kind, i.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", i.File, max(i.Line, 1), kind, i.Msg)
}

// Error reports the content errors found by Load.
type Error struct{ Issues []Issue }

func (e *Error) Error() string {
	var b strings.Builder
	n := 0
	for _, i := range e.Issues {
		if i.Warning {
			continue
		}
		if n > 0 {
			b.WriteString("\n")
		}
		b.WriteString(i.String())
		n++
	}
	return fmt.Sprintf("content: %d error(s):\n%s", n, b.String())
}

var (
	fileRe = regexp.MustCompile(`^([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z]{2,3})\.md$`)
	idRe   = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	dateRe = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
)

// Load reads every topic and intent file from fsys (the root of the content tree).
// It returns the corpus and all issues found (warnings included); the error is an
// *Error when any issue is an error, and the corpus must then not be used.
func Load(fsys fs.FS) (*Corpus, []Issue, error) {
	c := &Corpus{Topics: map[string]*Topic{}, Intents: map[string]*Intents{}}
	var issues []Issue
	add := func(file string, line int, warn bool, format string, args ...any) {
		issues = append(issues, Issue{File: file, Line: line, Warning: warn, Msg: fmt.Sprintf(format, args...)})
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("content: %w", err)
	}
	whole := sha256.New()
	relatedLines := map[*Translation][]int{}
	// The files are read and parsed side by side (parsing is most of loading,
	// and nothing else can start before it); what comes of them is taken in
	// the order of the directory, as if they were parsed one after another.
	// isTopicFile reports a file the loop below reads as a topic; the parallel
	// parse reads the same files.
	isTopicFile := func(e fs.DirEntry) bool {
		name := e.Name()
		return !e.IsDir() && !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".md") && !strings.EqualFold(name, "README.md")
	}
	type topicFile struct {
		data []byte
		err  error
		tr   *Translation
		meta frontMeta
		perr []Issue
	}
	files := make([]topicFile, len(entries))
	parallel(len(entries), func(i int) {
		e, f := entries[i], &files[i]
		if !isTopicFile(e) {
			return
		}
		if f.data, f.err = fs.ReadFile(fsys, e.Name()); f.err != nil {
			return
		}
		if m := fileRe.FindStringSubmatch(e.Name()); m != nil && len(m[1]) <= MaxIDLen && IsLanguage(m[2]) {
			f.tr, f.meta, f.perr = parseTopic(e.Name(), m[2], f.data)
		}
	})
	for i, e := range entries {
		name := e.Name()
		if !isTopicFile(e) {
			continue
		}
		data, err := files[i].data, files[i].err
		if err != nil {
			add(name, 0, false, "cannot read: %v", err)
			continue
		}
		whole.Write([]byte(name))
		whole.Write(data)
		m := fileRe.FindStringSubmatch(name)
		if m == nil {
			add(name, 0, false, "file name must be <topic-id>.<lang>.md with a lower-case id of letters, digits and dashes")
			continue
		}
		id, lang := m[1], m[2]
		if len(id) > MaxIDLen {
			add(name, 0, false, "topic id %q is longer than %d characters (Telegram buttons carry it)", id, MaxIDLen)
			continue
		}
		if !IsLanguage(lang) {
			add(name, 0, false, "unknown language %q (supported: %s)", lang, strings.Join(Languages, ", "))
			continue
		}
		tr, meta, perr := files[i].tr, files[i].meta, files[i].perr // parsed above: the name passed the same checks
		if perr != nil {
			issues = append(issues, perr...)
			if tr == nil {
				continue
			}
		}
		relatedLines[tr] = meta.relatedLines
		t := c.Topics[id]
		if t == nil {
			t = &Topic{ID: id, Langs: map[string]*Translation{}}
			c.Topics[id] = t
		}
		t.Langs[lang] = tr
		if meta.contact {
			t.Contact = true
		}
		if meta.emergency {
			t.Emergency = true
		}
		if lang == SourceLang {
			t.Owner, t.ReviewBy = meta.owner, meta.reviewBy
			t.GeneralAmounts = meta.generalAmounts
			if meta.owner == "" {
				add(name, 1, true, "no owner: name the office responsible for these facts (owner: …)")
			}
			if meta.reviewBy == "" {
				add(name, 1, true, "no review_by: set the date by which the facts are checked again (review_by: YYYY-MM-DD)")
			}
		}
		if tr.Short == "" {
			add(name, 1, true, "no short answer: add short: with the two or three things most people need (at most %d words)", MaxShortWords)
		}
	}
	for id, t := range c.Topics {
		c.IDs = append(c.IDs, id)
		if t.Langs[SourceLang] == nil {
			for _, tr := range t.Langs {
				add(tr.File, 0, false, "topic %q has no German (%s) source file; write %s.%s.md first: translations are made from it", id, SourceLang, id, SourceLang)
				break
			}
		}
		for _, tr := range t.Langs {
			for i, r := range tr.Related {
				line := 0
				if i < len(relatedLines[tr]) {
					line = relatedLines[tr][i]
				}
				switch {
				case r == id:
					add(tr.File, line, false, "related topic %q is the topic itself", r)
				case c.Topics[r] == nil:
					add(tr.File, line, false, "related topic %q does not exist", r)
				}
			}
			if tr.Lang != SourceLang && t.Langs[SourceLang] != nil {
				switch {
				case tr.SourceHash == "":
					add(tr.File, 0, true, "translation has no source_hash; when it says what %s says, run `ankommen stamp` on this file (it sets source_hash: %s)", t.Langs[SourceLang].File, short(t.Langs[SourceLang].Hash))
				case t.Stale(tr.Lang):
					add(tr.File, 0, true, "stale: the German file changed since this translation (source_hash is %s, German is now %s); translate the change from %s, then run `ankommen stamp` on this file", tr.SourceHash, short(t.Langs[SourceLang].Hash), t.Langs[SourceLang].File)
				}
			}
		}
	}
	sort.Strings(c.IDs)
	issues = append(issues, checkUnique(c)...)
	issues = append(issues, checkDuplicateQuestions(c)...)

	intents, iissues := loadIntents(fsys, whole)
	issues = append(issues, iissues...)
	c.Intents = intents
	ld, lissues := loadLearnData(fsys, whole, c.Topics)
	issues = append(issues, lissues...)
	c.Phrasings, c.Emergency, c.Glossary = ld.phrasings, ld.emergency, ld.glossary
	hl, hissues := loadHelplines(fsys, whole)
	issues = append(issues, hissues...)
	c.Helplines = hl
	c.Hash = hex.EncodeToString(whole.Sum(nil))

	sort.SliceStable(issues, func(i, j int) bool {
		if issues[i].File != issues[j].File {
			return issues[i].File < issues[j].File
		}
		return issues[i].Line < issues[j].Line
	})
	for _, i := range issues {
		if !i.Warning {
			return c, issues, &Error{Issues: issues}
		}
	}
	if len(c.Topics) == 0 {
		return c, issues, &Error{Issues: append(issues, Issue{File: ".", Msg: "no topics found (<topic-id>.<lang>.md files); is this the content directory?"})}
	}
	return c, issues, nil
}

// ShortHash is the form of a file hash that translations record in source_hash.
func ShortHash(h string) string { return short(h) }

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func checkUnique(c *Corpus) []Issue {
	var issues []Issue
	var contacts, emergencies []string
	for _, id := range c.IDs {
		t := c.Topics[id]
		if t.Contact {
			contacts = append(contacts, id)
		}
		if t.Emergency {
			emergencies = append(emergencies, id)
		}
	}
	one := func(flag string, ids []string) {
		switch {
		case len(ids) == 0:
			issues = append(issues, Issue{File: ".", Msg: fmt.Sprintf("no topic has %s: true; set it in the front matter of exactly one topic", flag)})
		case len(ids) > 1:
			for _, id := range ids[1:] {
				tr, _ := c.Topics[id].Best(SourceLang)
				issues = append(issues, Issue{File: tr.File, Msg: fmt.Sprintf("%s: true is also set on %q; exactly one topic may have it", flag, ids[0])})
			}
		}
	}
	one("contact", contacts)
	one("emergency", emergencies)
	return issues
}

// Errors returns only the errors among issues.
func Errors(issues []Issue) []Issue {
	var out []Issue
	for _, i := range issues {
		if !i.Warning {
			out = append(out, i)
		}
	}
	return out
}

// checkDuplicateQuestions reports a question listed in two topics of one language:
// the bot could not tell which one is meant.
func checkDuplicateQuestions(c *Corpus) []Issue {
	var issues []Issue
	owner := map[string]string{} // lang + "\x00" + question → topic id
	for _, id := range c.IDs {
		for _, lang := range Languages {
			tr := c.Topics[id].Langs[lang]
			if tr == nil {
				continue
			}
			for _, q := range tr.Questions {
				key := lang + "\x00" + strings.ToLower(strings.Join(strings.Fields(q), " "))
				if other, ok := owner[key]; ok && other != id {
					issues = append(issues, Issue{File: tr.File, Msg: fmt.Sprintf("question %q is also listed in topic %q; keep it in one topic, or the bot cannot tell which is meant", q, other)})
					continue
				}
				owner[key] = id
			}
		}
	}
	return issues
}

// parallel calls f(i) for every i < n, on as many goroutines as there are CPUs to
// run them, and returns when every call has returned.
func parallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}
