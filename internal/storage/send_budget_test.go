package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// Two replicas reserving from one budget get slots one interval apart, and
// a pause set by one holds the other.
func TestSendBudgetIsShared(t *testing.T) {
	if _, err := storagetest.SQLite(t, nil).SendBudget(storage.TelegramBudget, 30); !errors.Is(err, storage.ErrSharedBudgetUnsupported) {
		t.Fatalf("SQLite budget: %v", err)
	}
	dsn := storagetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *storage.SendBudget {
		db, err := storage.Open(dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		b, err := db.SendBudget(storage.TelegramBudget, 1) // one a second: slots far apart
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := open(), open()
	reserve := func(s *storage.SendBudget) time.Duration {
		t.Helper()
		d, err := s.Reserve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	w1, w2, w3 := reserve(a), reserve(b), reserve(a)
	if w1 > 100*time.Millisecond || w2 < 800*time.Millisecond || w2 > 1100*time.Millisecond || w3 < w2+800*time.Millisecond {
		t.Fatalf("waits %v, %v, %v: want about 0 s, 1 s, 2 s (one slot a second across both)", w1, w2, w3)
	}
	if err := b.Pause(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if w := reserve(a); w < 9*time.Second {
		t.Fatalf("after the other replica's 10 s pause a slot came in %v", w)
	}
}
