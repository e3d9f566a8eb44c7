package langdetect

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestAccuracy measures detection on short questions written for this test
// (testdata/questions.tsv, 70 per language, 2–12 words, with typos, missing special
// letters and German office names inside other languages).
func TestAccuracy(t *testing.T) {
	f, err := os.Open("testdata/questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	right, total := map[string]int{}, map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lang, q, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		total[lang]++
		got := Detect(q)
		if got.Lang == lang {
			right[lang]++
		} else {
			t.Logf("%s: %q detected as %q", lang, q, got.Lang)
		}
	}
	for _, lang := range []string{"de", "en", "ar", "uk", "ru", "tr", "fa"} {
		if total[lang] < 50 {
			t.Fatalf("%s: only %d questions in the test list", lang, total[lang])
		}
		acc := float64(right[lang]) / float64(total[lang])
		t.Logf("%s: %d/%d = %.1f%%", lang, right[lang], total[lang], 100*acc)
		if acc < 0.97 {
			t.Errorf("%s: accuracy %.1f%% < 97%%", lang, 100*acc)
		}
	}
}

func TestNoSignal(t *testing.T) {
	for _, s := range []string{"", "   ", "???", "12345", "😀👍", "ok", "asdf", "👍"} {
		if r := Detect(s); r.Sure {
			t.Errorf("Detect(%q) = %+v, want not sure", s, r)
		}
	}
}

func TestCues(t *testing.T) {
	tests := []struct {
		text string
		want string
		sure bool
	}{
		{"Wo ist das Ausländerbüro?", "de", true},
		{"Where is the immigration office?", "en", true},
		{"Yabancılar dairesi nerede?", "tr", true},
		{"Где находится Ausländerbüro?", "ru", true},
		{"Де знаходиться Ausländerbüro?", "uk", false},
		{"أين مكتب الأجانب؟", "ar", true},
		{"اداره اتباع خارجی کجاست؟", "fa", true},
		{"Як продовжити Aufenthaltstitel?", "uk", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Detect(tt.text)
			if got.Lang != tt.want {
				t.Errorf("Detect(%q).Lang = %q, want %q", tt.text, got.Lang, tt.want)
			}
			if tt.sure && !got.Sure {
				t.Errorf("Detect(%q) not sure, want sure", tt.text)
			}
		})
	}
}

func BenchmarkDetect(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Detect("Wie kann ich meine Aufenthaltserlaubnis verlängern?")
	}
}

func TestForeign(t *testing.T) {
	for _, s := range []string{
		"Bonjour, où se trouve le bureau des étrangers à Oldenburg?",
		"¿Dónde puedo aprender alemán en la ciudad?",
		"Gdzie mogę zarejestrować swoje mieszkanie w mieście?",
	} {
		if code, ok := Foreign(s); !ok {
			t.Errorf("Foreign(%q) = %q, false; want foreign", s, code)
		}
	}
	f, err := os.Open("testdata/questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		_, q, _ := strings.Cut(sc.Text(), "\t")
		if code, ok := Foreign(q); ok {
			t.Errorf("supported-language question %q taken for %s", q, code)
		}
	}
}
