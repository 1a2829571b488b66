// Package app wires salesbot together: storage, the Telegram client, the
// handlers and the inbox. cmd/salesbot and end-to-end tests start the whole
// program through it.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/bot"
	"salesbot/internal/clock"
	"salesbot/internal/crashlog"
	"salesbot/internal/inbox"
	"salesbot/internal/metrics"
	"salesbot/internal/outbox"
	"salesbot/internal/redact"
	"salesbot/internal/reports"
	"salesbot/internal/storage"
	"salesbot/models"
	"salesbot/reminders"
)

// DefaultAPIURL is Telegram's Bot API.
const DefaultAPIURL = "https://api.telegram.org"

// Config is everything the program is told at start.
type Config struct {
	Token     string
	DB        string // SQLite path or postgres:// URL
	APIURL    string
	Admins    []int64
	DefaultTZ string
	Workers   int
	// PollTimeout is the long-poll wait; tests shorten it.
	PollTimeout  time.Duration
	DrainTimeout time.Duration
	// OnUpdateDone is called after each update is handled (console mode).
	OnUpdateDone func(updateID int64)

	// Limits are the outgoing flood limits (zero: Telegram's).
	Limits outbox.Limits
	// PaceNow and PaceSleep are the outbox's pacing clock (tests pass an
	// outbox.VirtualTime's); nil is the wall clock.
	PaceNow   func() time.Time
	PaceSleep func(ctx context.Context, d time.Duration) error
	// Dispatch tunes the follow-up dispatcher; DispatchEvery is how often
	// it looks for due follow-ups (default 10 s).
	Dispatch      reminders.DispatchConfig
	DispatchEvery time.Duration
	// ManualJobs leaves periodic jobs to the caller (tests call them):
	// the start-up runs happen, cron does not start.
	ManualJobs bool
	// Locales replaces the embedded catalogue (bot/locales) with the
	// *.toml files of another file system; tests add a language with it.
	Locales fs.FS
	// Serve is how updates arrive (polling or webhook) and what --listen
	// serves (serve.go).
	Serve Serve
	// CrashDir, when set, keeps this run's crash file (package crashlog).
	// At start, the runs found dead there that crashed — rather than
	// being killed from outside — count against the updates they were
	// handling, so the inbox gives up on an update that crashes the bot,
	// never on one a SIGKILL merely interrupted. Empty: no crash is ever
	// told apart, and only the inbox's MaxAttempts deaths give up.
	CrashDir string
	// UserRate bounds each person's messages (zero: bot.DefaultRateLimit;
	// a negative Burst: no limit).
	UserRate bot.RateLimit
	// Faults are crash-test hooks at the pipeline's step boundaries.
	Faults Faults
}

// Faults are crash-test hooks (internal/app's crash test): each runs at a
// step boundary of handling an update or sending a message, where the test
// kills the app (Kill).
type Faults struct {
	// BeforeCommit runs in an update's transaction after its handler;
	// AfterCommit right after the transaction committed.
	BeforeCommit, AfterCommit func(updateID int64)
	// AfterClaim runs after the dispatcher claimed follow-ups, or a
	// report was queued, and before their messages are sent.
	AfterClaim func()
	Outbox     outbox.Faults
}

// App is a running salesbot.
type App struct {
	Cfg    Config
	DB     *storage.DB
	TG     *tgbot.Bot
	Bot    *bot.Bot
	Inbox  *inbox.Inbox
	Outbox *outbox.Outbox
	// Queue is the durable outbox: every message is stored, then sent.
	Queue      *outbox.Queue
	Dispatcher *reminders.Dispatcher
	Scheduler  *reminders.Scheduler
	Log        *slog.Logger
	Clock      clock.Clock
	// Reports sends the scheduled digests, summaries and plan reminders.
	Reports *reports.Scheduler
	// Metrics are the series /metrics serves.
	Metrics *metrics.Metrics
	intake  intake
	// secrets masks the token in errors (logs are masked by the handler).
	secrets *redact.Secrets

	// Made on the way, for the parts made after them.
	cat      *bot.Catalogue
	username string
	builder  *reports.Builder
	killed   atomic.Bool
	// runID names this run in the updates it begins handling; crash is
	// its crash file (Cfg.CrashDir).
	runID string
	crash *crashlog.Log
}

