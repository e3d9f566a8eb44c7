package fold

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"umlauts", "Ausländerbehörde", "auslanderbehorde"},
		{"sharp s", "Straße", "strasse"},
		{"turkish", "Yabancılar Dairesi'ne nasıl gidilir", "yabancilar dairesine nasil gidilir"},
		{"russian yo", "ещё", "еще"},
		{"ukrainian", "Де їхати?", "де іхати "},
		{"arabic alef and marks", "أَيْنَ مَكْتَبُ", "اين مکتب"},
		{"taa marbuta and alef maqsura", "مدرسة على", "مدرسه علي"},
		{"persian keyboard", "کجا می‌خواهم", "کجا ميخواهم"},
		{"digits of every script", "٠١٧٦ ۰۹۱۲ ０１７６", "0176 0912 0176"},
		{"punctuation", "Hilfe!!! (jetzt)", "hilfe     jetzt "},
		{"repeated letters", "HILFEEEE helppp ساعدوووني kaffee", "hilfe help ساعدوني kaffee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	got := Words("  Wo ist das Ausländer-Büro?? ")
	want := []string{"wo", "ist", "das", "auslander", "buro"}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func TestLatin(t *testing.T) {
	for s, want := range map[string]bool{
		"wen ma7al el jobcenter":  true,
		"где находится jobcenter": false,
		"12345":                   false,
		"koja mitonam":            true,
	} {
		if got := Latin(s); got != want {
			t.Errorf("Latin(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestFoldSameAsReference compares Fold with the plain rune-by-rune version it was
// written as (before its fast paths: the whole text decomposed, then folded rune by
// rune) on every line of the content and on a fuzzed
// set of strings: the models' features depend on every byte of it.
func TestFoldSameAsReference(t *testing.T) {
	var lines []string
	err := filepath.WalkDir("../../content", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 10000 {
		t.Fatalf("read %d lines of content, want the whole tree", len(lines))
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aAbBeEzZ09' -!ßıÄäöÜéكةىیـ\u200cأَ٣۴ееЁйЇ'’ʼsssSSS０１ﻻ각\u0301\u0308\ufffd")
	for range 20000 {
		rs := make([]rune, r.IntN(12))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		lines = append(lines, string(rs))
	}
	lines = append(lines, "ab\xffc", "\xe2\x82", "ä\x80ö", "e\u0301\u0323", "ё\u0308x")
	for _, s := range lines {
		if got, want := Fold(s), foldReference(s); got != want {
			t.Fatalf("Fold(%q) = %q, the reference gives %q", s, got, want)
		}
	}
}

func foldReference(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		foldDecomposed(&b, r)
	}
	return squeeze(b.String())
}

func BenchmarkFold(b *testing.B) {
	texts := []string{
		"Hallo, ich bin seit Montag in Oldenburg und muss mich anmelden, wo geht das??",
		"Где находится Ausländerbehörde в Ольденбурге? Нужно продлить ВНЖ",
		"سلام، میخوام برای کلاس زبان ثبت نام کنم، کجا باید برم؟",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			Fold(s)
		}
	}
}
