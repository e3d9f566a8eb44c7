// Package apptest builds for tests what app.Load builds — content, the shipped
// locales, the search index, the language models and the assistant — for the tests
// of the packages app imports (conversation, staffweb), which cannot import app.
// Building the models takes a while, so each content tree is built once per test
// binary and shared; tests must not change what they get.
package apptest

import (
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	contentfs "github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
	"github.com/oldenburg/ankommen/internal/nlu"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/search"
	localesfs "github.com/oldenburg/ankommen/locales"
)

// Shipped names the content embedded in the binary, for Load.
const Shipped = ""

// Snapshot is one content tree with the shipped locales and everything built from
// it, as app.Snapshot holds it.
type Snapshot struct {
	Corpus   *content.Corpus
	Locale   *locale.Bundle
	Index    *search.Index
	Models   *nlu.Models
	Renderer reply.Renderer
}

// Assistant returns an assistant on s that records unanswered questions with rec
// (nil: not recorded), built as app.Load builds it.
func (s *Snapshot) Assistant(rec assistant.Recorder) *assistant.Assistant {
	return assistant.New(s.Corpus, s.Index, s.Models, rec)
}

type entry struct {
	once sync.Once
	snap *Snapshot
	err  error
}

var (
	mu    sync.Mutex
	built = map[string]*entry{}
)

// Load returns the snapshot of the content in dir (Shipped: the embedded content),
// built on the first call for dir and shared by later ones. A broken tree fails tb.
func Load(tb testing.TB, dir string) *Snapshot {
	tb.Helper()
	mu.Lock()
	e := built[dir]
	if e == nil {
		e = &entry{}
		built[dir] = e
	}
	mu.Unlock()
	e.once.Do(func() {
		var fsys fs.FS = contentfs.FS
		if dir != Shipped {
			fsys = os.DirFS(dir)
		}
		e.snap, e.err = build(fsys)
	})
	if e.err != nil {
		tb.Fatalf("apptest: %s: %v", dir, e.err)
	}
	return e.snap
}

func build(fsys fs.FS) (*Snapshot, error) {
	corpus, _, err := content.Load(fsys)
	if err != nil {
		return nil, err
	}
	loc, err := locale.Load(localesfs.FS, content.Languages, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	// Side by side, as app.Load does.
	var models *nlu.Models
	done := make(chan struct{})
	go func() {
		models = nlu.Build(corpus)
		close(done)
	}()
	idx, err := search.Build(corpus)
	<-done
	if err != nil {
		return nil, err
	}
	// A fixed clock: whether a source counts as old must not change with the day the
	// golden files are compared.
	now := func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	return &Snapshot{Corpus: corpus, Locale: loc, Index: idx, Models: models, Renderer: reply.Renderer{Locale: loc, Now: now}}, nil
}
