package langdetect

import (
	"strings"

	"github.com/abadojack/whatlanggo"
)

// ours are whatlanggo's codes of the supported languages.
var ours = map[whatlanggo.Lang]bool{
	whatlanggo.Deu: true, whatlanggo.Eng: true, whatlanggo.Arb: true, whatlanggo.Ukr: true,
	whatlanggo.Rus: true, whatlanggo.Tur: true, whatlanggo.Pes: true,
}

// Foreign reports whether text is clearly written in a language the bot does not
// support (French, Spanish, Kurdish in Latin script …), so that the user is told which
// languages it speaks instead of getting a German or English reply by guesswork. It
// returns the ISO 639-3 code. Short texts and texts with cues of a supported language
// are never foreign.
func Foreign(text string) (string, bool) {
	if d := Detect(text); d.Sure {
		return "", false
	}
	if len(strings.Fields(text)) < 4 {
		return "", false
	}
	info := whatlanggo.Detect(text)
	if ours[info.Lang] || !info.IsReliable() || info.Confidence < 0.8 {
		return "", false
	}
	return info.Lang.Iso6393(), true
}