// Names of the periodic jobs (salesbot job NAME).
const (
	JobFollowUps   = "followups"
	JobExpireForms = "expire-forms"
	JobReports     = "reports"
	JobPrune       = "prune"
)

// JobNames lists the periodic jobs in name order, the same as the
// scheduler of a started App has (a test keeps the two equal), so `salesbot
// job` can list them without a token or a database.
func JobNames() []string { return []string{JobExpireForms, JobFollowUps, JobPrune, JobReports} }

// keepUpdates is how long handled updates are kept: a week, enough to
// debug a complaint.
const keepUpdates = 7 * 24 * time.Hour

// ErrNoToken is returned when no bot token is configured.
var ErrNoToken = errors.New("no Telegram bot token")

// New builds salesbot, each part with what it needs at construction, in
// dependency order: the database, the language catalogue, the Bot API
// client (with the bot's name) and the outbox on it, the bot, the periodic
// jobs (follow-up dispatch, report sending, ...) and the inbox. A failure
// says which part could not be made; what was opened is closed.
func New(ctx context.Context, cfg Config, clk clock.Clock, log *slog.Logger) (*App, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if clk == nil {
		clk = clock.Real{}
	}
	// Every log line of every component goes through the token's mask.
	secrets := redact.New(cfg.Token)
	log = slog.New(secrets.Handler(log.Handler()))
	replica := cfg.Serve.ReplicaName()
	a := &App{Cfg: cfg, Log: log.With("replica", replica), Clock: clk, Metrics: metrics.New(replica, cfg.Serve.Version), secrets: secrets}
	a.runID = replica + "-" + randomHex(6)
	for _, step := range []func(context.Context) error{a.openDB, a.readCrashes, a.loadCatalogue, a.connect, a.makeBot, a.makeJobs, a.makeInbox} {
		if err := step(ctx); err != nil {
			if a.DB != nil {
				a.DB.Close()
			}
			return nil, err
		}
	}
	a.instrument()
	return a, nil
}

// withDefaults checks the configuration and fills in what was left out.
func (cfg Config) withDefaults() (Config, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return cfg, ErrNoToken
	}
	if err := cfg.Serve.Check(); err != nil {
		return cfg, err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.DefaultTZ == "" {
		cfg.DefaultTZ = "UTC"
	}
	if cfg.DrainTimeout == 0 {
		cfg.DrainTimeout = 10 * time.Second
	}
	if cfg.DispatchEvery <= 0 {
		cfg.DispatchEvery = 10 * time.Second
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.Dispatch.DefaultLoc == nil {
		cfg.Dispatch.DefaultLoc = models.LoadLocation(cfg.DefaultTZ)
	}
	return cfg, nil
}

// openDB opens and migrates the database.
func (a *App) openDB(ctx context.Context) error {
	db, err := storage.Open(a.Cfg.DB, a.Clock)
	if err != nil {
		return fmt.Errorf("can't open database: %w", err)
	}
	a.DB = db
	db.SizePool(a.Cfg.Workers)
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("can't migrate database: %w", err)
	}
	return nil
}

// readCrashes opens this run's crash file and counts the crashes of the
// dead runs found beside it against the updates they were handling.
func (a *App) readCrashes(ctx context.Context) error {
	if a.Cfg.CrashDir == "" {
		return nil
	}
	l, dead, err := crashlog.Open(a.Cfg.CrashDir, a.runID)
	if err != nil {
		return fmt.Errorf("can't open the crash log: %w", err)
	}
	a.crash = l
	for _, run := range dead {
		if !run.Crashed() {
			continue // killed from outside: what it was handling is not to blame
		}
		n, err := a.DB.RecordCrash(ctx, run.Owner)
		if err != nil {
			return err
		}
		a.Log.Error("the last run crashed; the updates it was handling count it", "run", run.Owner,
			"updates", n, "output", run.Output)
	}
	return nil
}

