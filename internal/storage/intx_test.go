package storage_test

import (
	"context"
	"errors"
	"testing"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// TestInTx: what storage calls do with InTx's context commits together or
// not at all, and an expected failure inside (a taken team name) leaves
// the rest of the transaction usable — on PostgreSQL a failed statement
// would otherwise abort everything after it.
func TestInTx(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		boom := errors.New("handler failed")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if !db.InTransaction(ctx) {
				t.Error("InTx's context carries no transaction")
			}
			if _, err := db.CreateTeam(ctx, "Rolled back", "UTC"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the function's error", err)
		}
		if _, err := db.TeamByName(ctx, "Rolled back"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("team of a rolled-back transaction: got %v, want not found", err)
		}

		err = db.InTx(ctx, func(ctx context.Context) error {
			if _, err := db.CreateTeam(ctx, "North", "UTC"); err != nil {
				return err
			}
			if _, err := db.CreateTeam(ctx, "North", "UTC"); models.ErrorCode(err) != models.ECONFLICT {
				t.Errorf("duplicate team inside a transaction: got %v, want conflict", err)
			}
			// Nested: the inner one fails alone.
			_ = db.InTx(ctx, func(ctx context.Context) error {
				if _, err := db.CreateTeam(ctx, "Inner", "UTC"); err != nil {
					return err
				}
				return boom
			})
			_, err := db.CreateTeam(ctx, "South", "UTC")
			return err
		})
		if err != nil {
			t.Fatalf("transaction after an expected conflict: %v", err)
		}
		for name, want := range map[string]bool{"North": true, "South": true, "Inner": false} {
			_, err := db.TeamByName(ctx, name)
			if got := err == nil; got != want {
				t.Errorf("team %q stored = %v, want %v (err %v)", name, got, want, err)
			}
		}
		if db.InTransaction(ctx) {
			t.Error("a plain context carries a transaction")
		}
	})
}
