// Package apptest starts the whole salesbot — real storage, real
// go-telegram/bot client, real inbox — against the fake Bot API, with a
// fake clock, for end-to-end tests.
package apptest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"salesbot/bot"
	"salesbot/internal/app"
	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
)

// Start is Monday 23 Nov 2026, 09:00 UTC.
var Start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Admin is the configured admin of every harness.
var Admin = tgfake.User{ID: 100, FirstName: "Ada", Username: "ada", LanguageCode: "en"}

// Harness is a running salesbot with its fake Telegram.
type Harness struct {
	T     testing.TB
	Fake  *tgfake.Server
	App   *app.App
	Clock *clock.Fake
	DSN   string
	Cfg   app.Config
	Log   *strings.Builder
	// Pace is the outbox's pacing clock: it moves only when the outbox
	// waits (flood limits, a 429's retry_after, back-off), so tests never
	// spend those waits and can read them in Pace.Slept().
	Pace    *outbox.VirtualTime
	handled *app.Handled
	// outcomes counts what became of follow-ups (Dispatch.Observe).
	outcomes sync.Map
	stop     context.CancelFunc
	done     chan error
}

// Option changes the harness's configuration before start.
type Option func(*Harness)

// WithDSN runs on the given database instead of a fresh SQLite file.
func WithDSN(dsn string) Option { return func(h *Harness) { h.DSN = dsn } }

// WithConfig edits the app configuration.
func WithConfig(fn func(*app.Config)) Option { return func(h *Harness) { fn(&h.Cfg) } }

// New starts salesbot on a fresh SQLite database; Admin is its admin.
func New(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	h := &Harness{T: t, Clock: clock.NewFake(Start), Log: &strings.Builder{}, Pace: outbox.NewVirtualTime(Start)}
	h.DSN = storagetest.SQLitePath(t)
	h.Cfg = app.Config{
		Token: "42:test-token", Admins: []int64{Admin.ID}, DefaultTZ: "UTC",
		PollTimeout: 2 * time.Second, DrainTimeout: 5 * time.Second, Workers: 4,
		PaceNow: h.Pace.Now, PaceSleep: h.Pace.Sleep,
		// Tests trigger periodic jobs themselves (h.Tick, h.App.RunJob).
		ManualJobs: true,
		// The fake clock stands still while a test types: the per-person
		// rate limit is off unless a test turns it on (WithConfig).
		UserRate: bot.RateLimit{Burst: -1},
	}
	for _, o := range opts {
		o(h)
	}
	observe := h.Cfg.Dispatch.Observe
	h.Cfg.Dispatch.Observe = func(outcome string, n int) {
		v, _ := h.outcomes.LoadOrStore(outcome, new(atomic.Int64))
		v.(*atomic.Int64).Add(int64(n))
		if observe != nil {
			observe(outcome, n)
		}
	}
	h.Fake = tgfake.New(tgfake.WithClock(h.Clock.Now))
	t.Cleanup(h.Fake.Close)
	h.start()
	t.Cleanup(h.Stop)
	return h
}

type lockedWriter struct {
	mu chan struct{}
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return l.w.Write(p)
}

func (h *Harness) start() {
	h.T.Helper()
	h.handled = app.NewHandled()
	cfg := h.Cfg
	cfg.DB = h.DSN
	cfg.APIURL = h.Fake.URL()
	cfg.OnUpdateDone = h.handled.Add
	log := slog.New(slog.NewTextHandler(&lockedWriter{mu: make(chan struct{}, 1), w: h.Log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), cfg, h.Clock, log)
	if err != nil {
		h.T.Fatalf("start salesbot: %v", err)
	}
	h.App = a
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- a.Run(ctx) }()
	// Start-up runs (follow-ups that fell due while down) finish first, so
	// tests see their outcome and do not race them.
	select {
	case <-a.Scheduler.CaughtUp():
	case <-time.After(30 * time.Second):
		h.T.Fatalf("start-up jobs did not finish\nlog:\n%s", h.Log.String())
	}
}

// TickStats is what became of follow-ups in one Tick, their messages sent
// or given up.
type TickStats struct{ Queued, Sent, Late, Deferred, Held, Retried, Lost int }

// Tick runs the follow-up dispatcher once, as its cron entry would, waits
// until the messages it queued are sent, given up or waiting for a later
// try, and returns what became of the follow-ups.
func (h *Harness) Tick() TickStats {
	h.T.Helper()
	before := h.outcomeCounts()
	if _, err := h.App.Dispatcher.Tick(context.Background()); err != nil {
		h.T.Fatalf("dispatcher tick: %v\nlog:\n%s", err, h.Log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.App.Queue.Settle(ctx); err != nil {
		h.T.Fatalf("outbox not settled: %v\nlog:\n%s", err, h.Log.String())
	}
	after := h.outcomeCounts()
	d := func(k string) int { return int(after[k] - before[k]) }
	return TickStats{Queued: d("queued"), Sent: d("sent"), Late: d("late"), Deferred: d("deferred"),
		Held: d("held"), Retried: d("retried"), Lost: d("lost")}
}

func (h *Harness) outcomeCounts() map[string]int64 {
	out := map[string]int64{}
	h.outcomes.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// Stop shuts salesbot down gracefully (idempotent).
func (h *Harness) Stop() {
	if h.stop == nil {
		return
	}
	h.stop()
	if err := <-h.done; err != nil {
		h.T.Errorf("salesbot stopped with error: %v", err)
	}
	_ = h.App.Close()
	h.stop = nil
}

// Flush waits until everything queued so far is sent (10 s at most).
func (h *Harness) Flush() {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.App.Queue.Flush(ctx); err != nil {
		h.T.Fatalf("outbox not flushed: %v\nlog:\n%s", err, h.Log.String())
	}
}

// Crash kills salesbot as SIGKILL would (App.Kill: nothing runs after
// it, nothing is drained) and starts it again on the same database and
// fake, as a supervisor restarting it at once would.
func (h *Harness) Crash() {
	h.T.Helper()
	h.App.Kill()
	h.stop()
	<-h.done // a killed app's Run may fail: that is the point
	_ = h.App.Close()
	h.stop = nil
	h.start()
}

// Settle waits until every update up to lastID is stored and handled and
// every queued message is sent or given up (20 s at most), whichever
// process instance did it. It polls the database: a restarted instance
// does not know what the killed one had started.
func (h *Harness) Settle(lastID int64) {
	h.T.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		last, err1 := h.App.DB.LastUpdateID(ctx)
		pending, err2 := h.App.DB.PendingUpdates(ctx, 1)
		out, err3 := h.App.DB.LastOutgoingID(ctx)
		unsent, err4 := h.App.DB.UnsentOutgoingUpTo(ctx, out)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			h.T.Fatalf("settle: %v", err)
		}
		if last >= lastID && len(pending) == 0 && unsent == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.T.Fatalf("not settled: last update %d of %d, %d pending, %d unsent\nlog:\n%s", last, lastID, len(pending), unsent, h.Log.String())
		}
		h.App.Queue.Wake()
		time.Sleep(5 * time.Millisecond) // polling a condition, not waiting for time to pass
	}
}

