package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/config"
)

const serveUsage = "serve [--addr HOST:PORT] [--data DIR] [--webhook-url URL] …"

// runServe runs the Telegram bot and the HTTP server until SIGINT or SIGTERM. The
// configuration comes from the environment (see config.Defaults); flags override it.
func runServe(ctx context.Context, env *Env, args []string) int {
	return serve(ctx, env, args)
}

// serve is runServe with options for tests.
func serve(ctx context.Context, env *Env, args []string, opts ...app.ServerOption) int {
	cfg, envErrs := config.Defaults(env.Getenv)
	fs := newFlags(env, "serve", serveUsage)
	cfg.RegisterFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n\n", serveUsage)
		fmt.Fprintln(env.Stderr, "Runs the Telegram bot (long polling, or webhook mode with --webhook-url) and an HTTP server with")
		fmt.Fprintln(env.Stderr, "/healthz, /readyz, /metrics and /ask. Without TELEGRAM_BOT_TOKEN only the HTTP server runs.")
		fmt.Fprintln(env.Stderr, "Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET,")
		fmt.Fprintln(env.Stderr, "ANKOMMEN_ADDR, ANKOMMEN_DATA, ANKOMMEN_DATABASE_URL, ANKOMMEN_CONTENT, ANKOMMEN_LOCALES, ANKOMMEN_LOG_FORMAT, ANKOMMEN_LOG_LEVEL,")
		fmt.Fprintln(env.Stderr, "ANKOMMEN_FLOOD_LIMIT. Flags override the environment; the token is read only from the environment.")
		fmt.Fprintln(env.Stderr)
		fs.PrintDefaults()
	}
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if !noArgs(env, "serve", pos) {
		return ExitUsage
	}
	if err := errors.Join(append(envErrs, cfg.Validate())...); err != nil {
		fmt.Fprintln(env.Stderr, "serve: the configuration has problems:")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(env.Stderr, "  "+line)
		}
		return ExitUsage
	}
	logger := cfg.Logger(env.Stderr)
	logger.Debug("configuration", "config", cfg)
	s, err := app.NewServer(ctx, cfg, logger, opts...)
	if err != nil {
		logger.Error("serve: cannot start", "err", err)
		return ExitFail
	}
	defer s.Close()
	if err := s.Run(ctx); err != nil {
		logger.Error("serve: stopped with an error", "err", err)
		return ExitFail
	}
	return ExitOK
}
