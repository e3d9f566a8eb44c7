package conversation

import "github.com/oldenburg/ankommen/internal/sqlite"

type (
	sqliteUnanswered = sqlite.Unanswered
	sqliteTopicVotes = sqlite.TopicVotes
)
