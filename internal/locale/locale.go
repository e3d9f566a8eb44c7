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
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
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

// Load reads every active.<lang>.toml in fsys, and staff.<lang>.toml where there is
// one. logger may be nil.
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
	var errs []string
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
				errs = append(errs, fmt.Sprintf("%s: %v", name, err))
				continue
			}
			mf, err := b.bundle.ParseMessageFileBytes(data, name)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %s", name, tomlErr(err)))
				continue
			}
			if b.ids[lang] == nil {
				b.ids[lang] = map[string]bool{}
			}
			for _, m := range mf.Messages {
				b.ids[lang][m.ID] = true
			}
			found = found || prefix == FilePrefix
		}
		if found {
			b.localizers[lang] = i18n.NewLocalizer(b.bundle, lang)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("locale: %s", strings.Join(errs, "; "))
	}
	return b, nil
}

func tomlErr(err error) string {
	var perr toml.ParseError
	if e, ok := err.(toml.ParseError); ok {
		perr = e
		return fmt.Sprintf("line %d: %s", perr.Position.Line, perr.Message)
	}
	return err.Error()
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
		b.logger.Warn("missing message", "lang", lang, "id", id)
	}
}
