// Package telegram is the Telegram transport: it receives updates (long polling or
// webhook) through github.com/go-telegram/bot, stores each in the inbox before
// Telegram may forget it, hands them to a Handler one at a time per chat, and sends
// messages as Telegram HTML through one outgoing queue that keeps Telegram's limits
// and retries. What the bot says is package conversation's.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/metrics"
)

// Update is one update handed to the Handler, with the bot it was sent to.
type Update struct {
	*models.Update
	// ChatID is the chat the update concerns (0: none).
	ChatID int64
	// Bot is the bot's own user: its username names it in groups.
	Bot models.User
}

// Handler is what the transport hands updates to: the conversation.
type Handler interface {
	// Handle handles one update. Messages sent with ctx belong to the update: it
	// leaves the inbox when they are all done, and handled again after a crash it
	// sends only those Telegram did not accept yet. Handle must send in the same
	// order each time it handles the same update.
	Handle(ctx context.Context, u Update)
	// Blocked is told that a chat blocked the bot: Telegram answered 403.
	Blocked(ctx context.Context, chatID int64)
	// Menus are the command menus Run registers once connected.
	Menus() []Menu
}

// Menu is the command menu for the users whose Telegram speaks LanguageCode ("":
// everyone else).
type Menu struct {
	LanguageCode string
	Commands     []models.BotCommand
}

// Options configure a Channel. Token and Store are required.
type Options struct {
	Token  string
	APIURL string // Bot API base URL; "" means Telegram's
	// WebhookURL switches to webhook mode: Telegram posts updates there, with
	// WebhookSecret in the X-Telegram-Bot-Api-Secret-Token header.
	WebhookURL    string
	WebhookSecret string

	Store   chat.Inbox
	Metrics *metrics.Metrics // nil: none
	Logger  *slog.Logger     // nil: discard

	// Limits of the outgoing queue; the zero value means DefaultLimits.
	Limits Limits
	// SendRetryLimit is how long a message is retried while Telegram answers 429 or
	// 5xx or cannot be reached, counted from the update's arrival (default 24h);
	// then it is given up, counted and logged.
	SendRetryLimit time.Duration
	// Workers handle updates in parallel, each chat's in order (default 16).
	Workers int
	// PollTimeout is the long-polling timeout (default 50s).
	PollTimeout time.Duration
	// DrainTimeout bounds how long updates in hand may take to finish at shutdown
	// (default 10s); after it their calls are cut off and the updates stay pending.
	DrainTimeout time.Duration
	// MaxBacklog stops polling while that many updates wait (default 256).
	MaxBacklog int
	// Retry is the wait between attempts of start-up calls and failed polls
	// (default 1s, doubling up to 30s).
	Retry time.Duration
	// Now is the clock of stored times and of the retry limit (default time.Now).
	Now func() time.Time
	// Cluster makes the channel one replica of several on a shared database; the
	// zero value is one process.
	Cluster Cluster
}

// Channel is the Telegram transport.
type Channel struct {
	opt     Options
	bot     *bot.Bot
	api     *apiClient
	store   chat.Inbox
	metrics *metrics.Metrics
	log     *slog.Logger
	now     func() time.Time

	// set by Run before any update is handled
	me      models.User
	handler Handler

	shards []*shard
	rep    *replica // the claim path; nil: updates are handed out in memory
	// appends waiting for the next inbox transaction (see accept)
	appendMu  sync.Mutex
	appendQ   []*appendReq
	appending bool
	// handOut is held from an inbox append until its records are dispatched, and
	// by markDone to let ids leave the in-flight set: an update the append read as
	// pending cannot be marked done and leave the set in between, to be handed out
	// a second time (see commitAppends).
	handOut sync.Mutex

	mu       sync.Mutex
	inflight map[int64]struct{}
	running  atomic.Bool
	ready    atomic.Bool
	active   sync.WaitGroup
	doneCh   chan int64
	queue    *queue
	sendCtx  context.Context
	cancel   context.CancelFunc
}

