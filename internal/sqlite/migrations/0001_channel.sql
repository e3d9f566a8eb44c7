-- The Telegram channel's state: chats, the update inbox, the polling offset,
-- votes on topics and unanswered questions. Times are Unix milliseconds.

CREATE TABLE chat (
	id         INTEGER PRIMARY KEY,           -- Telegram chat id
	lang       TEXT    NOT NULL DEFAULT '',   -- language chosen with the picker
	active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- inbox holds every update received until it is handled, and its id for some days
-- after that, so that a second delivery is recognised and not answered again.
CREATE TABLE inbox (
	update_id   INTEGER PRIMARY KEY,
	chat_id     INTEGER NOT NULL DEFAULT 0,
	payload     BLOB,                         -- NULL once handled
	received_at INTEGER NOT NULL,
	done_at     INTEGER
) STRICT;
CREATE INDEX inbox_pending ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at) WHERE done_at IS NOT NULL;

CREATE TABLE setting (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;

CREATE TABLE vote (
	id       INTEGER PRIMARY KEY,
	chat_id  INTEGER REFERENCES chat (id) ON DELETE SET NULL, -- NULL after /forget
	topic_id TEXT    NOT NULL,
	lang     TEXT    NOT NULL,
	helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	at       INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX vote_chat_topic ON vote (chat_id, topic_id) WHERE chat_id IS NOT NULL;
CREATE INDEX vote_topic ON vote (topic_id);

CREATE TABLE unanswered (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	lang       TEXT    NOT NULL,
	text       TEXT    NOT NULL,
	chat_id    INTEGER REFERENCES chat (id) ON DELETE SET NULL, -- only with consent
	candidates TEXT    NOT NULL DEFAULT ''   -- "topic:score" pairs, best first
) STRICT;
CREATE INDEX unanswered_at ON unanswered (at);
