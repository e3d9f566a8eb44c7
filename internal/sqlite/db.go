// Package sqlite stores the bot's state in a SQLite file (pure Go driver, WAL mode,
// foreign keys on). It implements the interfaces of packages chat, handoff and staff
// and the assistant's Recorder and Tally. Migrations are embedded and each runs in a
// transaction.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/migrate"

	"github.com/oldenburg/ankommen/internal/store"
)

// FileName is the database file's name inside the data directory.
const FileName = "ankommen.db"

//go:embed migrations/*.sql
var migrations embed.FS

// DB keeps everything store.Store names.
var _ store.Store = (*DB)(nil)

// DB is the database. It is safe for concurrent use.
//
// Writes go through one connection, so that they queue in Go instead of in SQLite's
// busy handler, which sleeps in steps of milliseconds; reads use a small pool of
// their own and, in WAL mode, never wait for the writer.
type DB struct {
	w, r *sql.DB
	now  func() time.Time
	// Statements of the hot paths, prepared once: parsing SQL costs more than
	// running these small queries.
	stmt struct {
		chat, inboxStatus, inboxAdd, inboxDone, offsetSet, sentDone, sentAdd *sql.Stmt
	}
}

// Open opens (creating if needed) the database file at file and brings its schema up
// to date.
func Open(ctx context.Context, file string) (*DB, error) {
	dsn := func(readOnly bool) string {
		q := url.Values{}
		// secure_delete overwrites deleted content with zeros, so that what /forget
		// and retention delete cannot be read from free space in the file; a
		// journal_size_limit of 0 truncates the write-ahead log each time it
		// starts over, so that old frames do not linger at its end.
		for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)",
			"secure_delete(1)", "journal_size_limit(0)"} {
			q.Add("_pragma", p)
		}
		if readOnly {
			q.Add("_pragma", "query_only(1)")
		} else {
			// Take the write lock at BEGIN, as a second process (a backup, the
			// sqlite3 shell) might write too.
			q.Set("_txlock", "immediate")
		}
		return "file:" + file + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn(false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	d := &DB{w: w, now: time.Now}
	fail := func(err error) (*DB, error) {
		d.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", file, err)
	}
	// The schema first: the readers' first connection runs the pragmas on a
	// database that exists.
	if err := d.migrate(ctx); err != nil {
		return fail(err)
	}
	if d.r, err = sql.Open("sqlite", dsn(true)); err != nil {
		return fail(err)
	}
	d.r.SetMaxOpenConns(4)
	d.r.SetMaxIdleConns(4)
	if err := d.prepare(ctx); err != nil {
		return fail(err)
	}
	return d, nil
}

func (d *DB) prepare(ctx context.Context) error {
	for _, p := range []struct {
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{d.r, &d.stmt.chat, "SELECT lang, active, consent_at FROM chat WHERE id = ?"},
		{d.w, &d.stmt.inboxStatus, "SELECT done_at IS NOT NULL FROM inbox WHERE update_id = ?"},
		{d.w, &d.stmt.inboxAdd, "INSERT INTO inbox (update_id, chat_id, payload, received_at) VALUES (?, ?, ?, ?)"},
		{d.w, &d.stmt.inboxDone, "UPDATE inbox SET done_at = ?, payload = NULL, chat_id = 0 WHERE update_id = ?"},
		{d.w, &d.stmt.sentDone, "DELETE FROM sent WHERE update_id = ?"},
		{d.w, &d.stmt.sentAdd, "INSERT OR IGNORE INTO sent (update_id, seq) VALUES (?, ?)"},
		{d.w, &d.stmt.offsetSet, "INSERT INTO setting (key, value) VALUES ('" + offsetKey + "', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)"},
	} {
		st, err := p.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = st
	}
	return nil
}

// WithClock returns d using now for the times it stores (tests).
func (d *DB) WithClock(now func() time.Time) *DB {
	c := *d
	c.now = now
	return &c
}

// Close closes the database.
func (d *DB) Close() error {
	for _, st := range []*sql.Stmt{d.stmt.chat, d.stmt.inboxStatus, d.stmt.inboxAdd, d.stmt.inboxDone, d.stmt.offsetSet, d.stmt.sentDone, d.stmt.sentAdd} {
		if st != nil {
			st.Close()
		}
	}
	var errs []error
	if d.r != nil {
		errs = append(errs, d.r.Close())
	}
	errs = append(errs, d.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers. Its error is the cause alone, without
// the file's name, which the caller names once.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	return nil
}

// Version returns the number of the last migration applied.
func (d *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := d.w.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migration").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlite: version: %w", err)
	}
	return v, nil
}

// migrate applies the migrations not applied yet, each in its own transaction
// together with its entry in schema_migration: a failed migration leaves nothing.
func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	current, err := d.Version(ctx)
	if err != nil {
		return err
	}
	if n := len(ms); n > 0 && current > ms[n-1].Version {
		return fmt.Errorf("migrate: the database is at version %d, newer than this program (%d)", current, ms[n-1].Version)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		err := d.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			if hook := migrationHooks[m.Version]; hook != nil {
				if err := hook(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, d.now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// migrationHooks run in the transaction of the migration with their version, after
// its SQL: changes SQL cannot express.
var migrationHooks = map[int]func(context.Context, *sql.Tx) error{
	// Questions stored before version 2 may hold phone numbers and e-mail
	// addresses: anonymous questions are kept masked.
	2: remask,
	// Masking learned other scripts' digits, spelled-out addresses, IBANs and
	// document numbers: questions stored before are masked again.
	3: remask,
}

// remask masks the stored anonymous questions again with handoff.Mask.
func remask(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, text FROM unanswered")
	if err != nil {
		return err
	}
	masked := map[int64]string{}
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			rows.Close()
			return err
		}
		if m := handoff.Mask(text); m != text {
			masked[id] = m
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, text := range masked {
		if _, err := tx.ExecContext(ctx, "UPDATE unanswered SET text = ? WHERE id = ?", text, id); err != nil {
			return err
		}
	}
	return nil
}

// scrub writes the write-ahead log into the database file and truncates the log,
// after a deletion that must leave nothing readable: the log still holds the
// deleted rows' old pages until then. Readers in progress can keep the log from
// being truncated; the deleted content is then gone from the file at the next
// checkpoint, and from the log when it starts over.
func (d *DB) scrub(ctx context.Context) error {
	var busy, logFrames, done int
	if err := d.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// tx runs f in a transaction and commits when f returns nil.
func (d *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// fromNullMillis is fromMillis for a column that may be NULL (the zero time).
func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64)
}
