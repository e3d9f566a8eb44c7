// Package handoff is the domain of escalation to people: questions the bot could not
// answer (stored anonymously), handoffs — conversations between a user and the city
// team, stored only with the user's consent — with their message threads, phrasings
// staff taught the bot, statistics, and how long all of it is kept. It declares the
// store and notifier interfaces it needs and imports no adapter.
package handoff

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Errors of the store and the service.
var (
	ErrNotFound = errors.New("handoff: not found")
	// ErrConflict: the thread changed since the staff member read it (a colleague
	// replied, or the user wrote again).
	ErrConflict = errors.New("handoff: the conversation changed meanwhile")
	// ErrClosed: the handoff is closed; nothing more can be sent in it.
	ErrClosed = errors.New("handoff: closed")
	// ErrBlocked: the user blocked the bot; the message was not delivered.
	ErrBlocked = errors.New("handoff: the user blocked the bot")
	// ErrUndelivered: the message could not be delivered (Telegram off or failing).
	ErrUndelivered = errors.New("handoff: not delivered")
	// ErrInvalid: the request itself is wrong (empty text, unknown topic, …).
	ErrInvalid = errors.New("handoff: invalid")
)

// Status is where a question or handoff stands in the staff inbox.
type Status string

const (
	StatusOpen    Status = "open"    // waiting for staff
	StatusClosed  Status = "closed"  // handled
	StatusSpam    Status = "spam"    // dismissed as spam
	StatusLearned Status = "learned" // questions: a topic answers it; the phrasing was learned
	StatusHandoff Status = "handoff" // questions: the user handed it to the city team (see its handoff)
)

// Statuses lists the statuses the inbox filters by.
var Statuses = []Status{StatusOpen, StatusClosed, StatusSpam, StatusLearned}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusClosed, StatusSpam, StatusLearned, StatusHandoff:
		return true
	}
	return false
}

// Kind tells questions and handoffs apart in the inbox.
type Kind string

const (
	KindQuestion Kind = "question"
	KindHandoff  Kind = "handoff"
)

// Candidate is a topic the bot considered for a question, with its score.
type Candidate struct {
	TopicID  string
	Score    float64
	Coverage float64
}

// FormatCandidates writes candidates as the store keeps them: "topic:score" pairs.
func FormatCandidates(cs []Candidate) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, c.TopicID+":"+strconv.FormatFloat(c.Score, 'f', 3, 64))
	}
	return strings.Join(parts, ",")
}

// ParseCandidates reads what FormatCandidates wrote; malformed pairs are skipped.
func ParseCandidates(s string) []Candidate {
	var out []Candidate
	for _, p := range strings.Split(s, ",") {
		id, score, ok := strings.Cut(p, ":")
		if !ok || id == "" {
			continue
		}
		f, err := strconv.ParseFloat(score, 64)
		if err != nil {
			continue
		}
		out = append(out, Candidate{TopicID: id, Score: f})
	}
	return out
}

// Question is an unanswered question. It carries no chat or user id, and its text
// has phone numbers and e-mail addresses masked.
type Question struct {
	ID         int64
	At         time.Time
	Lang       string
	Text       string
	Candidates []Candidate
	Status     Status
	TopicID    string // set with StatusLearned
	HandledAt  time.Time
	HandledBy  string
	HandoffID  int64 // set with StatusHandoff while the handoff exists
}

// Handoff is a conversation the user asked for. It holds the chat id: it exists only
// with consent and is deleted RetentionDays after it was closed, or on /forget.
type Handoff struct {
	ID         int64
	ChatID     int64
	Lang       string
	QuestionID int64  // the anonymous question it started from; 0 when none
	Text       string // the question handed over; "" when the user is asked to write it
	Candidates []Candidate
	Status     Status // open, closed or spam
	OpenedAt   time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time
	ClosedBy   string
}

// Author says who wrote a message of a thread.
type Author string

const (
	AuthorUser   Author = "user"
	AuthorStaff  Author = "staff"
	AuthorSystem Author = "system" // notes: closed, dismissed
)

// Delivery is the delivery state of a staff reply.
type Delivery string

const (
	DeliveryNone    Delivery = ""        // not a staff reply
	DeliveryPending Delivery = "pending" // handed to Telegram, no answer yet
	DeliverySent    Delivery = "sent"
	DeliveryFailed  Delivery = "failed"
	DeliveryBlocked Delivery = "blocked" // the user blocked the bot
)

