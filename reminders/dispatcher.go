// Package reminders sends follow-ups when they are due and runs salesbot's
// periodic jobs.
//
// The Dispatcher has no timer per follow-up: each Tick asks the database
// for what is due (an indexed range scan of the queue), and claims a batch
// in one transaction with the messages that deliver them, stored in the
// outbox's table (outbox.Queue). The queue sends them with its pacing and
// retries and, in the transaction of each message's sent mark, records the
// follow-up sent (or, if Telegram refuses it, held or due again later).
//
// Guarantee: a due follow-up is delivered at least once, by one replica;
// twice only when the process died after Telegram accepted its message and
// before the mark committed (outbox.Queue's one window, BENCHMARKS.md),
// and then the second copy says "you may have got this once already" —
// never otherwise. Nothing waits out a lease after a crash: a restarted
// process resumes the messages it had claimed at once, and another replica
// takes over a dead one's within seconds (the claim is the outgoing row,
// with its owner's heartbeat). Memory is that of one batch, whatever the
// number pending: the dispatcher keeps at most InFlight follow-ups queued
// (PerOwner per rep), so reminders never crowd the queue ahead of replies.
// The Scheduler triggers Tick every few seconds (cron) and once at start,
// which is how follow-ups that fell due while the bot was down go out.
package reminders

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Queue is the durable outbox the dispatcher stores messages in.
type Queue interface {
	EnqueueDeliveries(ctx context.Context, source string, items []outbox.Delivery) ([]int64, error)
	Handle(source string, h outbox.SourceHooks)
	Wake()
	Changed() <-chan struct{}
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
	// Batch is how many follow-ups one claim takes at most (default 200),
	// and InFlight how many may be queued and not yet sent (default 64:
	// two seconds at Telegram's 30/s, four per worker of the queue): a
	// burst waits in the follow-ups table, not in the queue, whose every
	// read of its heads visits all pending rows.
	Batch, InFlight int
	// PerOwner caps one owner's follow-ups queued at once, so one rep with
	// many due (1 message/s in their chat) does not hold up everyone, nor
	// their own replies (default 2).
	PerOwner int
	// RetryBackoff is the wait after Telegram refused a follow-up's
	// message, doubling with each attempt up to MaxRetryBackoff (defaults
	// 30 s and 15 min). Transient failures are the queue's to retry.
	RetryBackoff, MaxRetryBackoff time.Duration
	// DefaultLoc is the zone of owners who set none and have no team
	// (default UTC).
	DefaultLoc *time.Location
	// Observe, when set, is told what became of follow-ups, by outcome:
	// queued, sent, late (of those sent), deferred, held, retried, lost
	// (delivered after the rep changed it); metrics.FollowUps fits.
	Observe func(outcome string, n int)
	// AfterClaim, when set (crash tests), runs after a claim committed
	// and before its messages are sent.
	AfterClaim func()
}

func (c DispatchConfig) withDefaults() DispatchConfig {
	c.Batch = cmp.Or(max(c.Batch, 0), 200)
	c.InFlight = cmp.Or(max(c.InFlight, 0), 64)
	c.PerOwner = cmp.Or(max(c.PerOwner, 0), 2)
	c.RetryBackoff = cmp.Or(max(c.RetryBackoff, 0), 30*time.Second)
	c.MaxRetryBackoff = cmp.Or(max(c.MaxRetryBackoff, 0), 15*time.Minute)
	if c.DefaultLoc == nil {
		c.DefaultLoc = time.UTC
	}
	return c
}

// Dispatcher sends due follow-ups.
type Dispatcher struct {
	store  *storage.DB
	queue  Queue
	render Renderer
	clock  clock.Clock
	cfg    DispatchConfig
	log    *slog.Logger
}

// NewDispatcher returns a Dispatcher storing messages in queue; it
// registers with the queue what to record when they are sent or refused.
func NewDispatcher(store *storage.DB, queue Queue, render Renderer, clk clock.Clock, cfg DispatchConfig, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{store: store, queue: queue, render: render, clock: clk, cfg: cfg.withDefaults(), log: log}
	queue.Handle(storage.SourceFollowUp, outbox.SourceHooks{Sent: d.sent, Failed: d.failed})
	return d
}

// TickStats say what one Tick did.
type TickStats struct {
	Queued   int // claimed, their messages handed to the outbox
	Deferred int // moved to a later time: quiet hours, days off, away
	Held     int // parked until their owner can be reached again
}

// stallWait is how long Tick waits for the queue to make room before it
// leaves the rest to the next tick (the queue may be pausing for a 429 or
// retrying later).
const stallWait = 2 * time.Second

