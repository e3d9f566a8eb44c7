package conversation

import (
	"testing"
	"time"
)

func TestCallbackData(t *testing.T) {
	cases := []struct {
		data callbackData
		text string
	}{
		{callbackData{kind: cbLang, lang: "uk"}, "l:uk"},
		{callbackData{kind: cbTopic, lang: "ar", topic: "immigration-office"}, "t:ar:immigration-office"},
		{callbackData{kind: cbVote, lang: "de", helpful: true, topic: "work"}, "v:de:+:work"},
		{callbackData{kind: cbVote, lang: "de", topic: "work"}, "v:de:-:work"},
		{callbackData{kind: cbHuman, lang: "fa"}, "h:fa"},
		{callbackData{kind: cbHuman, lang: "fa", topic: "work"}, "h:fa:work"},
		{callbackData{kind: cbPage, lang: "tr", page: 3}, "p:tr:3"},
		{callbackData{kind: cbConsent, lang: "uk"}, "c:uk"},
		{callbackData{kind: cbConsent, lang: "en", ref: "abcdefgh234567zz"}, "c:en:abcdefgh234567zz"},
	}
	for _, c := range cases {
		if got := c.data.String(); got != c.text {
			t.Errorf("%+v encodes as %q, want %q", c.data, got, c.text)
		}
		back, ok := parseCallback(c.text)
		if !ok || back != c.data {
			t.Errorf("parse(%q) = %+v, %v", c.text, back, ok)
		}
	}
	for _, bad := range []string{"", "l", "l:", "l:xx", "x:de", "t:de", "t:de:", "v:de:*:work", "v:de:+:", "p:de:-1", "p:de:one", "l:de:extra", "h:de:a:b", "tt:de:a",
		"c:de:short", "c:de:ABCDEFGH234567ZZ", "c:de:abcdefgh234567z1", "c:de:abcdefgh234567zz:x", "c:xx"} {
		if d, ok := parseCallback(bad); ok {
			t.Errorf("parse(%q) accepted: %+v", bad, d)
		}
	}
	long := callbackData{kind: cbVote, lang: "de", topic: string(make([]byte, 60))}
	if long.fits() {
		t.Error("data over 64 bytes fits")
	}
}

func TestFromCode(t *testing.T) {
	for code, want := range map[string]string{
		"": "", "de": "de", "de-AT": "de", "EN_us": "en", "uk": "uk", "fa-IR": "fa", "ar": "ar",
		"fr": "en", "pt-br": "en", "zh-hans": "en",
	} {
		if got := fromCode(code); got != want {
			t.Errorf("fromCode(%q) = %q, want %q", code, got, want)
		}
	}
	if uiLang("", "") != "de" || uiLang("tr", "en") != "tr" || uiLang("", "ru") != "ru" {
		t.Error("uiLang")
	}
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		text string
		want command
		ok   bool
	}{
		{"/start", command{name: "start"}, true},
		{"/Start@Ankommen_Test_Bot hello", command{name: "start", args: "hello"}, true},
		{"/help@OtherBot", command{name: "help", other: true}, true},
		{"/topics\nmore", command{name: "topics", args: "more"}, true},
		{"hello /start", command{}, false},
		{"/", command{}, false},
		{"/ä", command{}, false},
		{"//", command{}, false},
	}
	for _, c := range cases {
		got, ok := parseCommand(c.text, "ankommen_test_bot")
		if ok != c.ok || got != c.want {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v, %v", c.text, got, ok, c.want, c.ok)
		}
	}
}

func TestFlood(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFlood(2, time.Minute, func() time.Time { return now })
	want := []verdict{allow, allow, notice, ignore, ignore}
	for i, w := range want {
		if got := f.check(1); got != w {
			t.Fatalf("message %d: %v, want %v", i+1, got, w)
		}
	}
	if f.check(2) != allow {
		t.Error("another user is limited")
	}
	now = now.Add(59 * time.Second)
	if f.check(1) != ignore {
		t.Error("the window ended early")
	}
	now = now.Add(time.Second)
	if f.check(1) != allow {
		t.Error("the window did not end")
	}
	f.forget(1)
	if len(f.users) != 1 {
		t.Errorf("%d users after forget, want 1", len(f.users))
	}
	now = now.Add(2 * time.Minute)
	f.check(3)
	if len(f.users) != 1 {
		t.Errorf("old windows not swept: %d users", len(f.users))
	}
}
