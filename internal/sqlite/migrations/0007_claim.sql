-- The claims of several transports on one file (see the PostgreSQL store's 0002):
-- a pending update may be leased by one owner until lease_until (Unix
-- milliseconds, SQLite's clock). On one machine serve keeps handing updates out in
-- memory; the claims are the path several replicas take, tested on both stores.
ALTER TABLE inbox ADD COLUMN owner TEXT;
ALTER TABLE inbox ADD COLUMN lease_until INTEGER;
CREATE INDEX inbox_pending_chat ON inbox (chat_id, update_id) WHERE done_at IS NULL;

-- The theoretical arrival time (Unix microseconds) of the next send of a rate
-- limit, per key ("global", "chat:<id>").
CREATE TABLE send_slot (
	key TEXT    PRIMARY KEY,
	tat INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- When a job that runs once (retention, inbox pruning) last ran (Unix ms).
CREATE TABLE job_run (
	name   TEXT    PRIMARY KEY,
	ran_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
