-- Telling the asker (package notify), as SQLite's 0006: the link of a recorded
-- question to the chat that asked to be told of its answer, until told once. The
-- weekly summary's last sent week is a row of setting.
CREATE TABLE notify (
	question_id bigint PRIMARY KEY REFERENCES unanswered (id) ON DELETE CASCADE,
	chat_id     bigint REFERENCES chat (id) ON DELETE CASCADE, -- NULL once told
	lang        text   NOT NULL,
	created_at  bigint NOT NULL,
	notified_at bigint,                                        -- NULL while waiting
	topic_id    text   NOT NULL DEFAULT ''
);
CREATE INDEX notify_chat ON notify (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX notify_waiting ON notify (created_at) WHERE notified_at IS NULL;
