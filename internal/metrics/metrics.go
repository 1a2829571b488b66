// Package metrics is salesbot's instrumentation: the Prometheus series an
// operator scrapes from /metrics, all named salesbot_…, and the narrow
// hooks the rest of the program calls to feed them.
//
// Every hook is a method on *Metrics that does nothing on a nil receiver, so
// a package takes a *Metrics in its config and calls it unconditionally;
// tests and the console pass none. Series that describe state rather than
// events (inbox backlog, outbox depth, database pool) are read when scraped,
// from functions the wiring registers with Observe*, so nothing has to keep
// a copy of that state up to date.
package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	tgmodels "github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every series.
const Namespace = "salesbot"

// Metrics holds one process's series in its own registry (not the global
// one), so tests can run several bots in one process.
type Metrics struct {
	reg *prometheus.Registry

	received        *prometheus.CounterVec
	handled         *prometheus.CounterVec
	failed          *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	webhookRejected *prometheus.CounterVec
	followUps       *prometheus.CounterVec
	reports         *prometheus.CounterVec
	takenOver       *prometheus.CounterVec
	retryAfter      prometheus.Counter
	jobRuns         *prometheus.CounterVec
}

// New makes the series of one replica. replica and version label
// salesbot_build_info, so a dashboard can tell replicas and rollouts apart.
func New(replica, version string) *Metrics {
	reg := prometheus.NewRegistry()
	// The Go runtime and process collectors are the standard go_… and
	// process_… series, prefixed so everything salesbot exports is found
	// under one name.
	prefixed := prometheus.WrapRegistererWithPrefix(Namespace+"_", reg)
	prefixed.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	f := factory{reg}
	m := &Metrics{
		reg: reg,
		received: f.counterVec("updates_received_total",
			"Updates received from Telegram (webhook or getUpdates), by kind, before de-duplication.", "kind"),
		handled: f.counterVec("updates_handled_total",
			"Updates whose handler finished, by kind.", "kind"),
		failed: f.counterVec("updates_failed_total",
			"Updates whose handler failed (panicked) or that were given up, by kind.", "kind"),
		latency: f.histogramVec("update_handle_seconds",
			"Time from the start to the end of an update's handler, by kind.",
			[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}, "kind"),
		webhookRejected: f.counterVec("webhook_rejected_total",
			"Webhook requests refused, by reason (secret, method, size, json, store).", "reason"),
		followUps: f.counterVec("followups_total",
			"Follow-ups by outcome: queued (claimed, message stored), sent, late (of those sent), deferred, held, retried (refused, due again later), lost (delivered after the rep changed it).", "outcome"),
		reports: f.counterVec("reports_sent_total",
			"Scheduled reports sent, by kind (digest, summary, plan_reminder).", "kind"),
		takenOver: f.counterVec("claims_taken_over_total",
			"Work claimed by a replica that stopped heartbeating, taken over by this one, by what (update, followup, report, message).", "what"),
		retryAfter: f.counter("telegram_retry_after_seconds_total",
			"Seconds of retry_after the Bot API asked for in its 429 answers (every replica waits them out)."),
		jobRuns: f.counterVec("job_runs_total",
			"Periodic job runs on this replica, by job and result (ok, error).", "job", "result"),
	}
	info := f.gaugeVec("build_info", "Always 1; labels say which version runs under which replica name.", "version", "replica")
	info.WithLabelValues(version, replica).Set(1)
	return m
}

type factory struct{ reg prometheus.Registerer }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(v)
	return v
}

// Handler serves the series in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where the series live (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// UpdateReceived counts an update that arrived from Telegram.
func (m *Metrics) UpdateReceived(kind string) {
	if m != nil {
		m.received.WithLabelValues(kind).Inc()
	}
}

// UpdateHandled records one finished handler run and how long it took.
func (m *Metrics) UpdateHandled(kind string, took time.Duration, failed bool) {
	if m == nil {
		return
	}
	m.latency.WithLabelValues(kind).Observe(took.Seconds())
	if failed {
		m.failed.WithLabelValues(kind).Inc()
		return
	}
	m.handled.WithLabelValues(kind).Inc()
}

// UpdateGivenUp counts an update the inbox stopped trying to handle.
func (m *Metrics) UpdateGivenUp(kind string) {
	if m != nil {
		m.failed.WithLabelValues(kind).Inc()
	}
}

// WebhookRejected counts a webhook request refused for reason.
func (m *Metrics) WebhookRejected(reason string) {
	if m != nil {
		m.webhookRejected.WithLabelValues(reason).Inc()
	}
}

// FollowUps adds n follow-ups to an outcome (reminders.DispatchConfig.Observe).
func (m *Metrics) FollowUps(outcome string, n int) {
	if m != nil && n > 0 {
		m.followUps.WithLabelValues(outcome).Add(float64(n))
	}
}

// RetryAfter adds the pause a 429 asked for.
func (m *Metrics) RetryAfter(d time.Duration) {
	if m != nil {
		m.retryAfter.Add(d.Seconds())
	}
}

// ReportSent counts one scheduled report sent to one manager.
func (m *Metrics) ReportSent(kind string) {
	if m != nil {
		m.reports.WithLabelValues(kind).Inc()
	}
}