// CrashOutput is the file the Go runtime should write a crash to
// (debug.SetCrashOutput, which is the process's, so main calls it), nil
// without Cfg.CrashDir.
func (a *App) CrashOutput() *os.File {
	if a.crash == nil {
		return nil
	}
	return a.crash.File()
}

// CrashInHandling makes the app die as a panic escaping a handler would:
// the runtime's crash output written, then killed. For crash tests.
func (a *App) CrashInHandling(output string) {
	if err := a.crash.Crash(output); err != nil {
		a.Log.Warn("simulate a crash", "err", err)
	}
	a.Kill()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loadCatalogue reads the language catalogue: the embedded one, or the
// configured files.
func (a *App) loadCatalogue(context.Context) error {
	var err error
	if a.Cfg.Locales != nil {
		a.cat, err = bot.LoadCatalogue(a.Cfg.Locales)
	} else {
		a.cat, err = bot.NewCatalogue()
	}
	if err != nil {
		return fmt.Errorf("can't load language catalogue: %w", err)
	}
	return nil
}

// connect makes the Bot API client, asks for the bot's name and puts the
// outbox on the client. The client hands each update to the bot, which is
// made after it (the bot sends through the outbox, the outbox through the
// client): its handler and middlewares reach the bot through the App.
func (a *App) connect(ctx context.Context) error {
	cfg, log, secrets := a.Cfg, a.Log, a.secrets
	tg, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithDefaultHandler(func(ctx context.Context, tg *tgbot.Bot, upd *tgmodels.Update) { a.Bot.Handle(ctx, tg, upd) }),
		tgbot.WithMiddlewares(a.meter),
		// Handlers run inside the inbox's workers, which keep per-chat
		// order; the library must not spawn a goroutine per update.
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithHTTPClient(cfg.PollTimeout, &http.Client{Timeout: 30 * time.Second, Transport: Transport()}),
		tgbot.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", secrets.Error(err)) }),
	)
	if err != nil {
		return fmt.Errorf("can't connect to the Bot API: %w", secrets.Error(err))
	}
	a.TG = tg
	me, err := tg.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("can't get the bot's name: %w", secrets.Error(err))
	}
	a.username = me.Username
	limits := cfg.Limits
	limits.Shared = a.sendBudget()
	a.Outbox = outbox.New(tg, outbox.Config{Limits: limits, Now: cfg.PaceNow, Sleep: cfg.PaceSleep, Log: log})
	a.Queue = outbox.NewQueue(a.DB, a.Outbox, outbox.QueueConfig{Owner: a.sendOwner(), Faults: cfg.Faults.Outbox, Log: log,
		TakenOver: func(n int) { a.Metrics.ClaimTakenOver("message", n) },
		// Whoever waits for each update's replies (OnUpdateDone) learns
		// their count as they are stored, not by reading them back.
		TrackUpdates: cfg.OnUpdateDone != nil})
	return nil
}

// sendOwner names this process in the outbox's claims. On SQLite only one
// process runs at a time (soleReplica), so every claim left in the file is
// a dead predecessor's and the name is fixed: a restart resumes them at
// once. On PostgreSQL it is the replica's name: a replica restarted under a
// configured name (--replica) resumes its own at once, others' are taken
// over once their heartbeat is a few seconds old.
func (a *App) sendOwner() string {
	if a.DB.Dialect() == storage.SQLite {
		return "sqlite"
	}
	return a.Cfg.Serve.ReplicaName()
}

// makeBot makes the handlers, with the report builder the report sending
// shares.
func (a *App) makeBot(context.Context) error {
	a.builder = reports.NewBuilder(a.DB, a.Clock)
	a.Bot = bot.New(bot.Config{Admins: a.Cfg.Admins, DefaultTZ: a.Cfg.DefaultTZ, BotUsername: a.username, RateLimit: a.Cfg.UserRate}, bot.Parts{
		Store: a.DB, Catalogue: a.cat, Clock: a.Clock, Send: a.Queue, Reports: a.builder, Log: a.Log,
	})
	return nil
}

