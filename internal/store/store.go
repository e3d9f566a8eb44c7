// Package store names everything `serve` keeps, whichever database keeps it: the
// SQLite file (package sqlite, the default on one machine) or PostgreSQL (package
// postgres, for several replicas). It imports no adapter; app chooses one.
package store

import (
	"context"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/staff"
)

// Store is the state of the bot: Telegram's inbox and chats, handoffs and the
// review, staff accounts, recorded questions and counts.
type Store interface {
	chat.Store
	handoff.Store
	staff.Store
	assistant.Recorder
	assistant.Tally
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
