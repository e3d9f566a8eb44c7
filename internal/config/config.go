// Package config reads the settings of `ankommen serve`: environment variables
// first, command-line flags override them. Validate reports every problem at once, one
// sentence each; the bot token never appears in an error, a log line or a dump.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIURL is Telegram's Bot API.
const DefaultAPIURL = "https://api.telegram.org"

// Config is the configuration of the server process.
type Config struct {
	Token         string // TELEGRAM_BOT_TOKEN; "" runs without Telegram
	APIURL        string // TELEGRAM_API_URL
	WebhookURL    string // TELEGRAM_WEBHOOK_URL; "" means long polling
	WebhookSecret string // TELEGRAM_WEBHOOK_SECRET
	Addr          string // ANKOMMEN_ADDR
	// WebhookAddr is the public listen address that serves only the webhook path
	// (ANKOMMEN_WEBHOOK_ADDR); "": the webhook is served on Addr.
	WebhookAddr string
	DataDir     string // ANKOMMEN_DATA
	// DatabaseURL is a PostgreSQL server's URL, postgres://user:password@host/db
	// (ANKOMMEN_DATABASE_URL): the state is kept there, shared by every replica.
	// "": in the SQLite file in DataDir.
	DatabaseURL string
	ContentDir  string // ANKOMMEN_CONTENT; "" means embedded
	LocaleDir   string // ANKOMMEN_LOCALES; "" means embedded
	LogFormat   string // ANKOMMEN_LOG_FORMAT: text or json
	LogLevel    string // ANKOMMEN_LOG_LEVEL: debug, info, warn, error
	// FloodLimit is how many messages a user may send a minute (ANKOMMEN_FLOOD_LIMIT).
	FloodLimit int
	// AskLimit is how many GET /ask requests one address may make a minute
	// (ANKOMMEN_ASK_LIMIT); AskRecord makes /ask record unanswered questions and
	// count answers in the statistics as Telegram does (ANKOMMEN_ASK_RECORD).
	AskLimit  int
	AskRecord bool
	// SendRetryLimit is how long a reply is retried while Telegram answers 429 or
	// 5xx or cannot be reached, from the update's arrival (ANKOMMEN_SEND_RETRY_LIMIT).
	SendRetryLimit time.Duration
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// HandoffDays is how long handoffs and chat ids are kept after a handoff was
	// closed (ANKOMMEN_RETENTION_HANDOFF_DAYS); QuestionDays how long anonymous
	// questions are kept (ANKOMMEN_RETENTION_QUESTION_DAYS).
	HandoffDays  int
	QuestionDays int
	// StaffChatID is a Telegram chat (usually a group of the city team) that new
	// handoffs are posted to (ANKOMMEN_STAFF_CHAT_ID); 0: none.
	StaffChatID int64
	// PublicURL is where the server is reached from outside, e.g.
	// https://ankommen.example.org (ANKOMMEN_PUBLIC_URL); links to the staff page
	// in the staff chat use it. "": no links.
	PublicURL string
	// Replicas are the settings of several replicas and the send limits.
	Replicas Replicas
}

// Mode says how the bot gets its updates.
type Mode string

const (
	ModeOff     Mode = "off"     // no token: Telegram is off
	ModePolling Mode = "polling" // getUpdates long polling
	ModeWebhook Mode = "webhook" // Telegram posts updates to WebhookURL
)

// Mode returns how the bot runs with c.
func (c Config) Mode() Mode {
	switch {
	case c.Token == "":
		return ModeOff
	case c.WebhookURL != "":
		return ModeWebhook
	}
	return ModePolling
}

