package storage_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// A send starts only on the row as the sender read it: a copy read before
// another process started the row (and died, so its claim is stale) is
// refused, and the row as it now is, with its start, is taken.
func TestStartOutgoingRefusesAStaleCopy(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	db := storagetest.SQLite(t, clk)
	ctx := context.Background()
	ids, err := db.EnqueueOutgoing(ctx, []storage.Outgoing{{ChatID: 1, Payload: []byte("{}")}})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.OutgoingByID(ctx, ids...)
	if err != nil {
		t.Fatal(err)
	}
	copyBefore := rows[0]
	if err := db.Beat(ctx, "dead"); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ClaimOutgoing(ctx, copyBefore, "dead", t0.Add(-time.Minute), true); err != nil || !ok {
		t.Fatalf("first start: %v %v", ok, err)
	}
	clk.Advance(time.Hour) // "dead" stopped beating
	stale := clk.Now().Add(-time.Minute)
	if ok, err := db.ClaimOutgoing(ctx, copyBefore, "me", stale, true); err != nil || ok {
		t.Fatalf("start from a copy without the row's start: %v %v, want refused", ok, err)
	}
	rows, err = db.OutgoingByID(ctx, ids...)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].StartedAt.IsZero() {
		t.Fatal("the row lost its start")
	}
	if ok, err := db.ClaimOutgoing(ctx, rows[0], "me", stale, true); err != nil || !ok {
		t.Fatalf("start from the row as it is: %v %v", ok, err)
	}
}
