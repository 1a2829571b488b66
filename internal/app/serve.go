package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/bot"
	"salesbot/internal/inbox"
	"salesbot/internal/metrics"
	"salesbot/internal/ops"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/internal/webhook"
)

// Serve is how updates arrive and what the --listen address serves.
type Serve struct {
	// Listen is the HTTP address for the webhook, /healthz, /readyz and
	// /metrics; empty serves nothing (polling only).
	Listen string
	// WebhookURL, if set, receives updates by webhook instead of polling:
	// Telegram is pointed at it and its path is served on Listen.
	WebhookURL string
	// WebhookSecret is the secret_token Telegram sends with every delivery.
	WebhookSecret string
	// MaxConnections is setWebhook's max_connections (0: Telegram's 40).
	MaxConnections int
	// TLSCert and TLSKey serve HTTPS on Listen directly.
	TLSCert, TLSKey string
	// Replica names this process in logs and metrics (default host-pid).
	Replica string
	// Version is the binary's version, for salesbot_build_info.
	Version string
}

// Webhook tells whether updates come by webhook.
func (s Serve) Webhook() bool { return s.WebhookURL != "" }

// Check reports what is wrong with the settings, in the words of the flags.
func (s Serve) Check() error {
	if s.WebhookURL == "" {
		return nil
	}
	u, err := url.Parse(s.WebhookURL)
	// Telegram delivers only to https://; plain http:// is allowed to this
	// machine, for a local Bot API server and tests.
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return errors.New("the webhook URL must be an https:// URL Telegram can reach, e.g. https://bot.example.com/telegram")
	}
	if s.Listen == "" {
		return errors.New("a webhook needs an address to serve it on: --listen :8443 (or SALESBOT_LISTEN)")
	}
	if err := webhook.CheckSecret(s.WebhookSecret); err != nil {
		return err
	}
	if s.MaxConnections < 0 || s.MaxConnections > 100 {
		return errors.New("max connections is 1–100 (Telegram's default: 40)")
	}
	return nil
}

