package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/content/contenttest"
)

func run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code = Run(context.Background(), env, args)
	return out.String(), errb.String(), code
}

func TestAskJSON(t *testing.T) {
	out, errs, code := run(t, "", "ask", "--json", "Wo ist das Ausländerbüro?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"question", "lang", "answer_lang", "topic", "score", "confident", "escalated", "emergency", "answer", "sources", "alternatives"} {
		if _, ok := a[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if a["lang"] != "de" || a["confident"] != true || !strings.Contains(a["answer"].(string), "Pferdemarkt 14") {
		t.Errorf("answer = %v", a)
	}
	if srcs := a["sources"].([]any); len(srcs) == 0 || !strings.HasPrefix(srcs[0].(string), "http") {
		t.Errorf("sources = %v", a["sources"])
	}
}

// TestAskBatch: one JSON object per question, in order; bad lines neither stop the
// others nor crash.
func TestAskBatch(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	in := strings.Join([]string{
		"Where can I learn German?",
		"",
		"   ",
		long,
		"\xff\xfe Wo ist das Ausländerbüro?",
		"\x01\x02\x03",
		"😀😀😀",
		"12345",
		"Mein Haus brennt!",
		"Wie wird das Wetter morgen?",
	}, "\n")
	out, errs, code := run(t, in, "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []struct {
		kind      string
		confident bool
	}{
		{"answer", true}, {"not_sure", false}, {"answer", true}, {"empty", false},
		{"not_sure", false}, {"not_sure", false}, {"emergency", true}, {"not_sure", false},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d (blank lines skipped):\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var a Answer
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("line %d not JSON: %v", i+1, err)
		}
		if a.Kind != want[i].kind || a.Confident != want[i].confident {
			t.Errorf("line %d (%.40q): kind=%s confident=%v, want %s %v", i+1, a.Question, a.Kind, a.Confident, want[i].kind, want[i].confident)
		}
		if a.Answer == "" {
			t.Errorf("line %d: empty answer text", i+1)
		}
	}
	var huge Answer
	json.Unmarshal([]byte(lines[1]), &huge)
	if !huge.Truncated || len(huge.Question) > 4096 {
		t.Errorf("1 MB line: truncated=%v len=%d", huge.Truncated, len(huge.Question))
	}
	var emergency Answer
	json.Unmarshal([]byte(lines[6]), &emergency)
	if !emergency.Emergency || !strings.Contains(emergency.Answer, "112") {
		t.Errorf("emergency answer = %+v", emergency)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"ask", "--lang", "ku", "hallo"}, `unsupported language "ku"`, ExitUsage},
		{[]string{"ask", "  "}, "the question is empty", ExitUsage},
		{[]string{"ask", "--nope"}, "flag provided but not defined", ExitUsage},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`, ExitUsage},
		{[]string{}, "Usage: ankommen COMMAND", ExitUsage},
		{[]string{"eval"}, "give exactly one question file", ExitUsage},
		{[]string{"eval", "/nonexistent.jsonl"}, "no such file", ExitUsage},
		{[]string{"shell", "--lang", "xx"}, `unsupported language "xx"`, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errs, code := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.want)
			}
		})
	}
}

func TestShell(t *testing.T) {
	in := "Hallo\nWo kann ich Deutsch lernen?\n/lang en\nOldenburg-Pass\n/debug\nasdf\n/lang zz\n/lang auto\nWas kostet ein Kita-Platz im Monat?\n1\n/quit\nnot read\n"
	out, errs, code := run(t, in, "shell")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Hallo! Ich beantworte Fragen", // greeting in German
		"language: en",
		"Oldenburg-Pass", // answered in English after /lang en
		"Source:",
		"debug on",
		"kind=not_sure", // debug line for asdf
		"This language is not available yet",
		"[buttons: 1 Kita",        // the price question is asked back with the Kita topic
		"\nKita-Platz anmelden\n", // and "1" taps it: its title heads the answer
	} {
		if !strings.Contains(out, want) {
			t.Errorf("shell output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not read") {
		t.Error("input after /quit was read")
	}
}

func TestCheck(t *testing.T) {
	out, errs, code := run(t, "", "check")
	if code != 0 {
		t.Fatalf("shipped content fails check (exit %d):\n%s%s", code, out, errs)
	}
	// A broken copy: check names file and line and exits 1.
	dir := t.TempDir()
	src, _ := os.ReadFile("../../content/emergency.de.md")
	broken := strings.Replace(string(src), "title:", "titel:", 1)
	os.WriteFile(filepath.Join(dir, "emergency.de.md"), []byte(broken), 0o644)
	out, _, code = run(t, "", "check", "--content", dir)
	if code != ExitFail || !strings.Contains(out, "emergency.de.md:2: error: unknown field \"titel\"") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "q.jsonl")
	os.WriteFile(file, []byte(`{"id":"a","lang":"de","kind":"answer","question":"Wo kann ich Deutsch lernen?","expect_any":["Deutsch"]}
{"id":"b","lang":"en","kind":"emergency","question":"my house is on fire","expect_any":["112"]}
{"id":"c","lang":"en","kind":"escalate","question":"Who won the football match yesterday?"}
{"id":"d","lang":"en","kind":"answer","question":"Where is the immigration office?","expect_any":["no such text"]}
`), 0o644)
	out, _, code := run(t, "", "eval", file)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "MISS d") || strings.Contains(out, "MISS a") || strings.Contains(out, "MISS b") || strings.Contains(out, "MISS c") {
		t.Errorf("eval output:\n%s", out)
	}
	if !strings.Contains(out, "3/4") {
		t.Errorf("want 3/4 right:\n%s", out)
	}
	if _, _, code := run(t, "", "eval", "--min", "0.9", file); code != ExitFail {
		t.Errorf("--min 0.9 with 75%% right: exit %d, want 1", code)
	}
}

// TestCheckOneShape: every problem check prints is "file:line: error: message" or
// "file:line: warning: message" (a whole file is line 1), content and locales alike,
// and the stale warning says what to do next.
func TestCheckOneShape(t *testing.T) {
	dir := t.TempDir()
	contentDir, localeDir := filepath.Join(dir, "content"), filepath.Join(dir, "locales")
	contenttest.CopyDir(t, "../../content", contentDir)
	contenttest.CopyDir(t, "../../locales", localeDir)
	edit := func(name, old, new string) {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: %v", name, err)
		}
		os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}
	de, _ := os.ReadFile(filepath.Join(contentDir, "work.de.md"))
	os.WriteFile(filepath.Join(contentDir, "work.xx.md"), de, 0o644)                     // no line: unknown language
	edit(filepath.Join(contentDir, "work.de.md"), "\n---\n", "\n---\nEin neuer Satz.\n") // makes the translations stale
	edit(filepath.Join(contentDir, "oldenburg-pass.de.md"), "title:", "titel:")
	edit(filepath.Join(localeDir, "active.tr.toml"), "other = ", "other = = ")
	edit(filepath.Join(localeDir, "active.ru.toml"), "[Thanks]", "[ThanksX]")
	edit(filepath.Join(contentDir, "needs", "uk.yaml"), "\ndentist:", "\ndentistt:")
	out, _, code := run(t, "", "check", "--content", contentDir, "--locales", localeDir)
	if code != ExitFail {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	shape := regexp.MustCompile(`^\S+:\d+: (error|warning): \S`)
	var issues []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, ": error: ") || strings.Contains(l, ": warning: ") {
			issues = append(issues, l)
			if !shape.MatchString(l) {
				t.Errorf("not file:line: kind: message: %q", l)
			}
		}
	}
	for _, want := range []string{
		contentDir + "/work.xx.md:1: error: unknown language \"xx\"",
		contentDir + "/oldenburg-pass.de.md:2: error: unknown field \"titel\"",
		contentDir + "/work.en.md:1: warning: stale: the German file changed since this translation",
		"; translate the change from work.de.md, then run `ankommen stamp` on this file",
		localeDir + "/active.tr.toml:",
		localeDir + "/active.ru.toml:1: error: message \"Thanks\" is missing; run `make i18n`",
		localeDir + "/active.ru.toml:",
		contentDir + "/needs/uk.yaml:7: error: need \"dentistt\" is not in de.yaml",
		contentDir + "/needs/uk.yaml:1: error: need \"dentist\" of de.yaml is missing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, strings.Join(issues, "\n"))
		}
	}
}
