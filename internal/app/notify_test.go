package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/content/contenttest"
	"github.com/oldenburg/ankommen/internal/handoff"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

// fishing is a topic the test content lacks, written while the bot runs.
var fishing = map[string]string{
	"fishing-licence.de.md": `---
title: Angelschein
questions:
  - Wo bekomme ich einen Angelschein?
  - Angelschein machen
  - Fischereischein beantragen
tags: [angeln, angelschein, fischereischein]
sources:
  - url: https://www.oldenburg.de/angeln.html
    date: 2026-01-10
as_of: 2026-01
---
Den Fischereischein stellt das Bürgerbüro aus, nach einer Prüfung.
`,
	"fishing-licence.en.md": `---
title: Fishing licence
questions:
  - Where do I get a fishing licence?
  - fishing licence exam
  - fishing permit Oldenburg
tags: [fishing, licence, angling]
sources:
  - url: https://www.oldenburg.de/angeln.html
    date: 2026-01-10
as_of: 2026-01
---
The Bürgerbüro issues the fishing licence after an exam.
`,
}

// TestServeTellsAskers runs ankommen serve against the fake Bot API and tells
// askers both ways: a question no topic answers, whose asker tapped "Tell me when
// there is an answer", is answered once after a reload brings a topic that answers
// it; another is answered when staff say a topic answers it.
func TestServeTellsAskers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole server")
	}
	api := tt.New(t)
	dir := t.TempDir()
	contentDir := filepath.Join(dir, "content")
	contenttest.CopyDir(t, "../conversation/testdata/content", contentDir)
	s, _ := startServer(t, map[string]string{"TELEGRAM_BOT_TOKEN": tt.Token, "TELEGRAM_API_URL": api.URL,
		"ANKOMMEN_DATA": filepath.Join(dir, "data"), "ANKOMMEN_CONTENT": contentDir}, nil)

	sent := func(chatID int64, substr string) int {
		n := 0
		for _, r := range api.Sent("sendMessage") {
			if r.Int("chat_id") == chatID && strings.Contains(r.Params["text"], substr) {
				n++
			}
		}
		return n
	}
	// subscribe asks q as u and taps "Tell me when there is an answer".
	subscribe := func(u tt.User, q string) {
		t.Helper()
		api.AddUpdate(tt.Text(u, q))
		var data string
		api.WaitFor(t, 20*time.Second, "the not-sure reply", func(s *tt.Server) bool {
			for _, r := range s.Sent("sendMessage") {
				for _, d := range r.Data() {
					if r.Int("chat_id") == u.ID && strings.HasPrefix(d, "n:en:") {
						data = d
					}
				}
			}
			return data != ""
		})
		api.AddUpdate(tt.Callback(u, data))
		api.WaitFor(t, 20*time.Second, "the consent's confirmation", func(*tt.Server) bool { return sent(u.ID, "I will send it to you here") == 1 })
	}

	// A reload brings a topic that answers the question.
	u := tt.User{ID: 501, Lang: "en"}
	subscribe(u, "Where do I get a fishing licence?")
	for name, text := range fishing {
		if err := os.WriteFile(filepath.Join(contentDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Live.Check() {
		t.Fatal("the new topic was not loaded")
	}
	api.WaitFor(t, 30*time.Second, "the answer for the asker", func(*tt.Server) bool { return sent(u.ID, "now has an answer") == 1 })
	if sent(u.ID, "<b>Fishing licence</b>") != 1 {
		t.Errorf("the answer is not the new topic's:\n%s", api.Summary())
	}
	// Another reload: the asker is not told again.
	s.Live.Reload()
	time.Sleep(500 * time.Millisecond)

	// Staff answer a question by a topic.
	v := tt.User{ID: 502, Lang: "en"}
	subscribe(v, "xylophone quantum zebra flat")
	items, _, err := s.DB.ReviewItems(context.Background(), handoff.Filter{Query: "zebra flat"})
	if err != nil || len(items) != 1 {
		t.Fatalf("recorded: %+v, %v", items, err)
	}
	if err := s.Service.Learn(context.Background(), handoff.KindQuestion, items[0].ID, "housing", "anna"); err != nil {
		t.Fatal(err)
	}
	api.WaitFor(t, 30*time.Second, "the answer after staff's decision", func(*tt.Server) bool {
		return sent(v.ID, "now has an answer") == 1 && sent(v.ID, "<b>Finding a flat</b>") == 1
	})
	time.Sleep(500 * time.Millisecond) // the rebuild after learning rechecks too
	if n := sent(u.ID, "now has an answer") + sent(v.ID, "now has an answer"); n != 2 {
		t.Errorf("%d answers sent to askers, want 2 (each once)", n)
	}
}

// startServer builds the server from env (on a free port) and runs it until stop
// or the end of the test; before, when set, runs between building and running.
func startServer(t *testing.T, env map[string]string, before func(*Server)) (s *Server, stop func()) {
	t.Helper()
	env["ANKOMMEN_ADDR"] = "127.0.0.1:0"
	cfg, errs := config.Defaults(func(k string) string { return env[k] })
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	err := cfg.Validate()
	if err != nil {
		t.Fatal(err)
	}
	s, err = NewServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.Live.Grace = time.Millisecond
	if before != nil {
		before(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
			s.Close()
		})
	}
	t.Cleanup(stop)
	return s, stop
}
