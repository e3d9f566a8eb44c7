-- Issue 13's state, SQLite's versions 5 and 6 in one step. Times are Unix
-- milliseconds (bigint), as in SQLite, so that rows copy unchanged.

-- The backlog of needs: staff said a group of unanswered questions calls for a new
-- topic. A need keeps no text of the users' and no chat: a title staff chose, how
-- many asked and in which languages. Its questions point to it while they are kept
-- (they are deleted after the retention as before; the counts stay).
CREATE TABLE need (
	id         bigserial PRIMARY KEY,
	title      text   NOT NULL,
	asked      bigint NOT NULL,              -- questions and handoffs that asked for it
	langs      text   NOT NULL DEFAULT '',   -- "lang:count" pairs, most first
	created_at bigint NOT NULL,
	created_by text   NOT NULL DEFAULT '',
	done_at    bigint,                       -- a topic was written for it
	done_by    text   NOT NULL DEFAULT ''
);
CREATE INDEX need_open ON need (asked) WHERE done_at IS NULL;

-- need_id: the need a question was put to (its status is then closed).
ALTER TABLE unanswered ADD COLUMN need_id bigint REFERENCES need (id) ON DELETE SET NULL;
CREATE INDEX unanswered_need ON unanswered (need_id) WHERE need_id IS NOT NULL;

-- Telling the asker (package notify): a user who tapped "Tell me when there is an
-- answer" links their recorded (anonymous, masked) question to their chat until
-- the answer is sent once. Deleting the chat (/forget) or the question (retention)
-- deletes the link. Once the answer is sent, the chat id is dropped and only the
-- mark stays, so that it is never sent twice.
CREATE TABLE notify (
	question_id bigint PRIMARY KEY REFERENCES unanswered (id) ON DELETE CASCADE,
	chat_id     bigint REFERENCES chat (id) ON DELETE CASCADE, -- NULL once notified
	lang        text   NOT NULL,
	created_at  bigint NOT NULL,
	notified_at bigint,                                        -- NULL while waiting
	topic_id    text   NOT NULL DEFAULT ''                     -- the topic sent
);
CREATE INDEX notify_chat ON notify (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX notify_waiting ON notify (created_at) WHERE notified_at IS NULL;
