package telegram

import "testing"

func TestFromCodeNeighbours(t *testing.T) {
	for code, want := range map[string]string{
		"de": "de", "de-AT": "de", "en-US": "en", "en_GB": "en", "uk": "uk", "uk-UA": "uk",
		"ru": "ru", "tr": "tr", "ar": "ar", "ar-SY": "ar", "fa": "fa", "fa-AF": "fa",
		"prs": "fa", "pes": "fa", // Dari and Iranian Persian on purpose
		"ku": "en", "ckb": "en", "az": "en", "kmr": "en", // never a neighbour language
		"be": "en", "sr": "en", "fr": "en", "xx": "en", "!!": "en",
		"": "",
	} {
		if got := FromCode(code); got != want {
			t.Errorf("FromCode(%q) = %q, want %q", code, got, want)
		}
	}
}
