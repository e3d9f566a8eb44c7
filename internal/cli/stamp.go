package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/content"
)

var sourceHashLine = regexp.MustCompile(`(?m)^source_hash:.*$`)

// runStamp records in translation files that they match the current German text:
// the translators' last step after updating a translation.
func runStamp(_ context.Context, env *Env, args []string) int {
	fs := newFlags(env, "stamp", "stamp FILE...")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(env.Stderr, "stamp: give the translation files that are up to date, e.g. content/naturalisation.en.md")
		return ExitUsage
	}
	code = ExitOK
	shown := map[string]bool{}
	for _, path := range pos {
		// stamp reads the German file beside each translation: the rule's
		// directory is the file's own.
		if dir := filepath.Dir(path); !shown[dir] {
			shown[dir] = true
			fmt.Fprintln(env.Stderr, app.Source{Kind: "content", Dir: dir, Why: "the directory of the files given"})
		}
		if err := stamp(path); err != nil {
			fmt.Fprintf(env.Stderr, "stamp: %v\n", err)
			code = ExitFail
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: stamped\n", path)
	}
	return code
}

func stamp(path string) error {
	dir, name := filepath.Split(path)
	parts := strings.Split(name, ".")
	if len(parts) != 3 || parts[2] != "md" || !content.IsLanguage(parts[1]) {
		return fmt.Errorf("%s: not a topic file <id>.<lang>.md", path)
	}
	if parts[1] == content.SourceLang {
		return fmt.Errorf("%s: German files are the source; stamp their translations", path)
	}
	if dir == "" {
		dir = "."
	}
	corpus, _, err := content.Load(os.DirFS(dir))
	if corpus == nil {
		return err
	}
	t := corpus.Topic(parts[0])
	if t == nil || t.In(content.SourceLang) == nil {
		return fmt.Errorf("%s: topic %q has no German file", path, parts[0])
	}
	hash := content.ShortHash(t.In(content.SourceLang).Hash)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := string(data)
	line := "source_hash: " + hash
	if sourceHashLine.MatchString(text) {
		text = sourceHashLine.ReplaceAllString(text, line)
	} else {
		end := strings.Index(text[4:], "\n---")
		if !strings.HasPrefix(text, "---\n") || end < 0 {
			return fmt.Errorf("%s:1: no front matter", path)
		}
		end += 4
		text = text[:end] + "\n" + line + text[end:]
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
