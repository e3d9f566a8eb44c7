package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/conversation"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/locale"
	"github.com/oldenburg/ankommen/internal/metrics"
	"github.com/oldenburg/ankommen/internal/notify"
	"github.com/oldenburg/ankommen/internal/reply"
	"github.com/oldenburg/ankommen/internal/server"
	"github.com/oldenburg/ankommen/internal/staffweb"
	"github.com/oldenburg/ankommen/internal/store"
	"github.com/oldenburg/ankommen/internal/summary"
	"github.com/oldenburg/ankommen/internal/telegram"
)

// Server is the process `ankommen serve` runs: the answering snapshot, the database,
// the HTTP server and, when a token is configured, the Telegram transport with the
// conversation.
type Server struct {
	cfg     config.Config
	log     *slog.Logger
	DB      store.Store
	Live    *Live // the answering snapshot; reloads edited content from disk
	Metrics *metrics.Metrics
	Channel *telegram.Channel // the transport; nil when Telegram is off
	// Conversation is what the bot says; nil when Telegram is off.
	Conversation *conversation.Conversation
	HTTP         *server.Server
	// Service carries out the staff's actions on questions and handoffs.
	Service *handoff.Service
	// Retention is how long handoffs and questions are kept; the retention job
	// applies it once a day.
	Retention handoff.Retention
	// Notify tells askers who asked for it that their question has an answer; nil
	// when Telegram is off.
	Notify *notify.Service
	// Summary computes the weekly summary for the staff page and, with a staff
	// chat, for the message Run sends there once a week. Its Groups (the grouping
	// of unanswered questions across languages) may be set before Run; nil lists
	// the most frequent texts instead.
	Summary summary.Builder
	// recheck asks Run to look for answers to the waiting questions again: after
	// each reload (a buffer of one coalesces reloads in a row).
	recheck chan struct{}

	// tune lets tests change the channel's options before it is built.
	tune func(*telegram.Options)
	// learned rebuilds the snapshot when phrasings are learned on any replica.
	learned *learnedWatch
}

// ServerOption changes how NewServer builds the server (tests).
type ServerOption func(*Server)

// WithChannelOptions lets f adjust the Telegram channel's options.
func WithChannelOptions(f func(*telegram.Options)) ServerOption {
	return func(s *Server) { s.tune = f }
}

