// Package notify tells a user, once and in their language, that a question the bot
// could not answer now has an answer: when staff decide that a topic answers it, or
// when new or changed content answers it confidently. It does so only for users who
// tapped "Tell me when there is an answer": the store then links their recorded
// question (anonymous and masked, see package handoff) to their chat until the
// answer is sent, the user sends /forget, or the question's retention ends. A chat
// that blocked the bot is never written to. The package declares the store and the
// teller it needs and imports no adapter.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Errors of the store and the teller.
var (
	// ErrNotFound: no open question has the reference (deleted after its time,
	// handed to the city team, or dismissed as spam).
	ErrNotFound = errors.New("notify: no such question")
	// ErrBlocked: the chat blocked the bot; nothing was sent.
	ErrBlocked = errors.New("notify: the chat blocked the bot")
)

// Subscription is a user's consent to be told when their question has an answer.
type Subscription struct {
	QuestionID int64
	ChatID     int64
	Lang       string    // the language to tell it in: the reply's
	Text       string    // the recorded question, masked
	Asked      time.Time // when the question was asked
}

// Store keeps subscriptions.
type Store interface {
	// Subscribe links the question with reference ref to the chat, in lang: the user
	// tapped the button under the reply to it. created is false when the question
	// was linked already (tapped twice, or told already). ErrNotFound when no
	// question that may still be answered has that reference.
	Subscribe(ctx context.Context, ref string, chatID int64, lang string, at time.Time) (created bool, err error)
	// Waiting returns the subscriptions not told yet of chats that have not blocked
	// the bot, oldest first.
	Waiting(ctx context.Context) ([]Subscription, error)
	// ClaimNotice marks the subscription of question id told with topic at at and drops
	// its chat link, in one step, and returns it as it was. ok is false, and
	// nothing changes, when there is none waiting for that question or its chat
	// blocked the bot: so a user is told at most once.
	ClaimNotice(ctx context.Context, questionID int64, topicID string, at time.Time) (s Subscription, ok bool, err error)
}

// Teller tells the user: the Telegram conversation.
type Teller interface {
	// Tell sends the user of s the answer of topic, in s.Lang. ErrBlocked when the
	// chat blocked the bot (nothing sent). Sending may finish after Tell returns.
	Tell(ctx context.Context, s Subscription, topicID string) error
}

// Answer re-runs the answering core on a recorded question in lang, without
// recording or counting it; it returns the topic that answers it confidently, or
// ok=false.
type Answer func(ctx context.Context, text, lang string) (topicID string, ok bool)

// Service tells askers. It is safe for concurrent use.
type Service struct {
	store  Store
	teller Teller
	now    func() time.Time
	log    *slog.Logger
	mu     sync.Mutex // one Recheck at a time
}

// New returns a Service; now and log may be nil (time.Now, discard).
func New(store Store, teller Teller, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, teller: teller, now: now, log: log}
}

// Answered tells the asker of question id, if they asked to be told, that topic
// answers it: staff decided so. It reports whether the user was told.
func (s *Service) Answered(ctx context.Context, questionID int64, topicID string) (bool, error) {
	sub, ok, err := s.store.ClaimNotice(ctx, questionID, topicID, s.now())
	if err != nil {
		return false, fmt.Errorf("notify: question %d: %w", questionID, err)
	}
	if !ok {
		return false, nil
	}
	return s.tell(ctx, sub, topicID)
}

func (s *Service) tell(ctx context.Context, sub Subscription, topicID string) (bool, error) {
	err := s.teller.Tell(ctx, sub, topicID)
	switch {
	case errors.Is(err, ErrBlocked):
		// Claimed all the same: a chat that blocked the bot is not written to later.
		s.log.Info("asker not told: the chat blocked the bot", "question", sub.QuestionID)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("notify: tell the asker of question %d: %w", sub.QuestionID, err)
	}
	s.log.Info("asker told of an answer", "question", sub.QuestionID, "topic", topicID, "lang", sub.Lang)
	return true, nil
}

// Recheck runs answer on every waiting question and tells the askers of those it
// now answers confidently: after content was reloaded. It returns how many were
// told. Failures of single questions are logged and the others still checked.
func (s *Service) Recheck(ctx context.Context, answer Answer) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	subs, err := s.store.Waiting(ctx)
	if err != nil {
		return 0, fmt.Errorf("notify: recheck: %w", err)
	}
	told := 0
	for _, sub := range subs {
		if ctx.Err() != nil {
			return told, ctx.Err()
		}
		topic, ok := answer(ctx, sub.Text, sub.Lang)
		if !ok {
			continue
		}
		ok, err := s.Answered(ctx, sub.QuestionID, topic)
		if err != nil {
			s.log.Error("cannot tell an asker", "question", sub.QuestionID, "err", err)
			continue
		}
		if ok {
			told++
		}
	}
	return told, nil
}
