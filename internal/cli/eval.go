package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
)

// EvalItem is one line of an evaluation file (see shared/eval/README.md).
type EvalItem struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Kind      string   `json:"kind"` // answer, emergency, escalate
	Question  string   `json:"question"`
	Topic     string   `json:"topic"`
	ExpectAny []string `json:"expect_any"`
}

// memRecorder keeps unanswered questions in memory, so that eval can check that an
// escalated question reached the queue.
type memRecorder struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (m *memRecorder) RecordUnanswered(_ context.Context, u assistant.Unanswered) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[u.Text] = true
	return nil
}

func (m *memRecorder) has(text string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[text]
}

type tally struct{ right, total int }

func (t tally) String() string {
	if t.total == 0 {
		return "     -"
	}
	return fmt.Sprintf("%3d/%-3d %5.1f%%", t.right, t.total, 100*float64(t.right)/float64(t.total))
}

func runEval(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "eval", "eval [--min F] [--langs de,en] [--hint] FILE")
	minAcc := fs.Float64("min", 0, "exit 1 when the share of right items (0–1) is below this")
	langs := fs.String("langs", "", "only items in these languages (comma-separated)")
	hint := fs.Bool("hint", false, "pass each item's language to the bot instead of detecting it")
	verbose := fs.Bool("v", false, "print every item, not only the misses")
	var dirs dirFlags
	dirs.register(fs, env)
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if *minAcc < 0 || *minAcc > 1 {
		fmt.Fprintf(env.Stderr, "eval: --min %v is not a share: give a number from 0 to 1 (0.8 for 80%%)\n", *minAcc)
		return ExitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "eval: give exactly one question file (JSON lines)")
		return ExitUsage
	}
	items, err := readEval(pos[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "eval: %v\n", err)
		return ExitUsage
	}
	only := map[string]bool{}
	for _, l := range strings.Split(*langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			if !content.IsLanguage(l) {
				fmt.Fprintf(env.Stderr, "eval: unsupported language %q in --langs\n", l)
				return ExitUsage
			}
			only[l] = true
		}
	}
	rec := &memRecorder{seen: map[string]bool{}}
	src, ok := dirs.sources(env, "eval")
	if !ok {
		return ExitUsage
	}
	core, ok := loadCore(env, "eval", src, rec)
	if !ok {
		return ExitFail
	}
	defer core.Close()

	byLang := map[string]*report{}
	total := &report{}
	var inLang tally
	for _, it := range items {
		if len(only) > 0 && !only[it.Lang] {
			continue
		}
		q := assistant.Question{Text: it.Question}
		if *hint {
			q.Lang = it.Lang
		}
		r, err := core.Assistant.Answer(ctx, q)
		if err != nil {
			fmt.Fprintf(env.Stderr, "eval: %s: %v\n", it.ID, err)
			return ExitFail
		}
		a := toAnswer(core, r)
		ok, why := judge(it, a, rec)
		if byLang[it.Lang] == nil {
			byLang[it.Lang] = &report{}
		}
		byLang[it.Lang].add(it, a, ok)
		total.add(it, a, ok)
		if it.Kind != "escalate" {
			inLang.total++
			if a.AnswerLang == it.Lang && a.Lang == it.Lang {
				inLang.right++
			}
		}
		if !ok || *verbose {
			mark := "MISS"
			if ok {
				mark = "ok  "
			}
			fmt.Fprintf(env.Stdout, "%s %-8s %-9s %s\n     %s\n     got: kind=%s lang=%s/%s understood=%s topic=%s p=%.3f score=%.3f coverage=%.2f buttons=%s: %s\n",
				mark, it.ID, it.Kind, it.Question, why, a.Kind, a.Lang, a.AnswerLang, orDash(a.Understood), orDash(a.Topic), a.Probability, a.Score, a.Coverage, altIDs(a), firstLine(a.Answer))
		}
	}
	var ls []string
	for l := range byLang {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool { return langIndex(ls[i]) < langIndex(ls[j]) })
	printReport(env, ls, byLang, total)
	all := tally{right: total.allRight, total: total.all}
	fmt.Fprintf(env.Stdout, "answered in the language asked: %s\n", inLang.String())
	if all.total == 0 {
		fmt.Fprintln(env.Stderr, "eval: no items selected")
		return ExitUsage
	}
	if acc := float64(all.right) / float64(all.total); acc < *minAcc {
		fmt.Fprintf(env.Stdout, "FAIL: %.1f%% right is below --min %.1f%%\n", 100*acc, 100**minAcc)
		return ExitFail
	}
	return ExitOK
}

func readEval(path string) ([]EvalItem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var items []EvalItem
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var it EvalItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		switch it.Kind {
		case "answer", "emergency", "escalate":
		default:
			return nil, fmt.Errorf("%s:%d: unknown kind %q", path, i+1, it.Kind)
		}
		items = append(items, it)
	}
	return items, nil
}

