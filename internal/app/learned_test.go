package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/sqlite"
)

// TestLearnedPhrasingAnswers: staff say a topic answers a question the bot could
// not answer; after the rebuild the bot answers it with that topic, in that
// language only, and a restart (a new Live on the same database) keeps it.
func TestLearnedPhrasingAnswers(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opt := Options{ContentDir: "../conversation/testdata/content", Recorder: db, Tally: db, Learned: db}
	l, err := NewLive(opt)
	if err != nil {
		t.Fatal(err)
	}
	l.Grace = time.Millisecond
	defer l.Close()
	const q = "xylophone quantum zebra parking"
	ask := func(l *Live, lang string) assistant.Result {
		t.Helper()
		r, err := l.Current().Assistant.Answer(ctx, assistant.Question{Text: q, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ask(l, "en"); r.Kind != assistant.KindNotSure {
		t.Fatalf("before: %s", r.Kind)
	}
	items, _, err := db.ReviewItems(ctx, handoff.Filter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("recorded: %+v, %v", items, err)
	}
	svc := handoff.NewService(handoff.Options{Store: db, OnLearned: func() { l.Reload() },
		TopicExists: func(id string) bool { return l.Current().Corpus.Topic(id) != nil }})
	if err := svc.Learn(ctx, handoff.KindQuestion, items[0].ID, "housing", "anna"); err != nil {
		t.Fatal(err)
	}
	if r := ask(l, "en"); r.Kind != assistant.KindAnswer || r.Topic.ID != "housing" {
		t.Fatalf("after learning: %s %v", r.Kind, r.Topic)
	}
	if l.Current().Learned != 1 {
		t.Errorf("core reports %d learned phrasings", l.Current().Learned)
	}
	// The question is understood in the language it is written in; the chat's
	// language only decides the reply's.
	if r := ask(l, "de"); r.Kind != assistant.KindAnswer || r.Topic.ID != "housing" || r.AnswerLang != "de" {
		t.Errorf("the English phrasing in a German chat: %s %v", r.Kind, r.Topic)
	}
	l2, err := NewLive(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if r := ask(l2, "en"); r.Kind != assistant.KindAnswer || r.Topic.ID != "housing" {
		t.Fatalf("after a restart: %s %v", r.Kind, r.Topic)
	}
}

// TestLearnedOnOneReplicaAnsweredByAll: two replicas share a database; staff
// teach one, and the other answers with the phrasing after its next check,
// without a restart. A check with nothing new rebuilds nothing.
func TestLearnedOnOneReplicaAnsweredByAll(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), sqlite.FileName)
	var reps []*learnedWatch
	var dbs []*sqlite.DB
	for range 2 {
		db, err := sqlite.Open(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		w := newLearnedWatch(ctx, db, slog.New(slog.DiscardHandler))
		l, err := NewLive(Options{ContentDir: "../conversation/testdata/content", Recorder: db, Tally: db, Learned: db})
		if err != nil {
			t.Fatal(err)
		}
		l.Grace = time.Millisecond
		defer l.Close()
		w.live = l
		reps, dbs = append(reps, w), append(dbs, db)
	}
	const q = "xylophone quantum zebra parking"
	ask := func(w *learnedWatch) assistant.Kind {
		t.Helper()
		r, err := w.live.Current().Assistant.Answer(ctx, assistant.Question{Text: q, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return r.Kind
	}
	if k := ask(reps[0]); k != assistant.KindNotSure {
		t.Fatalf("before: %s", k)
	}
	if reps[1].Check(ctx) {
		t.Fatal("a check with nothing learned rebuilt the snapshot")
	}
	items, _, err := dbs[0].ReviewItems(ctx, handoff.Filter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("recorded: %+v, %v", items, err)
	}
	a := reps[0]
	svc := handoff.NewService(handoff.Options{Store: dbs[0], OnLearned: func() { a.Check(ctx) },
		TopicExists: func(id string) bool { return a.live.Current().Corpus.Topic(id) != nil }})
	if err := svc.Learn(ctx, handoff.KindQuestion, items[0].ID, "housing", "anna"); err != nil {
		t.Fatal(err)
	}
	if k := ask(a); k != assistant.KindAnswer {
		t.Fatalf("the replica taught: %s", k)
	}
	if a.Check(ctx) {
		t.Error("the replica taught rebuilt twice")
	}
	if k := ask(reps[1]); k != assistant.KindNotSure {
		t.Fatalf("the other replica before its check: %s", k)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go reps[1].Run(runCtx, 20*time.Millisecond)
	deadline := time.Now().Add(30 * time.Second)
	for ask(reps[1]) != assistant.KindAnswer {
		if time.Now().After(deadline) {
			t.Fatal("the other replica never answered with the learned phrasing")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
