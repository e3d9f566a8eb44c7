package staffweb

import (
	"net/http"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/reply"
)

// tryRow is what the bot answers the question in one language.
type tryRow struct {
	Lang       string // "" for the language the bot detects
	Answered   string // the language of the answer
	Kind       string
	TopicID    string
	Title      string
	Score      float64
	Coverage   float64
	Confident  bool
	Alts       []assistant.Alternative
	Answer     string // the reply as plain text, shortened
	Unknown    []string
	Escalation bool
}

type tryData struct {
	Q    string
	Rows []tryRow
}

// maxTry is the longest question the page tries, in characters.
const maxTry = 1000

// try answers a question in every language as the bot would, without recording it
// or counting it in the statistics.
func (h *Handler) try(w http.ResponseWriter, r *http.Request) {
	q := cut(maxTry, trimmed(r.URL.Query().Get("q")))
	d := tryData{Q: q}
	if q != "" {
		core := h.opt.Answering()
		a := core.Assistant.WithoutRecording()
		for _, lang := range append([]string{""}, content.Languages...) {
			res, err := a.Answer(r.Context(), assistant.Question{Text: q, Lang: lang})
			if err != nil {
				h.failErr(w, r, err)
				return
			}
			row := tryRow{Lang: lang, Answered: res.Lang, Kind: string(res.Kind), Score: res.Score, Coverage: res.Coverage,
				Confident: res.Confident, Alts: res.Alternatives, Unknown: res.Unknown, Escalation: res.Escalated,
				Answer: cut(400, core.Renderer.Render(res, reply.FormatPlain))}
			if res.Topic != nil {
				row.TopicID = res.Topic.ID
				row.Title = res.Text.Title
			}
			d.Rows = append(d.Rows, row)
		}
	}
	h.render(w, r, http.StatusOK, "try.html", pageData{Title: "StaffTryTitle", Nav: "try", Data: d})
}
