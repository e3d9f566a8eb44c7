// Command ankommen answers newcomers' questions about arriving in Oldenburg: in
// Telegram (serve), in the terminal (shell, ask), and checks and measures its content
// (check, eval).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/oldenburg/ankommen/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fi, err := os.Stdin.Stat()
	terminal := err == nil && fi.Mode()&os.ModeCharDevice != 0
	env := &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Terminal: terminal}
	code := cli.Run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}
