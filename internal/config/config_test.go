package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const token = "123456789:AAHsecretSECRETsecretSECRETsecret_-1"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAndFlags(t *testing.T) {
	c, errs := Defaults(env(map[string]string{
		"TELEGRAM_BOT_TOKEN": token, "ANKOMMEN_ADDR": "0.0.0.0:9000", "ANKOMMEN_FLOOD_LIMIT": "7",
	}))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if c.Addr != "0.0.0.0:9000" || c.FloodLimit != 7 || c.APIURL != DefaultAPIURL || c.DataDir != "data" || c.Mode() != ModePolling {
		t.Fatalf("defaults: %+v", c)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--addr", "127.0.0.1:1234", "--webhook-url", "https://x.example/hook", "--webhook-secret", "abc"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:1234" || c.Mode() != ModeWebhook || c.WebhookPath() != "/hook" {
		t.Fatalf("flags do not override: %+v", c)
	}
	if fs.Lookup("token") != nil {
		t.Error("the token must not be a flag")
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if _, errs := Defaults(env(map[string]string{"ANKOMMEN_FLOOD_LIMIT": "many"})); len(errs) != 1 {
		t.Errorf("bad number not reported: %v", errs)
	}
	w, errs := Defaults(env(map[string]string{"ANKOMMEN_WEBHOOK_ADDR": "0.0.0.0:8443", "ANKOMMEN_ASK_LIMIT": "5", "ANKOMMEN_ASK_RECORD": "true"}))
	if len(errs) != 0 || w.WebhookAddr != "0.0.0.0:8443" || w.AskLimit != 5 || !w.AskRecord {
		t.Errorf("webhook address and /ask settings: %+v %v", w, errs)
	}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	w.RegisterFlags(fs)
	if err := fs.Parse([]string{"--webhook-addr", "[::]:9443", "--ask-limit", "9", "--ask-record=false"}); err != nil || w.WebhookAddr != "[::]:9443" || w.AskLimit != 9 || w.AskRecord {
		t.Errorf("flags: %+v %v", w, err)
	}
	if _, errs := Defaults(env(map[string]string{"ANKOMMEN_ASK_RECORD": "maybe"})); len(errs) != 1 {
		t.Errorf("bad boolean not reported: %v", errs)
	}
	if r, errs := Defaults(env(map[string]string{"ANKOMMEN_SEND_RETRY_LIMIT": "2h"})); len(errs) != 0 || r.SendRetryLimit != 2*time.Hour {
		t.Errorf("send retry limit: %v %v", r.SendRetryLimit, errs)
	}
	if _, errs := Defaults(env(map[string]string{"ANKOMMEN_SEND_RETRY_LIMIT": "a day"})); len(errs) != 1 {
		t.Errorf("bad duration not reported: %v", errs)
	}
	if c, _ := Defaults(env(nil)); c.AskLimit != 60 || c.AskRecord || c.WebhookAddr != "" || c.SendRetryLimit != 24*time.Hour {
		t.Errorf("defaults: %+v", c)
	}
	if off, _ := Defaults(env(nil)); off.Mode() != ModeOff || off.Validate() != nil {
		t.Errorf("no token: mode %s, %v", off.Mode(), off.Validate())
	}
}

func TestValidate(t *testing.T) {
	good, _ := Defaults(env(map[string]string{"TELEGRAM_BOT_TOKEN": token}))
	cases := []struct {
		name string
		edit func(*Config)
		want []string // one sentence each
	}{
		{"bad token", func(c *Config) { c.Token = "not-a-token" }, []string{"TELEGRAM_BOT_TOKEN does not look like a bot token"}},
		{"bad API URL", func(c *Config) { c.APIURL = "ftp://x" }, []string{"TELEGRAM_API_URL must be an http or https URL"}},
		{"webhook over http without secret", func(c *Config) { c.WebhookURL = "http://x.example/hook" },
			[]string{"must start with https://", "TELEGRAM_WEBHOOK_SECRET must be set"}},
		{"webhook without token", func(c *Config) { c.Token = ""; c.WebhookURL = "https://x.example/h"; c.WebhookSecret = "s" },
			[]string{"TELEGRAM_BOT_TOKEN is not"}},
		{"bad secret", func(c *Config) { c.WebhookURL = "https://x.example/h"; c.WebhookSecret = "has space" }, []string{"1 to 256 characters"}},
		{"bad addr", func(c *Config) { c.Addr = "8080" }, []string{"ANKOMMEN_ADDR must be host:port"}},
		{"bad port", func(c *Config) { c.Addr = "localhost:http2" }, []string{"port number"}},
		{"webhook address without webhook", func(c *Config) { c.WebhookAddr = "0.0.0.0:8443" }, []string{"TELEGRAM_WEBHOOK_URL is not"}},
		{"webhook address like the internal one", func(c *Config) {
			c.WebhookURL, c.WebhookSecret, c.WebhookAddr = "https://x.example/h", "s", c.Addr
		}, []string{"must differ from ANKOMMEN_ADDR"}},
		{"bad webhook address", func(c *Config) { c.WebhookURL, c.WebhookSecret, c.WebhookAddr = "https://x.example/h", "s", "8443" },
			[]string{"ANKOMMEN_WEBHOOK_ADDR must be host:port"}},
		{"ask limit", func(c *Config) { c.AskLimit = 0 }, []string{"ANKOMMEN_ASK_LIMIT"}},
		{"send retry limit", func(c *Config) { c.SendRetryLimit = time.Millisecond }, []string{"ANKOMMEN_SEND_RETRY_LIMIT"}},
		{"database URL of another kind", func(c *Config) { c.DatabaseURL = "mysql://root:pw1secret@db/ankommen" }, []string{"ANKOMMEN_DATABASE_URL must be a PostgreSQL URL"}},
		{"database URL that is a path", func(c *Config) { c.DatabaseURL = "/var/lib/ankommen" }, []string{"ANKOMMEN_DATABASE_URL must be a PostgreSQL URL"}},
		{"everything else", func(c *Config) {
			c.DataDir, c.LogFormat, c.LogLevel, c.FloodLimit, c.ShutdownTimeout = " ", "xml", "loud", 0, 0
		}, []string{"ANKOMMEN_DATA", "ANKOMMEN_LOG_FORMAT", "ANKOMMEN_LOG_LEVEL", "ANKOMMEN_FLOOD_LIMIT", "shutdown timeout"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Token = token
			tc.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("%d problems reported, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q missing from:\n%v", w, err)
				}
			}
			for _, l := range lines {
				if !strings.HasSuffix(l, ".") {
					t.Errorf("not a sentence: %q", l)
				}
			}
			if strings.Contains(err.Error(), "AAHsecret") || strings.Contains(err.Error(), "pw1secret") {
				t.Error("a secret appears in an error")
			}
		})
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	c, _ := Defaults(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": "hook-secret-123",
		"ANKOMMEN_DATABASE_URL": "postgres://ankommen:db-pw-456@db.example.org:5432/city"}))
	if c.DatabaseURL == "" || c.Validate() != nil {
		t.Fatalf("database URL %q: %v", c.DatabaseURL, c.Validate())
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), buf.String()} {
		if strings.Contains(s, "AAHsecret") || strings.Contains(s, "hook-secret-123") || strings.Contains(s, "db-pw-456") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, Redacted) || !strings.Contains(s, "db.example.org:5432/city") {
			t.Errorf("no redaction marker: %s", s)
		}
	}
}