// makeJobs makes the follow-up dispatcher and the report sending, and the
// periodic jobs that run them.
func (a *App) makeJobs(context.Context) error {
	log := a.Log
	dispatch := a.Cfg.Dispatch
	dispatch.AfterClaim = a.Cfg.Faults.AfterClaim
	dispatch.Observe = func(outcome string, n int) {
		a.Metrics.FollowUps(outcome, n)
		if a.Cfg.Dispatch.Observe != nil {
			a.Cfg.Dispatch.Observe(outcome, n)
		}
	}
	a.Dispatcher = reminders.NewDispatcher(a.DB, a.Queue,
		func(f *models.FollowUp, to reminders.Recipient, now time.Time) outbox.Message {
			return a.Bot.FollowUpMessage(f, to.Lang, to.Loc, now)
		}, a.Clock, dispatch, log)
	a.Reports = &reports.Scheduler{DB: a.DB, Builder: a.builder, Render: a.Bot, Queue: a.Queue, Clock: a.Clock, Log: log,
		Sent: a.Metrics.ReportSent, AfterQueue: a.Cfg.Faults.AfterClaim}
	a.Queue.Handle(storage.SourceReport, a.Reports.SourceHooks())
	a.Scheduler = reminders.NewScheduler(log)
	for _, j := range []reminders.Job{
		{Name: JobFollowUps, Spec: fmt.Sprintf("@every %s", a.Cfg.DispatchEvery), AtStart: true, Run: func(ctx context.Context) error {
			st, err := a.Dispatcher.Tick(ctx)
			if st != (reminders.TickStats{}) {
				log.Info("follow-ups dispatched", "queued", st.Queued, "deferred", st.Deferred, "held", st.Held)
			}
			return err
		}},
		// Reports look at start and each minute for what is due in each
		// team's zone and not yet recorded (so downtime is caught up at
		// once, marked late if it is); the record keeps each once.
		{Name: JobReports, Spec: "@every 1m", AtStart: true, Run: a.Reports.SendDue},
		{Name: JobExpireForms, Spec: "@every 1m", AtStart: true, Run: func(ctx context.Context) error {
			if _, err := a.Bot.ExpireForms(ctx); err != nil {
				return err
			}
			return a.Queue.Flush(ctx) // `salesbot job` exits after the notices left
		}},
		{Name: JobPrune, Spec: "@every 1h", Run: a.prune},
	} {
		j.Run = a.countRuns(j.Name, j.Run)
		if err := a.Scheduler.Add(j); err != nil {
			return fmt.Errorf("can't schedule %s: %w", j.Name, err)
		}
	}
	return nil
}

// makeInbox makes the intake of updates: each one stored, then handed to
// the Bot API client's handlers.
func (a *App) makeInbox(context.Context) error {
	cfg := a.Cfg
	// The replies an update's transaction stored are sent as it commits
	// (outbox.Queue.Kick, run by storage.AfterCommit), by a free worker of
	// the outbox, without a wait for its head loop.
	var onDone func(int64)
	if cfg.OnUpdateDone != nil {
		// Callers waiting for an update (the console, tests) want its
		// replies out, not just decided.
		onDone = func(id int64) {
			a.Queue.WhenSent(context.Background(), id, func() { cfg.OnUpdateDone(id) })
		}
	}
	a.Inbox = inbox.New(inbox.Config{
		APIURL: cfg.APIURL, Token: cfg.Token, PollTimeout: cfg.PollTimeout, Workers: cfg.Workers,
		DrainTimeout: cfg.DrainTimeout, Log: a.Log, OnDone: onDone,
		Owner: a.runID, OnGiveUp: a.Bot.GiveUp, OnPanic: a.Bot.Apologize,
		BeforeCommit: cfg.Faults.BeforeCommit, AfterCommit: cfg.Faults.AfterCommit,
		Webhook: cfg.Serve.Webhook(), OnPoll: a.onPoll, Claims: a.chatClaims(), Metrics: a.Metrics,
	}, a.inboxStore(), func(ctx context.Context, upd *tgmodels.Update) error { return a.Bot.Process(ctx, a.TG, upd) }, bot.ChatOf)
	return nil
}