// ClaimTakenOver counts work taken over from a replica that died.
func (m *Metrics) ClaimTakenOver(what string, n int) {
	if m != nil && n > 0 {
		m.takenOver.WithLabelValues(what).Add(float64(n))
	}
}

// JobRun counts one run of a periodic job.
func (m *Metrics) JobRun(job string, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
}

// ObserveDB exports the connection pool's statistics, read with stats at
// each scrape, as salesbot_db_… (open, in use, idle, waits).
func (m *Metrics) ObserveDB(stats func() sql.DBStats) {
	if m != nil {
		m.reg.MustRegister(dbCollector(stats))
	}
}

var (
	dbMaxOpen = prometheus.NewDesc(Namespace+"_db_max_open_connections", "Most connections the pool may open.", nil, nil)
	dbOpen    = prometheus.NewDesc(Namespace+"_db_open_connections", "Connections open, in use or idle.", nil, nil)
	dbInUse   = prometheus.NewDesc(Namespace+"_db_in_use_connections", "Connections in use.", nil, nil)
	dbIdle    = prometheus.NewDesc(Namespace+"_db_idle_connections", "Idle connections.", nil, nil)
	dbWaits   = prometheus.NewDesc(Namespace+"_db_wait_total", "Times a query waited for a connection.", nil, nil)
	dbWaited  = prometheus.NewDesc(Namespace+"_db_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

type dbCollector func() sql.DBStats

func (dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbMaxOpen, dbOpen, dbInUse, dbIdle, dbWaits, dbWaited} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	s := c()
	ch <- prometheus.MustNewConstMetric(dbMaxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(dbOpen, prometheus.GaugeValue, float64(s.OpenConnections))
	ch <- prometheus.MustNewConstMetric(dbInUse, prometheus.GaugeValue, float64(s.InUse))
	ch <- prometheus.MustNewConstMetric(dbIdle, prometheus.GaugeValue, float64(s.Idle))
	ch <- prometheus.MustNewConstMetric(dbWaits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(dbWaited, prometheus.CounterValue, s.WaitDuration.Seconds())
}

// Backlog is what the inbox holds that is not handled yet.
type Backlog struct {
	Pending int64
	// Oldest is when the oldest pending update was received; zero if none.
	Oldest time.Time
}

// ObserveInbox exports salesbot_inbox_backlog and
// salesbot_inbox_oldest_pending_seconds, read with read at each scrape.
func (m *Metrics) ObserveInbox(read func(ctx context.Context) (Backlog, error), now func() time.Time, log *slog.Logger) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&inboxCollector{read: read, now: now, log: log})
}

// ObserveCounter exports a counter kept elsewhere (the outbox's own stats),
// read at each scrape.
func (m *Metrics) ObserveCounter(name, help string, read func() float64) {
	if m != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, read))
	}
}

// ObserveGauge exports a gauge kept elsewhere, read at each scrape.
func (m *Metrics) ObserveGauge(name, help string, read func() float64) {
	if m != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, read))
	}
}

// ObserveGaugeVec exports a labelled gauge kept elsewhere (the outbox's
// queue depth by priority), read at each scrape.
func (m *Metrics) ObserveGaugeVec(name, help, label string, read func() map[string]float64) {
	if m != nil {
		m.reg.MustRegister(&mapCollector{
			desc: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, []string{label}, nil),
			read: read,
		})
	}
}

var (
	backlogDesc = prometheus.NewDesc(Namespace+"_inbox_backlog",
		"Updates stored and not yet handled (all replicas).", nil, nil)
	oldestDesc = prometheus.NewDesc(Namespace+"_inbox_oldest_pending_seconds",
		"Age of the oldest update stored and not yet handled; 0 when none is pending.", nil, nil)
)

// inboxCollector queries the database once per scrape for both series.
type inboxCollector struct {
	read func(ctx context.Context) (Backlog, error)
	now  func() time.Time
	log  *slog.Logger
}

func (c *inboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- backlogDesc; ch <- oldestDesc }

func (c *inboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		// A scrape without the series shows as absent data; the database
		// being down is /readyz's to report.
		if c.log != nil {
			c.log.Warn("metrics: read inbox backlog", "err", err)
		}
		return
	}
	age := 0.0
	if !b.Oldest.IsZero() {
		age = max(0, c.now().Sub(b.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(b.Pending))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age)
}

type mapCollector struct {
	desc *prometheus.Desc
	read func() map[string]float64
}

func (c *mapCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *mapCollector) Collect(ch chan<- prometheus.Metric) {
	for k, v := range c.read() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, k)
	}
}

// UpdateKind names an update by its payload, as allowed_updates does
// ("message", "callback_query", ...); "other" for anything else.
func UpdateKind(u *tgmodels.Update) string {
	switch {
	case u == nil:
		return "other"
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}

// KindOfPayload is UpdateKind of an update's raw JSON, looking only at its
// top-level keys.
func KindOfPayload(raw []byte) string {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return "other"
	}
	for _, k := range []string{"message", "callback_query", "edited_message", "my_chat_member"} {
		if _, ok := keys[k]; ok {
			return k
		}
	}
	return "other"
}
