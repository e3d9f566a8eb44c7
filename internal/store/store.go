// Package store names everything `serve` keeps, whichever database keeps it: the
// SQLite file (package sqlite, the default on one machine) or PostgreSQL (package
// postgres, for several replicas). It imports no adapter; app chooses one.
package store

import (
	"context"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/staff"
	"github.com/oldenburg/ankommen/internal/summary"
)

// Store is the state of the bot: Telegram's inbox and chats, handoffs and the
// review, staff accounts, sessions and login attempts, recorded questions and
// counts, the askers waiting to be told of an answer, the weekly summary's
// figures and the backlog of needs.
type Store interface {
	chat.Store
	handoff.Store
	staff.Store
	staff.Attempts
	assistant.Recorder
	assistant.Tally
	notify.Store
	summary.Store
	backlog.Store
	Inspection
	// Ping reports whether the database answers. Its error is the cause alone,
	// without the database's location, which the caller names once.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Inspection reads what tests and tools check beyond the interfaces the bot uses.
type Inspection interface {
	// UnansweredSince returns the questions recorded at or after t, oldest first,
	// at most limit.
	UnansweredSince(ctx context.Context, t time.Time, limit int) ([]Unanswered, error)
	// VotesByTopic returns the vote counts of every topic that has votes, by
	// topic id.
	VotesByTopic(ctx context.Context) ([]handoff.TopicVotes, error)
}

// Unanswered is a stored unanswered question as UnansweredSince returns it.
type Unanswered struct {
	ID         int64
	At         time.Time
	Lang, Text string
	ChatID     int64 // always 0: questions are anonymous (the column is from version 1)
	Candidates string
}
