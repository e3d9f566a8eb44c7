-- Telling the asker (package notify): a user who tapped "Tell me when there is an
-- answer" links their recorded (anonymous, masked) question to their chat, until the
-- answer is sent once. Deleting the chat (/forget) or the question (retention)
-- deletes the link. Once the answer is sent, the chat id is dropped and only the
-- mark stays, so that it is never sent twice. The weekly summary's last sent week
-- is a row of setting (no table of its own).
CREATE TABLE notify (
	question_id INTEGER PRIMARY KEY REFERENCES unanswered (id) ON DELETE CASCADE,
	chat_id     INTEGER REFERENCES chat (id) ON DELETE CASCADE, -- NULL once notified
	lang        TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	notified_at INTEGER,                                         -- NULL while waiting
	topic_id    TEXT    NOT NULL DEFAULT ''                      -- the topic sent
) STRICT;
CREATE INDEX notify_chat ON notify (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX notify_waiting ON notify (created_at) WHERE notified_at IS NULL;
