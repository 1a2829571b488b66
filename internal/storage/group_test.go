package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// Sent marks made at the same time share commits (group commit) and each
// still lands; a write that fails inside a shared batch fails alone.
func TestGroupedMarksEachLand(t *testing.T) {
	storagetest.Each(t, clock.Real{}, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		msgs := make([]storage.Outgoing, 12)
		for i := range msgs {
			msgs[i] = storage.Outgoing{ChatID: int64(100 + i), Payload: []byte("{}")}
		}
		ids, err := db.EnqueueOutgoing(ctx, msgs)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%5 == 3 {
					// a cancelled caller: its write fails, the others' do not
					cctx, cancel := context.WithCancel(ctx)
					cancel()
					errs[i] = db.MarkOutgoingSent(cctx, id, 1, 7)
					return
				}
				errs[i] = db.MarkOutgoingSent(ctx, id, 1, 7)
			}()
		}
		wg.Wait()
		rows, err := db.OutgoingByID(ctx, ids...)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cancelled := i%5 == 3
			switch {
			case cancelled && (errs[i] == nil || !errors.Is(errs[i], context.Canceled)):
				t.Errorf("row %d: cancelled mark returned %v", i, errs[i])
			case cancelled && r.State != storage.OutgoingPending:
				t.Errorf("row %d: cancelled mark left state %s", i, r.State)
			case !cancelled && (errs[i] != nil || r.State != storage.OutgoingSent || r.MessageID != 7):
				t.Errorf("row %d: mark returned %v, state %s, message %d", i, errs[i], r.State, r.MessageID)
			}
		}
	})
}