// NewServer builds the server from a validated configuration: it creates the data
// directory, opens the database, loads content and locales, and binds the HTTP
// address, so that every start-up problem shows before Run.
func NewServer(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...ServerOption) (*Server, error) {
	s := &Server{cfg: cfg, log: logger, Metrics: metrics.New(), recheck: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	if err := s.build(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) build(ctx context.Context) (err error) {
	cfg, logger := s.cfg, s.log
	// The rule every command follows (source.go): files on disk are watched, and an
	// edit takes effect without a restart.
	src, err := ResolveSources(cfg.ContentDir, cfg.LocaleDir)
	if err != nil {
		return err
	}
	logger.Info(src.String())
	if s.DB, err = OpenStore(ctx, cfg, true); err != nil {
		return err
	}
	opt := src.Options()
	opt.Logger, opt.Recorder, opt.Tally, opt.Learned = logger, s.DB, s.DB, s.DB
	s.learned = newLearnedWatch(ctx, s.DB, logger)
	if s.Live, err = NewLive(opt); err != nil {
		return err
	}
	s.learned.live = s.Live
	s.Live.OnReload = s.Metrics.Reload
	s.Live.OnSwap = func(*Snapshot) { s.askRecheck() }
	s.Retention = handoff.Retention{HandoffDays: cfg.HandoffDays, QuestionDays: cfg.QuestionDays}
	staffURL := ""
	if cfg.PublicURL != "" {
		staffURL = cfg.PublicURL + "/staff"
	}
	var webhook server.Options
	if cfg.Mode() != config.ModeOff {
		o := telegram.Options{
			Token: cfg.Token, APIURL: cfg.APIURL, WebhookURL: cfg.WebhookURL, WebhookSecret: cfg.WebhookSecret,
			Store: s.DB, Metrics: s.Metrics, Logger: logger, SendRetryLimit: cfg.SendRetryLimit,
			DrainTimeout: cfg.ShutdownTimeout * 2 / 3, Limits: sendLimits(cfg.Replicas.SendLimits),
			Cluster: replicaOf(s.DB, cfg.Replicas, logger),
		}
		if s.tune != nil {
			s.tune(&o)
		}
		if s.Channel, err = telegram.New(o); err != nil {
			return err
		}
		s.Conversation, err = conversation.New(conversation.Options{
			Answering: s.answering, Store: s.DB, Sender: s.Channel, Metrics: s.Metrics, Logger: logger, Now: o.Now,
			FloodLimit: cfg.FloodLimit, Handoffs: s.DB, Subscriptions: s.DB, Retention: s.Retention, StaffChatID: cfg.StaffChatID, StaffURL: staffURL,
		})
		if err != nil {
			return err
		}
		s.Notify = notify.New(s.DB, s.Conversation, o.Now, logger)
		if cfg.Mode() == config.ModeWebhook {
			webhook.Webhook, webhook.WebhookPath = s.Channel.WebhookHandler(), s.Channel.WebhookPath()
		}
	}
	svc := handoff.Options{
		Store:       s.DB,
		TopicExists: func(id string) bool { return s.Live.Current().Corpus.Topic(id) != nil },
		// A learned phrasing takes effect at once: the index is rebuilt with it
		// (and on the other replicas within learnedEvery).
		OnLearned: func() { s.learned.Check(context.Background()) },
		Logger:    logger,
	}
	if s.Conversation != nil {
		svc.Notifier = s.Conversation
		svc.Answered = func(ctx context.Context, questionID int64, topicID string) {
			if _, err := s.Notify.Answered(ctx, questionID, topicID); err != nil {
				logger.Error("cannot tell the asker of an answered question", "question", questionID, "err", err)
			}
		}
	}
	s.Service = handoff.NewService(svc)
	s.Summary = summary.Builder{Store: s.DB, Groups: s.topGroups}
	staffPage, err := staffweb.New(staffweb.Options{
		Store: s.DB, Service: s.Service, Logger: logger, Telegram: s.Channel != nil,
		Summary:     func(ctx context.Context, w summary.Week) (summary.Summary, error) { return s.Summary.Build(ctx, w) },
		SummaryChat: s.Conversation != nil && cfg.StaffChatID != 0,
		Answering: func() staffweb.Answering {
			c := s.Live.Current()
			a := staffweb.Answering{Corpus: c.Corpus, Locale: c.Locale, Assistant: c.Assistant, Renderer: c.Renderer, Needs: c.Needs}
			if c.Models != nil { // a nil *nlu.Models in the interface would not be nil
				a.Models = c.Models
			}
			return a
		},
	})
	if err != nil {
		return err
	}
	s.HTTP = server.New(server.Options{
		Addr:        cfg.Addr,
		WebhookAddr: cfg.WebhookAddr,
		AskLimit:    cfg.AskLimit,
		Metrics:     s.Metrics.Handler(),
		Webhook:     webhook.Webhook,
		WebhookPath: webhook.WebhookPath,
		Ready:       s.ready,
		Ask:         s.ask,
		Status:      s.status,
		Staff:       staffPage,
		Logger:      logger,
	})
	return s.HTTP.Listen()
}

// topGroups groups the questions left open that were asked from from to to, across
// languages, with the models the bot answers with now: the weekly summary's "top
// groups".
func (s *Server) topGroups(ctx context.Context, from, to time.Time, n int) ([]summary.GroupLine, error) {
	items, err := s.DB.OpenItems(ctx)
	if err != nil {
		return nil, err
	}
	week := items[:0]
	for _, it := range items {
		if !it.At.Before(from) && it.At.Before(to) {
			week = append(week, it)
		}
	}
	c := s.Live.Current()
	var models backlog.Models
	if c.Models != nil { // a nil *nlu.Models in the interface would not be nil
		models = c.Models
	}
	var out []summary.GroupLine
	for _, g := range backlog.NewGrouper(models, c.Needs, backlog.Options{}).Group(week) {
		if len(out) == n {
			break
		}
		l := summary.GroupLine{Label: g.Items[0].Text, Count: g.Size(), Langs: map[string]int{}}
		for _, lc := range g.Langs {
			l.Langs[lc.Lang] = lc.N
		}
		out = append(out, l)
	}
	return out, nil
}

// summaryJob sends the weekly summary to the staff chat, in German (the staff's
// language), with the locale files of the current snapshot.
func (s *Server) summaryJob() *summary.Job {
	loc := func() *locale.Bundle { return s.Live.Current().Locale }
	return &summary.Job{
		Builder:  s.Summary,
		Send:     s.Conversation.SendStaff,
		Localize: func(id string, data map[string]any) string { return loc().T("de", id, data) },
		LangName: func(code string) string { return loc().T("de", "LangName_"+code, nil) },
	}
}

// askRecheck asks recheckLoop to look for answers to the waiting questions; it
// does not block.
func (s *Server) askRecheck() {
	select {
	case s.recheck <- struct{}{}:
	default: // one is pending already
	}
}

// recheckLoop re-runs the answering core on the questions whose askers wait to be
// told, each time askRecheck asks, until ctx ends.
func (s *Server) recheckLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.recheck:
		}
		n, err := s.Notify.Recheck(ctx, s.answersConfidently)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("cannot look for answers to waiting questions", "err", err)
		case n > 0:
			s.log.Info("askers told of new answers", "told", n)
		}
	}
}

