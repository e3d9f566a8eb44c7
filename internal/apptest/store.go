package apptest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
	"github.com/oldenburg/ankommen/internal/sqlite"
	"github.com/oldenburg/ankommen/internal/store"
)

// StoreEnv is the variable that chooses the store of the end-to-end tests:
// "postgres" runs them on PostgreSQL (a database of their own, see pgtest),
// "sqlite" or nothing on a SQLite file. `make unit` runs them once with each.
const StoreEnv = "ANKOMMEN_TEST_STORE"

// Postgres reports whether the tests run on PostgreSQL; a value StoreEnv does not
// know fails tb.
func Postgres(tb testing.TB) bool {
	tb.Helper()
	switch v := strings.TrimSpace(os.Getenv(StoreEnv)); v {
	case "", "sqlite":
		return false
	case "postgres":
		return true
	default:
		tb.Fatalf("%s=%q: use sqlite or postgres", StoreEnv, v)
		return false
	}
}

// OpenStore opens an empty store of the kind StoreEnv names, closed when the test
// ends.
func OpenStore(tb testing.TB) store.Store {
	tb.Helper()
	if !Postgres(tb) {
		db, _ := OpenSQLite(tb)
		return db
	}
	db, err := postgres.Open(context.Background(), pgtest.URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// OpenSQLite opens an empty SQLite store in a temporary directory, closed when the
// test ends, and returns its file: for the tests of what the file holds.
func OpenSQLite(tb testing.TB) (*sqlite.DB, string) {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), sqlite.FileName)
	db, err := sqlite.Open(context.Background(), file)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, file
}

// ServeEnv returns the environment that points `serve` and the commands at a new
// store of the kind StoreEnv names: ANKOMMEN_DATABASE_URL of a new database for
// PostgreSQL, nothing for SQLite (ANKOMMEN_DATA, which the test sets).
func ServeEnv(tb testing.TB) map[string]string {
	tb.Helper()
	if !Postgres(tb) {
		return map[string]string{}
	}
	return map[string]string{"ANKOMMEN_DATABASE_URL": pgtest.URL(tb)}
}
