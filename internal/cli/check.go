package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
)

func runCheck(_ context.Context, env *Env, args []string) int {
	flags := newFlags(env, "check", "check [--content DIR] [--locales DIR]")
	var dirs dirFlags
	dirs.register(flags, env)
	pos, code := parse(flags, args)
	if code >= 0 {
		return code
	}
	if !noArgs(env, "check", pos) {
		return ExitUsage
	}
	src, ok := dirs.sources(env, "check")
	if !ok {
		return ExitUsage
	}
	corpus, issues, err := content.Load(app.ContentFS(src.Content.Dir))
	if corpus == nil && err != nil {
		fmt.Fprintf(env.Stderr, "check: %v\n", err)
		return ExitFail
	}
	// A review date that has come is a warning: the facts may have changed.
	for _, id := range corpus.IDs {
		t := corpus.Topics[id]
		if de := t.In(content.SourceLang); de != nil && t.DueForReview(env.now()) {
			issues = append(issues, content.Issue{File: de.File, Line: 1, Warning: true,
				Msg: fmt.Sprintf("review_by %s has passed: check the facts against the sources with %s, then set a new date", t.ReviewBy, orDash(t.Owner))})
		}
	}
	errs := 0
	for _, i := range issues {
		i.File = inDir(src.Content, i.File)
		fmt.Fprintln(env.Stdout, i.String())
		if !i.Warning {
			errs++
		}
	}
	// The needs unanswered questions are grouped by (staff page, ankommen backlog).
	_, needIssues := backlog.LoadNeeds(app.ContentFS(src.Content.Dir))
	for _, i := range needIssues {
		i.File = inDir(src.Content, i.File)
		fmt.Fprintln(env.Stdout, i.String())
		errs++
	}
	lerrs := checkLocales(env, src.Locales, corpus)
	errs += lerrs
	warns := len(issues) - len(content.Errors(issues))
	fmt.Fprintf(env.Stdout, "%d topics in %d languages; %d error(s), %d content warning(s)\n", len(corpus.IDs), countLangs(corpus), errs, warns)
	if errs > 0 {
		return ExitFail
	}
	return ExitOK
}

// checkLocales reports locale problems and prints the coverage table; it returns the
// number of errors.
func checkLocales(env *Env, src app.Source, corpus *content.Corpus) int {
	problems, cov := locale.Check(app.LocaleFS(src.Dir), content.SourceLang, content.Languages)
	errs := 0
	for _, p := range problems {
		p.File = inDir(src, p.File)
		fmt.Fprintln(env.Stdout, p.String())
		if !p.Warning {
			errs++
		}
	}
	phrasings, covered := map[string]int{}, map[string]map[string]int{}
	for _, p := range corpus.Phrasings {
		phrasings[p.Lang]++
		if covered[p.Lang] == nil {
			covered[p.Lang] = map[string]int{}
		}
		covered[p.Lang][p.TopicID]++
	}
	examples := map[string]int{}
	for lang, ed := range corpus.Emergency {
		for _, c := range ed.Categories {
			examples[lang] += len(c.Examples)
		}
	}
	fmt.Fprintf(env.Stdout, "\n%-5s %16s %16s %7s %10s %16s %9s\n", "lang", "messages", "topics", "stale", "phrasings", "topics ≥30 phr.", "emerg.ex")
	for _, c := range cov {
		topics, stale := 0, 0
		for _, id := range corpus.IDs {
			t := corpus.Topics[id]
			if t.In(c.Lang) != nil {
				topics++
			}
			if t.Stale(c.Lang) {
				stale++
			}
		}
		full := 0
		for _, id := range corpus.IDs {
			if covered[c.Lang][id] >= content.MinPhrasings {
				full++
			}
		}
		fmt.Fprintf(env.Stdout, "%-5s %4d/%-4d %5.1f%% %4d/%-4d %5.1f%% %7d %10d %4d/%-4d %5.1f%% %9d\n", c.Lang,
			c.Messages, c.TotalMessages, pct(c.Messages, c.TotalMessages),
			topics, len(corpus.IDs), pct(topics, len(corpus.IDs)), stale,
			phrasings[c.Lang], full, len(corpus.IDs), pct(full, len(corpus.IDs)), examples[c.Lang])
	}
	fmt.Fprintln(env.Stdout)
	return errs
}

// inDir is the path of a file of src as the user knows it: in the directory on disk,
// or in the repository's content/ or locales/ for embedded files. "." (the
// directory as a whole) becomes the directory with a trailing slash.
func inDir(src app.Source, file string) string {
	dir := src.Dir
	if dir == "" {
		dir = src.Kind
	}
	if file == "." {
		return strings.TrimSuffix(dir, "/") + "/"
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
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
