package backlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// Need is a need staff said calls for a new topic: the backlog of editors.
type Need struct {
	ID        int64
	Title     string
	Asked     int         // questions and handoffs that asked for it
	Langs     []LangCount // most first
	CreatedAt time.Time
	CreatedBy string
	DoneAt    time.Time // zero while no topic answers it
	DoneBy    string
}

// FormatLangs writes counts as the store keeps them: "de:3,ar:2".
func FormatLangs(ls []LangCount) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, l.Lang+":"+strconv.Itoa(l.N))
	}
	return strings.Join(parts, ",")
}

// ParseLangs reads what FormatLangs wrote; malformed pairs are skipped.
func ParseLangs(s string) []LangCount {
	var out []LangCount
	for _, p := range strings.Split(s, ",") {
		l, n, ok := strings.Cut(p, ":")
		if !ok || l == "" {
			continue
		}
		if c, err := strconv.Atoi(n); err == nil {
			out = append(out, LangCount{l, c})
		}
	}
	return out
}

// Store is what the backlog reads and writes.
type Store interface {
	// OpenItems returns the open anonymous questions and the open handoffs that have
	// a question text.
	OpenItems(ctx context.Context) ([]Item, error)
	// AddNeed stores a need and puts the given questions to it (status closed, by
	// n.CreatedBy); questions that are no longer open are left as they are. It
	// returns the need with its id.
	AddNeed(ctx context.Context, n Need, questionIDs []int64) (Need, error)
	// Needs returns the needs no topic answers yet, most asked first.
	Needs(ctx context.Context) ([]Need, error)
	// SetNeedDone records that a topic now answers need id; handoff.ErrNotFound when
	// there is no such need.
	SetNeedDone(ctx context.Context, id int64, by string, at time.Time) error
	// TopicDemand returns how often each topic was shown per language since the day
	// of since.
	TopicDemand(ctx context.Context, since time.Time) ([]handoff.TopicCount, error)
}

// MaxTitle is the longest title of a need, in characters.
const MaxTitle = 200

// Service carries out staff actions on whole groups. Each question goes through
// the same per-question path as on its own page (handoff.Service), so every hook
// on that path runs for each.
type Service struct {
	store    Store
	handoffs *handoff.Service
	now      func() time.Time
}

// NewService returns a Service; now nil means time.Now.
func NewService(store Store, handoffs *handoff.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, handoffs: handoffs, now: now}
}

// Groups returns the open items grouped by g, largest first.
func (s *Service) Groups(ctx context.Context, g *Grouper) ([]Group, error) {
	items, err := s.store.OpenItems(ctx)
	if err != nil {
		return nil, err
	}
	return g.Group(items), nil
}

// Outcome is what a group action did.
type Outcome struct {
	Done    int // items acted on
	Skipped int // items no longer open (a colleague acted first), or gone
}

// parseKeys reads the items a staff member acted on.
func parseKeys(keys []string) ([]Item, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no questions chosen", handoff.ErrInvalid)
	}
	seen := map[string]bool{}
	var out []Item
	for _, k := range keys {
		kind, id, ok := ParseKey(k)
		if !ok {
			return nil, fmt.Errorf("%w: %q names no question", handoff.ErrInvalid, k)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, Item{Kind: kind, ID: id})
		}
	}
	return out, nil
}

// gone reports whether err means the item was handled or deleted meanwhile: it is
// skipped, not a failure of the whole action.
func gone(err error) bool {
	return errors.Is(err, handoff.ErrNotFound) || errors.Is(err, handoff.ErrClosed)
}

// open returns the items of keys that are still open, with their language.
func (s *Service) open(ctx context.Context, keys []string) ([]Item, int, error) {
	items, err := parseKeys(keys)
	if err != nil {
		return nil, 0, err
	}
	all, err := s.store.OpenItems(ctx)
	if err != nil {
		return nil, 0, err
	}
	byKey := map[string]Item{}
	for _, it := range all {
		byKey[it.Key()] = it
	}
	var out []Item
	for _, it := range items {
		if o, ok := byKey[it.Key()]; ok {
			out = append(out, o)
		}
	}
	return out, len(items) - len(out), nil
}

// each runs act on every item of keys that is still open; items handled or gone
// meanwhile (by act too) are counted as skipped.
func (s *Service) each(ctx context.Context, keys []string, act func(Item) error) (Outcome, error) {
	items, skipped, err := s.open(ctx, keys)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Skipped: skipped}
	for _, it := range items {
		err := act(it)
		switch {
		case gone(err):
			out.Skipped++
		case err != nil:
			return out, err
		default:
			out.Done++
		}
	}
	return out, nil
}

// Answer records that topic answers every item of keys: each question's text
// becomes a learned phrasing of the topic through handoff.Service.Learn (the
// question is marked learned; a handoff stays open for the reply). The answering
// core is rebuilt once at the end, not once per phrasing.
func (s *Service) Answer(ctx context.Context, keys []string, topic, staff string) (Outcome, error) {
	bctx := handoff.Batch(ctx)
	out, err := s.each(ctx, keys, func(it Item) error { return s.handoffs.Learn(bctx, it.Kind, it.ID, topic, staff) })
	if out.Done > 0 {
		s.handoffs.Rebuild()
	}
	return out, err
}

// Spam dismisses every item of keys as spam through handoff.Service.Close (the
// user of a handoff is told the conversation ended).
func (s *Service) Spam(ctx context.Context, keys []string, staff string) (Outcome, error) {
	return s.each(ctx, keys, func(it Item) error { return s.handoffs.Close(ctx, it.Kind, it.ID, handoff.StatusSpam, staff) })
}

// NewTopic puts the items of keys into the backlog as one need titled title: the
// questions leave the inbox (closed, linked to the need); handoffs are counted
// but stay open, since a person still waits for a reply.
func (s *Service) NewTopic(ctx context.Context, keys []string, title, staff string) (Need, error) {
	title = strings.Join(strings.Fields(strings.ToValidUTF8(title, "\uFFFD")), " ")
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return Need{}, fmt.Errorf("%w: the need has no title", handoff.ErrInvalid)
	case n > MaxTitle:
		return Need{}, fmt.Errorf("%w: the title has %d characters, at most %d are allowed", handoff.ErrInvalid, n, MaxTitle)
	}
	items, _, err := s.open(ctx, keys)
	if err != nil {
		return Need{}, err
	}
	if len(items) == 0 {
		return Need{}, fmt.Errorf("%w: none of the questions is open any more", handoff.ErrClosed)
	}
	n := Need{Title: title, Asked: len(items), CreatedAt: s.now(), CreatedBy: staff}
	n.Langs = countLangs(items)
	var qs []int64
	for _, it := range items {
		if it.Kind == handoff.KindQuestion {
			qs = append(qs, it.ID)
		}
	}
	return s.store.AddNeed(ctx, n, qs)
}

// Done records that a topic now answers need id.
func (s *Service) Done(ctx context.Context, id int64, staff string) error {
	return s.store.SetNeedDone(ctx, id, staff, s.now())
}

// countLangs counts items per language, most first.
func countLangs(items []Item) []LangCount {
	m := map[string]int{}
	for _, it := range items {
		m[it.Lang]++
	}
	var out []LangCount
	for l, n := range m {
		out = append(out, LangCount{l, n})
	}
	sortLangs(out)
	return out
}
