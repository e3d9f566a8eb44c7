-- Escalation to people and the staff review page: consent on chats, review state of
-- unanswered questions, handoffs with their message threads, learned phrasings,
-- answer counts for statistics, staff accounts and their sessions. Times are Unix
-- milliseconds.

-- consent_at: when the user last asked to hand a question to the city team; NULL when
-- no handoff of the chat is stored.
ALTER TABLE chat ADD COLUMN consent_at INTEGER;

-- Unanswered questions are anonymous: no chat, the text masked. They no longer take
-- a chat id (the column of 0001 stays, always NULL).
--   ref:        the random reference the user's "send my question" button carries;
--               NULL once used
--   status:     open | closed | spam | learned | handoff
--   topic_id:   the topic staff said answers it (status learned)
--   handled_at, handled_by: when and by whom staff last changed the status
ALTER TABLE unanswered ADD COLUMN ref TEXT;
ALTER TABLE unanswered ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
	CHECK (status IN ('open', 'closed', 'spam', 'learned', 'handoff'));
ALTER TABLE unanswered ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';
ALTER TABLE unanswered ADD COLUMN handled_at INTEGER;
ALTER TABLE unanswered ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
UPDATE unanswered SET chat_id = NULL;
CREATE UNIQUE INDEX unanswered_ref ON unanswered (ref) WHERE ref IS NOT NULL;
CREATE INDEX unanswered_status_at ON unanswered (status, at);

-- A handoff is a conversation between a user and the city team, stored only with the
-- user's consent. Deleting the chat (/forget) deletes its handoffs and messages.
CREATE TABLE handoff (
	id          INTEGER PRIMARY KEY,
	chat_id     INTEGER NOT NULL REFERENCES chat (id) ON DELETE CASCADE,
	lang        TEXT    NOT NULL,
	question_id INTEGER REFERENCES unanswered (id) ON DELETE SET NULL,
	text        TEXT    NOT NULL DEFAULT '',  -- the question handed over ('' when none yet)
	candidates  TEXT    NOT NULL DEFAULT '',  -- as in unanswered
	status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'spam')),
	opened_at   INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	closed_at   INTEGER,
	closed_by   TEXT    NOT NULL DEFAULT ''
) STRICT;
-- At most one open handoff per chat.
CREATE UNIQUE INDEX handoff_open_chat ON handoff (chat_id) WHERE status = 'open';
CREATE INDEX handoff_chat ON handoff (chat_id);
CREATE INDEX handoff_status_updated ON handoff (status, updated_at);
CREATE INDEX handoff_closed ON handoff (closed_at) WHERE closed_at IS NOT NULL;

-- The thread of a handoff: the user's messages, staff replies with their delivery
-- state, and notes of the system (closed).
CREATE TABLE handoff_message (
	id           INTEGER PRIMARY KEY,
	handoff_id   INTEGER NOT NULL REFERENCES handoff (id) ON DELETE CASCADE,
	at           INTEGER NOT NULL,
	author       TEXT    NOT NULL CHECK (author IN ('user', 'staff', 'system')),
	staff_name   TEXT    NOT NULL DEFAULT '',
	text         TEXT    NOT NULL,
	delivery     TEXT    NOT NULL DEFAULT '' CHECK (delivery IN ('', 'pending', 'sent', 'failed', 'blocked')),
	delivered_at INTEGER,
	-- the user's Telegram message: an update handled a second time after a crash
	-- adds its message once
	tg_message_id INTEGER
) STRICT;
CREATE INDEX handoff_message_handoff ON handoff_message (handoff_id, id);
CREATE UNIQUE INDEX handoff_message_telegram ON handoff_message (handoff_id, tg_message_id) WHERE tg_message_id IS NOT NULL;

-- Phrasings staff said a topic answers; merged into the topic's questions when the
-- answering core is built, and written into the content files by `learned export`.
CREATE TABLE learned (
	id          INTEGER PRIMARY KEY,
	topic_id    TEXT    NOT NULL,
	lang        TEXT    NOT NULL,
	text        TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	created_by  TEXT    NOT NULL DEFAULT '',
	exported_at INTEGER
) STRICT;
CREATE UNIQUE INDEX learned_lang_text ON learned (lang, lower(text));

-- Answers counted by day (UTC, YYYY-MM-DD), language and kind: no text, no chat.
CREATE TABLE answer_count (
	day  TEXT    NOT NULL,
	lang TEXT    NOT NULL,
	kind TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (day, lang, kind)
) STRICT, WITHOUT ROWID;

CREATE TABLE staff (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	password_hash BLOB    NOT NULL,
	created_at    INTEGER NOT NULL,
	last_login_at INTEGER
) STRICT;

-- Sessions of the staff web: the cookie holds a random token, the table only its hash.
CREATE TABLE staff_session (
	token_hash TEXT    PRIMARY KEY,
	staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	csrf       TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_session_expires ON staff_session (expires_at);
