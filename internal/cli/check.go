package cli

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
)

func runCheck(_ context.Context, env *Env, args []string) int {
	flags := newFlags(env, "check", "check [--content DIR] [--locales DIR]")
	var dirs dirFlags
	dirs.register(flags, env)
	if code := parse(flags, args); code >= 0 {
		return code
	}
	corpus, issues, err := content.Load(app.ContentFS(dirs.content))
	if corpus == nil && err != nil {
		fmt.Fprintf(env.Stderr, "check: %v\n", err)
		return ExitFail
	}
	where := func(base string) string {
		if base == "" {
			return "content/"
		}
		return base + "/"
	}(dirs.content)
	errs := 0
	for _, i := range issues {
		i.File = where + i.File
		fmt.Fprintln(env.Stdout, i.String())
		if !i.Warning {
			errs++
		}
	}
	lerrs := checkLocales(env, app.LocaleFS(dirs.locales), dirs.locales)
	errs += lerrs
	warns := len(issues) - len(content.Errors(issues))
	fmt.Fprintf(env.Stdout, "%d topics in %d languages; %d error(s), %d warning(s)\n", len(corpus.IDs), countLangs(corpus), errs, warns)
	if errs > 0 {
		return ExitFail
	}
	return ExitOK
}

func checkLocales(env *Env, fsys fs.FS, dir string) int {
	if dir == "" {
		dir = "locales"
	}
	var langs []string
	for _, l := range content.Languages {
		if _, err := fs.Stat(fsys, locale.FilePrefix+l+locale.FileSuffix); err == nil {
			langs = append(langs, l)
		}
	}
	if _, err := locale.Load(fsys, langs, nil); err != nil {
		fmt.Fprintf(env.Stdout, "%s: error: %v\n", dir, err)
		return 1
	}
	return 0
}

func countLangs(c *content.Corpus) int {
	seen := map[string]bool{}
	for _, t := range c.Topics {
		for l := range t.Langs {
			seen[l] = true
		}
	}
	return len(seen)
}
