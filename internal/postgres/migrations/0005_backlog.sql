-- The backlog of needs (package backlog), as SQLite's 0005: staff said a group of
-- unanswered questions calls for a new topic. A need keeps no text of the users'
-- and no chat. Times are Unix milliseconds.
CREATE TABLE need (
	id         bigserial PRIMARY KEY,
	title      text   NOT NULL,
	asked      bigint NOT NULL,
	langs      text   NOT NULL DEFAULT '',
	created_at bigint NOT NULL,
	created_by text   NOT NULL DEFAULT '',
	done_at    bigint,
	done_by    text   NOT NULL DEFAULT ''
);
CREATE INDEX need_open ON need (asked) WHERE done_at IS NULL;

ALTER TABLE unanswered ADD COLUMN need_id bigint REFERENCES need (id) ON DELETE SET NULL;
CREATE INDEX unanswered_need ON unanswered (need_id) WHERE need_id IS NOT NULL;