// Defaults returns the configuration read from the environment (getenv may be
// os.Getenv); unset variables take their defaults. Number and duration variables that
// do not parse keep their text for Validate to report.
func Defaults(getenv func(string) string) (Config, []error) {
	or := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Token:           strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		APIURL:          or("TELEGRAM_API_URL", DefaultAPIURL),
		WebhookURL:      or("TELEGRAM_WEBHOOK_URL", ""),
		WebhookSecret:   strings.TrimSpace(getenv("TELEGRAM_WEBHOOK_SECRET")),
		Addr:            or("ANKOMMEN_ADDR", "127.0.0.1:8080"),
		WebhookAddr:     or("ANKOMMEN_WEBHOOK_ADDR", ""),
		AskLimit:        60,
		DataDir:         or("ANKOMMEN_DATA", "data"),
		DatabaseURL:     or("ANKOMMEN_DATABASE_URL", ""),
		ContentDir:      or("ANKOMMEN_CONTENT", ""),
		LocaleDir:       or("ANKOMMEN_LOCALES", ""),
		LogFormat:       or("ANKOMMEN_LOG_FORMAT", "text"),
		LogLevel:        or("ANKOMMEN_LOG_LEVEL", "info"),
		FloodLimit:      20,
		ShutdownTimeout: 15 * time.Second,
		SendRetryLimit:  24 * time.Hour,
		HandoffDays:     30,
		QuestionDays:    180,
		PublicURL:       strings.TrimRight(or("ANKOMMEN_PUBLIC_URL", ""), "/"),
	}
	var errs []error
	for _, v := range []struct {
		key, what string
		dest      *int
	}{
		{"ANKOMMEN_FLOOD_LIMIT", "messages a minute", &c.FloodLimit},
		{"ANKOMMEN_ASK_LIMIT", "requests a minute", &c.AskLimit},
		{"ANKOMMEN_RETENTION_HANDOFF_DAYS", "days", &c.HandoffDays},
		{"ANKOMMEN_RETENTION_QUESTION_DAYS", "days", &c.QuestionDays},
	} {
		if s := getenv(v.key); s != "" {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s must be a whole number of %s, not %q.", v.key, v.what, s))
			} else {
				*v.dest = n
			}
		}
	}
	if s := strings.TrimSpace(getenv("ANKOMMEN_SEND_RETRY_LIMIT")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANKOMMEN_SEND_RETRY_LIMIT must be a duration such as 24h or 90m, not %q.", s))
		} else {
			c.SendRetryLimit = d
		}
	}
	if s := strings.TrimSpace(getenv("ANKOMMEN_ASK_RECORD")); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANKOMMEN_ASK_RECORD must be true or false, not %q.", s))
		}
		c.AskRecord = b
	}
	if s := getenv("ANKOMMEN_STAFF_CHAT_ID"); s != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANKOMMEN_STAFF_CHAT_ID must be a Telegram chat id (a whole number, negative for groups), not %q.", s))
		} else {
			c.StaffChatID = n
		}
	}
	var rerrs []error
	c.Replicas, rerrs = readReplicas(getenv)
	return c, append(errs, rerrs...)
}

