-- Answers counted by topic, day (YYYY-MM-DD in the city's zone) and language, for
-- the staff page's review list ("most asked first"): no text, no chat, no time of
-- day. Rows older than the retention's demand cutoff are purged.
CREATE TABLE topic_count (
	day      TEXT    NOT NULL,
	topic_id TEXT    NOT NULL,
	lang     TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (day, topic_id, lang)
) STRICT, WITHOUT ROWID;
