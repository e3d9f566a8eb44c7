// Package postgres stores the bot's state in PostgreSQL, for operators who run
// several replicas of `serve` on one database. It implements the same interfaces as
// package sqlite (see package store) and passes the same conformance suite
// (store/storetest). It uses pgx v5 with a pool; migrations are embedded, each runs
// in a transaction, and replicas starting together migrate one at a time under an
// advisory lock.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/oldenburg/ankommen/internal/migrate"

	"github.com/oldenburg/ankommen/internal/store"
)

//go:embed migrations
var migrations embed.FS

// migrateLock is the advisory lock key under which migrations run.
const migrateLock = 0x616e6b6d // "ankm"

// DB keeps everything store.Store names.
var _ store.Store = (*DB)(nil)

// DB is the database. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
	// where names the server and database for messages, password redacted.
	where string
}

// Open connects to the database rawURL names (postgres://user:pass@host:port/db?…)
// and brings its schema up to date. Its errors name host and database, never the
// password.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	where := Describe(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: the URL is not valid: %w", where, redactErr(err, rawURL))
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	// A connection lost with the server (a restart) is replaced, not reused.
	cfg.HealthCheckPeriod = 5 * time.Second
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", where, redactErr(err, rawURL))
	}
	d := &DB{pool: pool, now: time.Now, where: where}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: cannot reach %s: %w", where, redactErr(err, rawURL))
	}
	if err := d.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", where, err)
	}
	return d, nil
}

// Describe names the server and database of a connection URL for messages and
// logs: "host:port/database as user", without the password.
func Describe(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" && u.Path == "" {
		return "the database URL (not a postgres:// URL)"
	}
	host := u.Host
	if host == "" {
		host = u.Query().Get("host")
	}
	if host == "" {
		host = "localhost"
	}
	s := host + "/" + strings.TrimPrefix(u.Path, "/")
	if user := u.User.Username(); user != "" {
		s += " as " + user
	}
	return s
}

// redactErr removes the password of rawURL from err's text, should a library
// quote it.
func redactErr(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}

// WithClock returns d using now for the times it stores (tests).
func (d *DB) WithClock(now func() time.Time) *DB {
	c := *d
	c.now = now
	return &c
}

// Pool is the connection pool, for the cluster's locks and claims.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Where names the server and database, password redacted.
func (d *DB) Where() string { return d.where }

// Close closes the pool.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// Ping checks that the database answers. Its error is the cause alone ("dial
// error: connect: connection refused"), without the database's location, which
// the caller names once (see Where): pgx puts user, database and address in its
// connection errors, and the net package the address again.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.pool.Ping(ctx); err != nil {
		return causeOf(err)
	}
	return nil
}

// causeOf returns err with the parts of its message that only say where pgx
// connected left out; it still wraps err.
func causeOf(err error) error {
	msg := err.Error()
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		// "failed to connect to `user=u database=d`: host:port (host): dial error: ..."
		if in := ce.Unwrap(); in != nil {
			// One attempt per address, joined; one address: one attempt.
			if j, ok := in.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) == 1 {
				in = j.Unwrap()[0]
			}
			msg = in.Error()
			if cause := errors.Unwrap(in); cause != nil && strings.HasSuffix(msg, "): "+cause.Error()) {
				msg = cause.Error()
			}
		}
	}
	// "dial tcp 127.0.0.1:5432: connect: connection refused"
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		msg = strings.Replace(msg, op.Error(), op.Err.Error(), 1)
	}
	return &causeError{msg: msg, err: err}
}

type causeError struct {
	msg string
	err error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.err }

// Version returns the number of the last migration applied.
func (d *DB) Version(ctx context.Context) (int, error) {
	var v int
	if err := d.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migration").Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: version: %w", err)
	}
	return v, nil
}

// migrate applies the migrations not applied yet, each in its own transaction with
// its entry in schema_migration. Replicas starting at once wait for each other on
// an advisory lock held for the transaction.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for {
		done, err := d.migrateOne(ctx, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration not applied yet; done when none is left.
func (d *DB) migrateOne(ctx context.Context, ms []migrate.Migration) (done bool, err error) {
	err = d.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (
			version    integer PRIMARY KEY,
			name       text    NOT NULL,
			applied_at bigint  NOT NULL
		)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migration").Scan(&current); err != nil {
			return err
		}
		if n := len(ms); n > 0 && current > ms[n-1].Version {
			return fmt.Errorf("the database is at version %d, newer than this program (%d)", current, ms[n-1].Version)
		}
		for _, m := range ms {
			if m.Version <= current {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)", m.Version, m.Name, d.now().UnixMilli())
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// tx runs f in a transaction and commits when f returns nil.
func (d *DB) tx(ctx context.Context, f func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, d.pool, f)
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// fromNullMillis is fromMillis for a column that may be NULL (the zero time).
func fromNullMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms)
}
