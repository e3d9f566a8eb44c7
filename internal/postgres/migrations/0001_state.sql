-- The whole state of the SQLite store's versions 1 to 4 in one step: chats, the
-- update inbox, the polling offset, votes, unanswered questions, handoffs and their
-- threads, learned phrasings, answer and topic counts, staff accounts and sessions.
-- Times are Unix milliseconds (bigint), as in SQLite, so that rows copy unchanged.
-- See internal/sqlite/migrations for what each column means.

CREATE TABLE chat (
	id         bigint  PRIMARY KEY,          -- Telegram chat id
	lang       text    NOT NULL DEFAULT '',
	active     boolean NOT NULL DEFAULT true,
	created_at bigint  NOT NULL,
	updated_at bigint  NOT NULL,
	consent_at bigint                        -- NULL when no handoff of the chat is stored
);

-- Every update received until it is handled, and its id for some days after that,
-- so that a second delivery (to any replica) is recognised and not answered again.
CREATE TABLE inbox (
	update_id   bigint PRIMARY KEY,
	chat_id     bigint NOT NULL DEFAULT 0,
	payload     bytea,                       -- NULL once handled
	received_at bigint NOT NULL,
	done_at     bigint
);
CREATE INDEX inbox_pending ON inbox (chat_id, update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at) WHERE done_at IS NOT NULL;

CREATE TABLE setting (
	key   text   PRIMARY KEY,
	value bigint NOT NULL
);

-- Replies Telegram accepted for an update still being handled (see SQLite's 0003).
CREATE TABLE sent (
	update_id bigint  NOT NULL,
	seq       integer NOT NULL,
	PRIMARY KEY (update_id, seq)
);

CREATE TABLE vote (
	id       bigserial PRIMARY KEY,
	chat_id  bigint  REFERENCES chat (id) ON DELETE SET NULL, -- NULL after /forget
	topic_id text    NOT NULL,
	lang     text    NOT NULL,
	helpful  boolean NOT NULL,
	at       bigint  NOT NULL
);
CREATE UNIQUE INDEX vote_chat_topic ON vote (chat_id, topic_id) WHERE chat_id IS NOT NULL;
CREATE INDEX vote_topic ON vote (topic_id);

-- Unanswered questions are anonymous: chat_id is always NULL (kept for the copy
-- from SQLite), the text masked.
CREATE TABLE unanswered (
	id         bigserial PRIMARY KEY,
	at         bigint NOT NULL,
	lang       text   NOT NULL,
	text       text   NOT NULL,
	chat_id    bigint REFERENCES chat (id) ON DELETE SET NULL,
	candidates text   NOT NULL DEFAULT '',
	ref        text,
	status     text   NOT NULL DEFAULT 'open'
		CHECK (status IN ('open', 'closed', 'spam', 'learned', 'handoff')),
	topic_id   text   NOT NULL DEFAULT '',
	handled_at bigint,
	handled_by text   NOT NULL DEFAULT ''
);
CREATE INDEX unanswered_at ON unanswered (at);
CREATE UNIQUE INDEX unanswered_ref ON unanswered (ref) WHERE ref IS NOT NULL;
CREATE INDEX unanswered_status_at ON unanswered (status, at);

CREATE TABLE handoff (
	id          bigserial PRIMARY KEY,
	chat_id     bigint NOT NULL REFERENCES chat (id) ON DELETE CASCADE,
	lang        text   NOT NULL,
	question_id bigint REFERENCES unanswered (id) ON DELETE SET NULL,
	text        text   NOT NULL DEFAULT '',
	candidates  text   NOT NULL DEFAULT '',
	status      text   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'spam')),
	opened_at   bigint NOT NULL,
	updated_at  bigint NOT NULL,
	closed_at   bigint,
	closed_by   text   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX handoff_open_chat ON handoff (chat_id) WHERE status = 'open';
CREATE INDEX handoff_chat ON handoff (chat_id);
CREATE INDEX handoff_status_updated ON handoff (status, updated_at);
CREATE INDEX handoff_closed ON handoff (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE handoff_message (
	id            bigserial PRIMARY KEY,
	handoff_id    bigint NOT NULL REFERENCES handoff (id) ON DELETE CASCADE,
	at            bigint NOT NULL,
	author        text   NOT NULL CHECK (author IN ('user', 'staff', 'system')),
	staff_name    text   NOT NULL DEFAULT '',
	text          text   NOT NULL,
	delivery      text   NOT NULL DEFAULT '' CHECK (delivery IN ('', 'pending', 'sent', 'failed', 'blocked')),
	delivered_at  bigint,
	tg_message_id bigint
);
CREATE INDEX handoff_message_handoff ON handoff_message (handoff_id, id);
CREATE UNIQUE INDEX handoff_message_telegram ON handoff_message (handoff_id, tg_message_id) WHERE tg_message_id IS NOT NULL;

CREATE TABLE learned (
	id          bigserial PRIMARY KEY,
	topic_id    text   NOT NULL,
	lang        text   NOT NULL,
	text        text   NOT NULL,
	created_at  bigint NOT NULL,
	created_by  text   NOT NULL DEFAULT '',
	exported_at bigint
);
CREATE UNIQUE INDEX learned_lang_text ON learned (lang, lower(text));

CREATE TABLE answer_count (
	day  text   NOT NULL,
	lang text   NOT NULL,
	kind text   NOT NULL,
	n    bigint NOT NULL,
	PRIMARY KEY (day, lang, kind)
);

CREATE TABLE topic_count (
	day      text   NOT NULL,
	topic_id text   NOT NULL,
	lang     text   NOT NULL,
	n        bigint NOT NULL,
	PRIMARY KEY (day, topic_id, lang)
);

-- Names are unique in any case, as in SQLite's COLLATE NOCASE.
CREATE TABLE staff (
	id            bigserial PRIMARY KEY,
	name          text   NOT NULL,
	password_hash bytea  NOT NULL,
	created_at    bigint NOT NULL,
	last_login_at bigint
);
CREATE UNIQUE INDEX staff_name ON staff (lower(name));

CREATE TABLE staff_session (
	token_hash text   PRIMARY KEY,
	staff_id   bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	csrf       text   NOT NULL,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL
);
CREATE INDEX staff_session_expires ON staff_session (expires_at);
