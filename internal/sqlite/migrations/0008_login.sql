-- Login attempts of the staff page, counted per key (a client address, an address
-- with a name, a name), so that the login limit survives a restart and is the same
-- as on PostgreSQL. Keys hold addresses and names: rows go after a day (Purge); the
-- limit's window is minutes. Times are Unix milliseconds.
CREATE TABLE login_attempt (
	id  INTEGER PRIMARY KEY,
	key TEXT    NOT NULL,
	at  INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempt_key ON login_attempt (key, at);
CREATE INDEX login_attempt_at ON login_attempt (at);