func TestLoggerRedacts(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			c, _ := Defaults(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": "hook-secret-123"}))
			c.LogFormat, c.LogLevel = format, "debug"
			var buf bytes.Buffer
			log := c.Logger(&buf).With("base", "https://api/bot"+token+"/getMe")
			log.Info("calling https://api.telegram.org/bot"+token+"/sendMessage",
				"err", errors.New("Post \"https://api/bot"+token+"/x\": refused"),
				"secret", "hook-secret-123",
				slog.Group("g", "inner", "…"+strings.SplitN(token, ":", 2)[1]),
				"n", 3)
			log.WithGroup("grp").Debug("x", "v", token)
			out := buf.String()
			if strings.Contains(out, "AAHsecret") || strings.Contains(out, "hook-secret-123") {
				t.Fatalf("secret in the log:\n%s", out)
			}
			if strings.Count(out, Redacted) < 6 || !strings.Contains(out, "n=3") && !strings.Contains(out, `"n":3`) {
				t.Errorf("log:\n%s", out)
			}
		})
	}
	// Without secrets the handler is not wrapped.
	h := slog.NewTextHandler(io.Discard, nil)
	if Redact(h, "", "") != slog.Handler(h) {
		t.Error("wrapped without secrets")
	}
}

func TestRetentionAndStaffSettings(t *testing.T) {
	c, errs := Defaults(env(nil))
	if len(errs) != 0 || c.HandoffDays != 30 || c.QuestionDays != 180 || c.StaffChatID != 0 || c.PublicURL != "" {
		t.Fatalf("defaults: %+v %v", c, errs)
	}
	c, errs = Defaults(env(map[string]string{"ANKOMMEN_RETENTION_HANDOFF_DAYS": "14", "ANKOMMEN_RETENTION_QUESTION_DAYS": "90",
		"ANKOMMEN_STAFF_CHAT_ID": "-100123", "ANKOMMEN_PUBLIC_URL": "https://bot.example.org/"}))
	if len(errs) != 0 || c.HandoffDays != 14 || c.QuestionDays != 90 || c.StaffChatID != -100123 || c.PublicURL != "https://bot.example.org" {
		t.Fatalf("from the environment: %+v %v", c, errs)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--retention-handoff-days", "7", "--retention-question-days", "30", "--staff-chat-id", "42"}); err != nil {
		t.Fatal(err)
	}
	if c.HandoffDays != 7 || c.QuestionDays != 30 || c.StaffChatID != 42 || c.Validate() != nil {
		t.Fatalf("flags: %+v %v", c, c.Validate())
	}
	_, errs = Defaults(env(map[string]string{"ANKOMMEN_RETENTION_HANDOFF_DAYS": "a month", "ANKOMMEN_STAFF_CHAT_ID": "@team"}))
	if len(errs) != 2 {
		t.Errorf("bad numbers: %v", errs)
	}
	c.HandoffDays, c.QuestionDays, c.PublicURL = 0, 5000, "ftp://x"
	err := c.Validate()
	for _, want := range []string{"ANKOMMEN_RETENTION_HANDOFF_DAYS", "ANKOMMEN_RETENTION_QUESTION_DAYS", "ANKOMMEN_PUBLIC_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s not reported: %v", want, err)
		}
	}
}
