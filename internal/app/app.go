// Package app wires salesbot together: storage, the Telegram client, the
// handlers and the inbox. cmd/salesbot and end-to-end tests start the whole
// program through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/bot"
	"salesbot/internal/clock"
	"salesbot/internal/inbox"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
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
}

// App is a running salesbot.
type App struct {
	Cfg   Config
	DB    *storage.DB
	TG    *tgbot.Bot
	Bot   *bot.Bot
	Inbox *inbox.Inbox
	Log   *slog.Logger
	Clock clock.Clock
}

// ErrNoToken is returned when no bot token is configured.
var ErrNoToken = errors.New("no Telegram bot token")

// New opens and migrates the database and connects to the Bot API.
func New(ctx context.Context, cfg Config, clk clock.Clock, log *slog.Logger) (*App, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, ErrNoToken
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
	if clk == nil {
		clk = clock.Real{}
	}
	db, err := storage.Open(cfg.DB, clk)
	if err != nil {
		return nil, fmt.Errorf("can't open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("can't migrate database: %w", err)
	}
	cat, err := bot.NewCatalogue()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("can't load language catalogue: %w", err)
	}
	a := &App{Cfg: cfg, DB: db, Log: log, Clock: clk}
	a.Bot = bot.New(bot.Config{Admins: cfg.Admins, DefaultTZ: cfg.DefaultTZ}, db, cat, clk, nil, log)

	pollTimeout := cfg.PollTimeout
	if pollTimeout == 0 {
		pollTimeout = 50 * time.Second
	}
	tg, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithDefaultHandler(a.Bot.Handle),
		tgbot.WithMiddlewares(a.Bot.Recover),
		// Handlers run inside the inbox's workers, which keep per-chat
		// order; the library must not spawn a goroutine per update.
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithHTTPClient(pollTimeout, &http.Client{Timeout: 30 * time.Second}),
		tgbot.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", redact(err, cfg.Token)) }),
	)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("can't connect to the Bot API: %w", redact(err, cfg.Token))
	}
	a.TG = tg
	a.Bot.SetSender(outbox.New(tg, outbox.Config{Log: log}))
	me, err := tg.GetMe(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("can't get the bot's name: %w", redact(err, cfg.Token))
	}
	a.Bot.SetUsername(me.Username)

	a.Inbox = inbox.New(inbox.Config{
		APIURL: cfg.APIURL, Token: cfg.Token, PollTimeout: pollTimeout, Workers: cfg.Workers,
		DrainTimeout: cfg.DrainTimeout, Log: log, OnDone: cfg.OnUpdateDone,
	}, db, func(ctx context.Context, upd *tgmodels.Update) { tg.ProcessUpdate(ctx, upd) }, bot.ChatOf)
	return a, nil
}

// Run serves until ctx ends, then drains and returns.
func (a *App) Run(ctx context.Context) error {
	// Polling and a webhook exclude each other at Telegram.
	if _, err := a.TG.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		a.Log.Warn("delete webhook", "err", redact(err, a.Cfg.Token))
	}
	a.Bot.RegisterCommands(ctx, a.TG)
	a.Log.Info("salesbot is running", "db", string(a.DB.Dialect()))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.every(ctx, time.Minute, "expire idle forms", func(ctx context.Context) error {
			_, err := a.Bot.ExpireForms(ctx)
			return err
		})
	}()
	err := a.Inbox.Run(ctx)
	wg.Wait()
	return err
}

// every runs job each interval until ctx ends, logging failures.
func (a *App) every(ctx context.Context, interval time.Duration, name string, job func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error(name, "err", err)
			}
		}
	}
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

func redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
}
