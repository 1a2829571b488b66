package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// A '#' or '?' in the SQLite path is part of the file name, not a URI
// fragment or query: two directories that differ after it are two databases.
func TestSQLitePathWithHash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(sub string) *storage.DB {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		db, err := storage.Open(filepath.Join(dir, sub, "salesbot.db"), clock.NewFake(t0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	a, b := open("run#1?x"), open("run#2?y")
	if _, err := a.CreateTeam(ctx, "North", "UTC"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TeamByName(ctx, "North"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("the second database sees the first one's team: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "run#1?x", "salesbot.db")); err != nil {
		t.Fatalf("database not at its path: %v", err)
	}
}

// Every storage method works through conn(ctx), so it joins the caller's
// transaction (InTx); one that used the pool directly would, inside an
// update's handling, wait for the write lock its own transaction holds.
func TestMethodsUseConn(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "storage.go" || f == "migrations.go" {
			continue // conn itself, and Migrate, which runs before anything else
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, "db.gorm.") {
				t.Errorf("%s:%d uses db.gorm directly; use db.conn(ctx): %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
