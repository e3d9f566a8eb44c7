// Package locale holds the interface strings (go-i18n message files in locales/) and
// localizes them with an explicit fallback chain: the user's language, then English,
// then German. go-i18n on its own would match a missing language to one of the same
// script (Russian for Ukrainian, Arabic for Persian); this package never does that.
package locale

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/oldenburg/ankommen/internal/content"
	"golang.org/x/text/language"
)

// Bundle holds the messages of every language.
type Bundle struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	ids        map[string]map[string]bool // lang → message ids
	logger     *slog.Logger
	missing    sync.Map // "lang/id" → struct{}: logged once
}

// FilePrefix and FileSuffix frame a language code in goi18n's layout.
const (
	FilePrefix = "active."
	FileSuffix = ".toml"
	// StaffPrefix names the files of the staff page's strings, staff.<lang>.toml:
	// German and English only (StaffLangs), in the same bundle.
	StaffPrefix = "staff."
)

// StaffLangs are the languages of the staff page.
var StaffLangs = []string{"de", "en"}

// Error reports the locale files that cannot be read or parsed, each with its line.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("locale: %d error(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Load reads every active.<lang>.toml in fsys, and staff.<lang>.toml where there is
// one. A file that cannot be read or parsed makes it fail with an *Error naming
// every such file. A message that a language lacks is logged once, as a warning
// naming message and language, here at load (and not again when it is shown in
// English or German). logger may be nil.
func Load(fsys fs.FS, langs []string, logger *slog.Logger) (*Bundle, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &Bundle{
		bundle:     i18n.NewBundle(language.German),
		localizers: map[string]*i18n.Localizer{},
		ids:        map[string]map[string]bool{},
		logger:     logger,
	}
	b.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var errs []Problem
	// ids by file prefix and language, to find the messages a language lacks
	sets := map[string]map[string]map[string]bool{FilePrefix: {}, StaffPrefix: {}}
	for _, lang := range langs {
		found := false
		for _, prefix := range []string{FilePrefix, StaffPrefix} {
			name := prefix + lang + FileSuffix
			data, err := fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				// A language without its own file is served through the fallback
				// chain; check reports the gap.
				continue
			}
			if err != nil {
				errs = append(errs, Problem{File: name, Msg: err.Error()})
				continue
			}
			mf, err := b.bundle.ParseMessageFileBytes(data, name)
			if err != nil {
				line, msg := tomlErr(err)
				errs = append(errs, Problem{File: name, Line: line, Msg: msg})
				continue
			}
			if b.ids[lang] == nil {
				b.ids[lang] = map[string]bool{}
			}
			sets[prefix][lang] = map[string]bool{}
			for _, m := range mf.Messages {
				b.ids[lang][m.ID] = true
				sets[prefix][lang][m.ID] = true
			}
			found = found || prefix == FilePrefix
		}
		if found {
			b.localizers[lang] = i18n.NewLocalizer(b.bundle, lang)
		}
	}
	if len(errs) > 0 {
		return nil, &Error{Problems: errs}
	}
	for _, prefix := range []string{FilePrefix, StaffPrefix} {
		b.logGaps(prefix, sets[prefix], langs)
	}
	return b, nil
}

// logGaps logs each message of the German file of prefix that another language's
// file lacks, and marks it as logged, so that T does not log it again. A language
// without a file of its own is one warning, not one per message.
func (b *Bundle) logGaps(prefix string, ids map[string]map[string]bool, langs []string) {
	src := ids[content.SourceLang]
	if src == nil {
		return
	}
	sorted := make([]string, 0, len(src))
	for id := range src {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	for _, lang := range langs {
		if lang == content.SourceLang {
			continue
		}
		if prefix == StaffPrefix && !slices.Contains(StaffLangs, lang) {
			continue
		}
		have := ids[lang]
		if have == nil {
			b.logger.Warn("missing translation file; users get the English or German text", "lang", lang, "file", prefix+lang+FileSuffix)
			for _, id := range sorted {
				b.missing.Store(lang+"/"+id, struct{}{})
			}
			continue
		}
		for _, id := range sorted {
			if !have[id] {
				b.logMissing(lang, id)
			}
		}
	}
}

// tomlErr returns the line of a TOML syntax error (0 when it has none) and its
// message.
func tomlErr(err error) (int, string) {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		return perr.Position.Line, perr.Message
	}
	return 0, err.Error()
}

// IDs returns the message ids of lang.
func (b *Bundle) IDs(lang string) map[string]bool { return b.ids[lang] }

// chain is the explicit fallback order for lang.
func chain(lang string) []string {
	out := []string{lang}
	for _, l := range []string{"en", "de"} {
		if l != lang {
			out = append(out, l)
		}
	}
	return out
}

// T localizes id in lang with data (a map or struct for {{.Name}} placeholders).
// A message missing in lang comes from English, then German, and is logged once.
func (b *Bundle) T(lang, id string, data any) string {
	return b.localize(lang, &i18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// N localizes a plural message id for count n; data may add further fields, and
// {{.Count}} holds n.
func (b *Bundle) N(lang, id string, n int, data map[string]any) string {
	td := map[string]any{"Count": n}
	for k, v := range data {
		td[k] = v
	}
	return b.localize(lang, &i18n.LocalizeConfig{MessageID: id, TemplateData: td, PluralCount: n})
}

func (b *Bundle) localize(lang string, lc *i18n.LocalizeConfig) string {
	for _, l := range chain(lang) {
		loc := b.localizers[l]
		if loc == nil {
			continue
		}
		msg, tag, err := loc.LocalizeWithTag(lc)
		if err == nil && tag.String() == l {
			if l != lang {
				b.logMissing(lang, lc.MessageID)
			}
			return msg
		}
	}
	b.logMissing(lang, lc.MessageID)
	return lc.MessageID
}

func (b *Bundle) logMissing(lang, id string) {
	if _, loaded := b.missing.LoadOrStore(lang+"/"+id, struct{}{}); !loaded {
		b.logger.Warn("missing translation; users get the English or German text", "lang", lang, "id", id)
	}
}
