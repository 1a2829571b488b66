// Package reminders sends follow-ups when they are due and runs salesbot's
// periodic jobs.
//
// The Dispatcher has no timer per follow-up: each Tick asks the database
// for what is due (an indexed range scan of the queue), claims a batch,
// sends it through the outbox and records the outcome, until nothing is
// due. Memory is that of one batch, whatever the number pending. The
// Scheduler triggers Tick every few seconds (cron) and once at start, which
// is how follow-ups that fell due while the bot was down go out at start.
// See storage's "Delivery guarantee" for what claiming buys and the one gap
// it cannot close.
package reminders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Sender delivers messages (the outbox).
type Sender interface {
	Send(ctx context.Context, m outbox.Message) (int, error)
}

// Recipient is whom a follow-up's message is for: their language and zone.
type Recipient struct {
	UserID int64
	ChatID int64
	Lang   string
	Loc    *time.Location
}

// Renderer makes a follow-up's message (text and buttons) for its owner;
// the Telegram layer owns the words.
type Renderer func(f *models.FollowUp, to Recipient, now time.Time) outbox.Message

// DispatchConfig tunes a Dispatcher; zero values take the defaults.
type DispatchConfig struct {
	// Workers is how many sends are in flight at once (default 16: enough
	// to keep Telegram's 30/s busy at a few hundred ms per request).
	Workers int
	// Batch is how many follow-ups one claim takes (default 200).
	Batch int
	// PerOwner caps one owner's follow-ups in flight, so one rep with many
	// due (1 message/s in their chat) does not hold up everyone (default 2).
	PerOwner int
	// Lease is how long a claim holds; a send is cancelled before it runs
	// out (default 5 min).
	Lease time.Duration
	// RetryBackoff is the wait after a failed attempt, doubling with each
	// attempt up to MaxRetryBackoff (defaults 30 s and 15 min).
	RetryBackoff, MaxRetryBackoff time.Duration
	// DefaultLoc is the zone of owners who set none and have no team
	// (default UTC).
	DefaultLoc *time.Location
}

func (c DispatchConfig) withDefaults() DispatchConfig {
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Batch <= 0 {
		c.Batch = 200
	}
	if c.PerOwner <= 0 {
		c.PerOwner = 2
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Minute
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 30 * time.Second
	}
	if c.MaxRetryBackoff <= 0 {
		c.MaxRetryBackoff = 15 * time.Minute
	}
	if c.DefaultLoc == nil {
		c.DefaultLoc = time.UTC
	}
	return c
}

// Dispatcher sends due follow-ups.
type Dispatcher struct {
	store  *storage.DB
	send   Sender
	render Renderer
	clock  clock.Clock
	cfg    DispatchConfig
	log    *slog.Logger

	// afterSend, when set (tests), runs between Telegram accepting a
	// message and the row being marked sent — the gap a crash can hit;
	// returning true simulates the crash: the row is left as it is.
	afterSend func(f *models.FollowUp) (crash bool)
}

// NewDispatcher returns a Dispatcher.
func NewDispatcher(store *storage.DB, send Sender, render Renderer, clk clock.Clock, cfg DispatchConfig, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{store: store, send: send, render: render, clock: clk, cfg: cfg.withDefaults(), log: log}
}

// TickStats say what one Tick did.
type TickStats struct {
	Sent     int // delivered (Late of them late)
	Late     int
	Deferred int // moved to a later time: quiet hours, days off, away
	Held     int // parked until their owner can be reached again
	Retried  int // failed for now; back in the queue with a back-off
	Lost     int // delivered, but the claim had been lost (see storage)
}

type tickCounters struct{ sent, late, deferred, held, retried, lost atomic.Int64 }

func (c *tickCounters) stats() TickStats {
	return TickStats{Sent: int(c.sent.Load()), Late: int(c.late.Load()), Deferred: int(c.deferred.Load()),
		Held: int(c.held.Load()), Retried: int(c.retried.Load()), Lost: int(c.lost.Load())}
}

type job struct {
	due   storage.DueFollowUp
	f     *models.FollowUp
	token string
	lease time.Time
}

// Marking a follow-up sent is a write; SQLite has one writer, and one
// transaction per message caps a burst at a few hundred a second. So the
// workers hand their successes to a recorder that commits them in groups
// (up to markBatch, or whatever came in markEvery). That widens the gap of
// the delivery guarantee (see storage) by at most markEvery.
const (
	markBatch = 200
	markEvery = 20 * time.Millisecond
)

