package telegram

import (
	"strings"

	"github.com/oldenburg/ankommen/internal/content"
)

// FromCode maps Telegram's language_code (an IETF tag such as "en-US" or "uk") to a
// supported language. A user whose app speaks a language the bot does not gets
// English, which more newcomers read than German; no code at all gives "".
func FromCode(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return ""
	}
	if i := strings.IndexAny(code, "-_"); i >= 0 {
		code = code[:i]
	}
	if content.IsLanguage(code) {
		return code
	}
	return "en"
}

// uiLang is the language to talk to a user in: their choice, else their app's, else
// German (the city's language, like the core's default).
func uiLang(chosen, code string) string {
	if chosen != "" {
		return chosen
	}
	if l := FromCode(code); l != "" {
		return l
	}
	return content.SourceLang
}
