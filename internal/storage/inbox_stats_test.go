package storage_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

func TestInboxBacklog(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		start := clk.Now()
		if n, oldest, err := db.InboxBacklog(ctx); err != nil || n != 0 || !oldest.IsZero() {
			t.Fatalf("empty inbox: %d %v %v", n, oldest, err)
		}
		if err := db.StoreUpdates(ctx, []storage.StoredUpdate{{UpdateID: 1, Payload: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if err := db.StoreUpdates(ctx, []storage.StoredUpdate{{UpdateID: 2, Payload: []byte(`{}`)}, {UpdateID: 3, Payload: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkUpdateDone(ctx, 3); err != nil {
			t.Fatal(err)
		}
		n, oldest, err := db.InboxBacklog(ctx)
		if err != nil || n != 2 || !oldest.Equal(start) {
			t.Fatalf("backlog %d, oldest %v, %v; want 2 pending, oldest %v", n, oldest, err, start)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
