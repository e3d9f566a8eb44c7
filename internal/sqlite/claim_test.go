package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/oldenburg/ankommen/internal/cluster/clustertest"
	"github.com/oldenburg/ankommen/internal/sqlite"
)

func TestCluster(t *testing.T) {
	clustertest.Run(t, func(t *testing.T) func() clustertest.Store {
		file := filepath.Join(t.TempDir(), sqlite.FileName)
		return func() clustertest.Store {
			d, err := sqlite.Open(context.Background(), file)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
	})
}

func BenchmarkClaim(b *testing.B) {
	d, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchClaim(b, d)
}

func BenchmarkReserve(b *testing.B) {
	d, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchReserve(b, d)
}

func BenchmarkClaimBusy(b *testing.B) {
	d, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	clustertest.BenchClaimBusy(b, d)
}
