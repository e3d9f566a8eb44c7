package conversation

import (
	"slices"
	"testing"

	"github.com/oldenburg/ankommen/internal/apptest"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/reply"
)

func TestFromCodeNeighbours(t *testing.T) {
	for code, want := range map[string]string{
		"de": "de", "de-AT": "de", "en-US": "en", "en_GB": "en", "uk": "uk", "uk-UA": "uk",
		"ru": "ru", "tr": "tr", "ar": "ar", "ar-SY": "ar", "fa": "fa", "fa-AF": "fa",
		"prs": "fa", "pes": "fa", // Dari and Iranian Persian on purpose
		"ku": "en", "ckb": "en", "az": "en", "kmr": "en", // never a neighbour language
		"be": "en", "sr": "en", "fr": "en", "xx": "en", "!!": "en",
		"": "",
	} {
		if got := fromCode(code); got != want {
			t.Errorf("fromCode(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestStaleKeyboard: an answer from a stale translation offers the German text.
func TestStaleKeyboard(t *testing.T) {
	k := answering(apptest.Load(t, testContent), nil)
	topic := k.Corpus.Topic(k.Corpus.IDs[0])
	r := assistant.Result{Kind: assistant.KindAnswer, Lang: "en", AnswerLang: "en", Topic: topic, Stale: true}
	r.Text, _ = topic.Best("en")
	kb := resultKeyboard(k, r, k.Renderer.Chat(r, reply.FormatHTML, 0).Labels, false, false)
	var data []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			data = append(data, b.CallbackData)
			if b.CallbackData == "t:de:"+topic.ID && b.Text != "📄 Deutsch" {
				t.Errorf("the German text is labelled %q, want %q", b.Text, "📄 Deutsch")
			}
		}
	}
	if !slices.Contains(data, "t:de:"+topic.ID) {
		t.Errorf("stale answer keyboard %v lacks the German text", data)
	}
	r.Stale = false
	for _, row := range resultKeyboard(k, r, k.Renderer.Chat(r, reply.FormatHTML, 0).Labels, false, false).InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == "t:de:"+topic.ID {
				t.Error("fresh answer offers the German text")
			}
		}
	}
}
