package langdetect

import (
	"strings"

	"github.com/abadojack/whatlanggo"

	"github.com/oldenburg/ankommen/internal/content"
)

// supported reports whether whatlanggo's l is one of the bot's languages.
func supported(l whatlanggo.Lang) bool {
	code := l.Iso6391()
	if l == whatlanggo.Pes { // Iranian Persian
		code = "fa"
	}
	return code != "" && content.IsLanguage(code)
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
	if supported(info.Lang) || !info.IsReliable() || info.Confidence < 0.8 {
		return "", false
	}
	return info.Lang.Iso6393(), true
}