// answersConfidently runs the current answering core on a recorded question in
// lang, without recording or counting it, and returns the topic it answers with
// confidently (notify.Answer). The contact and the emergency topic are no answer
// to tell anyone of.
func (s *Server) answersConfidently(ctx context.Context, text, lang string) (string, bool) {
	r, err := s.Live.Current().Assistant.WithoutRecording().Answer(ctx, assistant.Question{Text: text, Lang: lang})
	if err != nil || r.Kind != assistant.KindAnswer || !r.Confident || r.Topic == nil || r.Topic.Contact || r.Topic.Emergency {
		return "", false
	}
	return r.Topic.ID, true
}

// answering is the current snapshot as the conversation uses it.
func (s *Server) answering() conversation.Answering {
	c := s.Live.Current()
	return conversation.Answering{Answerer: c.Assistant, Corpus: c.Corpus, Renderer: c.Renderer}
}

// Run serves until ctx ends, then shuts down: the channel stops taking updates and
// finishes the ones in hand while the HTTP server drains; Close then releases the
// index and the database. It returns an error when Telegram rejects the bot or the
// HTTP server fails.
func (s *Server) Run(ctx context.Context) error {
	s.log.Info("ankommen serve: started", "addr", s.HTTP.Addr(), "webhook_addr", s.HTTP.WebhookAddr(), "telegram", string(s.cfg.Mode()),
		"topics", len(s.Live.Current().Corpus.IDs), "database", s.database(), "reload", s.Live.Watching())
	if s.Channel == nil {
		s.log.Warn("Telegram is off: TELEGRAM_BOT_TOKEN is not set. The HTTP server runs without the bot; try http://" +
			s.HTTP.Addr() + "/ask?q=Where+is+the+immigration+office")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Live.Watch(ctx, 2*time.Second) // edits in ANKOMMEN_CONTENT / ANKOMMEN_LOCALES
	}()
	wg.Add(2)
	go func() {
		defer wg.Done()
		retention(ctx, s.DB, handoff.RetentionJob{Store: s.DB, Policy: s.Retention}, s.log)
	}()
	go func() {
		defer wg.Done()
		s.learned.Run(ctx, learnedEvery) // phrasings taught on another replica
	}()
	if s.Notify != nil {
		// Content may have changed while the bot was stopped: look once at start.
		s.askRecheck()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.recheckLoop(ctx)
		}()
	}
	if s.Conversation != nil && s.cfg.StaffChatID != 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			weekly(ctx, s.DB, s.summaryJob(), s.log) // one replica sends it
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.HTTP.Serve(); err != nil {
			errs <- err
			cancel()
		}
	}()
	if s.Channel != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Channel.Run(ctx, s.Conversation); err != nil {
				errs <- err
			}
			cancel() // the channel stopping for good stops the process
		}()
	}
	<-ctx.Done()
	s.log.Info("ankommen serve: shutting down")
	shutdown, stop := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer stop()
	if err := s.HTTP.Shutdown(shutdown); err != nil {
		s.log.Warn("HTTP shutdown", "err", err)
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	s.log.Info("ankommen serve: stopped")
	return errors.Join(all...)
}

