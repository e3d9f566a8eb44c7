-- Login attempts of the staff page, counted per key (a client address, an address
-- with a name, a name) so that every replica applies the same login limit. Keys
-- hold addresses and names: rows go after a day (Purge); the limit's window is
-- minutes. Times are Unix milliseconds.
CREATE TABLE login_attempt (
	id  bigserial PRIMARY KEY,
	key text   NOT NULL,
	at  bigint NOT NULL
);
CREATE INDEX login_attempt_key ON login_attempt (key, at);
CREATE INDEX login_attempt_at ON login_attempt (at);
