package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

const learnedUsage = "learned list|export [--data DIR | --database-url URL] [--content DIR]"

// runLearned lists the phrasings staff taught the bot, or writes those not exported
// yet into the phrasing files (phrasings/<lang>.yaml), so that they become content that
// translators and reviewers see.
func runLearned(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "learned", learnedUsage)
	data := dataFlag(fs, env)
	contentFlag := fs.String("content", env.Getenv("ANKOMMEN_CONTENT"), "content directory to write into (env ANKOMMEN_CONTENT; default ./content)")
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || (pos[0] != "list" && pos[0] != "export") {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", learnedUsage)
		return ExitUsage
	}
	sub := pos[0]
	var contentDir string
	if sub == "export" {
		src, ok := sourceOnDisk(env, "learned export", "content", *contentFlag, "into the content files")
		if !ok {
			return ExitUsage
		}
		contentDir = src.Dir
	}
	db, err := openDB(ctx, data, false)
	if err != nil {
		fmt.Fprintf(env.Stderr, "learned: %v\n", err)
		return ExitFail
	}
	defer db.Close()
	ls, err := db.LearnedPhrasings(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "learned: %v\n", err)
		return ExitFail
	}
	if sub == "list" {
		for _, l := range ls {
			state := "not exported"
			if !l.ExportedAt.IsZero() {
				state = "exported " + l.ExportedAt.In(handoff.Zone).Format("2006-01-02")
			}
			fmt.Fprintf(env.Stdout, "%s.%s\t%q\tby %s, %s, %s\n", l.TopicID, l.Lang, l.Text, l.By, l.At.In(handoff.Zone).Format("2006-01-02"), state)
		}
		if len(ls) == 0 {
			fmt.Fprintln(env.Stdout, "no learned phrasings")
		}
		return ExitOK
	}
	corpus, _, err := content.Load(os.DirFS(contentDir))
	if err != nil {
		fmt.Fprintf(env.Stderr, "learned export: the content has errors; fix them first (ankommen check --content %s):\n%v\n", contentDir, err)
		return ExitFail
	}
	// What the content has already, so that a phrasing is never written twice or
	// into a second topic (check would reject that).
	have := map[string]bool{}
	for _, id := range corpus.IDs {
		for lang, tr := range corpus.Topics[id].Langs {
			for _, q := range tr.Questions {
				have[lang+"\x00"+normalizeQuestion(q)] = true
			}
		}
	}
	for _, p := range corpus.Phrasings {
		have[p.Lang+"\x00"+normalizeQuestion(p.Text)] = true
	}
	byFile := map[string][]handoff.Learned{}
	var files []string
	var done []int64
	skipped := 0
	for _, l := range ls {
		if !l.ExportedAt.IsZero() {
			continue
		}
		t := corpus.Topic(l.TopicID)
		key := l.Lang + "\x00" + normalizeQuestion(l.Text)
		switch {
		case t == nil || !content.IsLanguage(l.Lang):
			fmt.Fprintf(env.Stderr, "learned export: skipped %q: there is no topic %s in %s\n", l.Text, l.TopicID, l.Lang)
			skipped++
			continue
		case have[key]:
			done = append(done, l.ID) // in the content already
			continue
		}
		have[key] = true
		file := filepath.Join(contentDir, content.PhrasingDir, l.Lang+".yaml")
		if byFile[file] == nil {
			files = append(files, file)
		}
		byFile[file] = append(byFile[file], l)
	}
	written := 0
	code = ExitOK
	for _, file := range files {
		if err := addPhrasings(file, byFile[file]); err != nil {
			fmt.Fprintf(env.Stderr, "learned export: %v\n", err)
			code = ExitFail
			continue
		}
		for _, l := range byFile[file] {
			done = append(done, l.ID)
			written++
		}
		fmt.Fprintf(env.Stdout, "%s: %d phrasing(s) added\n", file, len(byFile[file]))
	}
	if err := db.MarkExported(ctx, done, time.Now()); err != nil {
		fmt.Fprintf(env.Stderr, "learned export: %v\n", err)
		return ExitFail
	}
	fmt.Fprintf(env.Stdout, "%d phrasing(s) written, %d skipped; run ankommen check --content %s\n", written, skipped, contentDir)
	return code
}

func normalizeQuestion(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// addPhrasings adds the phrasings to their topics' lists in a phrasing file
// (phrasings/<lang>.yaml): after the last item of the topic's list, in its
// indentation, or as a new list at the end. Every other line, comments included,
// stays as it is.
func addPhrasings(file string, ls []handoff.Learned) error {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		lang := strings.TrimSuffix(filepath.Base(file), ".yaml")
		data = []byte("# Phrasings in " + lang + ": how newcomers ask about each topic. They train the topic classifier.\n")
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
	for _, l := range ls {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &doc); err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		v, err := yaml.Marshal(l.Text)
		if err != nil {
			return err
		}
		item := strings.TrimSuffix(string(v), "\n")
		if strings.Contains(item, "\n") {
			return fmt.Errorf("%s: phrasing %q does not fit on one line", file, l.Text)
		}
		var seq *yaml.Node
		if len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
			root := doc.Content[0]
			for i := 0; i+1 < len(root.Content); i += 2 {
				if root.Content[i].Value == l.TopicID {
					seq = root.Content[i+1]
				}
			}
		}
		switch {
		case seq == nil:
			lines = append(lines, l.TopicID+":", "  - "+item)
		case seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 || seq.Style&yaml.FlowStyle != 0:
			return fmt.Errorf("%s:%d: %s is not a list of lines starting with -; add the phrasing by hand", file, seq.Line, l.TopicID)
		default:
			last := seq.Content[len(seq.Content)-1]
			if last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				return fmt.Errorf("%s:%d: the last phrasing is a multi-line block; add the phrasing by hand", file, last.Line)
			}
			at := last.Line // the line after the last item, as an index
			prefix := lines[at-1][:min(len(lines[at-1]), max(0, last.Column-1))]
			if strings.TrimSpace(prefix) != "-" {
				return fmt.Errorf("%s:%d: cannot tell the list's indentation", file, at)
			}
			lines = append(lines[:at], append([]string{prefix + item}, lines[at:]...)...)
		}
	}
	return os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
