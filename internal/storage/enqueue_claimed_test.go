package storage_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// A row stored claimed is claimed (and, asked, started) only when it is
// its chat's oldest pending row: behind another it is stored as any row,
// for the sender to claim in turn.
func TestEnqueueClaimedOnlyAtTheChatsHead(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		msg := func(chat int64) storage.Outgoing { return storage.Outgoing{ChatID: chat, Payload: []byte("{}")} }
		ids, ok, err := db.EnqueueClaimed(ctx, []storage.Outgoing{msg(1)}, "me", true)
		if err != nil || !ok {
			t.Fatalf("first row of chat 1: claimed %v, %v", ok, err)
		}
		first := ids[0]
		ids, ok, err = db.EnqueueClaimed(ctx, []storage.Outgoing{msg(1)}, "me", true)
		if err != nil || ok {
			t.Fatalf("second row of chat 1: claimed %v, %v; want stored unclaimed behind the first", ok, err)
		}
		second := ids[0]
		ids, ok, err = db.EnqueueClaimed(ctx, []storage.Outgoing{msg(2), msg(2)}, "me", false)
		if err != nil || !ok || len(ids) != 2 || ids[0] >= ids[1] {
			t.Fatalf("rows of chat 2: %v claimed %v, %v", ids, ok, err)
		}
		answer, after := ids[0], ids[1]
		rows, err := db.OutgoingByID(ctx, first, second, answer, after)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			owner    string
			attempts int
			started  bool
		}{{"me", 1, true}, {"", 0, false}, {"me", 0, false}, {"", 0, false}}
		for i, r := range rows {
			w := want[i]
			if r.Owner != w.owner || r.Attempts != w.attempts || r.StartedAt.IsZero() == w.started || r.State != storage.OutgoingPending {
				t.Errorf("row %d: owner %q, %d attempts, started %v, %s; want %+v", r.ID, r.Owner, r.Attempts, r.StartedAt, r.State, w)
			}
		}
		// The second waits for the first: not claimable until it is sent.
		if ok, err := db.ClaimOutgoing(ctx, rows[1], "me", t0.Add(-time.Minute), true); err != nil || ok {
			t.Fatalf("claim behind the chat's head: %v %v, want refused", ok, err)
		}
		if err := db.MarkOutgoingSent(ctx, first, 1, 7); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.ClaimOutgoing(ctx, rows[1], "me", t0.Add(-time.Minute), true); err != nil || !ok {
			t.Fatalf("claim of the chat's new head: %v %v", ok, err)
		}
	})
}

// A polled update is stored with its first attempt counted for the run
// that stores it; a crash of that run counts against it, a stop's take-back
// (EndAttempt) does not.
func TestStoreUpdatesBegun(t *testing.T) {
	storagetest.Each(t, clock.Real{}, func(t *testing.T, db *storage.DB) {
		ctx := storage.WithAttemptOwner(context.Background(), "run-1")
		err := db.StoreUpdates(ctx, []storage.StoredUpdate{
			{UpdateID: 1, ChatID: 5, Payload: []byte(`{"update_id":1}`), Begun: true},
			{UpdateID: 2, ChatID: 6, Payload: []byte(`{"update_id":2}`), Begun: true},
			{UpdateID: 3, ChatID: 7, Payload: []byte(`{"update_id":3}`)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EndAttempt(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if n, err := db.RecordCrash(ctx, "run-1"); err != nil || n != 1 {
			t.Fatalf("crash counted against %d updates (%v), want 1 (the one begun and not taken back)", n, err)
		}
		pending, err := db.PendingUpdates(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][2]int{1: {1, 1}, 2: {0, 0}, 3: {0, 0}} // attempts, crashes
		for _, u := range pending {
			if got := [2]int{u.Attempts, u.Crashes}; got != want[u.UpdateID] {
				t.Errorf("update %d: attempts, crashes = %v, want %v", u.UpdateID, got, want[u.UpdateID])
			}
		}
	})
}
