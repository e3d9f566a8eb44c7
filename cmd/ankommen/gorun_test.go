package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGoRunServeStopsOnSIGTERM: `go run ./cmd/ankommen serve` in a process group of
// its own; SIGTERM to the go process only (as `kill PID` does). go run does not
// pass the signal on, so serve notices that its parent ended and shuts down: the
// port is free again within a few seconds.
func TestGoRunServeStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ankommen with go run")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(goTool, "run", ".", "serve", "--addr", addr, "--data", t.TempDir())
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "TELEGRAM_BOT_TOKEN=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second // the pipes stay open while serve runs
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole group, whatever happened
		cmd.Wait()
	})
	up := func() bool {
		c := http.Client{Timeout: time.Second}
		resp, err := c.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}
	deadline := time.Now().Add(3 * time.Minute) // go run compiles first
	for !up() {
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("serve did not start:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline = time.Now().Add(5 * time.Second)
	for up() {
		if time.Now().After(deadline) {
			t.Fatalf("serve still answers 5 s after SIGTERM to go run:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Its shutdown is the orderly one.
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "ankommen serve: stopped") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "stopping as on SIGTERM") || !strings.Contains(out.String(), "ankommen serve: stopped") {
		t.Errorf("no orderly shutdown:\n%s", out)
	}
}
