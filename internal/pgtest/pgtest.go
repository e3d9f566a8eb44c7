// Package pgtest gives tests a database of their own on a real PostgreSQL server:
// the one ANKOMMEN_TEST_DATABASE_URL names, else the one answering on
// 127.0.0.1:5432 (user postgres, trust auth, as scripts/install-postgres.sh sets
// up). Without a server the test is skipped, except under CI=true, where it fails:
// CI must test both stores.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server tried when ANKOMMEN_TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	once    sync.Once
	baseURL string
	baseErr error
)

// server returns the URL of the maintenance database of the test server.
func server() (string, error) {
	once.Do(func() {
		baseURL = strings.TrimSpace(os.Getenv("ANKOMMEN_TEST_DATABASE_URL"))
		if baseURL == "" {
			baseURL = DefaultURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, baseURL)
		if err != nil {
			baseErr = fmt.Errorf("no PostgreSQL server for tests at %s (set ANKOMMEN_TEST_DATABASE_URL or run scripts/install-postgres.sh): %w", redact(baseURL), err)
			return
		}
		conn.Close(ctx)
	})
	return baseURL, baseErr
}

// URL creates a new, empty database for the test and returns its URL; the database
// is dropped when the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	base, err := server()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: %v", err)
		}
		tb.Skipf("pgtest: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "ankommen_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Drop drops the database rawURL names (made by URL) at once, closing the
// connections to it: for tests of a database that goes away under a running
// server.
func Drop(tb testing.TB, rawURL string) {
	tb.Helper()
	base, err := server()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !strings.HasPrefix(name, "ankommen_test_") {
		tb.Fatalf("pgtest: %s is not a test database", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		tb.Fatalf("pgtest: drop %s: %v", name, err)
	}
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}
