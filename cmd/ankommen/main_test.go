package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// binary is the ankommen binary, compiled once for all tests of the package.
type binary struct {
	once sync.Once
	dir  string
	bin  string
	out  []byte
	err  error
}

// built is the binary with the race detector when the tests run with it; plain is
// always without (the replica tests and benchmarks: several processes at once,
// whose point is their behaviour together and their speed).
var built, plain binary

// TestMain removes the binaries after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, b := range []*binary{&built, &plain} {
		if b.dir != "" {
			os.RemoveAll(b.dir)
		}
	}
	os.Exit(code)
}

// build compiles the ankommen binary into a temporary directory, once.
func build(t testing.TB) string {
	t.Helper()
	return built.get(t, raceEnabled)
}

// buildPlain compiles the ankommen binary without the race detector, once.
func buildPlain(t testing.TB) string {
	t.Helper()
	if !raceEnabled {
		return build(t)
	}
	return plain.get(t, false)
}

func (b *binary) get(t testing.TB, race bool) string {
	t.Helper()
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if b.dir, b.err = os.MkdirTemp("", "ankommen-bin-"); b.err != nil {
			return
		}
		b.bin = filepath.Join(b.dir, "ankommen")
		args := []string{"build", "-o", b.bin}
		env := os.Environ()
		if race {
			args = append(args, "-race")
			env = append(env, "CGO_ENABLED=1")
		} else {
			env = append(env, "CGO_ENABLED=0")
		}
		cmd := exec.Command(goTool, append(args, ".")...)
		cmd.Env = env
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build: %v\n%s", b.err, b.out)
	}
	return b.bin
}

// syncBuffer is a buffer the process's output goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `ankommen serve` as a process against the fake Bot API.
func startServe(t *testing.T, bin, data string, api *tt.Server) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"ANKOMMEN_DATA="+data, "ANKOMMEN_ADDR=127.0.0.1:0",
		"ANKOMMEN_CONTENT=../../internal/conversation/testdata/content", "ANKOMMEN_LOCALES=../../locales",
		"TELEGRAM_BOT_TOKEN="+tt.Token, "TELEGRAM_API_URL="+api.URL, "ANKOMMEN_FLOOD_LIMIT=1000")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

// confirmed returns the users the fake Bot API told that their handoff is open, and
// the users told that their message went to the team.
func confirmed(api *tt.Server) (opened, passed map[int64]bool) {
	opened, passed = map[int64]bool{}, map[int64]bool{}
	for _, r := range api.Sent("sendMessage") {
		switch text := r.Params["text"]; {
		case strings.Contains(text, "now reads your messages"):
			opened[r.Int("chat_id")] = true
		case strings.Contains(text, "Passed on to the city team"):
			passed[r.Int("chat_id")] = true
		}
	}
	return opened, passed
}

// TestKill9KeepsCommittedHandoffs kills a real serve process with SIGKILL while
// users open handoffs and write to them. Every handoff and message the bot had
// confirmed to its user — it confirms after the commit — is in the database
// afterwards, which is intact; after a restart the updates left in the inbox are
// handled, and no message is in a thread twice.
func TestKill9KeepsCommittedHandoffs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary: not with -short")
	}
	bin := build(t)
	api := tt.New(t)
	data := t.TempDir()
	cmd, out := startServe(t, bin, data, api)
	api.WaitFor(t, 30*time.Second, "polling", func(s *tt.Server) bool { return s.Polling() > 0 })

	const users = 60
	userOf := func(i int) tt.User { return tt.User{ID: int64(20000 + i), Lang: "en"} }
	// Users arrive in waves, so that writes are going on when the process dies.
	send := func(i int) {
		u := userOf(i)
		api.AddUpdate(tt.Callback(u, "c:en"))
		api.AddUpdate(tt.Text(u, fmt.Sprintf("question of user %d", i)))
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	var sent atomic.Int32
	go func() {
		defer close(done)
		for i := range users {
			select {
			case <-stop:
				return
			default:
			}
			send(i)
			sent.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	api.WaitFor(t, 60*time.Second, "some confirmed handoffs and messages", func(s *tt.Server) bool {
		opened, passed := confirmed(s)
		return len(opened) >= users/4 && len(passed) >= users/6
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	<-done
	opened, passed := confirmed(api)
	t.Logf("killed after %d confirmed handoffs and %d confirmed messages", len(opened), len(passed))

	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatalf("database after kill -9: %v\n%s", err, out.String())
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(what string) map[int64]int {
		t.Helper()
		msgs := map[int64]int{}
		for id := range opened {
			h, err := db.ActiveHandoff(ctx, id)
			if err != nil {
				t.Errorf("%s: the confirmed handoff of chat %d is lost: %v", what, id, err)
				continue
			}
			_, thread, err := db.Handoff(ctx, h.ID)
			if err != nil {
				t.Fatal(err)
			}
			msgs[id] = len(thread)
			if passed[id] && len(thread) == 0 {
				t.Errorf("%s: the confirmed message of chat %d is lost", what, id)
			}
		}
		return msgs
	}
	check("after kill -9")
	db.Close()
	if t.Failed() {
		t.Logf("serve log:\n%s", out.String())
		return
	}

	// Restarted, the process handles what the inbox kept; every user ends with one
	// open handoff holding their message once.
	cmd2, out2 := startServe(t, bin, data, api)
	for i := int(sent.Load()); i < users; i++ {
		send(i)
	}
	api.AddUpdate(tt.Text(userOf(0), "one more"))
	api.WaitFor(t, 60*time.Second, "every user's message passed on", func(s *tt.Server) bool {
		_, passed := confirmed(s)
		return len(passed) >= users
	})
	if err := cmd2.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd2.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, out2.String())
	}
	db, err = sqlite.Open(ctx, filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, total, err := db.ReviewItems(ctx, handoff.Filter{Kind: handoff.KindHandoff, Per: 1000})
	if err != nil || total != users {
		t.Fatalf("%d open handoffs after the restart, want %d: %v", total, users, err)
	}
	for _, it := range items {
		want := 1
		if it.Text == "question of user 0" {
			want = 2
		}
		if it.Messages != want {
			t.Errorf("handoff %d (%q) has %d messages, want %d", it.ID, it.Text, it.Messages, want)
		}
	}
}
