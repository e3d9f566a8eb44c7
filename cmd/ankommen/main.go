// Command ankommen answers newcomers' questions about arriving in Oldenburg: in
// Telegram (serve), in the terminal (shell, ask), and checks and measures its content
// (check, eval).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/oldenburg/ankommen/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if startedByGoRun() {
		go stopWhenParentEnds(ctx, cancel, 250*time.Millisecond)
	}
	fi, err := os.Stdin.Stat()
	terminal := err == nil && fi.Mode()&os.ModeCharDevice != 0
	env := &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Terminal: terminal}
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// startedByGoRun reports whether the parent process is `go run` (Linux: from
// /proc; elsewhere it reports false).
func startedByGoRun() bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", os.Getppid()))
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	if len(args) < 2 || filepath.Base(args[0]) != "go" {
		return false
	}
	for i := 1; i < len(args); i++ {
		switch {
		case args[i] == "-C": // go -C DIR run …
			i++
		case strings.HasPrefix(args[i], "-C="):
		default:
			return args[i] == "run"
		}
	}
	return false
}

// stopWhenParentEnds cancels when the parent process ends. `go run` does not pass
// SIGTERM on to the program it runs (it passes nothing on; Ctrl-C reaches both
// because the terminal signals the whole process group): `kill <pid of go run>`
// would end go run and leave `serve` running with its port taken. When go run ends,
// this process is given a new parent; that is the sign to stop as on SIGTERM.
func stopWhenParentEnds(ctx context.Context, cancel context.CancelFunc, every time.Duration) {
	parent := os.Getppid()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				fmt.Fprintln(os.Stderr, "ankommen: `go run` has ended (killed?); stopping as on SIGTERM")
				cancel()
				return
			}
		}
	}
}