// judge applies the rules of shared/eval/README.md.
func judge(it EvalItem, a Answer, rec *memRecorder) (bool, string) {
	switch it.Kind {
	case "answer":
		switch {
		case !a.Confident || a.Kind != string(assistant.KindAnswer):
			return false, "expected a confident answer"
		case a.AnswerLang != it.Lang:
			return false, "expected the answer in " + it.Lang
		case !containsAny(a.Answer, it.ExpectAny):
			return false, fmt.Sprintf("expected one of %q", it.ExpectAny)
		}
	case "emergency":
		switch {
		case !a.Emergency:
			return false, "expected an emergency reply"
		case a.Lang != it.Lang:
			return false, "expected the emergency reply in " + it.Lang
		case !containsAny(a.Answer, it.ExpectAny):
			return false, fmt.Sprintf("expected one of %q", it.ExpectAny)
		}
	case "escalate":
		switch {
		case a.Confident:
			return false, "expected no confident answer"
		case !a.Escalated:
			return false, "expected an escalation"
		case !strings.Contains(a.Answer, "@") && !strings.Contains(a.Answer, "[at]"):
			return false, "expected the contact in the reply"
		case !rec.has(a.Question):
			return false, "expected the question in the unanswered queue"
		}
	}
	return true, "right"
}

// normalize folds case, runs of white space and dash characters, as the eval README says.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '‐', '‑', '–':
			return '-'
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func containsAny(s string, subs []string) bool {
	n := normalize(s)
	for _, sub := range subs {
		if strings.Contains(n, normalize(sub)) {
			return true
		}
	}
	return false
}

func langIndex(l string) int {
	for i, x := range content.Languages {
		if x == l {
			return i
		}
	}
	return len(content.Languages)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}

// report counts one language's results as the issue on understanding asks: answered
// right, asked back with the right topic among the buttons, handed over, wrong
// confident answers, emergencies caught and false alarms.
type report struct {
	answerable, right, askedBack, handedOver, wrong int
	emergencies, caught                             int
	outOfScope, outOfScopeAnswered                  int
	ordinary, falseAlarms                           int
	all, allRight                                   int
}

func (r *report) add(it EvalItem, a Answer, ok bool) {
	r.all++
	if ok {
		r.allRight++
	}
	if it.Kind != "emergency" {
		r.ordinary++
		if a.Emergency {
			r.falseAlarms++
		}
	}
	switch it.Kind {
	case "answer":
		r.answerable++
		switch {
		case ok:
			r.right++
		case a.Confident && a.Kind == string(assistant.KindAnswer):
			r.wrong++
		case a.Kind == string(assistant.KindAskBack) && it.Topic != "" && hasAlt(a, it.Topic):
			r.askedBack++
		case a.Escalated:
			r.handedOver++
		}
	case "emergency":
		r.emergencies++
		if ok {
			r.caught++
		}
	case "escalate":
		r.outOfScope++
		if a.Confident {
			r.outOfScopeAnswered++
			r.wrong++
		}
	}
}

func hasAlt(a Answer, topic string) bool {
	for _, alt := range a.Alternatives {
		if alt.Topic == topic {
			return true
		}
	}
	return false
}

func altIDs(a Answer) string {
	var ids []string
	for _, alt := range a.Alternatives {
		ids = append(ids, alt.Topic)
	}
	return orDash(strings.Join(ids, ","))
}

func printReport(env *Env, ls []string, byLang map[string]*report, total *report) {
	w := env.Stdout
	fmt.Fprintf(w, "\n%-5s %-15s %-15s %-15s %-15s %-15s %-15s %-15s %-15s\n", "lang", "answered right", "right|asked", "handed over", "wrong answer", "emergency", "false alarm", "out of scope", "all right")
	line := func(name string, r *report) {
		fmt.Fprintf(w, "%-5s %-15s %-15s %-15s %-15s %-15s %-15s %-15s %-15s\n", name,
			frac(r.right, r.answerable), frac(r.right+r.askedBack, r.answerable), frac(r.handedOver, r.answerable),
			frac(r.wrong, r.all), frac(r.caught, r.emergencies), frac(r.falseAlarms, r.ordinary),
			frac(r.outOfScope-r.outOfScopeAnswered, r.outOfScope), frac(r.allRight, r.all))
	}
	for _, l := range ls {
		line(l, byLang[l])
	}
	line("all", total)
	fmt.Fprintln(w, "answered right: a confident answer with the expected text; right|asked: that, or asked back with the right topic among the buttons; wrong answer: confident and wrong (out-of-scope included), of all items; out of scope: not answered confidently.")
}

func frac(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d %.0f%%", n, d, 100*float64(n)/float64(d))
}
