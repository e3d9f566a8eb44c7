package conversation

import (
	"cmp"
	"fmt"
	"html"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/content"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// outcomeInputs are, per language, a message for each outcome of the core on the
// shipped content: a confident answer, an ask-back ("Did you mean …?" with buttons),
// a hand-over (not sure, the contact), an emergency that calls for 112 first and one
// that calls for 110 first.
var outcomeInputs = map[string]map[string]string{
	"de": {"answer": "Wo kann ich in Oldenburg einen Deutschkurs machen?", "ask_back": "Beratung", "hand_over": "Welche Autoversicherung ist am billigsten?",
		"emergency_112": "mein vater atmet nicht mehr", "emergency_110": "jemand ist gerade in unsere wohnung eingebrochen"},
	"en": {"answer": "where can i learn german in oldenburg", "ask_back": "advice", "hand_over": "which car insurance is the cheapest?",
		"emergency_112": "my father is not breathing", "emergency_110": "someone broke into our flat right now"},
	"ar": {"answer": "وين بقدر اتعلم الماني باولدنبورغ؟", "ask_back": "بدي استشارة", "hand_over": "اي تأمين سيارة ارخص؟",
		"emergency_112": "ابي ما عم يتنفس", "emergency_110": "في حدا كسر الباب ودخل على بيتنا هلق"},
	"uk": {"answer": "де можна вивчити німецьку в Ольденбурзі", "ask_back": "потрібна консультація", "hand_over": "яка страховка на машину найдешевша?",
		"emergency_112": "мій батько не дихає", "emergency_110": "хтось зараз вломився до нашої квартири"},
	"ru": {"answer": "где можно выучить немецкий в Ольденбурге", "ask_back": "консультация", "hand_over": "какая страховка на машину самая дешёвая?",
		"emergency_112": "мой отец не дышит", "emergency_110": "кто-то сейчас вломился в нашу квартиру"},
	"tr": {"answer": "oldenburg'da almanca nerede ogrenebilirim", "ask_back": "danışmanlık istiyorum", "hand_over": "en ucuz araba sigortasi hangisi?",
		"emergency_112": "babam nefes almiyor", "emergency_110": "biri su an evimize zorla girdi"},
	"fa": {"answer": "کجا میتونم تو اولدنبورگ آلمانی یاد بگیرم؟", "ask_back": "مشاوره", "hand_over": "بیمه ماشین ارزون کدومه؟",
		"emergency_112": "پدرم نفس نمیکشه", "emergency_110": "یکی الان به زور اومده تو خونمون"},
}

// outcomeMarks are what each outcome's reply must contain in every language.
var outcomeMarks = map[string]string{"answer": "", "ask_back": "AskBack", "hand_over": "NotSure", "emergency_112": "Emergency112", "emergency_110": "Emergency110"}

// TestGoldenOutcomes records, per language, the reply to each outcome on the shipped
// content and a tap on the first ask-back button, and compares them with
// testdata/golden/outcomes.<lang>.txt (-update rewrites them). Each reply must also
// carry its outcome's sentence, so a drift of the calibration shows as a failure, not
// only as a diff.
func TestGoldenOutcomes(t *testing.T) {
	h := newHarnessOn(t, polling, apptest.Shipped)
	for i, lang := range content.Languages {
		t.Run(lang, func(t *testing.T) {
			u := tt.User{ID: int64(900 + i), Lang: lang}
			var b strings.Builder
			fmt.Fprintf(&b, "# Each outcome for a user whose Telegram speaks %q (shipped content and locale files).\n", lang)
			for _, kind := range []string{"answer", "ask_back", "hand_over", "emergency_112", "emergency_110"} {
				text := outcomeInputs[lang][kind]
				before := len(h.api.Sent())
				h.deliver(tt.Text(u, text))
				h.waitIdle()
				fmt.Fprintf(&b, "\n### %s: %s\n", kind, text)
				var reply tt.Request
				for _, r := range h.api.Sent()[before:] {
					if r.Int("chat_id") == u.ID {
						writeCall(&b, r)
						reply = r
					}
				}
				got := reply.Params["text"]
				if id := outcomeMarks[kind]; id != "" && !strings.Contains(got, html.EscapeString(firstWords(h.snap.Locale.T(lang, id, nil), 3))) {
					t.Errorf("%s %q: the reply lacks the %s sentence:\n%s", kind, text, id, got)
				}
				tap := func(btn tt.Button) string {
					before := len(h.api.Sent())
					h.deliver(tt.Callback(u, btn.CallbackData))
					h.waitIdle()
					fmt.Fprintf(&b, "\n### tap: %s\n", btn.Text)
					// Callback answers go out beside the queue: list them first.
					calls := h.api.Sent()[before:]
					slices.SortStableFunc(calls, func(a, b tt.Request) int {
						return cmp.Compare(b2i(a.Method != "answerCallbackQuery"), b2i(b.Method != "answerCallbackQuery"))
					})
					text := ""
					for _, r := range calls {
						if r.Int("chat_id") == u.ID || r.Method == "answerCallbackQuery" {
							writeCall(&b, r)
						}
						if r.Int("chat_id") == u.ID {
							text = r.Params["text"]
						}
					}
					return text
				}
				switch kind {
				case "ask_back":
					kb := reply.Keyboard()
					if len(kb) == 0 || !strings.HasPrefix(kb[0][0].CallbackData, "t:") {
						t.Fatalf("ask-back without topic buttons: %v", kb)
					}
					tap(kb[0][0])
				case "answer":
					// A short answer first; More gives the whole text, Show in German a
					// card in German under a line in the user's language.
					kb := reply.Keyboard()
					if len(kb) == 0 || len(kb[0]) == 0 || !strings.HasPrefix(kb[0][0].CallbackData, "m:") {
						t.Fatalf("answer without More: %v", kb)
					}
					if full := tap(kb[0][0]); len(full) <= len(got) {
						t.Errorf("More gave %d bytes, the short answer had %d", len(full), len(got))
					}
					if lang != content.SourceLang {
						if len(kb[0]) < 2 || !strings.HasPrefix(kb[0][1].CallbackData, "g:") {
							t.Fatalf("answer without Show in German: %v", kb)
						}
						card := tap(kb[0][1])
						intro := html.EscapeString(firstWords(h.snap.Locale.T(lang, "GermanCardIntro", nil), 2))
						if !strings.Contains(card, intro) || !strings.Contains(card, "<b>Deutsch lernen</b>") {
							t.Errorf("German card:\n%s", card)
						}
					}
				}
			}
			compareGolden(t, filepath.Join("testdata", "golden", "outcomes."+lang+".txt"), b.String())
		})
	}
}

func firstWords(s string, n int) string {
	ws := strings.Fields(s)
	return strings.Join(ws[:min(n, len(ws))], " ")
}
