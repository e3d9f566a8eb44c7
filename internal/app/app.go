// Package app wires the parts together: content, locales, search index and the
// assistant. It holds no logic of its own.
package app

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	contentfs "github.com/oldenburg/ankommen/content"
	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
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
}

// Core is the loaded answering core.
type Core struct {
	Corpus    *content.Corpus
	Issues    []content.Issue // warnings of the content check
	Index     *search.Index
	Locale    *locale.Bundle
	Assistant *assistant.Assistant
	Renderer  reply.Renderer
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

// Load reads and checks content and locales and builds the index. A broken content
// or locale file is an error naming file and line.
func Load(opt Options) (*Core, error) {
	logger := opt.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	corpus, issues, err := content.Load(ContentFS(opt.ContentDir))
	if err != nil {
		return nil, err
	}
	loc, err := locale.Load(LocaleFS(opt.LocaleDir), content.Languages, logger)
	if err != nil {
		return nil, err
	}
	idx, err := search.Build(corpus)
	if err != nil {
		return nil, err
	}
	c := &Core{
		Corpus:    corpus,
		Issues:    issues,
		Index:     idx,
		Locale:    loc,
		Assistant: assistant.New(corpus, idx, opt.Recorder).WithLogger(logger),
		Renderer:  reply.Renderer{Locale: loc},
	}
	return c, nil
}

// Close releases the index.
func (c *Core) Close() error {
	if err := c.Index.Close(); err != nil {
		return fmt.Errorf("app: close index: %w", err)
	}
	return nil
}
