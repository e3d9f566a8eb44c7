package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

const learnedUsage = "learned list|export [--data DIR] [--content DIR]"

// runLearned lists the phrasings staff taught the bot, or writes those not exported
// yet into the `questions` of their topic files, so that they become content that
// translators and reviewers see.
func runLearned(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "export") {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", learnedUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ExitOK
		}
		return ExitUsage
	}
	sub := args[0]
	fs := newFlags(env, "learned "+sub, learnedUsage)
	data := dataFlag(fs, env)
	contentDir := fs.String("content", firstNonEmpty(env.Getenv("ANKOMMEN_CONTENT"), "content"), "content directory to write into (env ANKOMMEN_CONTENT)")
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", learnedUsage)
		return ExitUsage
	}
	db, err := openDB(ctx, *data)
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
	corpus, _, err := content.Load(os.DirFS(*contentDir))
	if err != nil {
		fmt.Fprintf(env.Stderr, "learned export: the content has errors; fix them first (ankommen check --content %s):\n%v\n", *contentDir, err)
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
		case t == nil || t.In(l.Lang) == nil:
			fmt.Fprintf(env.Stderr, "learned export: skipped %q: topic %s has no %s file\n", l.Text, l.TopicID, l.Lang)
			skipped++
			continue
		case have[key]:
			done = append(done, l.ID) // in the content already
			continue
		}
		have[key] = true
		file := filepath.Join(*contentDir, t.In(l.Lang).File)
		if byFile[file] == nil {
			files = append(files, file)
		}
		byFile[file] = append(byFile[file], l)
	}
	written := 0
	code := ExitOK
	for _, file := range files {
		if err := addQuestions(file, byFile[file]); err != nil {
			fmt.Fprintf(env.Stderr, "learned export: %v\n", err)
			code = ExitFail
			continue
		}
		for _, l := range byFile[file] {
			done = append(done, l.ID)
			written++
		}
		fmt.Fprintf(env.Stdout, "%s: %d question(s) added\n", file, len(byFile[file]))
	}
	if err := db.MarkExported(ctx, done, time.Now()); err != nil {
		fmt.Fprintf(env.Stderr, "learned export: %v\n", err)
		return ExitFail
	}
	fmt.Fprintf(env.Stdout, "%d phrasing(s) written, %d skipped; run ankommen check --content %s\n", written, skipped, *contentDir)
	return code
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func normalizeQuestion(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// addQuestions appends the phrasings to the block list `questions:` in the front
// matter of file, in the list's indentation, leaving every other line as it is.
func addQuestions(file string, ls []handoff.Learned) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return fmt.Errorf("%s:1: no front matter", file)
	}
	end := strings.Index(text[4:], "\n---")
	if end < 0 {
		return fmt.Errorf("%s:1: front matter not closed", file)
	}
	front := text[4 : 4+end]
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(front), &doc); err != nil || len(doc.Content) == 0 {
		return fmt.Errorf("%s: front matter: %v", file, err)
	}
	root := doc.Content[0]
	var seq *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "questions" {
			seq = root.Content[i+1]
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
		return fmt.Errorf("%s: no list of questions to add to", file)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("%s:%d: questions is a [list in brackets]; write it as lines starting with - to export into it", file, seq.Line+1)
	}
	lines := strings.Split(text, "\n")
	last := seq.Content[len(seq.Content)-1]
	at := last.Line // 1-based line in front; the file's line is at+1, its index at
	if last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return fmt.Errorf("%s:%d: the last question is a multi-line block; add the phrasings by hand", file, at+1)
	}
	itemLine := lines[at]
	prefix := itemLine[:min(len(itemLine), max(0, last.Column-1))]
	if strings.TrimSpace(prefix) != "-" {
		return fmt.Errorf("%s:%d: cannot tell the list's indentation", file, at+1)
	}
	var add []string
	for _, l := range ls {
		v, err := yaml.Marshal(l.Text)
		if err != nil {
			return err
		}
		s := strings.TrimSuffix(string(v), "\n")
		if strings.Contains(s, "\n") {
			return fmt.Errorf("%s: phrasing %q does not fit on one line", file, l.Text)
		}
		add = append(add, prefix+s)
	}
	out := append(append(append([]string{}, lines[:at+1]...), add...), lines[at+1:]...)
	return os.WriteFile(file, []byte(strings.Join(out, "\n")), 0o644)
}
