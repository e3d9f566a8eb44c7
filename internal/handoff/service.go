package handoff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxReply is the longest staff reply in characters. Telegram takes 4096 a message;
// a longer reply goes out in several messages, and one this long is already three.
const MaxReply = 12000

// Notifier reaches the user of a handoff: the Telegram channel.
type Notifier interface {
	// Deliver sends a staff reply to the handoff's chat, marked as coming from the
	// city team, and calls done once with the result: nil when Telegram accepted
	// every part, ErrBlocked when the user blocked the bot, else an error wrapping
	// ErrUndelivered. done may be called before Deliver returns.
	Deliver(h Handoff, text string, done func(error))
	// Closed tells the user that the city team closed the conversation and the bot
	// answers again.
	Closed(h Handoff)
}

// Options configure a Service.
type Options struct {
	Store    Store
	Notifier Notifier // nil: no channel, replies are not delivered
	// TopicExists reports whether a topic id names a topic (for "answered by topic").
	TopicExists func(id string) bool
	// Answered is called when staff decided that topic answers question id, before
	// OnLearned: to tell its asker, if they asked to be told (package notify).
	// nil: nobody is told.
	Answered func(ctx context.Context, questionID int64, topicID string)
	// OnLearned is called after a phrasing was learned, to rebuild the answering core.
	OnLearned func()
	Now       func() time.Time
	Logger    *slog.Logger
	// DeliveryWait bounds how long Reply waits for Telegram before it returns the
	// reply as pending (default 10s); the state is stored when the answer comes.
	DeliveryWait time.Duration
}

// Service carries out staff actions: reply, close, dismiss, and answer by topic.
type Service struct {
	opt Options
	log *slog.Logger
}

// NewService returns a Service.
func NewService(opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.DeliveryWait <= 0 {
		opt.DeliveryWait = 10 * time.Second
	}
	if opt.TopicExists == nil {
		opt.TopicExists = func(string) bool { return true }
	}
	return &Service{opt: opt, log: opt.Logger}
}

// Store returns the store the service works on.
func (s *Service) Store() Store { return s.opt.Store }

// Reply stores a staff reply to handoff id and delivers it. afterID is the last
// message the staff member saw: when the thread has changed since, nothing is sent
// and the error is ErrConflict. The returned message carries the delivery state.
func (s *Service) Reply(ctx context.Context, id, afterID int64, staff, text string) (Message, error) {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return Message{}, fmt.Errorf("%w: the reply is empty", ErrInvalid)
	case n > MaxReply:
		return Message{}, fmt.Errorf("%w: the reply has %d characters, at most %d are allowed", ErrInvalid, n, MaxReply)
	}
	h, _, err := s.opt.Store.Handoff(ctx, id)
	if err != nil {
		return Message{}, err
	}
	m, err := s.opt.Store.AddStaffReply(ctx, id, afterID, staff, text, s.opt.Now())
	if err != nil {
		return Message{}, err
	}
	if s.opt.Notifier == nil {
		m.Delivery = DeliveryFailed
		return m, s.setDelivery(m.ID, DeliveryFailed)
	}
	result := make(chan Delivery, 1)
	s.opt.Notifier.Deliver(h, text, func(err error) {
		d := DeliverySent
		switch {
		case errors.Is(err, ErrBlocked):
			d = DeliveryBlocked
		case err != nil:
			d = DeliveryFailed
			s.log.Warn("staff reply not delivered", "handoff", id, "message", m.ID, "err", err)
		}
		// Stored here, not by the waiting request: the answer may come after it gave up.
		if err := s.setDelivery(m.ID, d); err != nil {
			s.log.Error("cannot store the delivery state", "message", m.ID, "err", err)
		}
		result <- d
	})
	select {
	case m.Delivery = <-result:
	case <-time.After(s.opt.DeliveryWait):
		m.Delivery = DeliveryPending
	case <-ctx.Done():
		m.Delivery = DeliveryPending
	}
	return m, nil
}

func (s *Service) setDelivery(id int64, d Delivery) error {
	// Not the request's context: the state must be stored even when it ended.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.opt.Store.SetDelivery(ctx, id, d, s.opt.Now())
}

// Close closes a question or handoff as handled (StatusClosed) or dismisses it as
// spam (StatusSpam). The user of a handoff is told that the bot answers again.
func (s *Service) Close(ctx context.Context, kind Kind, id int64, st Status, staff string) error {
	if st != StatusClosed && st != StatusSpam {
		return fmt.Errorf("%w: status %q", ErrInvalid, st)
	}
	switch kind {
	case KindQuestion:
		if _, err := s.opt.Store.Question(ctx, id); err != nil {
			return err
		}
		return s.opt.Store.SetQuestionStatus(ctx, id, st, "", staff, s.opt.Now())
	case KindHandoff:
		h, err := s.opt.Store.CloseHandoff(ctx, id, st, staff, s.opt.Now())
		if err != nil {
			return err
		}
		if s.opt.Notifier != nil {
			s.opt.Notifier.Closed(h)
		}
		return nil
	}
	return fmt.Errorf("%w: kind %q", ErrInvalid, kind)
}

// Learn records that topic answers a question (or a handoff's question): its text
// becomes a learned phrasing of the topic, so the bot answers it from then on. A
// question is marked learned, and its asker told (Options.Answered).
func (s *Service) Learn(ctx context.Context, kind Kind, id int64, topic, staff string) error {
	if !s.opt.TopicExists(topic) {
		return fmt.Errorf("%w: no topic %q", ErrInvalid, topic)
	}
	var lang, text string
	var question int64 // the anonymous question answered, 0: none
	switch kind {
	case KindQuestion:
		q, err := s.opt.Store.Question(ctx, id)
		if err != nil {
			return err
		}
		lang, text, question = q.Lang, q.Text, q.ID
	case KindHandoff:
		h, _, err := s.opt.Store.Handoff(ctx, id)
		if err != nil {
			return err
		}
		lang, text, question = h.Lang, h.Text, h.QuestionID
	default:
		return fmt.Errorf("%w: kind %q", ErrInvalid, kind)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("%w: there is no question text to learn", ErrInvalid)
	}
	now := s.opt.Now()
	if err := s.opt.Store.Learn(ctx, Learned{TopicID: topic, Lang: lang, Text: text, At: now, By: staff}); err != nil {
		return err
	}
	if kind == KindQuestion {
		if err := s.opt.Store.SetQuestionStatus(ctx, id, StatusLearned, topic, staff, now); err != nil {
			return err
		}
	}
	// The asker first, with the topic staff chose: the rebuild may find the
	// question answered too, and the asker is told only once.
	if s.opt.Answered != nil && question != 0 {
		s.opt.Answered(ctx, question, topic)
	}
	// A batch (a whole group answered) rebuilds once at its end.
	if s.opt.OnLearned != nil && ctx.Value(batchKey{}) == nil {
		s.opt.OnLearned()
	}
	return nil
}

type batchKey struct{}

// Batch returns a context under which Learn leaves the rebuild of the answering
// core (OnLearned) to the caller: an action on a group of questions teaches many
// phrasings, and one rebuild after the last (Rebuild) takes seconds instead of
// seconds each.
func Batch(ctx context.Context) context.Context { return context.WithValue(ctx, batchKey{}, true) }

// Rebuild calls OnLearned: after Learn under Batch.
func (s *Service) Rebuild() {
	if s.opt.OnLearned != nil {
		s.opt.OnLearned()
	}
}
