package fold

import (
	"slices"
	"testing"
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
