package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
)

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	d, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	// A second open finds the schema up to date.
	d, err = postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v2, err := d.Version(ctx); err != nil || v2 != v {
		t.Fatalf("version after reopening = %d, %v; want %d", v2, err, v)
	}
}

func TestOpenErrorNamesHostNotPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct{ url, want string }{
		{"postgres://ankommen:s3cretpw@127.0.0.1:1/citydb?connect_timeout=2", "127.0.0.1:1/citydb"},
		{"postgres://ankommen:s3cretpw@127.0.0.1:5432/no_such_db_here?sslmode=disable", "127.0.0.1:5432/no_such_db_here"},
		{"postgres://ankommen:s3cretpw@127.0.0.1:notaport/citydb", "citydb"},
	} {
		d, err := postgres.Open(ctx, tc.url)
		if err == nil {
			d.Close()
			t.Errorf("Open(%s) = nil error", tc.url)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "s3cretpw") {
			t.Errorf("Open(%s): %q; want it to name %q and not the password", tc.url, msg, tc.want)
		}
	}
}
