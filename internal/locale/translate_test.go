package locale

import (
	"strings"
	"testing"
	"testing/fstest"
)

const germanFile = `# German is the source.

[A]
description = "first"
other = "Eins"

[B]
description = "a count"
one = "{{.Count}} Tag"
other = "{{.Count}} Tage"

# C: the changed one
[C]
other = "Drei neu"

[D]
other = "Vier \"zitiert\""
`

// TestPendingListsOnlyMissingAndChanged: the translate file has what the language
// lacks (a message, a plural form) or what changed in German since the translation,
// with the German text and every plural form the language needs; nothing else.
func TestPendingListsOnlyMissingAndChanged(t *testing.T) {
	old := Hash(map[string]string{"other": "Drei"})
	target := "# Russian\n\n[A]\nother = \"Один\"\n\n[C]\nhash = \"" + old + "\"\nother = \"Три\"\n\n[D]\nhash = \"" + Hash(map[string]string{"other": `Vier "zitiert"`}) + "\"\nother = \"Четыре\"\n"
	out, n, err := Pending([]byte(germanFile), []byte(target), "ru")
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if n != 2 {
		t.Errorf("%d messages, want B and C:\n%s", n, text)
	}
	for _, want := range []string{
		"# missing\n[B]\ndescription = \"a count\"\nhash = \"" + Hash(map[string]string{"one": "{{.Count}} Tag", "other": "{{.Count}} Tage"}) + "\"\none = \"{{.Count}} Tag\"\nfew = \"{{.Count}} Tage\"\nmany = \"{{.Count}} Tage\"\nother = \"{{.Count}} Tage\"\n",
		"# the German text changed; the translation was: \"Три\"\n[C]\nhash = \"" + Hash(map[string]string{"other": "Drei neu"}) + "\"\nother = \"Drei neu\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("translate file lacks\n%s\nin\n%s", want, text)
		}
	}
	if strings.Contains(text, "[A]") || strings.Contains(text, "[D]") {
		t.Errorf("up-to-date messages listed:\n%s", text)
	}
	if _, n, _ := Pending([]byte(germanFile), []byte(germanFile), "de"); n != 0 {
		t.Errorf("the German file against itself: %d pending", n)
	}
}

// TestMergeTouchesOnlyItsMessages: merged messages are replaced where they stand or
// inserted in the German order; every other line, comments included, stays; a
// message left empty stays in the translate file; afterwards nothing is pending
// and the file checks clean.
func TestMergeTouchesOnlyItsMessages(t *testing.T) {
	target := "# Russian, by Olga. Keep this comment.\n\n[A]\nother = \"Один\" # inline note\n\n# Olga: C is tricky\n[C]\nhash = \"sha256-0000000000000000\"\nother = \"Три\"\n\n[D]\nother = \"Четыре\"\n"
	tr, n, err := Pending([]byte(germanFile), []byte(target), "ru")
	if err != nil || n != 2 {
		t.Fatalf("pending: %d, %v", n, err)
	}
	translated := strings.NewReplacer(
		`one = "{{.Count}} Tag"`, `one = "{{.Count}} день"`,
		`few = "{{.Count}} Tage"`, `few = "{{.Count}} дня"`,
		`many = "{{.Count}} Tage"`, `many = "{{.Count}} дней"`,
		`other = "{{.Count}} Tage"`, `other = "{{.Count}} дня"`,
		`other = "Drei neu"`, `other = "Три новых"`,
	).Replace(string(tr))
	res, err := Merge([]byte(germanFile), []byte(target), []byte(translated))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Russian, by Olga. Keep this comment.\n\n[A]\nother = \"Один\" # inline note\n\n" +
		"[B]\nhash = \"" + Hash(map[string]string{"one": "{{.Count}} Tag", "other": "{{.Count}} Tage"}) + "\"\none = \"{{.Count}} день\"\nfew = \"{{.Count}} дня\"\nmany = \"{{.Count}} дней\"\nother = \"{{.Count}} дня\"\n\n" +
		"# Olga: C is tricky\n[C]\nhash = \"" + Hash(map[string]string{"other": "Drei neu"}) + "\"\nother = \"Три новых\"\n\n[D]\nother = \"Четыре\"\n"
	if string(res.Target) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", res.Target, want)
	}
	if strings.Join(res.Merged, ",") != "B,C" || res.Rest != nil || len(res.Untranslated) != 0 {
		t.Errorf("merged %v, kept %v, untranslated %v", res.Merged, res.Kept, res.Untranslated)
	}
	if _, n, _ := Pending([]byte(germanFile), res.Target, "ru"); n != 0 {
		t.Errorf("%d still pending after the merge", n)
	}
	problems, _ := Check(fstest.MapFS{"active.de.toml": {Data: []byte(germanFile)}, "active.ru.toml": {Data: res.Target}}, "de", []string{"de", "ru"})
	for _, p := range problems {
		t.Errorf("check after merge: %s", p)
	}
	if _, err := Load(fstest.MapFS{"active.de.toml": {Data: []byte(germanFile)}, "active.ru.toml": {Data: res.Target}}, []string{"de", "ru"}, nil); err != nil {
		t.Errorf("go-i18n cannot load the merged file: %v", err)
	}

	// A message left empty is not merged and stays for later; a new language's
	// empty file gets the messages in the German order.
	half := strings.Replace(translated, `other = "Три новых"`, `other = ""`, 1)
	res, err = Merge([]byte(germanFile), []byte(target), []byte(half))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Kept, ",") != "C" || !strings.Contains(string(res.Rest), "[C]") || strings.Contains(string(res.Rest), "[B]") || !strings.Contains(string(res.Target), "other = \"Три\"") {
		t.Errorf("kept %v, rest:\n%s\ntarget:\n%s", res.Kept, res.Rest, res.Target)
	}
	tr, n, _ = Pending([]byte(germanFile), nil, "tr")
	res, err = Merge([]byte(germanFile), nil, tr)
	if err != nil || n != 4 || strings.Join(res.Merged, ",") != "A,B,C,D" || len(res.Untranslated) != 4 {
		t.Fatalf("new language: %d pending, merged %v, untranslated %v, %v", n, res.Merged, res.Untranslated, err)
	}
	if i, j := strings.Index(string(res.Target), "[A]"), strings.Index(string(res.Target), "[D]"); i < 0 || j < i {
		t.Errorf("new language file:\n%s", res.Target)
	}
}
