package locale

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	localesfs "github.com/oldenburg/ankommen/locales"
)

var langs = []string{"de", "en", "ar", "uk", "ru", "tr", "fa"}

// TestShippedComplete: the shipped files have no errors — every message that a
// translation has is complete: no empty value, the same placeholders, every plural
// form the language needs. German and English (the fallback) have every message; a
// message the other languages lack is a warning until translators add it (users get
// the English text), and each such gap is one warning.
func TestShippedComplete(t *testing.T) {
	problems, cov := Check(localesfs.FS, "de", langs)
	for _, p := range problems {
		if !p.Warning {
			t.Error(p)
		}
	}
	for _, c := range cov {
		if c.Messages != c.TotalMessages || c.TotalMessages == 0 {
			t.Errorf("%s: %d of %d messages complete", c.Lang, c.Messages, c.TotalMessages)
		}
	}
}

// TestStaffStrings: the staff page's strings exist in German and English, complete,
// and load into the same bundle without clashing with the bot's.
func TestStaffStrings(t *testing.T) {
	problems, _ := Check(localesfs.FS, "de", langs)
	for _, p := range problems {
		if strings.HasPrefix(p.File, StaffPrefix) {
			t.Errorf("%s", p)
		}
	}
	b, err := Load(localesfs.FS, langs, nil)
	if err != nil {
		t.Fatal(err)
	}
	de, en := b.T("de", "StaffLoginTitle", nil), b.T("en", "StaffLoginTitle", nil)
	if de == "StaffLoginTitle" || en == "StaffLoginTitle" || de == en {
		t.Errorf("StaffLoginTitle: de %q, en %q", de, en)
	}
	if !b.IDs("de")["StaffLoginTitle"] || !b.IDs("de")["Welcome"] {
		t.Error("the German ids lack the staff or the bot messages")
	}
}

func TestCheckStaffFiles(t *testing.T) {
	fs := fstest.MapFS{
		"active.de.toml": {Data: []byte("[A]\nother = \"A\"\n[B]\nother = \"B\"\n")},
		"active.en.toml": {Data: []byte("[A]\nother = \"A\"\n")},
		"active.ru.toml": {Data: []byte("[A]\nother = \"A\"\n")},
		"staff.de.toml":  {Data: []byte("[S]\nother = \"S {{.N}}\"\n[T]\nother = \"T\"\n[A]\nother = \"clash\"\n")},
		"staff.en.toml":  {Data: []byte("[S]\nother = \"S {{.M}}\"\n[A]\nother = \"clash\"\n")},
		"staff.ru.toml":  {Data: []byte("this is not TOML")}, // not a staff language: ignored
	}
	problems, _ := Check(fs, "de", []string{"de", "en", "ru"})
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		`active.en.toml:1: error: message "B" is missing; run ` + "`make i18n`" + ` to get it to translate`,
		`active.ru.toml:1: error: message "B" is missing`,
		`staff.en.toml:1: error: message "T" is missing`,
		`staff.en.toml:1: error: message "S" (other): placeholders [M] differ from the German [N]`,
		`staff.de.toml:5: error: message "A" is also in active.de.toml`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "staff.ru") {
		t.Errorf("staff.ru.toml checked:\n%s", text)
	}
}

// TestPluralsRender renders every plural message for 0, 1, 2, 5, 11, 21 and 101 in
// every language, with the count in the text and no template left unrendered.
func TestPluralsRender(t *testing.T) {
	b, err := Load(localesfs.FS, langs, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs, _, err := parseFile(localesfs.FS, "active.de.toml")
	if err != nil {
		t.Fatal(err)
	}
	var plurals []string
	for id, m := range msgs {
		if m.forms["one"] != "" {
			plurals = append(plurals, id)
		}
	}
	if len(plurals) == 0 {
		t.Fatal("no plural message in the German file")
	}
	for _, lang := range langs {
		for _, id := range plurals {
			for _, n := range []int{0, 1, 2, 5, 11, 21, 101} {
				got := b.N(lang, id, n, nil)
				if got == id || got == "" || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
					t.Errorf("%s %s n=%d: %q", lang, id, n, got)
				}
			}
		}
	}
}

func TestRequiredForms(t *testing.T) {
	for lang, want := range map[string]string{
		"de": "one other", "ar": "zero one two few many other", "ru": "one few many other",
		"uk": "one few many other", "tr": "one other", "fa": "one other",
	} {
		if got := strings.Join(RequiredForms(lang), " "); got != want {
			t.Errorf("%s: %s, want %s", lang, got, want)
		}
	}
}

