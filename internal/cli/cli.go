// Package cli implements the ankommen subcommands. Run is what main calls; tests
// call it with their own streams.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
)

// Env is what a command reads and writes.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Terminal reports whether stdin is an interactive terminal.
	Terminal bool
	// Now is the clock (time.Now when nil): review dates, outdated sources.
	Now func() time.Time
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Exit codes.
const (
	ExitOK    = 0
	ExitFail  = 1 // the command ran and failed: broken content, eval below --min, …
	ExitUsage = 2 // the command line or the input is wrong
)

type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, env *Env, args []string) int
}

func commands() []command {
	return []command{
		{"ask", "ask [--lang L] [--json] [QUESTION]", "answer one question, or one per line from stdin", runAsk},
		{"shell", "shell [--lang L] [--debug]", "chat with the bot in the terminal", runShell},
		{"check", "check [--content DIR] [--locales DIR]", "validate content and locale files", runCheck},
		{"eval", "eval [--min F] [--langs de,en] FILE", "measure answers against a question file", runEval},
		{"serve", "serve [--addr A] [--data DIR | --database-url URL] [--webhook-url U]", "run the Telegram bot and the HTTP server", runServe},
		{"stamp", "stamp FILE...", "mark translation files as up to date with the German text", runStamp},
		{"i18n", i18nUsage, "write the interface strings to translate, or merge them (make i18n)", runI18n},
		{"staff", staffUsage, "manage the accounts of the staff page", runStaff},
		{"backlog", backlogUsage, "print open questions grouped across languages, or the work ranked by demand", runBacklog},
		{"learned", learnedUsage, "show learned phrasings, or write them into the content files", runLearned},
		{"store", storeUsage, "copy the state between SQLite and PostgreSQL (moving to replicas)", runStore},
	}
}

// Run runs the subcommand named in args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "ankommen: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ankommen answers newcomers' questions about arriving in Oldenburg.")
	fmt.Fprintln(w, "\nUsage: ankommen COMMAND [options]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-42s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ankommen COMMAND --help' for the options of a command.")
}

// newFlags returns a FlagSet that reports errors to env.Stderr and does not exit.
func newFlags(env *Env, name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with flags anywhere: before, between and after the other
// arguments ("ask hello --json"), which it returns in order; after "--" everything
// is an argument. The second result is the exit code to use when parsing failed
// (help, or a wrong flag reported on stderr), else -1. Go's flag package alone stops
// at the first argument and would leave later flags as words of the question.
func parse(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitOK
			}
			return nil, ExitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs reports an argument to a command that takes none.
func noArgs(env *Env, cmd string, pos []string) bool {
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q (%s takes only flags; see ankommen %s --help)\n", cmd, pos[0], cmd, cmd)
		return false
	}
	return true
}

// dirFlags are --content and --locales, which every command that reads content or
// locales accepts; ANKOMMEN_CONTENT and ANKOMMEN_LOCALES are their defaults.
type dirFlags struct{ content, locales string }

// sources applies the one rule for where content and locales come from
// (app.ResolveSources) and prints its outcome on stderr. It reports false, with the
// reason on stderr, when a given directory does not exist.
func (d dirFlags) sources(env *Env, cmd string) (app.Sources, bool) {
	src, err := app.ResolveSources(d.content, d.locales)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", cmd, err)
		return app.Sources{}, false
	}
	fmt.Fprintln(env.Stderr, src)
	return src, true
}

func (d *dirFlags) register(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&d.content, "content", env.Getenv("ANKOMMEN_CONTENT"), "read content from this directory (env ANKOMMEN_CONTENT; default ./content when it exists, else the embedded content)")
	fs.StringVar(&d.locales, "locales", env.Getenv("ANKOMMEN_LOCALES"), "read locale files from this directory (env ANKOMMEN_LOCALES; default ./locales when it exists, else the embedded ones)")
}

func logger(env *Env) *slog.Logger {
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func langList(langs []string) string { return strings.Join(langs, ", ") }

// checkLang reports an unsupported --lang value; "" (detect) is fine.
func checkLang(env *Env, cmd, lang string) bool {
	if lang != "" && !content.IsLanguage(lang) {
		fmt.Fprintf(env.Stderr, "%s: unsupported language %q; supported: %s\n", cmd, lang, langList(content.Languages))
		return false
	}
	return true
}

// loadCore loads the answering core from src, reporting a failure on stderr; rec may
// be nil.
func loadCore(env *Env, cmd string, src app.Sources, rec assistant.Recorder) (*app.Snapshot, bool) {
	opt := src.Options()
	opt.Logger, opt.Recorder = logger(env), rec
	core, err := app.Load(opt)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	return core, true
}
