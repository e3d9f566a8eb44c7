package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/reply"
)

// Answer is the JSON form of one answered question (ask --json).
type Answer struct {
	Question   string  `json:"question"`
	Lang       string  `json:"lang"`
	Detected   string  `json:"detected_lang"`
	AnswerLang string  `json:"answer_lang"`
	Kind       string  `json:"kind"`
	Topic      string  `json:"topic"`
	Score      float64 `json:"score"`
	Coverage   float64 `json:"coverage"`
	Confident  bool    `json:"confident"`
	Escalated  bool    `json:"escalated"`
	Emergency  bool    `json:"emergency"`
	// EmergencyCategory names the situation recognised ("fire", "break_in", …).
	EmergencyCategory string `json:"emergency_category,omitempty"`
	// Call is the number the emergency reply names first (112 or 110).
	Call string `json:"call,omitempty"`
	// Understood is the language the question was understood in; Lang is the reply's.
	Understood string `json:"understood_lang,omitempty"`
	// Probability is the calibrated probability that the topic (or the first button
	// of an ask_back) is right.
	Probability float64 `json:"probability"`
	Truncated   bool    `json:"truncated,omitempty"`
	// Answer is the whole reply (an answer with the topic's whole text); Short is
	// what the user sees first (an answer's short answer with its main source).
	Answer       string        `json:"answer"`
	Short        string        `json:"short"`
	Sources      []string      `json:"sources"`
	Alternatives []Alternative `json:"alternatives"`
	Error        string        `json:"error,omitempty"`
}

// Alternative is a further topic in an Answer.
type Alternative struct {
	Topic string  `json:"topic"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

func toAnswer(core *app.Snapshot, r assistant.Result) Answer {
	a := Answer{
		Question:     r.Question,
		Lang:         r.Lang,
		Detected:     r.Detected,
		AnswerLang:   r.Lang,
		Kind:         string(r.Kind),
		Score:        round(r.Score),
		Coverage:     round(r.Coverage),
		Confident:    r.Confident,
		Escalated:    r.Escalated,
		Emergency:    r.Kind == assistant.KindEmergency,
		Truncated:    r.Truncated,
		Understood:   r.Understood,
		Probability:  round(r.Probability),
		Answer:       core.Renderer.RenderFull(r, reply.FormatPlain),
		Short:        core.Renderer.Render(r, reply.FormatPlain),
		Sources:      []string{},
		Alternatives: []Alternative{},
	}
	if r.Topic != nil {
		a.Topic = r.Topic.ID
		a.AnswerLang = r.AnswerLang
		for _, s := range r.Text.Sources {
			a.Sources = append(a.Sources, s.URL)
		}
	}
	if r.Alarm != nil {
		a.EmergencyCategory, a.Call = r.Alarm.Category, r.Alarm.Number
	}
	if r.Emergency != nil {
		a.AnswerLang = r.Emergency.Lang
		for _, s := range r.Emergency.Sources {
			a.Sources = append(a.Sources, s.URL)
		}
	}
	for _, alt := range r.Alternatives {
		a.Alternatives = append(a.Alternatives, Alternative{Topic: alt.TopicID, Title: alt.Title, Score: round(alt.Score)})
	}
	return a
}

func round(f float64) float64 { return float64(int64(f*10000+0.5)) / 10000 }

func runAsk(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "ask", "ask [--lang L] [--json] [--full] [QUESTION]")
	lang := fs.String("lang", "", "answer in this language ("+langList(content.Languages)+"); default: detect from the text")
	asJSON := fs.Bool("json", false, "print one JSON object per question (with both the short and the whole answer)")
	full := fs.Bool("full", false, "print an answer's whole text and every source, not the short answer")
	var dirs dirFlags
	dirs.register(fs, env)
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if !checkLang(env, "ask", *lang) {
		return ExitUsage
	}
	question := strings.Join(pos, " ")
	if len(pos) > 0 && strings.TrimSpace(question) == "" {
		fmt.Fprintln(env.Stderr, "ask: the question is empty; write a question, or give none to read questions from stdin")
		return ExitUsage
	}
	src, ok := dirs.sources(env, "ask")
	if !ok {
		return ExitUsage
	}
	core, ok := loadCore(env, "ask", src, nil)
	if !ok {
		return ExitFail
	}
	defer core.Close()

	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	answer := func(text string) error {
		r, err := core.Assistant.Answer(ctx, assistant.Question{Text: text, Lang: *lang})
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(toAnswer(core, r))
			if err != nil {
				return err
			}
			out.Write(append(b, '\n'))
		} else {
			if *full {
				fmt.Fprintln(out, core.Renderer.RenderFull(r, reply.FormatPlain))
			} else {
				fmt.Fprintln(out, core.Renderer.Render(r, reply.FormatPlain))
			}
			if len(pos) == 0 {
				fmt.Fprintln(out)
			}
		}
		return out.Flush()
	}
	if len(pos) > 0 {
		if err := answer(question); err != nil {
			fmt.Fprintf(env.Stderr, "ask: %v\n", err)
			return ExitFail
		}
		return ExitOK
	}
	code = ExitOK
	n := 0
	err := readLines(env.Stdin, func(line string, truncated bool) {
		n++
		if strings.TrimSpace(line) == "" {
			return // blank lines separate questions
		}
		if err := answer(line); err != nil {
			fmt.Fprintf(env.Stderr, "ask: line %d: %v\n", n, err)
			code = ExitFail
		}
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "ask: reading stdin: %v\n", err)
		return ExitFail
	}
	return code
}

// readLines calls fn for each line of r. A line longer than MaxQuestionBytes is cut
// there (the rest is read and dropped), so a 1 MB line neither fails nor fills memory.
func readLines(r io.Reader, fn func(line string, truncated bool)) error {
	br := bufio.NewReaderSize(r, 64*1024)
	var buf []byte
	truncated := false
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err == io.EOF {
			if len(buf) > 0 || truncated {
				fn(string(buf), truncated)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if room := assistant.MaxQuestionBytes + 1 - len(buf); room > 0 {
			if len(chunk) > room {
				chunk = chunk[:room]
				truncated = true
			}
			buf = append(buf, chunk...)
		} else {
			truncated = true
		}
		if !isPrefix {
			fn(string(buf), truncated)
			buf, truncated = buf[:0], false
		}
	}
}