// Close releases the index and the database.
func (s *Server) Close() error {
	var errs []error
	if s.Live != nil {
		errs = append(errs, s.Live.Close())
	}
	if s.DB != nil {
		errs = append(errs, s.DB.Close())
	}
	return errors.Join(errs...)
}

// database names where the state is kept, without a password.
func (s *Server) database() string {
	if s.cfg.DatabaseURL != "" {
		return DescribeLocation(s.cfg.DatabaseURL)
	}
	return DescribeLocation(s.cfg.DataDir)
}

func (s *Server) ready(ctx context.Context) error {
	// A database that does not answer soon is trouble to report, not to wait for.
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		// Ping's error names no location (pgx's would name it twice): here it is
		// named once.
		return fmt.Errorf("database: cannot reach %s: %w", s.database(), err)
	}
	if s.Channel != nil {
		return s.Channel.Ready()
	}
	return nil
}

func (s *Server) status() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ankommen is running: %d topics in %s.\n", len(s.Live.Current().Corpus.IDs), strings.Join(content.Languages, ", "))
	switch s.cfg.Mode() {
	case config.ModeOff:
		b.WriteString("Telegram is off (no TELEGRAM_BOT_TOKEN).\n")
	default:
		state := "connected"
		if s.Channel.Ready() != nil {
			state = "connecting"
		}
		fmt.Fprintf(&b, "Telegram: %s (%s).\n", s.cfg.Mode(), state)
	}
	b.WriteString("\nGET /ask?q=...&lang=..  ask a question (answer as JSON; rate limited, recorded only with --ask-record)\nGET /healthz            liveness\nGET /readyz             readiness\nGET /metrics            Prometheus metrics\nGET /staff/             the staff page (accounts: ankommen staff add NAME)\n")
	return b.String()
}

// AskAnswer is the JSON answer of GET /ask.
type AskAnswer struct {
	Question     string         `json:"question"`
	Lang         string         `json:"lang"`
	Kind         string         `json:"kind"`
	Topic        string         `json:"topic,omitempty"`
	Confident    bool           `json:"confident"`
	Answer       string         `json:"answer"`
	Alternatives []AskAlternate `json:"alternatives"`
	Elapsed      string         `json:"elapsed"`
}

// AskAlternate is a further topic of an AskAnswer.
type AskAlternate struct {
	Topic string `json:"topic"`
	Title string `json:"title"`
}

func (s *Server) ask(ctx context.Context, q, lang string) (any, error) {
	if lang != "" && !content.IsLanguage(lang) {
		return nil, server.BadRequest(fmt.Sprintf("unsupported language %q; supported: %s", lang, strings.Join(content.Languages, ", ")))
	}
	start := time.Now()
	core := s.Live.Current()
	// Anyone who reaches the address can ask: unless configured otherwise, their
	// questions are neither recorded for the staff nor counted in the statistics.
	asst := core.Assistant
	if !s.cfg.AskRecord {
		asst = asst.WithoutRecording()
	}
	r, err := asst.Answer(ctx, assistant.Question{Text: q, Lang: lang})
	if err != nil {
		return nil, err
	}
	a := AskAnswer{Question: r.Question, Lang: r.Lang, Kind: string(r.Kind), Confident: r.Confident,
		Answer: core.Renderer.Render(r, reply.FormatPlain), Alternatives: []AskAlternate{}, Elapsed: time.Since(start).String()}
	if r.Topic != nil {
		a.Topic = r.Topic.ID
	}
	for _, alt := range r.Alternatives {
		a.Alternatives = append(a.Alternatives, AskAlternate{Topic: alt.TopicID, Title: alt.Title})
	}
	return a, nil
}
