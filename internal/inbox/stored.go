package inbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"salesbot/internal/storage"
)

// rescanEvery bounds how long a stored update can wait when no Wake came
// for it: one stored by another replica, or a chat a dead replica held.
const rescanEvery = time.Second

// followBatch is how many pending updates one scan loads.
const followBatch = 10_000

// claimBatch is how many of a held chat's updates a worker handles before
// it lets go of the chat.
const claimBatch = 20

// notifier wakes every waiter at once (a closed channel), so one stored
// update can wake all idle workers; wakes while nobody waits are not lost,
// the next scan sees the rows anyway.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() notifier { return notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// Wake tells the inbox that updates were stored for it (by the webhook
// receiver).
func (in *Inbox) Wake() { in.wake.notify() }

// follow is the webhook mode's receive loop on a single replica (SQLite):
// updates arrive in the database, not from getUpdates, so it dispatches
// what is pending — first what a previous run left, then whatever a Wake
// announces — each once. Stored order is update_id order, so each chat's
// updates reach its worker queue in order.
func (in *Inbox) follow(ctx context.Context, dispatch func(storage.StoredUpdate) bool) error {
	// dispatched holds the updates handed to a worker and maybe not done
	// yet; an id no longer pending is done and leaves the set.
	dispatched := map[int64]bool{}
	first := true
	for {
		woken := in.wake.wait() // before the scan: a store during it wakes the next one
		pending, err := in.store.PendingUpdates(ctx, followBatch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if first {
				return fmt.Errorf("load pending updates: %w", err)
			}
			in.log.Warn("load pending updates; trying again", "err", err)
		} else {
			if first && len(pending) > 0 {
				in.log.Info("handling updates left pending by the last run", "count", len(pending))
			}
			still := make(map[int64]bool, len(pending))
			if len(pending) == followBatch {
				// The scan stopped short: what lies beyond it is unknown,
				// not done.
				for id := range dispatched {
					if id > pending[len(pending)-1].UpdateID {
						still[id] = true
					}
				}
			}
			for _, u := range pending {
				if dispatched[u.UpdateID] {
					still[u.UpdateID] = true
					continue
				}
				if !dispatch(u) {
					return nil
				}
				still[u.UpdateID] = true
			}
			dispatched = still
		}
		first = false
		t := time.NewTimer(rescanEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-woken:
		case <-t.C:
		}
		t.Stop()
	}
}

// ChatLocker is one worker's hold on chats in the shared database
// (storage.ChatLocker on PostgreSQL).
type ChatLocker interface {
	// Claim takes a chat with pending updates that nobody holds.
	Claim(ctx context.Context) (chatID int64, ok bool, err error)
	// Pending lists the held chat's pending updates in order.
	Pending(ctx context.Context, limit int) ([]storage.StoredUpdate, error)
	// Release lets go of the held chat.
	Release(ctx context.Context)
	// Alive is false once the session (and with it any hold) is lost.
	Alive() bool
	Close()
}

// runClaims is the inbox of one replica among several on PostgreSQL: every
// worker takes a chat nobody holds, handles its pending updates in
// update_id order and lets go, whichever replica stored them. A replica
// that dies loses its holds with its database sessions, and the chats are
// taken by the next worker to look (Wake, or within rescanEvery).
func (in *Inbox) runClaims(ctx context.Context) error {
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var wg sync.WaitGroup
	for range in.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.claimWorker(ctx, work)
		}()
	}
	<-ctx.Done()
	in.drain(&wg, stopWork, "drain timed out; unfinished updates stay pending for another replica or the next start")
	return nil
}

// claimWorker takes chats until ctx ends; handlers run with work, which
// outlives ctx by the drain.
func (in *Inbox) claimWorker(ctx, work context.Context) {
	var (
		l       ChatLocker
		backoff time.Duration
	)
	defer func() {
		if l != nil {
			l.Close()
		}
	}()
	pause := func(err error, what string) bool {
		backoff = nextBackoff(backoff)
		in.log.Warn(what, "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for ctx.Err() == nil {
		if l == nil || !l.Alive() {
			if l != nil {
				l.Close()
			}
			var err error
			if l, err = in.cfg.Claims(ctx); err != nil {
				l = nil
				if ctx.Err() != nil || !pause(err, "open chat-claim session") {
					return
				}
				continue
			}
		}
		woken := in.wake.wait()
		chat, ok, err := l.Claim(ctx)
		if err != nil {
			if ctx.Err() != nil || !pause(err, "claim a chat") {
				return
			}
			continue
		}
		backoff = 0
		if !ok {
			t := time.NewTimer(rescanEvery)
			select {
			case <-ctx.Done():
			case <-woken:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		in.handleChat(ctx, work, l, chat)
		l.Release(work)
	}
}

// handleChat handles the held chat's pending updates — one batch, then
// the worker lets go, so that with more busy chats than workers every chat
// gets its turn (Claim takes the chat whose oldest update waited longest)
// instead of a chat that keeps receiving holding its worker forever.
func (in *Inbox) handleChat(ctx, work context.Context, l ChatLocker, chat int64) {
	ups, err := l.Pending(work, claimBatch)
	if err != nil {
		in.log.Warn("load a chat's pending updates", "chat_id", chat, "err", err)
		return
	}
	for _, u := range ups {
		if ctx.Err() != nil || !l.Alive() {
			return
		}
		if u.Attempts > 0 {
			in.log.Info("resuming an update an earlier attempt did not finish (a stopped or dead replica)",
				"update_id", u.UpdateID, "chat_id", chat, "attempts", u.Attempts)
			in.cfg.Metrics.ClaimTakenOver("update", 1)
		}
		in.process(work, u)
	}
}
