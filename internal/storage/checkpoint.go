package storage

import (
	"context"
	"sync"
	"sync/atomic"
)

// checkpointer copies SQLite's write-ahead log back into the database file
// from a goroutine of its own, so that no message's commit does it.
//
// By default SQLite checkpoints in the commit that takes the WAL past 1,000
// pages: that commit, under the writer lock, copies the pages and waits for
// two fsyncs (the WAL's and the file's; synchronous = NORMAL syncs nothing
// else). A /visit writes ~28 pages over its three commits, so every ~36th
// message paid it, and the writers queued behind it (strace: 103 fsyncs,
// 0.6 ms median, p90 3 ms, 137 ms in all for 1,000 /visits).
//
// Here a PASSIVE checkpoint runs beside the writers once checkpointEvery
// writes have released the writer lock since the last one: it takes no
// writer lock (SQLite's or ours), copies what it can and leaves the frames
// a reader still needs; the next writer after a complete one starts the WAL
// over. Should it not keep up (long readers, a stalled disk),
// wal_autocheckpoint at walAutoCheckpoint pages still bounds the WAL in
// the old way. Several processes on one file each run their own; SQLite
// lets one checkpoint run at a time (the others return busy, harmlessly).
// A checkpoint moves committed pages only, so a crash at any point loses
// nothing a commit reported.
type checkpointer struct {
	db     *DB
	every  int64
	writes atomic.Int64
	kick   chan struct{}
	quit   chan struct{}
	done   chan struct{}
	once   sync.Once
	ran    chan struct{} // tests only: told after each checkpoint
}

// checkpointEvery is how many writes (releases of the writer lock) start a
// background checkpoint. The /visit benchmark holds the lock ~1.9 times a
// message (the update's store, its handling, the reply's sent mark; some
// grouped) for ~28 pages, so 128 is ~2,000 pages (8 MB) of WAL; 32 and 512
// measured no better (BENCHMARKS.md).
const checkpointEvery = 128

// walAutoCheckpoint is SQLite's own checkpoint threshold in pages, kept as
// the fallback: 10,000 pages is a 40 MB WAL.
const walAutoCheckpoint = 10000

func startCheckpointer(db *DB) *checkpointer {
	c := &checkpointer{db: db, every: checkpointEvery, kick: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// wrote counts a write and wakes the checkpointer every c.every of them.
// A nil checkpointer (PostgreSQL) does nothing.
func (c *checkpointer) wrote() {
	if c == nil || c.every <= 0 {
		return
	}
	if c.writes.Add(1)%c.every == 0 {
		select {
		case c.kick <- struct{}{}:
		default: // one is running or pending already
		}
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.quit:
			return
		case <-c.kick:
		}
		if c.db.killed.Load() {
			continue // a "dead" process writes nothing
		}
		// Its error is no write's: a failed checkpoint leaves the pages
		// in the WAL, where readers find them, for the next one.
		_, _ = c.db.sql.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		if c.ran != nil {
			c.ran <- struct{}{}
		}
	}
}

// stop ends the goroutine, once; a nil checkpointer does nothing.
func (c *checkpointer) stop() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.quit) })
	<-c.done
}
