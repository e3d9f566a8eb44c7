package conversation

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/content"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenInputs are what each user sends, per language: a question the test content
// answers (or, in languages it lacks, does not), and an emergency.
var goldenInputs = map[string][2]string{
	"de": {"Wo ist das Ausländerbüro?", "Feuer! Es brennt in der Küche"},
	"en": {"Where is the immigration office?", "fire! my kitchen is burning"},
	"ar": {"أين مكتب الأجانب؟", "حريق في المطبخ"},
	"uk": {"Де знаходиться відомство у справах іноземців?", "пожежа на кухні"},
	"ru": {"Где находится ведомство по делам иностранцев?", "пожар на кухне"},
	"tr": {"Yabancılar dairesi nerede?", "yangın var mutfakta"},
	"fa": {"اداره اتباع خارجی کجاست؟", "آتش سوزی در آشپزخانه"},
}

// TestGolden records every reply, per language, as the user sees it, and compares
// it with testdata/golden/<lang>.txt. Run with -update after a deliberate change of
// wording or rendering, and review the diff.
func TestGolden(t *testing.T) {
	h := newHarness(t, polling)
	for i, lang := range content.Languages {
		t.Run(lang, func(t *testing.T) {
			u := tt.User{ID: int64(700 + i), Lang: lang}
			in := goldenInputs[lang]
			steps := []struct {
				name string
				up   map[string]any
				cb   bool // answered with answerCallbackQuery
			}{
				{"/start", tt.Text(u, "/start"), false},
				{"/help", tt.Text(u, "/help"), false},
				{"question: " + in[0], tt.Text(u, in[0]), false},
				{"not sure: xylophone quantum zebra", tt.Text(u, "xylophone quantum zebra"), false},
				{"emergency: " + in[1], tt.Text(u, in[1]), false},
				{"photo", tt.Media(u, "photo"), false},
				{"/topics", tt.Text(u, "/topics"), false},
				{"/privacy", tt.Text(u, "/privacy"), false},
				{"/contact", tt.Text(u, "/contact"), false},
				{"button: ask a person", tt.Callback(u, "h:"+lang), true},
				{"button: helpful", tt.Callback(u, "v:"+lang+":+:work"), true},
				{"button: stale", tt.Callback(u, "t:"+lang+":gone"), true},
				{"/forget", tt.Text(u, "/forget"), false},
			}
			var b strings.Builder
			fmt.Fprintf(&b, "# Replies to a user whose Telegram speaks %q (test content, shipped locale files).\n", lang)
			for _, s := range steps {
				before := len(h.api.Sent())
				h.deliver(s.up)
				h.waitIdle()
				fmt.Fprintf(&b, "\n### %s\n", s.name)
				// Callback answers go out beside the queue: list them first.
				calls := h.api.Sent()[before:]
				slices.SortStableFunc(calls, func(a, b tt.Request) int {
					return cmp.Compare(b2i(a.Method != "answerCallbackQuery"), b2i(b.Method != "answerCallbackQuery"))
				})
				for _, r := range calls {
					if r.Int("chat_id") != u.ID && r.Method != "answerCallbackQuery" {
						continue
					}
					writeCall(&b, r)
				}
			}
			compareGolden(t, filepath.Join("testdata", "golden", lang+".txt"), b.String())
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeCall(b *strings.Builder, r tt.Request) {
	switch r.Method {
	case "answerCallbackQuery":
		fmt.Fprintf(b, "answerCallbackQuery %q\n", r.Params["text"])
		return
	case "getUpdates", "setMyCommands", "deleteWebhook", "getMe":
		return
	}
	fmt.Fprintf(b, "%s:\n%s\n", r.Method, r.Params["text"])
	for _, row := range r.Keyboard() {
		var cells []string
		for _, btn := range row {
			// A recorded question's reference is random: the file shows its place.
			data := refRe.ReplaceAllString(btn.CallbackData, "$1<ref>")
			cells = append(cells, fmt.Sprintf("[%s → %s]", btn.Text, data))
		}
		fmt.Fprintln(b, strings.Join(cells, " "))
	}
}

var refRe = regexp.MustCompile(`^([cn]:[a-z]{2}:)[a-z2-7]{16}$`)

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs; run go test -run TestGolden -update and review the diff.\n%s", file, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