// Tick sends everything due now and returns when nothing is left to do (or
// ctx ends). Several Ticks, in this process or others, may run at once:
// claims keep them from sending the same follow-up.
func (d *Dispatcher) Tick(ctx context.Context) (TickStats, error) {
	var c tickCounters
	marks := make(chan storage.SentMark, 4*markBatch)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		d.record(ctx, marks, &c)
	}()
	// A claimed batch waits here while the next is listed and claimed, so
	// the workers never wait for the database.
	jobs := make(chan job, d.cfg.Batch)
	var (
		mu       sync.Mutex
		inflight = map[int64]int{}
		total    int
		wake     = make(chan struct{}, 1)
		wg       sync.WaitGroup
	)
	for i := 0; i < d.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				d.deliver(ctx, j, marks, &c)
				mu.Lock()
				inflight[j.due.OwnerID]--
				if inflight[j.due.OwnerID] == 0 {
					delete(inflight, j.due.OwnerID)
				}
				total--
				mu.Unlock()
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}()
	}
	err := d.produce(ctx, jobs, &c, func() (map[int64]int, int) {
		mu.Lock()
		defer mu.Unlock()
		cp := make(map[int64]int, len(inflight))
		for k, v := range inflight {
			cp[k] = v
		}
		return cp, total
	}, func(owner int64) {
		mu.Lock()
		inflight[owner]++
		total++
		mu.Unlock()
	}, wake)
	close(jobs)
	wg.Wait()
	close(marks)
	<-recorded
	return c.stats(), err
}

