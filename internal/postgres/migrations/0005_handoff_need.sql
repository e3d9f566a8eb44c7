-- need_id: the need staff put a handoff's question to ("neues Thema nötig"), as
-- SQLite's version 9. The handoff stays open, since a person waits for a reply, but
-- leaves the groups of open questions: it is in the backlog already.
ALTER TABLE handoff ADD COLUMN need_id bigint REFERENCES need (id) ON DELETE SET NULL;