// Tick queues everything due now and returns when nothing is left to
// queue (or ctx ends, or the queue makes no room for stallWait). Several
// Ticks, in this process or others, may run at once: claims keep them from
// queueing the same follow-up twice.
func (d *Dispatcher) Tick(ctx context.Context) (TickStats, error) {
	var st TickStats
	defer func() {
		d.observe("deferred", st.Deferred)
		d.observe("held", st.Held)
	}()
	for ctx.Err() == nil {
		changed := d.queue.Changed()
		inflight, total, err := d.store.SendingFollowUps(ctx)
		if err != nil {
			return st, err
		}
		// Claim again only when half a batch has room: a burst costs one
		// claim per half batch, not one per message sent.
		room := min(d.cfg.Batch, d.cfg.InFlight-total)
		if room <= 0 || total > 0 && room < min(d.cfg.Batch, d.cfg.InFlight)/2 {
			if !d.wait(ctx, changed) {
				return st, nil
			}
			continue
		}
		now := d.clock.Now()
		// Twice the room: some listed may be deferred, held or capped.
		due, err := d.store.DueFollowUps(ctx, now, 2*room)
		if err != nil {
			return st, err
		}
		if len(due) == 0 {
			return st, nil // anything later is the next tick's
		}
		picked := map[int64]int{}
		var ids []int64
		byID := map[int64]storage.DueFollowUp{}
		moved := false
		for _, f := range due {
			if len(ids) >= room {
				break
			}
			switch act, at := d.decide(&f, now); act {
			case actHold:
				if err := d.store.HoldFollowUp(ctx, f.ID, f.SendAt); err != nil {
					return st, err
				}
				st.Held++
				moved = true
				continue
			case actDefer:
				if err := d.store.DeferFollowUp(ctx, f.ID, f.SendAt, at); err != nil {
					return st, err
				}
				st.Deferred++
				moved = true
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
			if !moved && (total == 0 || !d.wait(ctx, changed)) {
				return st, nil // only owners at their cap are due: theirs go first
			}
			continue
		}
		n, err := d.claim(ctx, ids, byID, now)
		if err != nil {
			return st, err
		}
		if d.cfg.AfterClaim != nil {
			d.cfg.AfterClaim()
		}
		st.Queued += n
		d.observe("queued", n)
		d.queue.Wake()
	}
	return st, nil
}

// wait returns true when the queue finished a message, false after
// stallWait or when ctx ends.
func (d *Dispatcher) wait(ctx context.Context, changed <-chan struct{}) bool {
	t := time.NewTimer(stallWait)
	defer t.Stop()
	select {
	case <-changed:
		// More finish meanwhile: count the room once for them all.
		select {
		case <-time.After(roomPause):
		case <-ctx.Done():
		}
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

// roomPause is how long Tick lets the queue work before counting its room
// again (a count visits every queued follow-up).
const roomPause = 20 * time.Millisecond

// claim claims ids and stores their messages in one transaction, so a
// follow-up is sending exactly when its message is queued.
func (d *Dispatcher) claim(ctx context.Context, ids []int64, byID map[int64]storage.DueFollowUp, now time.Time) (int, error) {
	n := 0
	err := d.store.InTx(ctx, func(ctx context.Context) error {
		claimed, err := d.store.ClaimFollowUps(ctx, ids, now)
		if err != nil {
			return err
		}
		msgs := make([]outbox.Delivery, 0, len(claimed))
		for _, f := range claimed {
			due := byID[f.ID]
			msg := d.render(f, Recipient{UserID: due.OwnerID, ChatID: due.ChatID, Lang: due.Lang, Loc: d.loc(&due)}, now)
			msg.ChatID, msg.Priority, msg.EditMessageID = due.ChatID, outbox.Bulk, 0
			msgs = append(msgs, outbox.Delivery{SourceID: f.ID, Message: msg})
		}
		// One statement for the batch's messages.
		if _, err := d.queue.EnqueueDeliveries(ctx, storage.SourceFollowUp, msgs); err != nil {
			return fmt.Errorf("queue %d follow-ups: %w", len(msgs), err)
		}
		n = len(claimed)
		return nil
	})
	return n, err
}

func (d *Dispatcher) observe(outcome string, n int) {
	if d.cfg.Observe != nil && n > 0 {
		d.cfg.Observe(outcome, n)
	}
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

// sent records a follow-up's message accepted, in the transaction of its
// outgoing row's mark.
func (d *Dispatcher) sent(ctx context.Context, row storage.Outgoing, messageID int) error {
	f, ok, err := d.store.FollowUpDelivered(ctx, row.SourceID, row.ChatID, messageID)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		// Completed, snoozed or cancelled while its message was queued.
		d.log.Info("follow-up delivered after it changed", "follow_up_id", row.SourceID, "state", f.State)
		d.observe("lost", 1)
	case f.Late:
		d.observe("sent", 1)
		d.observe("late", 1)
	default:
		d.observe("sent", 1)
	}
	return nil
}

// failed records why a follow-up's message was given up, in the
// transaction that gave it up: its owner is unreachable (held until they
// write), or Telegram refused it (due again after a back-off, as a new
// message).
func (d *Dispatcher) failed(ctx context.Context, row storage.Outgoing, cause error) error {
	f, err := d.store.FollowUp(ctx, storage.System, row.SourceID)
	if err != nil {
		return err
	}
	unreachable := outbox.KindOf(cause) == outbox.Unreachable
	if unreachable {
		d.log.Warn("user unreachable; their follow-ups are held until they write", "user_id", f.OwnerID, "err", cause)
		d.observe("held", 1)
	} else {
		d.log.Error("Telegram refused a follow-up; trying again later", "follow_up_id", f.ID, "attempt", f.Attempts, "err", cause)
		d.observe("retried", 1)
	}
	return d.store.FollowUpUndelivered(ctx, f.ID, unreachable, d.clock.Now().Add(d.backoff(f.Attempts)), cause.Error())
}

func (d *Dispatcher) backoff(attempts int) time.Duration {
	w := d.cfg.RetryBackoff
	for i := 1; i < attempts && w < d.cfg.MaxRetryBackoff; i++ {
		w *= 2
	}
	return min(w, d.cfg.MaxRetryBackoff)
}
