package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestReplicaSettings(t *testing.T) {
	c, errs := Defaults(env(map[string]string{
		"ANKOMMEN_REPLICA":      "web-2",
		"ANKOMMEN_CLAIM_LEASE":  "3s",
		"ANKOMMEN_LEADER_RETRY": "500ms",
		"ANKOMMEN_SEND_LIMITS":  "global=5ms, burst=10,chat=50ms,group=150ms",
	}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := Replicas{Name: "web-2", Lease: 3 * time.Second, LeaderRetry: 500 * time.Millisecond,
		SendLimits: SendLimits{Global: 5 * time.Millisecond, Burst: 10, Chat: 50 * time.Millisecond, Group: 150 * time.Millisecond}}
	if c.Replicas != want {
		t.Fatalf("replicas = %+v, want %+v", c.Replicas, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--send-limits", "off", "--claim-lease", "10s"}); err != nil {
		t.Fatal(err)
	}
	if !c.Replicas.SendLimits.Off || c.Replicas.Lease != 10*time.Second {
		t.Errorf("after flags: %+v", c.Replicas)
	}
	if s := c.String(); !strings.Contains(s, "send_limits=off") || !strings.Contains(s, "claim_lease=10s") {
		t.Errorf("dump %q lacks the replica settings", s)
	}

	d, _ := Defaults(env(nil))
	if d.Replicas.Lease != 30*time.Second || d.Replicas.LeaderRetry != 2*time.Second || d.Replicas.SendLimits != (SendLimits{}) {
		t.Errorf("defaults: %+v", d.Replicas)
	}
}

func TestBadReplicaSettings(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"ANKOMMEN_SEND_LIMITS", "global=fast", "ANKOMMEN_SEND_LIMITS must look like"},
		{"ANKOMMEN_SEND_LIMITS", "speed=5ms", `unknown limit "speed"`},
		{"ANKOMMEN_SEND_LIMITS", "burst=0", "burst must be"},
		{"ANKOMMEN_SEND_LIMITS", "chat", "is not key=value"},
		{"ANKOMMEN_CLAIM_LEASE", "soon", "ANKOMMEN_CLAIM_LEASE must be a duration"},
	} {
		_, errs := Defaults(env(map[string]string{tc.key: tc.value}))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("%s=%q: %v; want %q", tc.key, tc.value, errs, tc.want)
		}
	}
	c, _ := Defaults(env(map[string]string{"ANKOMMEN_CLAIM_LEASE": "10ms", "ANKOMMEN_LEADER_RETRY": "2h"}))
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "ANKOMMEN_CLAIM_LEASE must be between") || !strings.Contains(err.Error(), "ANKOMMEN_LEADER_RETRY must be between") {
		t.Errorf("Validate: %v", err)
	}
}