// record commits successes in groups until marks is closed.
func (d *Dispatcher) record(ctx context.Context, marks <-chan storage.SentMark, c *tickCounters) {
	batch := make([]storage.SentMark, 0, markBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		lost, err := d.store.MarkFollowUpsSent(rec, batch)
		if err != nil {
			// The rows stay claimed; after the lease they are sent again,
			// flagged as possible repeats. See storage.
			d.log.Error("mark follow-ups sent", "count", len(batch), "err", err)
			batch = batch[:0]
			return
		}
		gone := map[int64]bool{}
		for _, id := range lost {
			gone[id] = true
			d.log.Warn("follow-up delivered after its claim was lost", "follow_up_id", id)
		}
		for _, m := range batch {
			switch {
			case gone[m.ID]:
				c.lost.Add(1)
			case m.Late:
				c.sent.Add(1)
				c.late.Add(1)
			default:
				c.sent.Add(1)
			}
		}
		batch = batch[:0]
	}
	t := time.NewTicker(markEvery)
	defer t.Stop()
	for {
		select {
		case m, ok := <-marks:
			if !ok {
				flush()
				return
			}
			batch = append(batch, m)
			if len(batch) >= markBatch {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}

// produce lists, decides, claims and hands out work until nothing is due.
// It lists again only when at most half a batch is waiting, so a burst
// costs one query per half batch, not one per message.
func (d *Dispatcher) produce(ctx context.Context, jobs chan job, c *tickCounters,
	busy func() (map[int64]int, int), started func(owner int64), wake <-chan struct{}) error {
	wait := func() {
		select {
		case <-wake:
		case <-ctx.Done():
		}
	}
	for ctx.Err() == nil {
		if len(jobs) > d.cfg.Batch/2 {
			wait()
			continue
		}
		now := d.clock.Now()
		room := d.cfg.Batch - len(jobs)
		// Twice the room: some listed may be deferred, held or capped.
		due, err := d.store.DueFollowUps(ctx, now, 2*room)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil // what is claimed goes out; anything later is the next tick's
		}
		inflight, total := busy()
		picked := map[int64]int{}
		var ids []int64
		byID := map[int64]storage.DueFollowUp{}
		changed := false
		for _, f := range due {
			if len(ids) >= room {
				break
			}
			switch act, at := d.decide(&f, now); act {
			case actHold:
				if err := d.store.HoldFollowUp(ctx, f.ID, f.SendAt); err != nil {
					return err
				}
				c.held.Add(1)
				changed = true
				continue
			case actDefer:
				if err := d.store.DeferFollowUp(ctx, f.ID, f.SendAt, at); err != nil {
					return err
				}
				c.deferred.Add(1)
				changed = true
				continue
			}
			if inflight[f.OwnerID]+picked[f.OwnerID] >= d.cfg.PerOwner {
				continue // later, after this owner's earlier ones
			}
			picked[f.OwnerID]++
			ids = append(ids, f.ID)
			byID[f.ID] = f
		}
		if len(ids) == 0 {
			switch {
			case changed:
			case total == 0:
				return nil // cannot happen (nothing in flight, yet capped): never spin
			default:
				wait() // only owners at their cap are due: one of theirs must finish
			}
			continue
		}
		token := newToken()
		lease := now.Add(d.cfg.Lease)
		claimed, err := d.store.ClaimFollowUps(ctx, ids, token, now, lease)
		if err != nil {
			return err
		}
		for _, f := range claimed {
			started(byID[f.ID].OwnerID)
			jobs <- job{due: byID[f.ID], f: f, token: token, lease: lease} // room was checked
		}
	}
	return nil
}

// loc is the zone the owner reads times in.
func (d *Dispatcher) loc(f *storage.DueFollowUp) *time.Location {
	if f.UserTZ == "" && f.TeamTZ == "" {
		return d.cfg.DefaultLoc
	}
	return f.Location()
}

type action int

const (
	actSend action = iota
	actDefer
	actHold
)

func (d *Dispatcher) decide(f *storage.DueFollowUp, now time.Time) (action, time.Time) {
	if !f.Active || f.Unreachable || f.ChatID == 0 {
		return actHold, time.Time{}
	}
	at := models.SendAt(&models.FollowUp{DueAt: f.DueAt, Exact: f.Exact}, now, d.loc(f), f.Hours, f.Away)
	if at.After(now) {
		return actDefer, at
	}
	return actSend, now
}

// deliver sends one claimed follow-up and records what happened.
func (d *Dispatcher) deliver(ctx context.Context, j job, marks chan<- storage.SentMark, c *tickCounters) {
	// The send must end before the claim does, or a second dispatcher
	// could take the follow-up while this one's message is on its way.
	// (A timeout, not a deadline: the lease is on the injected clock.)
	margin := d.cfg.Lease / 10
	sendCtx, cancel := context.WithTimeout(ctx, j.lease.Sub(d.clock.Now())-margin)
	defer cancel()
	to := Recipient{UserID: j.due.OwnerID, ChatID: j.due.ChatID, Lang: j.due.Lang, Loc: d.loc(&j.due)}
	now := d.clock.Now()
	msg := d.render(j.f, to, now)
	msg.ChatID, msg.Priority, msg.EditMessageID = j.due.ChatID, outbox.Bulk, 0
	id, err := d.send.Send(sendCtx, msg)

	// Record the outcome even when shutting down: the message is out.
	rec, cancelRec := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancelRec()
	if err == nil {
		if d.afterSend != nil && d.afterSend(j.f) {
			return
		}
		sentAt := d.clock.Now()
		marks <- storage.SentMark{ID: j.f.ID, Token: j.token, ChatID: j.due.ChatID, MessageID: id, SentAt: sentAt, Late: j.f.IsLate(sentAt)}
		return
	}

	switch outbox.KindOf(err) {
	case outbox.Unreachable:
		d.log.Warn("user unreachable; their follow-ups are held until they write", "user_id", j.due.OwnerID, "err", err)
		if err := d.store.SetUnreachable(rec, j.due.OwnerID, true); err != nil {
			d.log.Error("mark user unreachable", "user_id", j.due.OwnerID, "err", err)
		}
		if err := d.store.HoldClaimedFollowUp(rec, j.f.ID, j.token, err.Error()); err != nil {
			d.log.Error("hold follow-up", "follow_up_id", j.f.ID, "err", err)
		}
		c.held.Add(1)
		return
	case outbox.Rejected:
		d.log.Error("Telegram rejected a follow-up; retrying later", "follow_up_id", j.f.ID, "err", err)
	default:
		d.log.Warn("follow-up not sent; retrying later", "follow_up_id", j.f.ID, "attempt", j.f.Attempts, "err", err)
	}
	if ctx.Err() != nil {
		// Shutting down: the next start sends it.
		d.requeue(rec, j.f, j.token, now, "interrupted by shutdown", outbox.MaybeDelivered(err))
		c.retried.Add(1)
		return
	}
	wait := d.backoff(j.f.Attempts)
	var oe *outbox.Error
	if errors.As(err, &oe) && oe.RetryAfter > wait {
		wait = oe.RetryAfter
	}
	d.requeue(rec, j.f, j.token, d.clock.Now().Add(wait), err.Error(), outbox.MaybeDelivered(err))
	c.retried.Add(1)
}

func (d *Dispatcher) requeue(ctx context.Context, f *models.FollowUp, token string, at time.Time, why string, maybeSent bool) {
	if err := d.store.RetryFollowUp(context.WithoutCancel(ctx), f.ID, token, at, why, maybeSent); err != nil {
		// The claim's lease brings it back anyway.
		d.log.Error("requeue follow-up", "follow_up_id", f.ID, "err", err)
	}
}

func (d *Dispatcher) backoff(attempts int) time.Duration {
	w := d.cfg.RetryBackoff
	for i := 1; i < attempts && w < d.cfg.MaxRetryBackoff; i++ {
		w *= 2
	}
	return min(w, d.cfg.MaxRetryBackoff)
}

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
