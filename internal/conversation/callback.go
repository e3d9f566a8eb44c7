package conversation

import (
	"strconv"
	"strings"

	"github.com/oldenburg/ankommen/internal/content"
)

// Callback data of the inline buttons. Telegram allows 64 bytes. The data names
// languages and topic ids, never positions or session state, so a button still works
// after a restart; one that names a topic that no longer exists is answered politely.
//
//	l:<lang>                 choose the language
//	t:<lang>:<topic>         show a topic
//	v:<lang>:<+|->:<topic>   helpful / not helpful
//	h:<lang>[:<topic>]       ask a person
//	p:<lang>:<page>          a page of the topic list
//	c:<lang>[:<ref>]         consent: send my question (the recorded question ref)
//	                         to the city team
//	n:<lang>:<ref>           consent: tell me once when the recorded question
//	                         ref has an answer (package notify)
//	m:<lang>:<topic>         more: the whole text of a topic
//	g:<lang>:<topic>         the German card of a topic, to show at the office
const maxCallbackData = 64

type cbKind byte

const (
	cbLang    cbKind = 'l'
	cbTopic   cbKind = 't'
	cbVote    cbKind = 'v'
	cbHuman   cbKind = 'h'
	cbPage    cbKind = 'p'
	cbConsent cbKind = 'c'
	cbNotify  cbKind = 'n'
	cbMore    cbKind = 'm'
	cbGerman  cbKind = 'g'
)

type callbackData struct {
	kind    cbKind
	lang    string
	topic   string
	helpful bool
	page    int
	ref     string // cbConsent, cbNotify: the reference of a recorded question
}

func (c callbackData) String() string {
	k := string(c.kind)
	switch c.kind {
	case cbLang:
		return k + ":" + c.lang
	case cbTopic, cbMore, cbGerman:
		return k + ":" + c.lang + ":" + c.topic
	case cbVote:
		v := "-"
		if c.helpful {
			v = "+"
		}
		return k + ":" + c.lang + ":" + v + ":" + c.topic
	case cbHuman:
		if c.topic == "" {
			return k + ":" + c.lang
		}
		return k + ":" + c.lang + ":" + c.topic
	case cbNotify:
		return k + ":" + c.lang + ":" + c.ref
	case cbPage:
		return k + ":" + c.lang + ":" + strconv.Itoa(c.page)
	case cbConsent:
		if c.ref == "" {
			return k + ":" + c.lang
		}
		return k + ":" + c.lang + ":" + c.ref
	}
	return ""
}

// fits reports whether the data fits Telegram's limit.
func (c callbackData) fits() bool { return len(c.String()) <= maxCallbackData }

// parseCallback reads callback data; ok is false for anything malformed or from an
// older version of the bot.
func parseCallback(s string) (callbackData, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts[0]) != 1 || !content.IsLanguage(parts[1]) {
		return callbackData{}, false
	}
	c := callbackData{kind: cbKind(parts[0][0]), lang: parts[1]}
	switch {
	case c.kind == cbLang && len(parts) == 2:
	case (c.kind == cbTopic || c.kind == cbMore || c.kind == cbGerman) && len(parts) == 3 && parts[2] != "":
		c.topic = parts[2]
	case c.kind == cbVote && len(parts) == 4 && (parts[2] == "+" || parts[2] == "-") && parts[3] != "":
		c.helpful, c.topic = parts[2] == "+", parts[3]
	case c.kind == cbHuman && len(parts) <= 3:
		if len(parts) == 3 {
			c.topic = parts[2]
		}
	case c.kind == cbConsent && len(parts) <= 3:
		if len(parts) == 3 {
			if !isRef(parts[2]) {
				return callbackData{}, false
			}
			c.ref = parts[2]
		}
	case c.kind == cbNotify && len(parts) == 3 && isRef(parts[2]):
		c.ref = parts[2]
	case c.kind == cbPage && len(parts) == 3:
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 0 {
			return callbackData{}, false
		}
		c.page = n
	default:
		return callbackData{}, false
	}
	return c, true
}

// isRef reports whether s looks like a question reference: 16 characters of
// lower-case base32 (assistant.Result.Ref).
func isRef(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
