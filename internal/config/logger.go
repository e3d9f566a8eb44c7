package config

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Logger returns the process logger: text or JSON as configured, at the configured
// level, writing to w. It replaces the token and the webhook secret wherever they
// would appear — a second line of defence behind code that never logs them.
func (c Config) Logger(w io.Writer) *slog.Logger {
	level, _ := c.Level()
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(Redact(h, c.Token, c.WebhookSecret))
}

// Redact wraps h so that the given secrets never reach it: in messages, in attribute
// values, in errors and in groups. Empty secrets are skipped.
func Redact(h slog.Handler, secrets ...string) slog.Handler {
	var s []string
	for _, x := range secrets {
		if x != "" {
			s = append(s, x)
			// The part after the colon is the secret part of a bot token.
			if _, after, ok := strings.Cut(x, ":"); ok && len(after) >= 16 {
				s = append(s, after)
			}
		}
	}
	if len(s) == 0 {
		return h
	}
	return &redactor{h: h, secrets: s}
}

type redactor struct {
	h       slog.Handler
	secrets []string
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.clean(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

func (r *redactor) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return &redactor{h: r.h.WithAttrs(clean), secrets: r.secrets}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{h: r.h.WithGroup(name), secrets: r.secrets}
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.clean(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clean := make([]any, len(as))
		for i, g := range as {
			clean[i] = r.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		s := fmt.Sprint(v.Any())
		if c := r.clean(s); c != s {
			return slog.String(a.Key, c)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (r *redactor) clean(s string) string {
	for _, x := range r.secrets {
		if strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, Redacted)
		}
	}
	return s
}
