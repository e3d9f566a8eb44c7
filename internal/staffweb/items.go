package staffweb

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// topicOption is one topic in the "answered by topic" list.
type topicOption struct {
	ID, Title string
}

// topicOptions lists the topics by title in lang, the candidates first.
func (h *Handler) topicOptions(lang string, cands []handoff.Candidate) []topicOption {
	c := h.opt.Answering().Corpus
	var first, rest []topicOption
	for _, cd := range cands {
		if t := c.Topic(cd.TopicID); t != nil {
			tr, _ := t.Best(lang)
			first = append(first, topicOption{t.ID, tr.Title})
		}
	}
	for _, id := range c.IDs {
		if slices.ContainsFunc(first, func(o topicOption) bool { return o.ID == id }) {
			continue
		}
		tr, _ := c.Topic(id).Best(lang)
		rest = append(rest, topicOption{id, tr.Title})
	}
	slices.SortFunc(rest, func(a, b topicOption) int {
		switch {
		case a.Title < b.Title:
			return -1
		case a.Title > b.Title:
			return 1
		}
		return 0
	})
	return append(first, rest...)
}

type questionData struct {
	Q      handoff.Question
	Topics []topicOption
}

// question shows an unanswered question with the bot's candidates and the actions.
func (h *Handler) question(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	q, err := h.opt.Store.Question(r.Context(), id)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "question.html", pageData{Title: "StaffQuestionTitle", Nav: "inbox", Flash: flash(r),
		Data: questionData{Q: q, Topics: h.topicOptions(uiLang(r), q.Candidates)}})
}

type handoffData struct {
	H        handoff.Handoff
	Messages []handoff.Message
	Last     int64 // the last message's id: a reply is to what the page shows
	Topics   []topicOption
	Reply    string // the text of a reply that was not sent
	Telegram bool
	Max      int
}

// handoffPage shows a handoff: the question, the thread with delivery states, the
// reply form and the actions.
func (h *Handler) handoffPage(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	h.showHandoff(w, r, id, http.StatusOK, "", "")
}

func (h *Handler) showHandoff(w http.ResponseWriter, r *http.Request, id int64, status int, errID, text string) {
	ho, msgs, err := h.opt.Store.Handoff(r.Context(), id)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	d := handoffData{H: ho, Messages: msgs, Topics: h.topicOptions(uiLang(r), ho.Candidates), Reply: text,
		Telegram: h.opt.Telegram, Max: handoff.MaxReply}
	if len(msgs) > 0 {
		d.Last = msgs[len(msgs)-1].ID
	}
	h.render(w, r, status, "handoff.html", pageData{Title: "StaffHandoffTitle", Nav: "inbox", Error: errID, Flash: flash(r), Data: d})
}

// flash reads the confirmation a redirect after an action carries.
func flash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "sent":
		return "StaffFlashSent"
	case "pending":
		return "StaffFlashPending"
	case "blocked":
		return "StaffFlashBlocked"
	case "failed":
		return "StaffFlashFailed"
	case "closed":
		return "StaffFlashClosed"
	case "spam":
		return "StaffFlashSpam"
	case "learned":
		return "StaffFlashLearned"
	}
	return ""
}

// reply sends a staff reply to the handoff's user and shows the delivery state.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	text := r.PostFormValue("text")
	after, err := strconv.ParseInt(r.PostFormValue("after"), 10, 64)
	if err != nil || after < 0 {
		h.showHandoff(w, r, id, http.StatusBadRequest, "StaffErrorInvalid", text)
		return
	}
	m, err := h.opt.Service.Reply(r.Context(), id, after, session(r).Name, text)
	switch {
	case errors.Is(err, handoff.ErrConflict):
		h.showHandoff(w, r, id, http.StatusConflict, "StaffErrorConflict", text)
		return
	case errors.Is(err, handoff.ErrClosed):
		h.showHandoff(w, r, id, http.StatusConflict, "StaffErrorClosed", text)
		return
	case errors.Is(err, handoff.ErrInvalid):
		errID := "StaffReplyEmpty"
		if trimmed(text) != "" {
			errID = "StaffReplyTooLong"
		}
		h.showHandoff(w, r, id, http.StatusBadRequest, errID, text)
		return
	case err != nil:
		h.failErr(w, r, err)
		return
	}
	h.log.Info("staff: replied", "staff", session(r).Name, "handoff", id, "message", m.ID, "delivery", string(m.Delivery))
	redirect(w, r, "/staff/handoffs/"+itoa(id)+"?done="+string(m.Delivery)+"#m"+itoa(m.ID))
}

// closeItem closes a question or handoff as handled or as spam.
func (h *Handler) closeItem(kind handoff.Kind, st handoff.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := h.pathID(w, r)
		if !ok {
			return
		}
		if err := h.opt.Service.Close(r.Context(), kind, id, st, session(r).Name); err != nil {
			h.failErr(w, r, err)
			return
		}
		h.log.Info("staff: closed", "staff", session(r).Name, "kind", string(kind), "id", id, "status", string(st))
		redirect(w, r, itemPath(kind, id)+"?done="+string(st))
	}
}

// learn stores the question as a phrasing of the chosen topic.
func (h *Handler) learn(kind handoff.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := h.pathID(w, r)
		if !ok {
			return
		}
		topic := r.PostFormValue("topic")
		if h.opt.Answering().Corpus.Topic(topic) == nil {
			h.fail(w, r, http.StatusBadRequest, "StaffErrorInvalid")
			return
		}
		if err := h.opt.Service.Learn(r.Context(), kind, id, topic, session(r).Name); err != nil {
			h.failErr(w, r, err)
			return
		}
		h.log.Info("staff: learned a phrasing", "staff", session(r).Name, "kind", string(kind), "id", id, "topic", topic)
		redirect(w, r, itemPath(kind, id)+"?done=learned")
	}
}

func itemPath(kind handoff.Kind, id int64) string {
	if kind == handoff.KindHandoff {
		return "/staff/handoffs/" + itoa(id)
	}
	return "/staff/questions/" + itoa(id)
}
