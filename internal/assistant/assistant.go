// Package assistant is the domain core: it turns a question and a language into an
// answer from the city's content, or into an escalation to a person. It declares the
// interfaces it needs (Searcher, Recorder) and imports no adapter.
package assistant

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/fold"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/langdetect"
)

// Kind says what sort of reply a Result is.
type Kind string

const (
	KindAnswer  Kind = "answer"   // a confident answer from a topic
	KindNotSure Kind = "not_sure" // no confident answer: suggestions and the contact
	// KindAskBack: not sure enough to answer, but one of up to three topics is likely
	// right: "Did you mean …?" with a button each; the contact is shown too.
	KindAskBack   Kind = "ask_back"
	KindEmergency Kind = "emergency" // an emergency: 112/110 at once
	KindGreeting  Kind = "greeting"
	KindThanks    Kind = "thanks"
	KindHuman     Kind = "human" // the user asks for a person
	KindEmpty     Kind = "empty" // nothing to read: empty, white space or control characters
	// KindUnsupported: the text is clearly in a language the bot does not speak;
	// the reply is in English with the list of supported languages.
	KindUnsupported Kind = "unsupported_language"
)

// MaxQuestionBytes is the longest question read; the rest is cut off.
const MaxQuestionBytes = 4096

// Question is one message to answer.
type Question struct {
	Text string
	// Lang forces the answer language (e.g. ask --lang); "" means detect.
	Lang string
	// Preferred is the language to use when the text carries no usable signal
	// (the chat's stored choice, or Telegram's language_code); "" means German.
	Preferred string
}

// Alternative is a topic that may also fit.
type Alternative struct {
	TopicID string
	Title   string
	Score   float64
}

// Result is the core's answer to a Question. It carries content, not rendered text:
// the channel renders it in the user's language.
type Result struct {
	Question  string
	Lang      string // the language the user is answered in
	Detected  string // what detection found ("" when nothing usable)
	Kind      Kind
	Truncated bool // the question was cut at MaxQuestionBytes

	Topic      *content.Topic       // the best topic (answer), or nil
	Text       *content.Translation // its text in AnswerLang
	AnswerLang string               // language of Text: Lang unless the topic lacks it
	Stale      bool                 // Text is a translation older than the German source
	Score      float64
	Coverage   float64
	Words      []string // the question's meaningful words after analysis
	Unknown    []string // those the content does not have

	Confident bool
	// Unpriced reports that the question asks for a price the best topic does not
	// name: asked back, never answered.
	Unpriced     bool
	Escalated    bool
	Alternatives []Alternative
	// Contact is the escalation contact's text (from content), set when escalating.
	Contact *content.Translation
	// Emergency is the emergency topic's text, set for KindEmergency.
	Emergency *content.Translation
	// Ref is the reference of the recorded unanswered question (KindNotSure,
	// KindAskBack), which the user may hand to the city team; "" when it was not
	// recorded.
	Ref string
	// Alarm says which emergency was recognised and whom to call (KindEmergency).
	Alarm *Alarm
	// Understood is the language the question was understood in (written in), which
	// may differ from Lang, the language of the reply.
	Understood string
	// Probability is the calibrated probability that Topic (or the first
	// alternative) is right; 0 without models.
	Probability float64
	// Features are what Probability was computed from (for --debug and calibration).
	Features Features
	// Best is the best candidate topic's id whatever the outcome ("" when none).
	Best string
}

// Unanswered is a question the bot could not answer, for staff review. It carries
// no chat or user id, and its text has phone numbers and e-mail addresses masked
// (handoff.Mask): it is kept to improve the content, not to contact anyone. A user
// who wants to be contacted hands the question over by its Ref.
type Unanswered struct {
	Text       string
	Lang       string
	Candidates []Hit
	At         time.Time
	// Ref is a random reference, unique among stored questions.
	Ref string
}

// Recorder stores unanswered questions.
type Recorder interface {
	RecordUnanswered(ctx context.Context, u Unanswered) error
}

