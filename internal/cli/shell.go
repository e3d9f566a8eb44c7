package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/reply"
)

func runShell(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "shell", "shell [--lang L] [--debug]")
	lang := fs.String("lang", "", "always answer in this language; default: detect from each message")
	debug := fs.Bool("debug", false, "show topic, score, coverage and alternatives after each answer")
	var dirs dirFlags
	dirs.register(fs, env)
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if !noArgs(env, "shell", pos) {
		return ExitUsage
	}
	if !checkLang(env, "shell", *lang) {
		return ExitUsage
	}
	src, ok := dirs.sources(env, "shell")
	if !ok {
		return ExitUsage
	}
	core, ok := loadCore(env, "shell", src, nil)
	if !ok {
		return ExitFail
	}
	defer core.Close()

	out := env.Stdout
	fmt.Fprintf(out, "ankommen shell: %d topics. Write a question in %s.\n", len(core.Corpus.IDs), langList(content.Languages))
	fmt.Fprintln(out, "Commands: /lang xx (answer in one language), /lang auto, /debug, /quit; a number opens that topic of the list above (a button in Telegram)")
	preferred := ""
	// The topics the last reply listed, as Telegram's buttons; a number taps one.
	var buttons []assistant.Alternative
	lastLang := ""
	prompt := func() {
		if env.Terminal {
			fmt.Fprint(out, "> ")
		}
	}
	prompt()
	quit := false
	err := readLines(env.Stdin, func(line string, _ bool) {
		if quit {
			return
		}
		defer prompt()
		cmd := strings.Fields(strings.TrimSpace(line))
		if len(cmd) > 0 && strings.HasPrefix(cmd[0], "/") {
			switch cmd[0] {
			case "/quit", "/exit":
				quit = true
			case "/debug":
				*debug = !*debug
				fmt.Fprintf(out, "debug %v\n", onOff(*debug))
			case "/lang":
				switch {
				case len(cmd) < 2:
					fmt.Fprintf(out, "language: %s\n", orAuto(*lang))
				case cmd[1] == "auto":
					*lang = ""
					fmt.Fprintln(out, "language: auto (detected from each message)")
				case content.IsLanguage(cmd[1]):
					*lang = cmd[1]
					fmt.Fprintf(out, "language: %s\n", *lang)
				default:
					fmt.Fprintln(out, core.Locale.T("en", "UnsupportedLang", map[string]string{"List": langList(content.Languages)}))
				}
			default:
				fmt.Fprintf(out, "unknown command %s; commands: /lang xx, /lang auto, /debug, /quit\n", cmd[0])
			}
			return
		}
		var r assistant.Result
		if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(buttons) {
			r = assistant.TopicResult(core.Corpus, lastLang, core.Corpus.Topic(buttons[n-1].TopicID))
		} else {
			r, err = core.Assistant.Answer(ctx, assistant.Question{Text: line, Lang: *lang, Preferred: preferred})
			if err != nil {
				fmt.Fprintf(env.Stderr, "shell: %v\n", err)
				return
			}
		}
		buttons, lastLang = r.Alternatives, r.Lang
		if r.Kind != assistant.KindEmpty {
			preferred = r.Lang
		}
		fmt.Fprintln(out, core.Renderer.Render(r, reply.FormatPlain))
		if len(buttons) > 0 {
			var nums []string
			for i, b := range buttons {
				nums = append(nums, fmt.Sprintf("%d %s", i+1, b.Title))
			}
			fmt.Fprintf(out, "[buttons: %s]\n", strings.Join(nums, " · "))
		}
		if *debug {
			fmt.Fprintf(out, "[lang=%s detected=%s understood=%s kind=%s topic=%s p=%.3f score=%.3f coverage=%.2f confident=%v", r.Lang, r.Detected, r.Understood, r.Kind, topicID(r), r.Probability, r.Score, r.Coverage, r.Confident)
			if r.Alarm != nil {
				fmt.Fprintf(out, " alarm=%s call=%s why=%q", r.Alarm.Category, r.Alarm.Number, r.Alarm.Why)
			}
			f := r.Features
			fmt.Fprintf(out, " features=clf:%.2f,margin:%.2f,fused:%.2f,fmargin:%.2f,cov:%.2f,agree:%.0f", f.Classifier, f.ClassifierMargin, f.Fused, f.FusedMargin, f.Coverage, f.SearchAgrees)
			for _, a := range r.Alternatives {
				fmt.Fprintf(out, " alt=%s:%.3f", a.TopicID, a.Score)
			}
			fmt.Fprintf(out, " words=%v unknown=%v]\n", r.Words, r.Unknown)
		}
		fmt.Fprintln(out)
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "shell: %v\n", err)
		return ExitFail
	}
	return ExitOK
}

func topicID(r assistant.Result) string {
	if r.Topic == nil {
		return "-"
	}
	return r.Topic.ID
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orAuto(s string) string {
	if s == "" {
		return "auto"
	}
	return s
}
