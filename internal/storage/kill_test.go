package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesbot/internal/clock"
)

// A killed handle begins no transaction. gorm's Transaction on a handle
// carrying an error still ran BEGIN and then returned the error without a
// rollback, so a write transaction stayed open — on SQLite the file's
// write lock, until the process ended: a restart on the same file (the
// crash tests' kill at a step boundary, when a writer had passed InTx's
// check and was waiting for the writer lock) waited out the busy timeout.
func TestKilledHandleBeginsNoTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "salesbot.db")
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	dead, err := Open(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if err := dead.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	dead.Kill()
	err = dead.conn(context.Background()).Transaction(func(*gorm.DB) error { return nil })
	if err == nil {
		t.Fatal("a killed handle began and committed a transaction")
	}
	// The next process on the same file writes at once.
	next, err := Open(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := next.CreateTeam(ctx, "North", "UTC"); err != nil {
		t.Fatalf("write after a killed handle's transaction: %v", err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("the write waited for the killed handle's lock")
	}
}