// Tally counts answers for the statistics: no text, no chat.
type Tally interface {
	// CountAnswer counts one reply of kind in lang on the day of at.
	CountAnswer(ctx context.Context, at time.Time, lang string, kind Kind) error
	// CountTopic counts one answer from the topic id in lang (the user's language)
	// on the day of at: how often topics are asked for, to review the most asked
	// first.
	CountTopic(ctx context.Context, at time.Time, lang, topicID string) error
}

// Assistant answers questions from a corpus. It is safe for concurrent use.
type Assistant struct {
	corpus   *content.Corpus
	search   Searcher
	recorder Recorder
	tally    Tally
	newRef   func() string
	intents  *intentMatcher
	priced   map[string]bool // topics that name a price (pricedTopics)
	models   Models
	calib    Calibration
	now      func() time.Time
	logger   *slog.Logger
}

// New returns an Assistant that finds topics with s and understands with m:
// emergencies by meaning, topics by the classifier fused with the search, and three
// calibrated outcomes. recorder may be nil.
func New(c *content.Corpus, s Searcher, m Models, recorder Recorder) *Assistant {
	return &Assistant{corpus: c, search: s, models: m, recorder: recorder, intents: newIntentMatcher(c.Intents), priced: pricedTopics(c), now: time.Now,
		newRef: newRef, logger: slog.New(slog.DiscardHandler), calib: DefaultCalibration}
}

// WithCalibration returns a copy of a that decides with c.
func (a *Assistant) WithCalibration(c Calibration) *Assistant {
	b := *a
	b.calib = c
	return &b
}

// WithTally returns a copy of a that counts its answers in t.
func (a *Assistant) WithTally(t Tally) *Assistant {
	b := *a
	b.tally = t
	return &b
}

// WithoutRecording returns a copy of a that neither records unanswered questions
// nor counts answers: for trying questions out (the staff page's "try it").
func (a *Assistant) WithoutRecording() *Assistant {
	b := *a
	b.recorder, b.tally = nil, nil
	return &b
}

// newRef returns 16 random characters of base32.
func newRef() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// WithLogger returns a copy of a that logs to l (a failure to record an unanswered
// question, which must not cost the user the answer).
func (a *Assistant) WithLogger(l *slog.Logger) *Assistant {
	b := *a
	b.logger = l
	return &b
}

// IsEmergency reports whether text describes an emergency (the intent words of every
// language). Channels use it to let emergencies through flood control.
func (a *Assistant) IsEmergency(text string) bool {
	t, _ := Clean(text)
	_, ok := a.emergency(t)
	return ok
}

func (a *Assistant) emergency(text string) (*Alarm, bool) {
	al, ok := a.models.DetectEmergency(text)
	if !ok {
		return nil, false
	}
	if h := a.corpus.Helplines[al.Line]; h != nil {
		al.LineName, al.LineNumber = h.Name, h.Number
	}
	return &al, true
}

// Corpus returns the content the assistant answers from.
func (a *Assistant) Corpus() *content.Corpus { return a.corpus }

// Answer answers q. The error is non-nil only when the search itself fails; bad input
// is a Result (KindEmpty, or not confident), never an error. A failure to record an
// unanswered question is logged, not returned: the user still gets the reply.
func (a *Assistant) Answer(ctx context.Context, q Question) (Result, error) {
	r, err := a.answer(ctx, q)
	if a.tally != nil && r.Kind != "" && err == nil {
		at := a.now()
		if err := a.tally.CountAnswer(ctx, at, r.Lang, r.Kind); err != nil {
			a.logger.Warn("counting an answer failed", "err", err)
		}
		if r.Kind == KindAnswer && r.Topic != nil {
			if err := a.tally.CountTopic(ctx, at, r.Lang, r.Topic.ID); err != nil {
				a.logger.Warn("counting a topic failed", "topic", r.Topic.ID, "err", err)
			}
		}
	}
	return r, err
}

