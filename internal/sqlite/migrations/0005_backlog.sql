-- The backlog of needs: staff said a group of unanswered questions calls for a new
-- topic ("neues Thema nötig"). A need keeps no text of the users' and no chat: a
-- title staff chose, how many asked and in which languages. Its questions point to
-- it while they are kept (they are deleted after the retention as before; the
-- counts stay). Times are Unix milliseconds.
CREATE TABLE need (
	id         INTEGER PRIMARY KEY,
	title      TEXT    NOT NULL,
	asked      INTEGER NOT NULL,               -- questions and handoffs that asked for it
	langs      TEXT    NOT NULL DEFAULT '',    -- "lang:count" pairs, most first
	created_at INTEGER NOT NULL,
	created_by TEXT    NOT NULL DEFAULT '',
	done_at    INTEGER,                        -- a topic was written for it
	done_by    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX need_open ON need (asked) WHERE done_at IS NULL;

-- need_id: the need a question was put to (its status is then closed).
ALTER TABLE unanswered ADD COLUMN need_id INTEGER REFERENCES need (id) ON DELETE SET NULL;
CREATE INDEX unanswered_need ON unanswered (need_id) WHERE need_id IS NOT NULL;
