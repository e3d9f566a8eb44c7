-- sent records each reply Telegram accepted for an update still being handled,
-- written before the next call: after a crash the update is handled again and
-- only the replies not accepted yet are sent. Rows go when the update is done.
CREATE TABLE sent (
	update_id INTEGER NOT NULL,
	seq       INTEGER NOT NULL,              -- the call's place among the update's calls
	PRIMARY KEY (update_id, seq)
) STRICT, WITHOUT ROWID;

-- Handled updates keep only their id and times: no text, no name, no chat.
UPDATE inbox SET chat_id = 0, payload = NULL WHERE done_at IS NOT NULL;
