package storage_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// A dead process's claimed messages are freed as soon as its process lock
// is free and it missed its beats; a live one's (lock held) never are, nor
// those of a process that still beats without a lock (an older version).
func TestReleaseDeadClaims(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	db := storagetest.Postgres(t, clk)
	ctx := context.Background()
	ids, err := db.EnqueueOutgoing(ctx, []storage.Outgoing{{ChatID: 1, Payload: []byte("{}")}, {ChatID: 2, Payload: []byte("{}")}})
	if err != nil {
		t.Fatal(err)
	}
	for i, owner := range []string{"dead", "beating"} {
		if err := db.Beat(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.ClaimOutgoing(ctx, storage.Outgoing{ID: ids[i]}, owner, t0.Add(-time.Minute), false); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
	}
	release, err := db.HoldProcessLock(ctx, "dead")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	if err := db.Beat(ctx, "beating"); err != nil {
		t.Fatal(err)
	}
	silent := clk.Now().Add(-3 * time.Second)
	if n, err := db.ReleaseDeadClaims(ctx, "me", silent); err != nil || n != 0 {
		t.Fatalf("freed %d (%v) while the owner's lock is held", n, err)
	}
	release() // the process is gone: its session, and lock, end
	if n, err := db.ReleaseDeadClaims(ctx, "me", silent); err != nil || n != 1 {
		t.Fatalf("freed %d (%v), want the dead process's one", n, err)
	}
	rows, _ := db.OutgoingByID(ctx, ids...)
	if rows[0].Owner != "" || rows[1].Owner != "beating" {
		t.Fatalf("owners after: %q %q", rows[0].Owner, rows[1].Owner)
	}
}
