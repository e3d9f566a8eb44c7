package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
)

const i18nUsage = "i18n [merge] [--locales DIR]"

// messageSet is one kind of message file: the bot's (active.<lang>.toml) in every
// language, the staff page's (staff.<lang>.toml) in German and English.
type messageSet struct {
	prefix string
	langs  []string
}

func messageSets() []messageSet {
	return []messageSet{{locale.FilePrefix, content.Languages}, {locale.StaffPrefix, locale.StaffLangs}}
}

// runI18n is the translators' workflow (make i18n, make i18n-merge): without an
// argument it writes translate.<lang>.toml with the messages each language lacks or
// whose German text changed; with "merge" it puts the translations into
// active.<lang>.toml, changing only those messages' lines.
func runI18n(_ context.Context, env *Env, args []string) int {
	fs := newFlags(env, "i18n", i18nUsage)
	var dirs dirFlags
	dirs.register(fs, env)
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 1 || (len(pos) == 1 && pos[0] != "merge") {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", i18nUsage)
		return ExitUsage
	}
	src, ok := sourceOnDisk(env, "i18n", "locales", dirs.locales, "locale files")
	if !ok {
		return ExitUsage
	}
	if len(pos) == 1 {
		return i18nMerge(env, src.Dir)
	}
	return i18nPending(env, src.Dir)
}

func i18nPending(env *Env, dir string) int {
	code, files := ExitOK, 0
	for _, set := range messageSets() {
		german, err := os.ReadFile(filepath.Join(dir, set.prefix+content.SourceLang+locale.FileSuffix))
		if errors.Is(err, fs.ErrNotExist) && set.prefix != locale.FilePrefix {
			continue
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "i18n: %v\n", err)
			return ExitFail
		}
		for _, lang := range set.langs {
			if lang == content.SourceLang {
				continue
			}
			name := filepath.Join(dir, set.prefix+lang+locale.FileSuffix)
			out := filepath.Join(dir, locale.TranslateFile(set.prefix, lang))
			if _, err := os.Stat(out); err == nil {
				fmt.Fprintf(env.Stdout, "%s: there already; translate it and run `make i18n-merge` first (or delete it)\n", out)
				continue
			}
			target, err := os.ReadFile(name)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(env.Stderr, "i18n: %v\n", err)
				code = ExitFail
				continue
			}
			text, n, err := locale.Pending(german, target, lang)
			if err != nil {
				fmt.Fprintf(env.Stderr, "i18n: %s: %v\n", name, err)
				code = ExitFail
				continue
			}
			if n == 0 {
				continue
			}
			if err := os.WriteFile(out, text, 0o644); err != nil {
				fmt.Fprintf(env.Stderr, "i18n: %v\n", err)
				code = ExitFail
				continue
			}
			files++
			fmt.Fprintf(env.Stdout, "%s: %d message(s) to translate\n", out, n)
		}
	}
	if files == 0 && code == ExitOK {
		fmt.Fprintln(env.Stdout, "nothing to translate")
	} else if files > 0 {
		fmt.Fprintln(env.Stdout, "translate the values in those files, then run `make i18n-merge`")
	}
	return code
}

func i18nMerge(env *Env, dir string) int {
	code, files := ExitOK, 0
	for _, set := range messageSets() {
		for _, lang := range set.langs {
			if lang == content.SourceLang {
				continue
			}
			trName := filepath.Join(dir, locale.TranslateFile(set.prefix, lang))
			tr, err := os.ReadFile(trName)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			files++
			name := filepath.Join(dir, set.prefix+lang+locale.FileSuffix)
			if err := mergeOne(env, trName, tr, name, filepath.Join(dir, set.prefix+content.SourceLang+locale.FileSuffix)); err != nil {
				fmt.Fprintf(env.Stderr, "i18n merge: %v\n", err)
				code = ExitFail
			}
		}
	}
	if files == 0 {
		fmt.Fprintln(env.Stdout, "no translate.*.toml files: nothing to merge (run `make i18n` first)")
	}
	return code
}

// mergeOne merges one translate file into its language's file and removes it, or
// leaves in it the messages not translated yet.
func mergeOne(env *Env, trName string, tr []byte, name, germanName string) error {
	german, err := os.ReadFile(germanName)
	if err != nil {
		return err
	}
	target, err := os.ReadFile(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	res, err := locale.Merge(german, target, tr)
	if err != nil {
		return fmt.Errorf("%s: %w", trName, err)
	}
	if len(res.Merged) > 0 {
		if err := os.WriteFile(name, res.Target, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "%s: %d message(s) merged\n", name, len(res.Merged))
	for _, id := range res.Untranslated {
		fmt.Fprintf(env.Stdout, "%s: warning: message %q is still the German text\n", name, id)
	}
	if res.Rest != nil {
		fmt.Fprintf(env.Stdout, "%s: %d message(s) left empty stay here: %s\n", trName, len(res.Kept), strings.Join(res.Kept, ", "))
		return os.WriteFile(trName, res.Rest, 0o644)
	}
	return os.Remove(trName)
}

// sourceOnDisk resolves the directory of kind ("content", "locales") for a command
// that writes files there and prints it; the copies embedded in the binary cannot be
// written, so without a directory on disk the command stops with a message.
func sourceOnDisk(env *Env, cmd, kind, given, writes string) (app.Source, bool) {
	src, err := app.ResolveSource(kind, given)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", cmd, err)
		return src, false
	}
	if src.Embedded() {
		fmt.Fprintf(env.Stderr, "%s: it writes %s, and there is no ./%s here: run it in the folder that holds %s/, or give --%s DIR\n", cmd, writes, kind, kind, kind)
		return src, false
	}
	fmt.Fprintln(env.Stderr, src)
	return src, true
}
