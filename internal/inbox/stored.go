package inbox

import (
	"context"
	"fmt"
	"time"

	"salesbot/internal/storage"
)

// rescanEvery bounds how long a stored update can wait when no Wake came
// for it (one stored by another process on the same database).
const rescanEvery = 2 * time.Second

// followBatch is how many pending updates one scan loads.
const followBatch = 10_000

// Wake tells the inbox that updates were stored for it (by the webhook
// receiver). Wakes coalesce: many stores while a scan runs cause one more.
func (in *Inbox) Wake() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// follow is the webhook mode's receive loop: updates arrive in the
// database, not from getUpdates, so it dispatches what is pending — first
// what a previous run left, then whatever a Wake announces — each once.
// Stored order is update_id order, so each chat's updates reach its worker
// queue in order.
func (in *Inbox) follow(ctx context.Context, dispatch func(storage.StoredUpdate) bool) error {
	// dispatched holds the updates handed to a worker and maybe not done
	// yet; an id no longer pending is done and leaves the set.
	dispatched := map[int64]bool{}
	tick := time.NewTicker(rescanEvery)
	defer tick.Stop()
	first := true
	for {
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
		select {
		case <-ctx.Done():
			return nil
		case <-in.wake:
		case <-tick.C:
		}
	}
}