// ReplicaName is host-pid unless one was configured.
func (s Serve) ReplicaName() string {
	if s.Replica != "" {
		return s.Replica
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "salesbot"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// webhookPath is where the webhook is served: the URL's path, which the
// reverse proxy forwards unchanged.
func (s Serve) webhookPath() string {
	u, err := url.Parse(s.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// instrument registers the series read from state at scrape time.
func (a *App) instrument() {
	m := a.Metrics
	m.ObserveDB(a.DB.PoolStats)
	m.ObserveInbox(func(ctx context.Context) (metrics.Backlog, error) {
		n, oldest, err := a.DB.InboxBacklog(ctx)
		return metrics.Backlog{Pending: n, Oldest: oldest}, err
	}, a.Clock.Now, a.Log)
	m.ObserveCounter("messages_sent_total", "Bot API calls that delivered something (message parts, edits, files, callback answers).",
		func() float64 { return float64(a.Outbox.Stats().Sent) })
	m.ObserveCounter("telegram_429_total", "429 Too Many Requests answers from the Bot API.",
		func() float64 { return float64(a.Outbox.Stats().TooMany) })
	m.ObserveCounter("outbox_retries_total", "Bot API calls tried again after a failure.",
		func() float64 { return float64(a.Outbox.Stats().Retries) })
	m.ObserveCounter("outbox_failed_total", "Messages given up on after their attempts.",
		func() float64 { return float64(a.Outbox.Stats().Failed) })
	m.ObserveGaugeVec("outbox_queue_depth", "Messages stored and not yet sent (all replicas), by priority.", "priority",
		func() map[string]float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			depth, err := a.DB.OutgoingDepth(ctx)
			if err != nil {
				a.Log.Warn("metrics: read outbox depth", "err", err)
				return nil
			}
			return map[string]float64{
				"interactive": float64(depth[int(outbox.Interactive)]),
				"bulk":        float64(depth[int(outbox.Bulk)]),
			}
		})
	m.ObserveGauge("followups_due", "Follow-ups whose time has come and that no dispatcher has taken yet (all replicas).",
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := a.DB.CountDueFollowUps(ctx, a.Clock.Now())
			if err != nil {
				a.Log.Warn("metrics: count due follow-ups", "err", err)
			}
			return float64(n)
		})
}

// meter is the innermost handler middleware: it times each update and
// counts it handled or failed (a panic, which Recover outside it answers).
func (a *App) meter(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, tg *tgbot.Bot, upd *tgmodels.Update) {
		start := time.Now()
		kind := metrics.UpdateKind(upd)
		defer func() {
			if p := recover(); p != nil {
				a.Metrics.UpdateHandled(kind, time.Since(start), true)
				panic(p)
			}
			a.Metrics.UpdateHandled(kind, time.Since(start), false)
		}()
		next(ctx, tg, upd)
	}
}

// countingStore counts polled updates as received where they enter the
// inbox (the webhook receiver counts its own).
type countingStore struct {
	*storage.DB
	m *metrics.Metrics
}

func (s countingStore) StoreUpdates(ctx context.Context, ups []storage.StoredUpdate) error {
	if err := s.DB.StoreUpdates(ctx, ups); err != nil {
		return err
	}
	for _, u := range ups {
		s.m.UpdateReceived(metrics.KindOfPayload(u.Payload))
	}
	return nil
}

// intake is how updates reach the inbox, as /readyz sees it.
type intake struct {
	// polling: the last getUpdates succeeded (polling mode).
	polled  atomic.Bool
	pollErr atomic.Value // error text of the last failed getUpdates

	// webhook: registered at start, and still ours at Telegram, looked
	// up at most every webhookRecheck.
	mu        sync.Mutex
	checkedAt time.Time
	hookErr   error
}

// webhookRecheck bounds how often /readyz asks Telegram whether the webhook
// is still ours (someone running salesbot without --webhook on the same
// token removes it).
const webhookRecheck = 30 * time.Second

func (a *App) onPoll(err error) {
	if err == nil {
		a.intake.polled.Store(true)
		return
	}
	a.intake.polled.Store(false)
	a.intake.pollErr.Store(a.secrets.Error(err).Error())
}

// readiness lists what /readyz checks.
func (a *App) readiness() []ops.Check {
	checks := []ops.Check{
		{Name: "database", Run: a.DB.Ping},
		{Name: "schema", Run: func(ctx context.Context) error {
			v, err := a.DB.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			// A newer schema is a rolling upgrade in progress: the new
			// version's migrations keep the previous version working.
			if v < storage.LatestSchemaVersion() {
				return fmt.Errorf("schema at %s, this binary needs %s (run salesbot migrate)", v, storage.LatestSchemaVersion())
			}
			return nil
		}},
	}
	if a.Cfg.Serve.Webhook() {
		return append(checks, ops.Check{Name: "webhook", Run: a.checkWebhook})
	}
	return append(checks, ops.Check{Name: "polling", Run: func(context.Context) error {
		if a.intake.polled.Load() {
			return nil
		}
		if e, _ := a.intake.pollErr.Load().(string); e != "" {
			return errors.New(e)
		}
		return errors.New("not polling yet")
	}})
}

// checkWebhook tells whether Telegram still delivers to our URL.
func (a *App) checkWebhook(ctx context.Context) error {
	in := &a.intake
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.checkedAt.IsZero() {
		return errors.New("webhook not registered yet")
	}
	if time.Since(in.checkedAt) < webhookRecheck {
		return in.hookErr
	}
	info, err := a.TG.GetWebhookInfo(ctx)
	switch {
	case err != nil:
		// Telegram unreachable says nothing about this replica; keep the
		// last answer and ask again next time.
		a.Log.Warn("readyz: get webhook info", "err", a.secrets.Error(err))
		return in.hookErr
	case info.URL != a.Cfg.Serve.WebhookURL:
		in.hookErr = fmt.Errorf("Telegram delivers to %q, not to %s (was salesbot started without --webhook on this token?)", info.URL, a.Cfg.Serve.WebhookURL)
	default:
		in.hookErr = nil
	}
	in.checkedAt = time.Now()
	return in.hookErr
}

// startIntake starts what the updates arrive by: it serves --listen and, in
// webhook mode, points Telegram at the webhook; in polling mode it removes
// any webhook, since the two exclude each other at Telegram. It returns the
// server to shut down (nil if none).
func (a *App) startIntake(ctx context.Context) (*ops.Server, error) {
	s := a.Cfg.Serve
	var srv *ops.Server
	if s.Listen != "" {
		cfg := ops.Config{
			Addr: s.Listen, TLSCert: s.TLSCert, TLSKey: s.TLSKey,
			Metrics: a.Metrics, Checks: a.readiness(), Log: a.Log,
		}
		if s.Webhook() {
			rc, err := webhook.New(webhook.Config{
				Secret: s.WebhookSecret, Store: a.DB, ChatOf: bot.ChatOf, Wake: a.Inbox.Wake,
				Log: a.Log, Metrics: a.Metrics,
			})
			if err != nil {
				return nil, err
			}
			cfg.Webhook, cfg.WebhookPath = rc, s.webhookPath()
		}
		var err error
		if srv, err = ops.Listen(cfg); err != nil {
			return nil, err
		}
	}
	if !s.Webhook() {
		if _, err := a.TG.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
			a.Log.Warn("delete webhook", "err", a.secrets.Error(err))
		}
		return srv, nil
	}
	// Listening first: Telegram starts delivering as soon as it is told.
	err := webhook.Register(ctx, a.TG, webhook.Registration{
		URL: s.WebhookURL, Secret: s.WebhookSecret, MaxConnections: s.MaxConnections,
	})
	if err != nil {
		if srv != nil {
			_ = srv.Shutdown(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("can't register the webhook: %w", a.secrets.Error(err))
	}
	a.intake.mu.Lock()
	a.intake.checkedAt = time.Now()
	a.intake.mu.Unlock()
	a.Log.Info("webhook registered", "url", s.WebhookURL)
	return srv, nil
}

// inboxStore is what the inbox stores polled updates in.
func (a *App) inboxStore() inbox.Store { return countingStore{DB: a.DB, m: a.Metrics} }

// countRuns counts each run of a periodic job.
func (a *App) countRuns(name string, run func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := run(ctx)
		a.Metrics.JobRun(name, err)
		return err
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// chatClaims is how the inbox's workers share chats with other replicas:
// on PostgreSQL in webhook mode each worker takes chats from the database;
// otherwise (polling — Telegram allows one poller — or SQLite) this process
// is the only replica and feeds its workers itself.
func (a *App) chatClaims() func(ctx context.Context) (inbox.ChatLocker, error) {
	if !a.Cfg.Serve.Webhook() || a.DB.Dialect() != storage.Postgres {
		return nil
	}
	return func(ctx context.Context) (inbox.ChatLocker, error) { return a.DB.NewChatLocker(ctx) }
}

// soleReplica refuses a second `salesbot run` on one SQLite file: SQLite has
// no way to share the inbox between processes (and each would handle every
// update). It holds an exclusive lock on a file beside the database until
// release; the kernel drops it when the process dies. On PostgreSQL any
// number of replicas may run.
func (a *App) soleReplica() (release func(), err error) {
	if a.DB.Dialect() != storage.SQLite {
		return func() {}, nil
	}
	path := a.Cfg.DB + ".run-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("can't open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		return nil, fmt.Errorf("another salesbot run (%s) is using %s: SQLite serves one replica; for several, use PostgreSQL (SALESBOT_DB=postgres://…, README \"Several replicas\")",
			strings.TrimSpace(string(holder)), a.Cfg.DB)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("replica %s, pid %d\n", a.Cfg.Serve.ReplicaName(), os.Getpid())), 0)
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// sendBudget is the outbox's share of the deployment's send rate: on
// PostgreSQL a ledger row every replica reserves from (so the global limit
// holds for all of them together, and a 429 pauses all of them); on SQLite
// the one replica's own limit. Either way it counts the pauses asked for.
func (a *App) sendBudget() outbox.SharedBudget {
	b := &budget{m: a.Metrics, log: a.Log}
	if a.DB.Dialect() == storage.Postgres {
		global := a.Cfg.Limits.Global
		if global <= 0 {
			global = outbox.DefaultLimits().Global
		}
		shared, err := a.DB.SendBudget(storage.TelegramBudget, global)
		if err == nil {
			b.shared = shared
		}
	}
	return b
}

type budget struct {
	shared *storage.SendBudget
	m      *metrics.Metrics
	log    *slog.Logger
	// failing logs a database outage once, not per message.
	failing atomic.Bool
}

func (b *budget) Reserve(ctx context.Context) (time.Duration, error) {
	if b.shared == nil {
		return 0, nil
	}
	d, err := b.shared.Reserve(ctx)
	if err != nil {
		if !b.failing.Swap(true) {
			b.log.Warn("shared send budget unreachable; this replica keeps its own limit meanwhile", "err", err)
		}
		return 0, err
	}
	if b.failing.Swap(false) {
		b.log.Info("shared send budget reachable again")
	}
	return d, nil
}

func (b *budget) Pause(ctx context.Context, d time.Duration) error {
	b.m.RetryAfter(d)
	if b.shared == nil {
		return nil
	}
	return b.shared.Pause(ctx, d)
}
