package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/locale"
)

// Live holds the current Snapshot and swaps in a new one when content or locale files
// on disk change. A broken edit is reported and the last good Snapshot stays live.
type Live struct {
	opt Options
	log *slog.Logger
	cur atomic.Pointer[Snapshot]
	mu  sync.Mutex // one load at a time; guards print
	// print is the fingerprint of the files the current Snapshot was loaded from.
	print string
	// OnReload is called after each reload attempt with its error (nil: swapped in).
	OnReload func(err error)
	// OnSwap is called with each new Snapshot after it was swapped in (not for the
	// first); it must not block: the lock of reloading is held.
	OnSwap func(*Snapshot)
	// Grace is how long a replaced Snapshot stays open for requests still using it.
	Grace time.Duration
}

// NewLive loads the first Snapshot; it fails as Load does.
func NewLive(opt Options) (*Live, error) {
	l := &Live{opt: opt, log: opt.Logger, Grace: 30 * time.Second}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	c, err := Load(opt)
	if err != nil {
		return nil, err
	}
	l.cur.Store(c)
	l.print = l.fingerprint()
	return l, nil
}

// Current returns the current Snapshot. Callers use it for one request and do not
// keep it.
func (l *Live) Current() *Snapshot { return l.cur.Load() }

// Watching reports whether there are directories on disk to watch: embedded files
// cannot change.
func (l *Live) Watching() bool { return l.opt.ContentDir != "" || l.opt.LocaleDir != "" }

// Watch checks the directories every interval until ctx ends and reloads on change.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	if !l.Watching() {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Check()
		}
	}
}

// Check reloads when the files changed since the last look; it reports whether it
// swapped in a new Snapshot.
func (l *Live) Check() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.fingerprint()
	if p == l.print {
		return false
	}
	l.print = p
	return l.load()
}

// Reload builds a new Snapshot whether or not the files changed: after staff taught the
// bot a phrasing. It reports whether the new Snapshot was swapped in.
func (l *Live) Reload() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.print = l.fingerprint()
	return l.load()
}

// load builds a Snapshot and swaps it in; l.mu is held.
func (l *Live) load() bool {
	c, err := Load(l.opt)
	if l.OnReload != nil {
		l.OnReload(err)
	}
	if err != nil {
		l.logFailure(err)
		return false
	}
	old := l.cur.Swap(c)
	l.log.Info("content reloaded", "topics", len(c.Corpus.IDs))
	if l.OnSwap != nil {
		l.OnSwap(c)
	}
	time.AfterFunc(l.Grace, func() { old.Close() })
	return true
}

// logFailure logs every problem of a failed reload, one record each with file and
// line, then what happens: the last good version stays live.
func (l *Live) logFailure(err error) {
	var problems []string
	files := map[string]bool{}
	var cerr *content.Error
	if errors.As(err, &cerr) {
		for _, i := range content.Errors(cerr.Issues) {
			i.File = onDisk(l.opt.ContentDir, "content", i.File)
			problems, files[i.File] = append(problems, i.String()), true
		}
	}
	var lerr *locale.Error
	if errors.As(err, &lerr) {
		for _, p := range lerr.Problems {
			p.File = onDisk(l.opt.LocaleDir, "locales", p.File)
			problems, files[p.File] = append(problems, p.String()), true
		}
	}
	if len(problems) == 0 { // not a problem of the files (a directory gone, …)
		l.log.Error("reload failed; the last good content and locales stay live", "err", err)
		return
	}
	for _, p := range problems {
		l.log.Error("reload failed", "problem", p)
	}
	l.log.Error("reload failed; the last good content and locales stay live", "errors", len(problems), "files", len(files))
}

// onDisk is the path of file in dir as the user knows it ("content/x.de.md").
func onDisk(dir, def, file string) string {
	if dir == "" {
		dir = def
	}
	if file == "." {
		return dir + "/"
	}
	return filepath.Join(dir, file)
}

// Close closes the current Snapshot.
func (l *Live) Close() error { return l.Current().Close() }

// fingerprint hashes the names, sizes and modification times of the watched files.
func (l *Live) fingerprint() string {
	h := sha256.New()
	for _, dir := range []string{l.opt.ContentDir, l.opt.LocaleDir} {
		if dir == "" {
			continue
		}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s!%v\n", path, err)
				return nil
			}
			if info, err := d.Info(); err == nil && !d.IsDir() {
				fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))
}
