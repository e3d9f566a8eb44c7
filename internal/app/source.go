package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The one rule every command follows for where content and locale files come from:
//
//  1. a directory given with --content / --locales, or else with ANKOMMEN_CONTENT /
//     ANKOMMEN_LOCALES: read from disk; it must exist;
//  2. else ./content / ./locales when the working directory has it (running in the
//     source tree or a folder prepared for translators): read from disk, so that an
//     edit is what check validates and what serve shows;
//  3. else the copies embedded in the binary.
//
// Every command prints the outcome at start (Sources.String).

// Source is where one kind of files (content or locales) is read from.
type Source struct {
	// Kind is "content" or "locales": the name of the default directory and of the
	// flag.
	Kind string
	// Dir is the directory on disk; "" means the files embedded in the binary.
	Dir string
	// Why says which step of the rule chose it.
	Why string
}

// Embedded reports whether the files come from the binary.
func (s Source) Embedded() bool { return s.Dir == "" }

// String is "content: ./content (disk, found in the working directory)" or
// "locales: embedded in the binary (no ./locales in the working directory)".
func (s Source) String() string {
	if s.Embedded() {
		return fmt.Sprintf("%s: embedded in the binary (%s)", s.Kind, s.Why)
	}
	return fmt.Sprintf("%s: %s (disk, %s)", s.Kind, showDir(s.Dir), s.Why)
}

// showDir writes a relative directory as ./dir, so that it reads as a path.
func showDir(dir string) string {
	if filepath.IsAbs(dir) || strings.HasPrefix(dir, ".") {
		return dir
	}
	return "." + string(filepath.Separator) + dir
}

// envName is the environment variable that gives the directory of kind.
func envName(kind string) string { return "ANKOMMEN_" + strings.ToUpper(kind) }

// ResolveSource applies the rule for kind ("content" or "locales"); given is the
// directory from the flag or, when the flag is not set, the environment ("" for
// neither). A given directory that does not exist is an error naming it.
func ResolveSource(kind, given string) (Source, error) {
	if given = strings.TrimSpace(given); given != "" {
		fi, err := os.Stat(given)
		switch {
		case err != nil && os.IsNotExist(err):
			return Source{}, fmt.Errorf("the %s directory %s does not exist (given with --%s or %s)", kind, given, kind, envName(kind))
		case err != nil:
			return Source{}, fmt.Errorf("the %s directory %s: %w", kind, given, err)
		case !fi.IsDir():
			return Source{}, fmt.Errorf("%s is not a directory (given with --%s or %s as the %s directory)", given, kind, envName(kind), kind)
		}
		return Source{Kind: kind, Dir: given, Why: fmt.Sprintf("--%s or %s", kind, envName(kind))}, nil
	}
	if fi, err := os.Stat(kind); err == nil && fi.IsDir() {
		return Source{Kind: kind, Dir: kind, Why: "found in the working directory"}, nil
	}
	return Source{Kind: kind, Why: fmt.Sprintf("no %s in the working directory", showDir(kind))}, nil
}

// Sources are where content and locales are read from.
type Sources struct{ Content, Locales Source }

// ResolveSources applies the rule to both; contentDir and localeDir are the given
// directories as for ResolveSource.
func ResolveSources(contentDir, localeDir string) (Sources, error) {
	c, err := ResolveSource("content", contentDir)
	if err != nil {
		return Sources{}, err
	}
	l, err := ResolveSource("locales", localeDir)
	if err != nil {
		return Sources{}, err
	}
	return Sources{Content: c, Locales: l}, nil
}

// String is the line commands print at start.
func (s Sources) String() string { return s.Content.String() + "; " + s.Locales.String() }

// Options returns Options reading from s.
func (s Sources) Options() Options {
	return Options{ContentDir: s.Content.Dir, LocaleDir: s.Locales.Dir}
}