func (a *Assistant) answer(ctx context.Context, q Question) (Result, error) {
	text, truncated := Clean(q.Text)
	r := Result{Question: text, Truncated: truncated}
	det := langdetect.Detect(text)
	r.Detected = det.Lang
	r.Lang = chooseLang(q, det)

	if !hasVisible(text) {
		r.Kind = KindEmpty
		return r, nil
	}
	if al, ok := a.emergency(text); ok {
		r.Kind = KindEmergency
		r.Alarm = al
		// "pomogite, drug vypil vse tabletki": no sure language from the letters,
		// but the cue or examples that matched are Russian. Latin letters that
		// matched Arabizi, Finglish or Latin-letter Russian or Ukrainian are that
		// language, whatever the letters seemed to say ("help" in an Arabizi message).
		latinScript := scriptLangs[al.Lang] && fold.Latin(text)
		if q.Lang == "" && (!det.Sure || latinScript) && content.IsLanguage(al.Lang) {
			r.Lang = al.Lang
		}
		r.Confident = true
		if t := a.corpus.EmergencyTopic(); t != nil {
			r.Emergency, _ = t.Best(r.Lang)
		}
		return r, nil
	}
	if a.intents.match(text, intentHuman) {
		r.Kind = KindHuman
		r.Escalated = true
		a.setContact(&r)
		return r, nil
	}
	if short(text) {
		switch {
		case a.intents.match(text, intentGreeting):
			r.Kind = KindGreeting
			r.Confident = true
			return r, nil
		case a.intents.match(text, intentThanks):
			r.Kind = KindThanks
			r.Confident = true
			return r, nil
		}
	}

	return a.understand(ctx, q, det, r)
}

// record stores the question as unanswered, for staff, and gives r its reference. A
// failure is logged: the user still gets the reply.
func (a *Assistant) record(ctx context.Context, r *Result, candidates []Hit) {
	if a.recorder == nil {
		return
	}
	u := Unanswered{Text: handoff.Mask(r.Question), Lang: r.Lang, Candidates: candidates, At: a.now(), Ref: a.newRef()}
	if err := a.recorder.RecordUnanswered(ctx, u); err != nil {
		a.logger.Warn("recording an unanswered question failed", "err", err)
		return
	}
	r.Ref = u.Ref
}

func (a *Assistant) setContact(r *Result) {
	if t := a.corpus.Contact(); t != nil {
		r.Contact, _ = t.Best(r.Lang)
	}
}

// chooseLang picks the answer language: a forced language; else the detected one when
// the text is clearly written in it; else the preferred one; else an unsure detection;
// else German.
func chooseLang(q Question, det langdetect.Result) string {
	switch {
	case q.Lang != "":
		return q.Lang
	case det.Sure:
		return det.Lang
	case q.Preferred != "":
		return q.Preferred
	case det.Lang != "":
		return det.Lang
	}
	return content.SourceLang
}

// Clean makes user text safe to process: valid UTF-8, control characters turned into
// spaces, runs of white space collapsed, at most MaxQuestionBytes long. It reports
// whether it cut the text.
func Clean(s string) (string, bool) {
	truncated := false
	if len(s) > MaxQuestionBytes {
		s = s[:MaxQuestionBytes]
		truncated = true
	}
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " "), truncated
}

func hasVisible(s string) bool {
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// short reports whether s is short enough to be only a greeting or thanks: a longer
// message that starts with "Hello" is a question.
func short(s string) bool {
	return len(strings.Fields(s)) <= 4
}

// TopicResult presents a topic of c as Answer would answer with it, in lang where
// it is translated: what a tap on a topic button shows. Its related topics (up to
// three) are the alternatives.
func TopicResult(c *content.Corpus, lang string, topic *content.Topic) Result {
	tr, _ := topic.Best(lang)
	r := Result{
		Kind: KindAnswer, Lang: lang, Topic: topic, Text: tr,
		AnswerLang: tr.Lang, Stale: topic.Stale(tr.Lang), Confident: true,
	}
	related := tr.Related
	if len(related) == 0 && topic.In(content.SourceLang) != nil {
		related = topic.In(content.SourceLang).Related
	}
	for _, id := range related {
		if len(r.Alternatives) == 3 {
			break
		}
		if rt := c.Topic(id); rt != nil {
			rtr, _ := rt.Best(lang)
			r.Alternatives = append(r.Alternatives, Alternative{TopicID: id, Title: rtr.Title})
		}
	}
	return r
}
