// Package conversation is what the bot says in Telegram: it turns each update into
// a turn (who writes, in which chat and language, what they ask), answers questions
// with the answering core, and handles commands, buttons, the language choice, flood
// control, and consent to and messages of a handoff to the city team. It sends
// through a Sender (the transport, package telegram) and keeps no connection of its
// own.
package conversation

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/metrics"
	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// Answerer answers questions: the assistant.
type Answerer interface {
	Answer(ctx context.Context, q assistant.Question) (assistant.Result, error)
	// IsEmergency reports whether text is an emergency: it gets through flood
	// control and an open handoff.
	IsEmergency(text string) bool
}

// Answering is what the conversation answers with during one update: one version of
// the content and locales (see app.Live), which the update keeps to.
type Answering struct {
	Answerer Answerer
	Corpus   *content.Corpus
	Renderer reply.Renderer
}

// Sender sends what the bot says: the transport.
type Sender interface {
	Send(ctx context.Context, m telegram.Message)
}

// Store is what the conversation keeps about chats.
type Store interface {
	chat.Chats
	chat.Votes
}

// Options configure a Conversation. Answering, Store and Sender are required.
type Options struct {
	// Answering is called once for each update, whose handling then keeps to what
	// it returned, so that content can be reloaded while the bot runs.
	Answering func() Answering
	Store     Store
	Sender    Sender
	Metrics   *metrics.Metrics // nil: none
	Logger    *slog.Logger     // nil: discard
	// Now is the clock of flood control and of stored times (default time.Now).
	Now func() time.Time
	// FloodLimit messages a user may send per FloodWindow (default 20 a minute).
	FloodLimit  int
	FloodWindow time.Duration

	// Handoffs stores conversations with the city team; nil switches handing
	// questions to people off (the contact card is still shown).
	Handoffs handoff.Conversations
	// Subscriptions stores the consent to be told once when a recorded question
	// has an answer (the button "Tell me when there is an answer"); nil switches
	// the button off.
	Subscriptions Subscriptions
	// Retention is what /privacy and the consent line say about how long things are
	// kept (default handoff.DefaultRetention).
	Retention handoff.Retention
	// StaffChatID is a chat new handoffs are posted to; 0: none.
	StaffChatID int64
	// StaffURL is the staff page's base URL for links in the staff chat
	// (e.g. https://bot.example.org/staff); "": no links.
	StaffURL string
}

// Conversation handles updates (telegram.Handler) and delivers the city team's
// replies (handoff.Notifier).
type Conversation struct {
	opt     Options
	send    Sender
	chats   *chatCache
	flood   *flood
	metrics *metrics.Metrics
	log     *slog.Logger
	now     func() time.Time
	topics  sync.Map // topicKey → []string: topic ids in title order
}

var (
	_ telegram.Handler = (*Conversation)(nil)
	_ handoff.Notifier = (*Conversation)(nil)
	_ notify.Teller    = (*Conversation)(nil)
)

// New returns a Conversation.
func New(opt Options) (*Conversation, error) {
	if opt.Answering == nil || opt.Store == nil || opt.Sender == nil {
		return nil, errors.New("conversation: Answering, Store and Sender are required")
	}
	if opt.FloodLimit <= 0 {
		opt.FloodLimit = 20
	}
	if opt.FloodWindow <= 0 {
		opt.FloodWindow = time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Retention == (handoff.Retention{}) {
		opt.Retention = handoff.DefaultRetention
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Conversation{
		opt:     opt,
		send:    opt.Sender,
		chats:   newChatCache(opt.Store),
		flood:   newFlood(opt.FloodLimit, opt.FloodWindow, opt.Now),
		metrics: opt.Metrics,
		log:     opt.Logger,
		now:     opt.Now,
	}, nil
}

// Blocked marks a chat inactive: its user blocked the bot (telegram.Handler).
func (c *Conversation) Blocked(ctx context.Context, chatID int64) {
	if err := c.chats.setActive(ctx, chatID, false); err != nil {
		c.log.Error("cannot mark chat inactive", "chat_id", chatID, "err", err)
	}
}

// chatCache keeps chat settings in memory; writes go through to the store.
type chatCache struct {
	store chat.Chats
	mu    sync.RWMutex
	m     map[int64]chat.Chat
}

const maxCachedChats = 100_000

func newChatCache(s chat.Chats) *chatCache { return &chatCache{store: s, m: map[int64]chat.Chat{}} }

func (cc *chatCache) get(ctx context.Context, id int64) (chat.Chat, error) {
	cc.mu.RLock()
	c, ok := cc.m[id]
	cc.mu.RUnlock()
	if ok {
		return c, nil
	}
	c, err := cc.store.Chat(ctx, id)
	if errors.Is(err, chat.ErrNotFound) {
		c, err = chat.Chat{ID: id, Active: true}, nil
	}
	if err != nil {
		return chat.Chat{ID: id, Active: true}, err
	}
	cc.put(c)
	return c, nil
}

func (cc *chatCache) put(c chat.Chat) {
	cc.mu.Lock()
	if len(cc.m) >= maxCachedChats {
		clear(cc.m)
	}
	cc.m[c.ID] = c
	cc.mu.Unlock()
}

func (cc *chatCache) setLang(ctx context.Context, id int64, lang string) error {
	if err := cc.store.SetLang(ctx, id, lang); err != nil {
		return err
	}
	c, _ := cc.get(ctx, id)
	c.Lang = lang
	cc.put(c)
	return nil
}

func (cc *chatCache) setActive(ctx context.Context, id int64, active bool) error {
	if err := cc.store.SetActive(ctx, id, active); err != nil {
		return err
	}
	c, _ := cc.get(ctx, id)
	c.Active = active
	cc.put(c)
	return nil
}

func (cc *chatCache) forget(ctx context.Context, id int64) error {
	if err := cc.store.Forget(ctx, id); err != nil {
		return err
	}
	cc.mu.Lock()
	delete(cc.m, id)
	cc.mu.Unlock()
	return nil
}
