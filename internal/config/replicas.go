package config

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Replicas are the settings of serve as one of several replicas on PostgreSQL, and
// the send limits (which hold for all replicas together there).
type Replicas struct {
	// Name names this replica in its claims of updates and in logs
	// (ANKOMMEN_REPLICA); "": host, pid and a random part.
	Name string
	// Lease is how long a replica's claim of an update lasts without renewal
	// (ANKOMMEN_CLAIM_LEASE, default 30s): when a replica dies, the others handle
	// its updates after at most this long. Claims are renewed every Lease/3.
	Lease time.Duration
	// LeaderRetry is how often a standby replica tries to become the one that
	// polls Telegram (ANKOMMEN_LEADER_RETRY, default 2s).
	LeaderRetry time.Duration
	// SendLimits override Telegram's limits (ANKOMMEN_SEND_LIMITS).
	SendLimits SendLimits
}

// SendLimits are Telegram's sending limits as ANKOMMEN_SEND_LIMITS sets them, e.g.
// "global=5ms,burst=10,chat=50ms,group=150ms", or "off" (benchmarks only). A
// field not given (zero) keeps Telegram's default: global=33ms (30 a second),
// burst=30, chat=1s, group=3s (20 a minute).
type SendLimits struct {
	Off    bool
	Global time.Duration // least time between two messages of the bot
	Burst  int           // messages that may go at once
	Chat   time.Duration // least time between two messages to one private chat
	Group  time.Duration // least time between two messages to one group
}

// ParseSendLimits reads the form of ANKOMMEN_SEND_LIMITS.
func ParseSendLimits(s string) (SendLimits, error) {
	var l SendLimits
	s = strings.TrimSpace(s)
	if s == "" {
		return l, nil
	}
	if s == "off" {
		return SendLimits{Off: true}, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return SendLimits{}, fmt.Errorf("%q is not key=value", part)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "burst" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return SendLimits{}, fmt.Errorf("burst must be a whole number of at least 1, not %q", v)
			}
			l.Burst = n
			continue
		}
		var dest *time.Duration
		switch k {
		case "global":
			dest = &l.Global
		case "chat":
			dest = &l.Chat
		case "group":
			dest = &l.Group
		default:
			return SendLimits{}, fmt.Errorf("unknown limit %q (known: global, burst, chat, group)", k)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return SendLimits{}, fmt.Errorf("%s must be a positive duration such as 50ms, not %q", k, v)
		}
		*dest = d
	}
	return l, nil
}

// String is the form ParseSendLimits reads.
func (l SendLimits) String() string {
	if l.Off {
		return "off"
	}
	var parts []string
	if l.Global > 0 {
		parts = append(parts, "global="+l.Global.String())
	}
	if l.Burst > 0 {
		parts = append(parts, "burst="+strconv.Itoa(l.Burst))
	}
	if l.Chat > 0 {
		parts = append(parts, "chat="+l.Chat.String())
	}
	if l.Group > 0 {
		parts = append(parts, "group="+l.Group.String())
	}
	return strings.Join(parts, ",")
}

// sendLimitsFlag sets SendLimits from a flag.
type sendLimitsFlag struct{ l *SendLimits }

func (f sendLimitsFlag) String() string {
	if f.l == nil {
		return ""
	}
	return f.l.String()
}

func (f sendLimitsFlag) Set(s string) error {
	l, err := ParseSendLimits(s)
	if err != nil {
		return err
	}
	*f.l = l
	return nil
}

// readReplicas reads the replica settings from the environment.
func readReplicas(getenv func(string) string) (Replicas, []error) {
	r := Replicas{Name: strings.TrimSpace(getenv("ANKOMMEN_REPLICA")), Lease: 30 * time.Second, LeaderRetry: 2 * time.Second}
	var errs []error
	for _, v := range []struct {
		key  string
		dest *time.Duration
	}{
		{"ANKOMMEN_CLAIM_LEASE", &r.Lease},
		{"ANKOMMEN_LEADER_RETRY", &r.LeaderRetry},
	} {
		if s := strings.TrimSpace(getenv(v.key)); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s must be a duration such as 30s, not %q.", v.key, s))
			} else {
				*v.dest = d
			}
		}
	}
	if s := getenv("ANKOMMEN_SEND_LIMITS"); s != "" {
		l, err := ParseSendLimits(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANKOMMEN_SEND_LIMITS must look like global=33ms,burst=30,chat=1s,group=3s or be off: %v.", err))
		} else {
			r.SendLimits = l
		}
	}
	return r, errs
}

func (r *Replicas) registerFlags(fs *flag.FlagSet) {
	fs.StringVar(&r.Name, "replica", r.Name, "name of this replica in its claims and logs; default host-pid-random (env ANKOMMEN_REPLICA)")
	fs.DurationVar(&r.Lease, "claim-lease", r.Lease, "how long a replica's claim of an update lasts without renewal: a dead replica's updates go to the others after it (env ANKOMMEN_CLAIM_LEASE)")
	fs.DurationVar(&r.LeaderRetry, "leader-retry", r.LeaderRetry, "how often a standby replica tries to become the one that polls Telegram (env ANKOMMEN_LEADER_RETRY)")
	fs.Var(sendLimitsFlag{&r.SendLimits}, "send-limits", "Telegram's send limits, e.g. global=33ms,burst=30,chat=1s,group=3s, or off (env ANKOMMEN_SEND_LIMITS)")
}

func (r Replicas) validate(add func(format string, args ...any)) {
	if r.Lease < 100*time.Millisecond || r.Lease > time.Hour {
		add("ANKOMMEN_CLAIM_LEASE must be between 100ms and 1h, not %s.", r.Lease)
	}
	if r.LeaderRetry < 10*time.Millisecond || r.LeaderRetry > time.Minute {
		add("ANKOMMEN_LEADER_RETRY must be between 10ms and 1m, not %s.", r.LeaderRetry)
	}
	if len(r.Name) > 100 {
		add("ANKOMMEN_REPLICA must be at most 100 characters.")
	}
}

func (r Replicas) logAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("replica", r.Name),
		slog.Duration("claim_lease", r.Lease),
		slog.Duration("leader_retry", r.LeaderRetry),
		slog.String("send_limits", r.SendLimits.String()),
	}
}