// prune deletes history nobody needs any more: handled inbox updates,
// messages sent (or given up) and silent processes, after a week.
func (a *App) prune(ctx context.Context) error {
	cutoff := a.Clock.Now().Add(-keepUpdates)
	updates, err := a.DB.PruneUpdates(ctx, cutoff)
	if err != nil {
		return err
	}
	sent, err := a.DB.PruneOutgoing(ctx, cutoff)
	if err != nil {
		return err
	}
	if err := a.DB.PruneProcesses(ctx, cutoff); err != nil {
		return err
	}
	if updates+sent > 0 {
		a.Log.Info("pruned history", "updates", updates, "outgoing", sent)
	}
	return nil
}

// Run serves until ctx ends, then drains and returns.
func (a *App) Run(ctx context.Context) error {
	release, err := a.soleReplica()
	if err != nil {
		return err
	}
	defer release()
	srv, err := a.startIntake(ctx)
	if err != nil {
		return err
	}
	a.Bot.RegisterCommands(ctx, a.TG)
	a.Log.Info("salesbot is running", "db", string(a.DB.Dialect()), "webhook", a.Cfg.Serve.Webhook())
	// The outbox first: the start-up jobs wait for their messages to leave.
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()
	a.Queue.Start(sendCtx)
	// Periodic jobs on cron; at start the dispatcher sends what fell due
	// while the bot was down.
	if err := a.Scheduler.Start(ctx, a.Cfg.ManualJobs); err != nil {
		return fmt.Errorf("can't start the scheduler: %w", err)
	}
	// Stopping: the listener stops taking webhooks at once (the proxy
	// sends them to other replicas) while the inbox drains.
	served := make(chan error, 1)
	go func() {
		if srv == nil {
			served <- nil
			return
		}
		<-ctx.Done()
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Cfg.DrainTimeout)
		defer cancel()
		served <- srv.Shutdown(stop)
	}()
	err = a.Inbox.Run(ctx)
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Cfg.DrainTimeout)
	defer cancel()
	a.Scheduler.Stop(stop)
	// Replies of the updates just handled go out before the stop, within
	// the drain time; what is left is sent at the next start.
	if a.Cfg.DrainTimeout > 0 && !a.killed.Load() {
		if err := a.Queue.Flush(stop); err != nil {
			a.Log.Warn("unsent messages stay queued for the next start", "err", err)
		}
	}
	stopSending()
	<-a.Queue.Done()
	if serr := <-served; serr != nil && err == nil {
		err = serr
	}
	return err
}

// RunJob runs one periodic job now (salesbot job NAME, tests); the outbox
// runs meanwhile, and the job's messages are out when it returns.
func (a *App) RunJob(ctx context.Context, name string) error {
	a.Queue.Start(ctx)
	if err := a.Scheduler.RunOnce(ctx, name); err != nil {
		return err
	}
	return a.Queue.Flush(ctx)
}

// Kill stops the app the way SIGKILL would, for crash tests: from now on
// no database statement runs (storage.DB.Kill) and nothing is drained;
// what was committed stays. Run then returns.
func (a *App) Kill() {
	a.killed.Store(true)
	a.crash.Abandon()
	a.DB.Kill()
}

// Transport is the HTTP transport to the Bot API: it keeps enough idle
// connections for the dispatcher's concurrent sends. (Go's default keeps
// two per host, so a burst would open — and TLS-handshake — a connection
// for nearly every message.)
func Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 256
	return t
}

// Close releases the database.
func (a *App) Close() error { return errors.Join(a.crash.Close(), a.DB.Close()) }
