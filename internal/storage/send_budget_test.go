package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
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

// Reservations made at the same time (taken together, one statement) still
// get a slot each, one interval apart.
func TestSendBudgetConcurrentSlots(t *testing.T) {
	db := storagetest.Postgres(t, nil)
	b, err := db.SendBudget(storage.TelegramBudget, 10) // 100 ms apart
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range waits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := b.Reserve(context.Background())
			if err != nil {
				t.Error(err)
			}
			waits[i] = d
		}()
	}
	wg.Wait()
	slices.Sort(waits)
	for i := 1; i < n; i++ {
		if gap := waits[i] - waits[i-1]; gap < 50*time.Millisecond {
			t.Fatalf("slots %v and %v only %v apart, want 100 ms: %v", waits[i-1], waits[i], gap, waits)
		}
	}
	if waits[n-1] < time.Duration(n-2)*100*time.Millisecond {
		t.Fatalf("%d slots end at %v, want about %v", n, waits[n-1], time.Duration(n-1)*100*time.Millisecond)
	}
}
