package app

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/pgtest"
	"github.com/oldenburg/ankommen/internal/postgres"
)

// cutProxy forwards TCP connections to target until cut closes them all and
// stops listening: the database is gone for whoever connects through it.
type cutProxy struct {
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) cut() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestReadyNamesTheDatabaseOnce: when PostgreSQL does not answer, /readyz says
// which database once, and why.
func TestReadyNamesTheDatabaseOnce(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.l.Addr().String()
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &Server{cfg: config.Config{DatabaseURL: u.String()}, DB: db}
	if err := s.ready(ctx); err != nil {
		t.Fatalf("ready with the database up: %v", err)
	}
	proxy.cut()
	// The first ping may find a pooled connection broken, the next dials anew.
	for i := range 2 {
		err := s.ready(ctx)
		if err == nil {
			t.Fatalf("ping %d: ready with the database down", i)
		}
		msg := err.Error()
		t.Logf("ping %d: %s", i, msg)
		where := u.Host + strings.TrimSuffix(u.Path, "/")
		if want := "database: cannot reach PostgreSQL " + where + " as postgres: "; !strings.HasPrefix(msg, want) {
			t.Errorf("ping %d: %q, want it to start with %q", i, msg, want)
		}
		if n := strings.Count(msg, u.Port()); n != 1 {
			t.Errorf("ping %d: %q names the port %d times, want once", i, msg, n)
		}
		if n := strings.Count(msg, strings.TrimPrefix(u.Path, "/")); n != 1 {
			t.Errorf("ping %d: %q names the database %d times, want once", i, msg, n)
		}
		if len(msg) <= len("database: cannot reach PostgreSQL "+where+" as postgres: ") {
			t.Errorf("ping %d: %q gives no cause", i, msg)
		}
	}
	if err := s.ready(ctx); !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("ready: %q, want the cause (connection refused)", err)
	}
}