// Restart stops salesbot and starts it again on the same database and fake.
func (h *Harness) Restart() {
	h.T.Helper()
	h.Stop()
	h.start()
}

// Send writes text to the bot as u and returns what the bot then sent to
// u's chat.
func (h *Harness) Send(u tgfake.User, text string) []tgfake.Sent {
	h.T.Helper()
	n := len(h.Fake.Sent())
	return h.await(h.Fake.SendText(u, text), n, u.ID)
}

// Press presses a button under the bot's message and returns what the bot
// then sent to u's chat.
func (h *Harness) Press(u tgfake.User, messageID int, data string) []tgfake.Sent {
	h.T.Helper()
	n := len(h.Fake.Sent())
	return h.await(h.Fake.PressButton(u, messageID, data), n, u.ID)
}

// Await waits for an injected update to be handled and returns what the
// bot sent to chatID since Sent() had n records.
func (h *Harness) await(updateID int64, n int, chatID int64) []tgfake.Sent {
	h.T.Helper()
	h.Wait(updateID)
	var out []tgfake.Sent
	for _, s := range h.Fake.SentSince(n) {
		if s.ChatID == chatID && s.Method != "answerCallbackQuery" {
			out = append(out, s)
		}
	}
	return out
}

// Wait blocks until the update is handled (10 s at most).
func (h *Harness) Wait(updateID int64) {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.handled.Wait(ctx, updateID); err != nil {
		h.T.Fatalf("update %d not handled: %v\nlog:\n%s", updateID, err, h.Log.String())
	}
}

// Texts returns the texts of sent records.
func Texts(sent []tgfake.Sent) []string {
	out := make([]string, len(sent))
	for i, s := range sent {
		out[i] = s.Text
	}
	return out
}

// Joined is all texts joined by a blank line, for Contains checks.
func Joined(sent []tgfake.Sent) string { return strings.Join(Texts(sent), "\n\n") }

// MustContain fails unless some sent text contains every want.
func MustContain(t testing.TB, sent []tgfake.Sent, want ...string) {
	t.Helper()
	all := Joined(sent)
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Fatalf("bot said:\n%s\n\nwant it to contain %q", all, w)
		}
	}
}

// Postgres returns a DSN option for PostgreSQL, or skips the test.
func Postgres(t testing.TB) Option { return WithDSN(storagetest.PostgresDSN(t)) }

var inviteCodeRE = regexp.MustCompile(`Code: ([A-Z0-9]+)`)

// Member makes u a member of team with role ("rep" or "manager") the way
// people do it: the admin creates the team if it is missing and an invite,
// and u joins with the code.
func (h *Harness) Member(u tgfake.User, team, role string) {
	h.T.Helper()
	if _, err := h.App.DB.TeamByName(context.Background(), team); err != nil {
		MustContain(h.T, h.Send(Admin, "/newteam "+team), "Team "+team+" created")
	}
	got := h.Send(Admin, "/invite "+role+" "+team)
	m := inviteCodeRE.FindStringSubmatch(Joined(got))
	if m == nil {
		h.T.Fatalf("no invite code in %q", Joined(got))
	}
	MustContain(h.T, h.Send(u, "/join "+m[1]), team)
}

// Button finds the button whose text contains label in the sent records,
// newest message first, and returns its message id and callback data.
func Button(t testing.TB, sent []tgfake.Sent, label string) (int, string) {
	t.Helper()
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return sent[i].MessageID, b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in:\n%s", label, describe(sent))
	return 0, ""
}

// Tap presses the button labelled label among sent and returns what the
// bot then sent.
func (h *Harness) Tap(u tgfake.User, sent []tgfake.Sent, label string) []tgfake.Sent {
	h.T.Helper()
	id, data := Button(h.T, sent, label)
	return h.Press(u, id, data)
}

func describe(sent []tgfake.Sent) string {
	var sb strings.Builder
	for _, s := range sent {
		sb.WriteString(s.Text)
		for _, row := range s.Buttons {
			sb.WriteString("\n ")
			for _, b := range row {
				sb.WriteString(" [" + b.Text + " = " + b.Data + "]")
			}
		}
		sb.WriteString("\n---\n")
	}
	return sb.String()
}