// RegisterFlags adds a flag for every setting to fs, with c's values as defaults.
// The token has no flag: a flag would show it in the process list.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.APIURL, "api-url", c.APIURL, "Telegram Bot API base URL (env TELEGRAM_API_URL)")
	fs.StringVar(&c.WebhookURL, "webhook-url", c.WebhookURL, "public HTTPS URL Telegram posts updates to; empty: long polling (env TELEGRAM_WEBHOOK_URL)")
	fs.StringVar(&c.WebhookSecret, "webhook-secret", c.WebhookSecret, "secret Telegram sends with each webhook request (env TELEGRAM_WEBHOOK_SECRET)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "internal HTTP listen address: health, metrics, /ask, the staff page, and the webhook unless --webhook-addr is set (env ANKOMMEN_ADDR)")
	fs.StringVar(&c.WebhookAddr, "webhook-addr", c.WebhookAddr, "public HTTP listen address that serves only the webhook path (env ANKOMMEN_WEBHOOK_ADDR)")
	fs.IntVar(&c.AskLimit, "ask-limit", c.AskLimit, "GET /ask requests one address may make a minute (env ANKOMMEN_ASK_LIMIT)")
	fs.BoolVar(&c.AskRecord, "ask-record", c.AskRecord, "let GET /ask record unanswered questions and count answers in the statistics (env ANKOMMEN_ASK_RECORD)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory for the database (env ANKOMMEN_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL postgres://user:password@host:5432/db to keep the state in, shared by replicas; empty: SQLite in --data (env ANKOMMEN_DATABASE_URL; prefer the variable: a flag shows the password in the process list)")
	fs.StringVar(&c.ContentDir, "content", c.ContentDir, "read content from this directory (env ANKOMMEN_CONTENT; default ./content when it exists, else the embedded content)")
	fs.StringVar(&c.LocaleDir, "locales", c.LocaleDir, "read locale files from this directory (env ANKOMMEN_LOCALES; default ./locales when it exists, else the embedded ones)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env ANKOMMEN_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error; user text is logged only at debug (env ANKOMMEN_LOG_LEVEL)")
	fs.IntVar(&c.FloodLimit, "flood-limit", c.FloodLimit, "messages a user may send a minute before the bot pauses for them (env ANKOMMEN_FLOOD_LIMIT)")
	fs.DurationVar(&c.SendRetryLimit, "send-retry-limit", c.SendRetryLimit, "how long a reply is retried while Telegram answers 429 or 5xx or cannot be reached; then it is given up and counted (env ANKOMMEN_SEND_RETRY_LIMIT)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful shutdown may take")
	fs.IntVar(&c.HandoffDays, "retention-handoff-days", c.HandoffDays, "days handoffs and chat ids are kept after a handoff was closed (env ANKOMMEN_RETENTION_HANDOFF_DAYS)")
	fs.IntVar(&c.QuestionDays, "retention-question-days", c.QuestionDays, "days anonymous unanswered questions are kept (env ANKOMMEN_RETENTION_QUESTION_DAYS)")
	fs.Int64Var(&c.StaffChatID, "staff-chat-id", c.StaffChatID, "Telegram chat the bot posts new handoffs to; 0: none (env ANKOMMEN_STAFF_CHAT_ID)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public base URL of this server, for links to the staff page (env ANKOMMEN_PUBLIC_URL)")
	c.Replicas.registerFlags(fs)
}

