package storage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
)

// Every SQLite connection of the pool keeps its temporary files in memory
// (sqliteSetup), not only the first.
func TestSQLiteConnectionsKeepTempInMemory(t *testing.T) {
	db := openSQLiteForSetup(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		// Held at once, so three different connections answer.
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var mode int
		if err := c.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Errorf("connection %d: temp_store = %d, want 2 (MEMORY)", i, mode)
		}
	}
}

// A savepoint that changes more than 64 KiB of existing pages (what a
// /visit's handling does inside its savepoint) opens no temporary file: with
// SQLite's default temp_store the sub-journal spilled to one under the
// writer lock, on every such message.
func TestSavepointOpensNoTempFile(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to list open files")
	}
	db := openSQLiteForSetup(t)
	ctx := context.Background()
	if err := db.gorm.Exec("CREATE TABLE scratch (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 64; i++ { // 64 pages of their own, committed
		if err := db.gorm.Exec("INSERT INTO scratch (b) VALUES (zeroblob(4000))").Error; err != nil {
			t.Fatal(err)
		}
	}
	before := deletedFiles(t)
	var during []string
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.InTx(ctx, func(ctx context.Context) error { // a savepoint
			if err := db.conn(ctx).Exec("UPDATE scratch SET b = randomblob(4000)").Error; err != nil {
				return err
			}
			during = deletedFiles(t)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) > len(before) {
		t.Errorf("the savepoint opened a temporary file: %v (before: %v)", during, before)
	}
}

func openSQLiteForSetup(t *testing.T) *DB {
	t.Helper()
	return openSQLiteAt(t, filepath.Join(t.TempDir(), "salesbot.db"))
}

func openSQLiteAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// deletedFiles lists the process's open files that have no name any more:
// SQLite's temporary files (opened with O_TMPFILE, or unlinked at once).
func deletedFiles(t *testing.T) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasSuffix(target, "(deleted)") {
			out = append(out, target)
		}
	}
	return out
}