// New returns a Channel. It makes no network call: Run does.
func New(opt Options) (*Channel, error) {
	switch {
	case opt.Token == "":
		return nil, errors.New("telegram: no bot token")
	case opt.Store == nil:
		return nil, errors.New("telegram: Store is required")
	case opt.WebhookURL != "" && opt.WebhookSecret == "":
		return nil, errors.New("telegram: webhook mode needs a secret")
	}
	opt.APIURL = strings.TrimRight(opt.APIURL, "/")
	if opt.APIURL == "" {
		opt.APIURL = "https://api.telegram.org"
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.SendRetryLimit <= 0 {
		opt.SendRetryLimit = 24 * time.Hour
	}
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	if opt.PollTimeout <= 0 {
		opt.PollTimeout = 50 * time.Second
	}
	if opt.DrainTimeout <= 0 {
		opt.DrainTimeout = 10 * time.Second
	}
	if opt.MaxBacklog <= 0 {
		opt.MaxBacklog = 256
	}
	if opt.Retry <= 0 {
		opt.Retry = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	opt.Cluster.defaults()
	c := &Channel{
		opt:      opt,
		store:    opt.Store,
		metrics:  opt.Metrics,
		log:      opt.Logger,
		now:      opt.Now,
		inflight: map[int64]struct{}{},
	}
	if opt.Cluster.Claims != nil {
		c.rep = &replica{claims: opt.Cluster.Claims, wake: make(chan struct{}, 1)}
	}
	c.api = &apiClient{
		// Calls get their own deadline; the poll's is set per request.
		hc: &http.Client{
			Timeout: opt.PollTimeout + 30*time.Second,
			// All calls go to one host: keep enough connections open for the
			// senders, instead of the default two.
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				MaxIdleConns:        100,
				MaxIdleConnsPerHost: 100,
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second,
				ForceAttemptHTTP2:   true,
			},
		},
		base:    opt.APIURL,
		token:   opt.Token,
		metrics: opt.Metrics,
	}
	b, err := bot.New(opt.Token,
		bot.WithSkipGetMe(),
		bot.WithServerURL(opt.APIURL),
		bot.WithHTTPClient(opt.PollTimeout, c.api),
		bot.WithNotAsyncHandlers(),
		bot.WithErrorsHandler(func(err error) { c.log.Error("telegram library", "err", c.api.redact(err)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", c.api.redact(err))
	}
	c.bot = b
	return c, nil
}

// Mode says how the channel receives updates: "polling" or "webhook".
func (c *Channel) Mode() string {
	if c.opt.WebhookURL != "" {
		return "webhook"
	}
	return "polling"
}

// Ready reports nil once the bot is known to Telegram and receiving updates, and,
// of a replica, while it can claim updates from the database.
func (c *Channel) Ready() error {
	if !c.ready.Load() {
		return errors.New("telegram: not connected yet")
	}
	if c.rep != nil {
		if err := c.rep.err(); err != nil {
			return fmt.Errorf("%w: %v", errNoDatabase, err)
		}
	}
	return nil
}

// allowedUpdates are the update types the bot asks Telegram for.
var allowedUpdates = []string{
	models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateChannelPost,
	models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember,
}

// Run connects to Telegram and hands updates to h until ctx ends; then it stops
// taking updates, lets the ones in hand finish (sends included, up to DrainTimeout),
// writes the done marks and returns. It returns an error only when the bot cannot
// work at all (Telegram rejects the token or the webhook URL).
func (c *Channel) Run(ctx context.Context, h Handler) error {
	if h == nil {
		return errors.New("telegram: Run needs a Handler")
	}
	c.handler = h
	// sendCtx outlives ctx: it ends only when the drain deadline passes.
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	c.sendCtx, c.cancel = sendCtx, cancel
	c.queue = newQueue(sendCtx, c.opt.Limits, c.opt.SendRetryLimit, c.now, c.blocked, c.metrics, c.log)
	c.queue.slots = c.opt.Cluster.Slots

	me, err := retry(ctx, c, "getMe", func() (*models.User, error) { return c.bot.GetMe(ctx) })
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before Telegram answered
		}
		return err
	}
	c.me = *me
	c.log.Info("telegram: connected", "bot", "@"+me.Username, "mode", c.Mode())

	stop := make(chan struct{})
	c.doneCh = make(chan int64, 1024)
	flushed := make(chan struct{})
	go c.markDone(c.doneCh, flushed)
	var workers sync.WaitGroup
	c.shards = make([]*shard, c.opt.Workers)
	for i := range c.shards {
		c.shards[i] = newShard()
		workers.Add(1)
		go func(s *shard) {
			defer workers.Done()
			c.work(stop, s)
		}(c.shards[i])
	}
	c.running.Store(true)

	if c.rep != nil {
		// Updates left from the last run, or by a replica that died, are claimed
		// like all others.
		workers.Add(2)
		go func() { defer workers.Done(); c.claimLoop(stop) }()
		go func() { defer workers.Done(); c.heartbeat(stop) }()
	} else {
		pending, err := c.store.Pending(ctx)
		if err != nil {
			c.log.Error("cannot read pending updates", "err", err)
		}
		if len(pending) > 0 {
			c.log.Info("handling updates left from the last run", "count", len(pending))
		}
		for _, p := range pending {
			c.dispatch(recordOf(p))
		}
	}

	go c.setMenus(ctx)
	go c.pruneJob(ctx)

	var runErr error
	if c.opt.WebhookURL != "" {
		_, runErr = retry(ctx, c, "setWebhook", func() (bool, error) {
			return c.bot.SetWebhook(ctx, &bot.SetWebhookParams{
				URL: c.opt.WebhookURL, SecretToken: c.opt.WebhookSecret, AllowedUpdates: allowedUpdates, MaxConnections: 40,
			})
		})
		if runErr == nil {
			c.ready.Store(true)
			<-ctx.Done()
		}
	} else {
		// A webhook left from an earlier run would make getUpdates fail.
		_, runErr = retry(ctx, c, "deleteWebhook", func() (bool, error) {
			return c.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
		})
		if runErr == nil {
			c.ready.Store(true)
			if c.opt.Cluster.Leader != nil {
				runErr = c.lead(ctx)
			} else {
				runErr = c.poll(ctx)
			}
		}
	}
	c.ready.Store(false)

	// Shutdown: no new updates; the ones in hand finish.
	c.running.Store(false)
	close(stop)
	workers.Wait()
	drained := make(chan struct{})
	go func() { c.active.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(c.opt.DrainTimeout):
		c.log.Warn("shutdown: updates did not finish in time; cutting their calls off", "timeout", c.opt.DrainTimeout)
		cancel()
		<-drained
	}
	c.queue.close()
	close(c.doneCh)
	<-flushed
	if c.rep != nil {
		c.release()
	}
	c.log.Info("telegram: stopped")
	if runErr != nil && ctx.Err() != nil && errors.Is(runErr, context.Canceled) {
		return nil
	}
	return runErr
}

// retry calls f until it succeeds, ctx ends, or Telegram rejects the bot for good.
func retry[T any](ctx context.Context, c *Channel, method string, f func() (T, error)) (T, error) {
	wait := c.opt.Retry
	for {
		v, err := f()
		if err == nil {
			return v, nil
		}
		kind, retryAfter := classify(err)
		switch kind {
		case errUnauthorized:
			return v, fmt.Errorf("telegram: %s: Telegram rejected the bot token (401 Unauthorized); check TELEGRAM_BOT_TOKEN", method)
		case errPermanent:
			if errors.Is(err, bot.ErrorNotFound) {
				return v, fmt.Errorf("telegram: %s: the Bot API answered 404; check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL", method)
			}
			return v, fmt.Errorf("telegram: %s: %w", method, err)
		case errAborted:
			return v, err
		}
		d := wait
		if kind == errRetryAfter {
			d = time.Duration(max(retryAfter, 1)) * c.opt.Limits.RetryAfterUnit
		}
		c.log.Warn("telegram: call failed; retrying", "method", method, "wait", d, "err", err)
		if err := sleep(ctx, d); err != nil {
			return v, err
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// poll fetches updates with getUpdates until ctx ends. The offset it sends confirms
// earlier updates to Telegram, so it is stored, with the updates, before it is sent.
func (c *Channel) poll(ctx context.Context) error {
	offset, err := c.store.Offset(ctx)
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	wait := c.opt.Retry
	for ctx.Err() == nil {
		for c.backlog() >= c.opt.MaxBacklog {
			if sleep(ctx, 10*time.Millisecond) != nil {
				return nil
			}
		}
		var raw []json.RawMessage
		params := map[string]any{"offset": offset, "timeout": int(c.opt.PollTimeout / time.Second), "allowed_updates": allowedUpdates}
		if err := c.api.call(ctx, "getUpdates", params, &raw); err != nil {
			kind, retryAfter := classify(err)
			switch {
			case kind == errAborted || ctx.Err() != nil:
				return nil
			case kind == errUnauthorized:
				return errors.New("telegram: getUpdates: Telegram rejected the bot token (401 Unauthorized); check TELEGRAM_BOT_TOKEN")
			}
			d := wait
			if kind == errRetryAfter {
				d = time.Duration(max(retryAfter, 1)) * c.opt.Limits.RetryAfterUnit
			} else {
				wait = min(2*wait, 30*time.Second)
			}
			if errors.Is(err, bot.ErrorConflict) {
				c.log.Error("telegram: another process is getting this bot's updates (409 Conflict)", "wait", d)
			} else {
				c.log.Warn("telegram: getUpdates failed; retrying", "wait", d, "err", err)
			}
			if sleep(ctx, d) != nil {
				return nil
			}
			continue
		}
		wait = c.opt.Retry
		if len(raw) == 0 {
			continue
		}
		now := c.now()
		recs := make([]record, 0, len(raw))
		next := offset
		for _, p := range raw {
			r, err := decodeRecord(p, now)
			if err != nil {
				c.log.Warn("telegram: getUpdates returned something that is not an update", "err", err)
				continue
			}
			recs = append(recs, r)
			next = max(next, r.id+1)
		}
		for {
			// Not ctx: an update fetched is stored even when shutdown has begun.
			err := c.accept(context.WithoutCancel(ctx), recs, next)
			if err == nil {
				break
			}
			c.log.Error("cannot store updates; retrying", "err", err)
			if sleep(ctx, wait) != nil {
				return nil // not stored, not confirmed: Telegram sends them again
			}
		}
		offset = next
	}
	return nil
}

// blocked tells the handler that a chat blocked the bot.
func (c *Channel) blocked(chatID int64) {
	c.log.Info("telegram: chat blocked the bot; no more messages to it", "chat_id", chatID)
	c.handler.Blocked(context.WithoutCancel(c.sendCtx), chatID)
}

// setMenus registers the handler's command menus.
func (c *Channel) setMenus(ctx context.Context) {
	for _, m := range c.handler.Menus() {
		_, err := retry(ctx, c, "setMyCommands", func() (bool, error) {
			return c.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: m.Commands, LanguageCode: m.LanguageCode})
		})
		if err != nil && ctx.Err() == nil {
			c.log.Warn("cannot register the command menu", "language_code", m.LanguageCode, "err", err)
		}
	}
}