var (
	tokenRe  = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{30,}$`)
	secretRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// Validate returns every problem with c, one sentence each, joined; nil when c is good.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Token != "" && !tokenRe.MatchString(c.Token) {
		add("TELEGRAM_BOT_TOKEN does not look like a bot token from @BotFather (digits, a colon, then at least 30 letters, digits, _ or -).")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add("TELEGRAM_API_URL must be an http or https URL such as %s, not %q.", DefaultAPIURL, c.APIURL)
	} else if u.RawQuery != "" || u.Fragment != "" {
		add("TELEGRAM_API_URL must be a base URL without query or fragment, not %q.", c.APIURL)
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		switch {
		case err != nil || u.Host == "":
			add("TELEGRAM_WEBHOOK_URL must be an absolute URL such as https://bot.example.org/telegram, not %q.", c.WebhookURL)
		case u.Scheme != "https":
			add("TELEGRAM_WEBHOOK_URL must start with https://: Telegram sends updates only over HTTPS.")
		}
		if c.WebhookSecret == "" {
			add("TELEGRAM_WEBHOOK_SECRET must be set in webhook mode, so that only Telegram can post updates.")
		}
		if c.Token == "" {
			add("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not; set the token or remove the webhook URL.")
		}
	}
	if c.WebhookSecret != "" && !secretRe.MatchString(c.WebhookSecret) {
		add("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -.")
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		add("ANKOMMEN_ADDR must be host:port such as 127.0.0.1:8080, not %q.", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		add("ANKOMMEN_ADDR must end in a port number between 0 and 65535, not %q.", c.Addr)
	}
	if c.WebhookAddr != "" {
		if _, port, err := net.SplitHostPort(c.WebhookAddr); err != nil {
			add("ANKOMMEN_WEBHOOK_ADDR must be host:port such as 0.0.0.0:8443, not %q.", c.WebhookAddr)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			add("ANKOMMEN_WEBHOOK_ADDR must end in a port number between 0 and 65535, not %q.", c.WebhookAddr)
		} else if c.WebhookAddr == c.Addr && p != 0 {
			add("ANKOMMEN_WEBHOOK_ADDR must differ from ANKOMMEN_ADDR: the public listener serves only the webhook.")
		}
		if c.WebhookURL == "" {
			add("ANKOMMEN_WEBHOOK_ADDR is set but TELEGRAM_WEBHOOK_URL is not; the public listener serves only the webhook.")
		}
	}
	if c.AskLimit < 1 {
		add("ANKOMMEN_ASK_LIMIT must be at least 1 request a minute, not %d.", c.AskLimit)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("ANKOMMEN_DATA must name a directory for the database.")
	}
	if c.DatabaseURL != "" && !IsPostgresURL(c.DatabaseURL) {
		// The value is not repeated: it may hold a password where a URL would not.
		add("ANKOMMEN_DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql://, such as postgres://ankommen@db.example.org:5432/ankommen.")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("ANKOMMEN_LOG_FORMAT must be text or json, not %q.", c.LogFormat)
	}
	if _, err := c.Level(); err != nil {
		add("ANKOMMEN_LOG_LEVEL must be debug, info, warn or error, not %q.", c.LogLevel)
	}
	if c.FloodLimit < 1 {
		add("ANKOMMEN_FLOOD_LIMIT must be at least 1 message a minute, not %d.", c.FloodLimit)
	}
	if c.SendRetryLimit < time.Second || c.SendRetryLimit > 7*24*time.Hour {
		add("ANKOMMEN_SEND_RETRY_LIMIT must be between 1s and 168h, not %s.", c.SendRetryLimit)
	}
	if c.ShutdownTimeout <= 0 {
		add("The shutdown timeout must be positive, not %s.", c.ShutdownTimeout)
	}
	if c.HandoffDays < 1 || c.HandoffDays > 3650 {
		add("ANKOMMEN_RETENTION_HANDOFF_DAYS must be between 1 and 3650 days, not %d.", c.HandoffDays)
	}
	if c.QuestionDays < 1 || c.QuestionDays > 3650 {
		add("ANKOMMEN_RETENTION_QUESTION_DAYS must be between 1 and 3650 days, not %d.", c.QuestionDays)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("ANKOMMEN_PUBLIC_URL must be an http or https URL such as https://ankommen.example.org, not %q.", c.PublicURL)
		}
	}
	c.Replicas.validate(add)
	return errors.Join(errs...)
}

// Level returns the slog level of c.LogLevel.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// WebhookPath returns the path part of the webhook URL, "/" when it has none.
func (c Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// Redacted is what logs and dumps show instead of a secret.
const Redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}

// LogValue shows c in logs with the token and the webhook secret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(append([]slog.Attr{
		slog.String("mode", string(c.Mode())),
		slog.String("token", redact(c.Token)),
		slog.String("api_url", c.APIURL),
		slog.String("webhook_url", c.WebhookURL),
		slog.String("webhook_secret", redact(c.WebhookSecret)),
		slog.String("addr", c.Addr),
		slog.String("webhook_addr", c.WebhookAddr),
		slog.Int("ask_limit", c.AskLimit),
		slog.Bool("ask_record", c.AskRecord),
		slog.String("data", c.DataDir),
		slog.String("database_url", RedactURL(c.DatabaseURL)),
		slog.String("content", orEmbedded(c.ContentDir, "content")),
		slog.String("locales", orEmbedded(c.LocaleDir, "locales")),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.Int("flood_limit", c.FloodLimit),
		slog.Duration("send_retry_limit", c.SendRetryLimit),
		slog.Int("retention_handoff_days", c.HandoffDays),
		slog.Int("retention_question_days", c.QuestionDays),
		slog.Int64("staff_chat_id", c.StaffChatID),
		slog.String("public_url", c.PublicURL),
	}, c.Replicas.logAttrs()...)...)
}

// String shows c with secrets redacted (for %v and %+v).
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", a.Key, a.Value)
	}
	return b.String()
}

// GoString keeps %#v from printing the token.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }

// orEmbedded shows a directory not given: then ./content or ./locales when present,
// else the embedded copy (app.ResolveSource; serve logs the outcome).
func orEmbedded(dir, def string) string {
	if dir == "" {
		return "not given (./" + def + " when present, else embedded)"
	}
	return dir
}

// IsPostgresURL reports whether raw is a postgres:// or postgresql:// URL with a
// host or a database.
func IsPostgresURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && (u.Host != "" || u.Path != "" || u.RawQuery != "")
}

// RedactURL returns raw with its password replaced, for logs and messages; a URL
// that does not parse shows as a placeholder, as it may hold a password anywhere.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