// Message is one message of a handoff's thread.
type Message struct {
	ID          int64
	HandoffID   int64
	At          time.Time
	Author      Author
	StaffName   string
	Text        string
	Delivery    Delivery
	DeliveredAt time.Time
}

// Item is one row of the staff inbox: a question or a handoff.
type Item struct {
	Kind     Kind
	ID       int64
	At       time.Time // when it was asked; for handoffs the last activity
	Lang     string
	Text     string
	Status   Status
	Messages int // handoffs: messages in the thread
	Waiting  bool
}

// Filter selects inbox items. The zero value means open items of every kind and
// language, newest first, first page.
type Filter struct {
	Kind   Kind   // "" both
	Lang   string // "" any
	Status Status // "" open
	From   time.Time
	To     time.Time // exclusive; zero: no bound
	Query  string    // words the text contains
	Page   int       // from 1
	Per    int       // items a page (default 25)
}

// Opening asks to open a handoff for a chat.
type Opening struct {
	ChatID int64
	Lang   string
	// Ref is the reference of the anonymous question the user hands over ("" when
	// none: the user is asked to write their question).
	Ref string
	At  time.Time
}

// Learned is a phrasing staff said a topic answers.
type Learned struct {
	ID         int64
	TopicID    string
	Lang       string
	Text       string
	At         time.Time
	By         string
	ExportedAt time.Time
}

// Questions is the store of anonymous unanswered questions (recording them is the
// assistant's Recorder).
type Questions interface {
	// Question returns question id, or ErrNotFound.
	Question(ctx context.Context, id int64) (Question, error)
	// SetQuestionStatus records staff's decision on a question; topicID goes with
	// StatusLearned.
	SetQuestionStatus(ctx context.Context, id int64, s Status, topicID, by string, at time.Time) error
}

// Conversations is what the Telegram channel needs of handoffs.
type Conversations interface {
	// OpenHandoff opens a handoff for the chat and records its consent. When the
	// chat has an open handoff already, it returns that one and created=false. A Ref
	// that names no open question is ignored: the handoff opens without a question.
	OpenHandoff(ctx context.Context, o Opening) (h Handoff, created bool, err error)
	// ActiveHandoff returns the chat's open handoff, or ErrNotFound.
	ActiveHandoff(ctx context.Context, chatID int64) (Handoff, error)
	// AddUserMessage appends the user's message to an open handoff. msgID is the
	// message's id in the chat (0: none); a message already added is not added again.
	AddUserMessage(ctx context.Context, handoffID, msgID int64, text string, at time.Time) (Message, error)
}

// Handoffs is the staff side of handoffs.
type Handoffs interface {
	Conversations
	// Handoff returns a handoff and its thread, oldest message first, or ErrNotFound.
	Handoff(ctx context.Context, id int64) (Handoff, []Message, error)
	// AddStaffReply appends a staff reply, pending delivery, when the thread's last
	// message is still afterID (ErrConflict otherwise) and the handoff is open
	// (ErrClosed otherwise).
	AddStaffReply(ctx context.Context, handoffID, afterID int64, staffName, text string, at time.Time) (Message, error)
	// SetDelivery records the delivery state of a staff reply.
	SetDelivery(ctx context.Context, messageID int64, d Delivery, at time.Time) error
	// CloseHandoff closes an open handoff with status closed or spam and notes it in
	// the thread; ErrClosed when it is closed already.
	CloseHandoff(ctx context.Context, id int64, s Status, by string, at time.Time) (Handoff, error)
}

// Review lists what staff review: the inbox.
type Review interface {
	// ReviewItems returns the page of items f selects, newest first, and how many
	// match in all.
	ReviewItems(ctx context.Context, f Filter) ([]Item, int, error)
}

// Learning stores learned phrasings.
type Learning interface {
	// Learn stores a phrasing of topic; a phrasing already learned (same language,
	// any case) is left as it is.
	Learn(ctx context.Context, l Learned) error
	// LearnedPhrasings returns every learned phrasing, oldest first.
	LearnedPhrasings(ctx context.Context) ([]Learned, error)
	// MarkExported records that the phrasings were written into the content files.
	MarkExported(ctx context.Context, ids []int64, at time.Time) error
}

// Store is everything the staff side keeps.
type Store interface {
	Questions
	Handoffs
	Review
	Learning
	Statistics
	Purger
}
