package telegram

import "github.com/oldenburg/ankommen/internal/sqlite"

type (
	sqliteUnanswered = sqlite.Unanswered
	sqliteTopicVotes = sqlite.TopicVotes
)
