package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/postgres"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/store"
)

// OpenStore opens the database cfg names: PostgreSQL when cfg.DatabaseURL is set,
// else the SQLite file in cfg.DataDir. It is the one place that chooses; `serve`
// and every command that reads or writes the state call it.
//
// Only with create may it make the data directory and the SQLite file: `serve` and
// `staff add` (the first account) do; every other command refuses, so that a typo
// in --data never quietly starts an empty database. A PostgreSQL database must
// exist (the operator creates it); its tables are made in any case.
func OpenStore(ctx context.Context, cfg config.Config, create bool) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		return openPostgres(ctx, cfg.DatabaseURL)
	}
	return openSQLite(ctx, cfg.DataDir, create, "check --data or ANKOMMEN_DATA, or set --database-url; only `ankommen staff add` and `ankommen serve` create the database")
}

// OpenLocation opens the store at loc: a postgres:// or postgresql:// URL, or the
// data directory of a SQLite file. With create a missing directory and file are
// made.
func OpenLocation(ctx context.Context, loc string, create bool) (store.Store, error) {
	if IsURL(loc) {
		return openPostgres(ctx, loc)
	}
	return openSQLite(ctx, loc, create, "a data directory holds "+sqlite.FileName)
}

// IsURL reports whether loc names a database by URL (postgres:// or
// postgresql://) rather than a data directory.
func IsURL(loc string) bool { return config.IsPostgresURL(loc) }

// DescribeLocation names loc for messages, without a password.
func DescribeLocation(loc string) string {
	if IsURL(loc) {
		return "PostgreSQL " + postgres.Describe(loc)
	}
	return "SQLite " + filepath.Join(loc, sqlite.FileName)
}

func openPostgres(ctx context.Context, url string) (store.Store, error) {
	if !config.IsPostgresURL(url) {
		return nil, fmt.Errorf("the database URL must be a PostgreSQL URL starting with postgres:// or postgresql://")
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openSQLite opens the SQLite file in dir; why says what to do when there is none
// and create is false.
func openSQLite(ctx context.Context, dir string, create bool, why string) (store.Store, error) {
	file := filepath.Join(dir, sqlite.FileName)
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	} else {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("the data directory %s does not exist (%s)", dir, why)
		}
		if fi, err := os.Stat(file); err != nil || fi.IsDir() {
			return nil, fmt.Errorf("there is no database %s (%s)", file, why)
		}
	}
	db, err := sqlite.Open(ctx, file)
	if err != nil {
		return nil, err
	}
	return db, nil
}
