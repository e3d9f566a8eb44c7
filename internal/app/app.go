// Package app builds and runs ankommen from its parts. Load builds a Snapshot (content,
// locales, search index, language models and the assistant); Live keeps the current
// Snapshot and swaps in a new one when the files on disk change or staff teach the
// bot; Server is the process `ankommen serve` runs: the database, the HTTP server, the
// staff page and, with a token, the Telegram transport and the conversation. Its own
// logic is limited to that wiring, reloading, shutdown and the JSON of GET /ask.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	contentfs "github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/locale"
	"github.com/oldenburg/ankommen/internal/nlu"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/search"
	localesfs "github.com/oldenburg/ankommen/locales"
)

// Options says where content and locales come from; empty directories mean the
// files embedded in the binary.
type Options struct {
	ContentDir string
	LocaleDir  string
	Logger     *slog.Logger
	Recorder   assistant.Recorder
	// Tally counts answers for the statistics; nil: not counted.
	Tally assistant.Tally
	// Learned supplies the phrasings staff taught the bot; they are merged into
	// their topics' questions before the index is built. nil: none.
	Learned LearnedSource
}

// LearnedSource supplies learned phrasings (the database).
type LearnedSource interface {
	LearnedPhrasings(ctx context.Context) ([]handoff.Learned, error)
}

// Snapshot is one version of the content and locale files with everything built from
// it: what the bot answers with until the next reload.
type Snapshot struct {
	Corpus    *content.Corpus
	Issues    []content.Issue // warnings of the content check
	Learned   int             // learned phrasings merged into the topics
	Index     *search.Index
	Locale    *locale.Bundle
	Assistant *assistant.Assistant
	Renderer  reply.Renderer
	// Models are the answering models; the staff page groups open questions with
	// them and with Needs, the lexicon of the content's needs/.
	Models *nlu.Models
	Needs  *backlog.Needs
}

// ContentFS returns the content tree: dir on disk, or the embedded one.
func ContentFS(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	return contentfs.FS
}

// LocaleFS returns the locale files: dir on disk, or the embedded ones.
func LocaleFS(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	return localesfs.FS
}

// Load reads and checks content and locales and builds the index. Broken content
// and locale files make it fail with an error naming every one of them with its
// line (a *content.Error and a *locale.Error, joined).
func Load(opt Options) (*Snapshot, error) {
	logger := opt.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	corpus, issues, cerr := content.Load(ContentFS(opt.ContentDir))
	loc, lerr := locale.Load(LocaleFS(opt.LocaleDir), content.Languages, logger)
	if err := errors.Join(cerr, lerr); err != nil {
		return nil, err
	}
	learned := 0
	if opt.Learned != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ls, err := opt.Learned.LearnedPhrasings(ctx)
		cancel()
		if err != nil {
			// The bot still answers from the content files.
			logger.Error("cannot read learned phrasings; building without them", "err", err)
		} else {
			learned = handoff.MergeLearned(corpus, ls)
		}
	}
	// The index and the models are built side by side: start-up is the slower of
	// the two, not their sum.
	var models *nlu.Models
	built := make(chan struct{})
	go func() {
		models = nlu.Build(corpus)
		close(built)
	}()
	idx, err := search.Build(corpus)
	<-built
	if err != nil {
		return nil, err
	}
	// Training leaves a few hundred megabytes of garbage (the features of every
	// example); give it back now rather than carry it as resident memory.
	go func() {
		<-models.Ready()
		debug.FreeOSMemory()
	}()
	// The needs only group unanswered questions on the staff page: a mistake in them
	// is logged (and `check` reports it), the bot still starts.
	needs, needIssues := backlog.LoadNeeds(ContentFS(opt.ContentDir))
	for _, i := range needIssues {
		logger.Error("needs lexicon: "+i.String(), "hint", "ankommen check lists these")
	}
	a := assistant.New(corpus, idx, models, opt.Recorder).WithLogger(logger)
	if opt.Tally != nil {
		a = a.WithTally(opt.Tally)
	}
	c := &Snapshot{
		Corpus:    corpus,
		Issues:    issues,
		Learned:   learned,
		Index:     idx,
		Locale:    loc,
		Assistant: a,
		Renderer:  reply.Renderer{Locale: loc},
		Models:    models,
		Needs:     needs,
	}
	return c, nil
}

// Close releases the index.
func (c *Snapshot) Close() error {
	if err := c.Index.Close(); err != nil {
		return fmt.Errorf("app: close index: %w", err)
	}
	return nil
}
