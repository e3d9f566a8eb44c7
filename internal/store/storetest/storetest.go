// Package storetest is the conformance suite of store.Store: one set of behavioural
// tests that every database the bot can keep its state in must pass (package
// sqlite and package postgres each run it). The tests go through the store's
// interfaces; where what is kept matters and no interface shows it (a dropped
// payload, an unlinked vote), they look into the tables with a query both
// databases understand.
package storetest

import (
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/store"
)

// DB is a store opened for one test.
type DB struct {
	store.Store
	// Raw runs query, without parameters and in SQL both databases understand,
	// and scans its one row into dest.
	Raw func(query string, dest ...any) error
}

// Opener opens a fresh, empty store for one test and closes it when the test
// ends. The store takes the times it does not get from its callers from now (nil:
// the wall clock).
type Opener func(t *testing.T, now func() time.Time) DB

// Run runs the suite against the stores open opens, each test on a store of its own.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"Chats", testChats},
		{"ForgetKeepsVotesAnonymous", testForgetKeepsVotesAnonymous},
		{"Inbox", testInbox},
		{"InboxDuplicatesInOneBatch", testInboxDuplicatesInOneBatch},
		{"ConcurrentWriters", testConcurrentWriters},
		{"UnansweredAnonymousAndMasked", testUnansweredAnonymousAndMasked},
		{"HandoffLifecycle", testHandoffLifecycle},
		{"ConcurrentStaffReplies", testConcurrentStaffReplies},
		{"ConcurrentOpenHandoff", testConcurrentOpenHandoff},
		{"ForgetDeletesHandoffs", testForgetDeletesHandoffs},
		{"Retention", testRetention},
		{"ReviewItemsFilters", testReviewItemsFilters},
		{"LearnedAndStats", testLearnedAndStats},
		{"StaffAndSessions", testStaffAndSessions},
		{"TopicDemandCountsByTopicAndLanguage", testTopicDemandCountsByTopicAndLanguage},
		{"LoginAttempts", testLoginAttempts},
		{"ParallelLoginAttempts", testParallelLoginAttempts},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open) })
	}
}
