package conversation

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/oldenburg/ankommen/internal/content"
)

// supported are the bot's languages as tags, for the matcher.
var supported = func() []language.Tag {
	var tags []language.Tag
	for _, l := range content.Languages {
		tags = append(tags, language.Make(l))
	}
	return tags
}()

var matcher = language.NewMatcher(supported)

// aliases map codes the matcher does not join to their language on purpose:
// Dari (prs) and Iranian Persian (pes) are read as Persian.
var aliases = map[string]string{"prs": "fa", "pes": "fa"}

// fromCode maps Telegram's language_code (an IETF tag such as "en-US" or "uk") to a
// supported language. A language the bot does not speak gets English, which more
// newcomers read than German — never a neighbour by script or region: the matcher
// would offer Turkish for Kurdish (ku), Arabic for Sorani (ckb) and Russian for
// Azerbaijani (az), which would offend their speakers. No code at all gives "".
func fromCode(code string) string {
	code = strings.TrimSpace(code)
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return "en"
	}
	base, _ := tag.Base()
	if l, ok := aliases[base.String()]; ok {
		return l
	}
	_, i, conf := matcher.Match(tag)
	if conf < language.High {
		return "en"
	}
	got, _ := supported[i].Base()
	if got != base { // a match by region or script, not by language
		return "en"
	}
	return content.Languages[i]
}

// uiLang is the language to talk to a user in: their choice, else their app's, else
// German (the city's language, like the core's default).
func uiLang(chosen, code string) string {
	if chosen != "" {
		return chosen
	}
	if l := fromCode(code); l != "" {
		return l
	}
	return content.SourceLang
}
