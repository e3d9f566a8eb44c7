-- Several replicas on one database. Each pending update may be leased by one
-- replica (owner) until lease_until, on the database's clock: the replica handles
-- it meanwhile, and renews the lease while it does. An update whose lease expired
-- (its replica died) is claimed again by another.
ALTER TABLE inbox ADD COLUMN owner text, ADD COLUMN lease_until timestamptz;
CREATE INDEX inbox_pending_id ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_owner ON inbox (owner) WHERE done_at IS NULL AND owner IS NOT NULL;

-- The theoretical arrival time of the next send of a rate limit (GCRA), per key:
-- "global", "chat:<id>". Shared, so that Telegram's limits hold for all replicas.
CREATE TABLE send_slot (
	key text        PRIMARY KEY,
	tat timestamptz NOT NULL
);

-- When a job that runs once in the cluster (retention, inbox pruning) last ran.
CREATE TABLE job_run (
	name   text        PRIMARY KEY,
	ran_at timestamptz NOT NULL
);
