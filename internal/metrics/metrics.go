// Package metrics defines the Prometheus metrics of the server process on a registry
// of their own (no global state), and serves them.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors. Its methods are safe for concurrent use; a nil
// *Metrics records nothing.
type Metrics struct {
	reg *prometheus.Registry

	updates     *prometheus.CounterVec
	answers     *prometheus.CounterVec
	escalations *prometheus.CounterVec
	emergencies *prometheus.CounterVec
	apiErrors   *prometheus.CounterVec
	sent        *prometheus.CounterVec
	givenUp     *prometheus.CounterVec
	ignored     *prometheus.CounterVec
	latency     prometheus.Histogram
	backlog     prometheus.Gauge
	reloads     *prometheus.CounterVec
	// several replicas (see Claim, QueueDepth, Leading)
	claim  prometheus.Histogram
	depth  prometheus.Gauge
	leader prometheus.Gauge
}

// New returns the metrics registered on a new registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_updates_total",
			Help: "Telegram updates received, by type (text, command, callback, media, edited, channel_post, member, other).",
		}, []string{"type"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_answers_total",
			Help: "Replies from the answering core, by outcome (answer, not_sure, emergency, greeting, thanks, human, empty, error) and language.",
		}, []string{"outcome", "lang"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_escalations_total",
			Help: "Users shown the way to a person, by reason (not_sure, asked, button).",
		}, []string{"reason"}),
		emergencies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_emergencies_total",
			Help: "Messages answered as emergencies, by language.",
		}, []string{"lang"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_telegram_api_errors_total",
			Help: "Failed Telegram Bot API calls, by method and kind (bad_request, unauthorized, forbidden, not_found, conflict, too_many_requests, server, network, other).",
		}, []string{"method", "kind"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_telegram_calls_total",
			Help: "Bot API calls from the outgoing queue, by method and result (ok, failed, dropped, sent_before: accepted before a crash, not sent again).",
		}, []string{"method", "result"}),
		givenUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_telegram_calls_given_up_total",
			Help: "Bot API calls given up after Telegram answered 429, 5xx or not at all for longer than the retry limit, by method.",
		}, []string{"method"}),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_updates_ignored_total",
			Help: "Updates not answered on purpose, by reason (duplicate, flood, group, inactive, undecodable).",
		}, []string{"reason"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ankommen_update_handling_seconds",
			Help:    "Time from receiving an update until its replies were accepted by Telegram.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ankommen_updates_in_flight",
			Help: "Updates received and not handled yet.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ankommen_content_reloads_total",
			Help: "Reloads of edited content and locale files, by result (ok, failed: the last good version stays live).",
		}, []string{"result"}),
		claim: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ankommen_claim_seconds",
			Help:    "Time a claim of pending updates from the shared inbox took (replicas on PostgreSQL).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ankommen_queue_depth",
			Help: "Updates pending in the shared inbox, of all replicas (replicas on PostgreSQL).",
		}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ankommen_leader",
			Help: "1 while this replica is the one that polls Telegram (getUpdates), else 0.",
		}),
	}
	reg.MustRegister(m.claim, m.depth, m.leader)
	reg.MustRegister(m.updates, m.answers, m.escalations, m.emergencies, m.apiErrors, m.sent, m.givenUp, m.ignored, m.latency, m.backlog, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry returns the registry (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Reload counts a reload attempt; err is its failure or nil.
func (m *Metrics) Reload(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.reloads.WithLabelValues("failed").Inc()
		return
	}
	m.reloads.WithLabelValues("ok").Inc()
}

// Update counts a received update of the given type.
func (m *Metrics) Update(typ string) {
	if m != nil {
		m.updates.WithLabelValues(typ).Inc()
	}
}

// Answer counts a reply of the core. escalation, when set, is why the reply shows
// the way to a person: it is counted as an Escalation too.
func (m *Metrics) Answer(outcome, lang, escalation string) {
	if m == nil {
		return
	}
	m.answers.WithLabelValues(outcome, lang).Inc()
	if escalation != "" {
		m.escalations.WithLabelValues(escalation).Inc()
	}
}

// Escalation counts a user shown the way to a person.
func (m *Metrics) Escalation(reason string) {
	if m != nil {
		m.escalations.WithLabelValues(reason).Inc()
	}
}

// Emergency counts an emergency answer.
func (m *Metrics) Emergency(lang string) {
	if m != nil {
		m.emergencies.WithLabelValues(lang).Inc()
	}
}

// APIError counts a failed Bot API call.
func (m *Metrics) APIError(method, kind string) {
	if m != nil {
		m.apiErrors.WithLabelValues(method, kind).Inc()
	}
}

// Call counts the outcome of a queued Bot API call.
func (m *Metrics) Call(method, result string) {
	if m != nil {
		m.sent.WithLabelValues(method, result).Inc()
	}
}

// GivenUp counts a call given up after the retry limit.
func (m *Metrics) GivenUp(method string) {
	if m == nil {
		return
	}
	m.givenUp.WithLabelValues(method).Inc()
}

// Ignored counts an update not answered on purpose.
func (m *Metrics) Ignored(reason string) {
	if m != nil {
		m.ignored.WithLabelValues(reason).Inc()
	}
}

// Handled observes how long an update took, and that it left the backlog.
func (m *Metrics) Handled(d time.Duration) {
	if m != nil {
		m.latency.Observe(d.Seconds())
		m.backlog.Dec()
	}
}

// Backlog adds n (may be negative) to the updates in flight.
func (m *Metrics) Backlog(n int) {
	if m != nil {
		m.backlog.Add(float64(n))
	}
}

// Claim observes how long a claim of pending updates took.
func (m *Metrics) Claim(d time.Duration) {
	if m != nil {
		m.claim.Observe(d.Seconds())
	}
}

// QueueDepth sets the number of updates pending in the shared inbox.
func (m *Metrics) QueueDepth(n int64) {
	if m != nil {
		m.depth.Set(float64(n))
	}
}

// Leading records whether this replica polls Telegram.
func (m *Metrics) Leading(on bool) {
	if m == nil {
		return
	}
	if on {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}