// TestFallbackChain: a message missing in a language comes from English, then
// German, never from another language of the same script; it is logged once.
func TestFallbackChain(t *testing.T) {
	fs := fstest.MapFS{
		"active.de.toml": {Data: []byte("[A]\nother = \"A-de\"\n[B]\nother = \"B-de\"\n[C]\nother = \"C-de\"\n")},
		"active.en.toml": {Data: []byte("[A]\nother = \"A-en\"\n[B]\nother = \"B-en\"\n")},
		"active.ru.toml": {Data: []byte("[A]\nother = \"A-ru\"\n")},
		"active.ar.toml": {Data: []byte("[A]\nother = \"A-ar\"\n[B]\nother = \"B-ar\"\n")},
	}
	var logs bytes.Buffer
	b, err := Load(fs, []string{"de", "en", "ru", "uk", "ar", "fa"}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// Each gap is logged at load already, naming message and language, so that a
	// reload with a missing key does not pass silently; a language without a file is
	// one warning.
	for _, want := range []string{"level=WARN msg=\"missing translation; users get the English or German text\" lang=ru id=B", "lang=ru id=C", "lang=en id=C", "lang=ar id=C",
		"level=WARN msg=\"missing translation file; users get the English or German text\" lang=uk file=active.uk.toml"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log at load lacks %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "lang=uk id=") {
		t.Errorf("a language without a file logged each message:\n%s", logs.String())
	}
	tests := []struct{ lang, id, want string }{
		{"ru", "A", "A-ru"},
		{"ru", "B", "B-en"},
		{"ru", "C", "C-de"},
		{"uk", "A", "A-en"}, // not Russian
		{"fa", "B", "B-en"}, // not Arabic
		{"de", "C", "C-de"},
	}
	for _, tt := range tests {
		if got := b.T(tt.lang, tt.id, nil); got != tt.want {
			t.Errorf("T(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
	b.T("ru", "B", nil)
	if n := strings.Count(logs.String(), "lang=ru id=B"); n != 1 {
		t.Errorf("missing ru/B logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestCheckFindsProblems(t *testing.T) {
	fs := fstest.MapFS{
		"active.de.toml": {Data: []byte("[Hi]\nother = \"Hallo {{.Name}}\"\n[N]\none = \"{{.Count}} Thema\"\nother = \"{{.Count}} Themen\"\n[E]\nother = \"x\"\n")},
		"active.ru.toml": {Data: []byte("[Hi]\nother = \"Привет {{.Nome}}\"\n\n[N]\none = \"{{.Count}} тема\"\nother = \"{{.Count}} тем\"\n[E]\nother = \"\"\n[Extra]\nother = \"x\"\n")},
	}
	problems, cov := Check(fs, "de", []string{"de", "ru", "tr"})
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		`active.ru.toml:1: error: message "Hi" (other): placeholders [Nome] differ from the German [Name]`,
		`active.ru.toml:4: error: message "N": plural form "few" is missing`,
		`active.ru.toml:7: error: message "E": other is empty`,
		`active.ru.toml:9: warning: message "Extra" is not in the German file (extra)`,
		`active.tr.toml:1: error: the file is missing; create it empty, then run ` + "`make i18n`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	for _, c := range cov {
		if c.Lang == "ru" && c.Messages != 0 {
			t.Errorf("ru coverage %d, want 0 complete", c.Messages)
		}
	}
}

// TestDays: the retention periods agree with their number in every language.
func TestDays(t *testing.T) {
	b, err := Load(localesfs.FS, langs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"de", 1, "einen Tag"}, {"de", 30, "30 Tage"}, {"en", 1, "1 day"}, {"en", 180, "180 days"},
		{"ru", 1, "1 день"}, {"ru", 2, "2 дня"}, {"ru", 5, "5 дней"}, {"ru", 21, "21 день"}, {"ru", 30, "30 дней"},
		{"uk", 3, "3 дні"}, {"uk", 30, "30 днів"}, {"uk", 101, "101 день"},
		{"ar", 1, "يوم واحد"}, {"ar", 2, "يومين"}, {"ar", 5, "5 أيام"}, {"ar", 30, "30 يومًا"}, {"ar", 180, "180 يومًا"}, {"ar", 100, "100 يوم"},
		{"tr", 30, "30 gün"}, {"fa", 1, "1 روز"},
	} {
		if got := b.N(tt.lang, "Days", tt.n, nil); got != tt.want {
			t.Errorf("Days(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// TestSyntaxErrorsHaveALine: a broken file is reported as file:line: error: … by
// check and by Load, which names every broken file, not only the first.
func TestSyntaxErrorsHaveALine(t *testing.T) {
	fs := fstest.MapFS{
		"active.de.toml": {Data: []byte("[A]\nother = \"A\"\n")},
		"active.en.toml": {Data: []byte("[A]\nother = \"A\n")},
		"active.ru.toml": {Data: []byte("[A]\n\nother = = 1\n")},
	}
	problems, _ := Check(fs, "de", []string{"de", "en", "ru"})
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"active.en.toml:2: error: ", "active.ru.toml:3: error: "} {
		if !strings.Contains(text, want) {
			t.Errorf("check lacks %q:\n%s", want, text)
		}
	}
	_, err := Load(fs, []string{"de", "en", "ru"}, nil)
	var lerr *Error
	if !errors.As(err, &lerr) || len(lerr.Problems) != 2 {
		t.Fatalf("Load: %v, want an *Error with both files", err)
	}
	for _, want := range []string{"active.en.toml:2: error: ", "active.ru.toml:3: error: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load error lacks %q:\n%v", want, err)
		}
	}
}
