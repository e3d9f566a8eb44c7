// Package chat holds what the bot remembers about its conversations — a chat's
// language choice and status, the log of incoming updates, the votes on topics — and
// the small interfaces a store implements for them. The Telegram channel uses them;
// package sqlite implements them. It imports no adapter.
package chat

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when nothing is stored for the chat asked for.
var ErrNotFound = errors.New("chat: not found")

// Chat is what is stored about one chat.
type Chat struct {
	ID int64
	// Lang is the language the user chose with the picker; "" when none.
	Lang string
	// Active is false after the user blocked the bot (or removed it from a group):
	// nothing is sent to an inactive chat until a new message arrives from it.
	Active bool
	// Consent is when the user last asked to hand a question to the city team; zero
	// when no handoff of the chat is stored (see package handoff).
	Consent time.Time
}

// Update is one incoming Telegram update in the inbox.
type Update struct {
	ID     int64 // Telegram's update_id
	ChatID int64 // the chat it concerns; 0 when none
	// Payload is the update as Telegram sent it (JSON). The store keeps it only until
	// the update is handled.
	Payload  []byte
	Received time.Time
	// Sent are the places (0, 1, …) among the update's calls of those Telegram
	// accepted already (Pending only): handled again after a crash, the update
	// sends only the others.
	Sent []int
}

// Status says what the inbox knew about an update before it was appended.
type Status int

const (
	StatusNew     Status = iota // first time seen: handle it
	StatusPending               // seen before, not handled yet
	StatusDone                  // handled already: a duplicate delivery, ignore it
)

// Vote is a user's feedback on a topic.
type Vote struct {
	ChatID  int64
	TopicID string
	Lang    string
	Helpful bool
	At      time.Time
}

// Chats stores per-chat settings.
type Chats interface {
	// Chat returns what is stored about chat id, or ErrNotFound.
	Chat(ctx context.Context, id int64) (Chat, error)
	// SetLang stores the language the user chose.
	SetLang(ctx context.Context, id int64, lang string) error
	// SetActive marks a chat active or inactive (blocked).
	SetActive(ctx context.Context, id int64, active bool) error
	// Forget deletes everything stored about the chat at once: its settings, its
	// handoffs with their messages, and the link between it and its votes (the votes
	// stay, anonymous).
	Forget(ctx context.Context, id int64) error
}

// Inbox is the durable log of incoming updates. It makes every update handled at
// least once (pending updates survive a restart) and answered once (a duplicate
// delivery is recognised by its update_id).
type Inbox interface {
	// Append stores the updates that are new and, when offset > 0, the next polling
	// offset, in one transaction. It returns the status of each update before the call.
	Append(ctx context.Context, ups []Update, offset int64) ([]Status, error)
	// Pending returns the updates not handled yet, oldest first.
	Pending(ctx context.Context) ([]Update, error)
	// Sent records, before the next call, that Telegram accepted the update's
	// call seq (its place among the update's calls, from 0).
	Sent(ctx context.Context, updateID int64, seq int) error
	// Done marks updates handled and drops their payloads and sent records.
	Done(ctx context.Context, ids []int64, at time.Time) error
	// Offset returns the stored polling offset (0 when none).
	Offset(ctx context.Context) (int64, error)
	// Prune deletes handled updates received before t; it returns how many.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// Votes stores feedback on topics.
type Votes interface {
	// Vote stores v; a chat's later vote on the same topic replaces its earlier one.
	Vote(ctx context.Context, v Vote) error
}

// Store is everything the channel keeps.
type Store interface {
	Chats
	Inbox
	Votes
}
