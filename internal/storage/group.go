package storage

import (
	"context"
	"sync"
)

// batcher hands the callers that arrive while a batch is being run to the
// next batch, which the first of them runs for all (no goroutine of its
// own, no timer: nothing waits for company, and a caller waits at most for
// the batch before its own).
type batcher[T any] struct {
	mu      sync.Mutex
	busy    bool
	waiting []*batchItem[T]
}

type batchItem[T any] struct {
	v    T
	done chan struct{}
	lead chan struct{} // this caller runs the next batch
}

// join adds v and returns when run has been called with a batch holding
// it (by this caller or another).
func (b *batcher[T]) join(v T, run func(batch []T)) {
	it := &batchItem[T]{v: v, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.waiting = append(b.waiting, it)
	if b.busy {
		b.mu.Unlock()
		select {
		case <-it.done:
			return
		case <-it.lead:
		}
		b.mu.Lock()
	}
	b.busy = true
	items := b.waiting
	b.waiting = nil
	b.mu.Unlock()

	batch := make([]T, len(items))
	for i, x := range items {
		batch[i] = x.v
	}
	run(batch)
	for _, x := range items {
		if x != it {
			close(x.done)
		}
	}

	b.mu.Lock()
	if len(b.waiting) > 0 {
		b.waiting[0].lead <- struct{}{}
	} else {
		b.busy = false
	}
	b.mu.Unlock()
}

// groupWrite is one caller's write in a group commit.
type groupWrite struct {
	ctx context.Context
	fn  func(ctx context.Context) error
	err error
}

// grouped runs fn, a small write, in a transaction it may share with the
// writes other callers make at the same time (group commit: the outbox's
// claims and sent marks, one per message, would otherwise each pay a
// commit and on SQLite a turn at the writer lock), and returns when that
// transaction has committed, or with fn's own error. Inside a transaction
// fn simply joins it. A batch whose transaction fails is rolled back and
// each of its writes is tried again alone, so one write's failure is never
// another's. On PostgreSQL pgGroups batches run at once (one batch at a
// time, its statements one round trip after another, was measured slower
// than the server's own flushing of concurrent commits; one commit per
// write held a connection per sender and ran out of them under a burst of
// follow-ups — BENCHMARKS.md).
func (db *DB) grouped(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.InTransaction(ctx) || ctx.Value(heldKey{db}) != nil {
		return fn(ctx)
	}
	if db.killed.Load() {
		return ErrKilled
	}
	w := &groupWrite{ctx: ctx, fn: fn}
	b := &db.writes
	if db.dialect != SQLite {
		// A few groups at once, each on a connection of its own: the
		// server flushes their commits together, and a burst of sends
		// (one write each for its start and its mark) holds pgGroups
		// connections, not one per sender.
		b = &db.pgWrites[db.pgNext.Add(1)%pgGroups]
	}
	b.join(w, db.commitGroup)
	return w.err
}

// pgGroups is how many outbox write groups run at once on PostgreSQL.
const pgGroups = 8

// commitGroup commits batch in one transaction, or each alone when that
// fails.
func (db *DB) commitGroup(batch []*groupWrite) {
	if len(batch) > 1 {
		// The transaction serves every caller: one caller's cancellation
		// ends only its own statement (fn runs with its ctx), which rolls
		// the batch back for the retry below.
		err := db.InTx(context.WithValue(context.Background(), urgentKey{db}, true), func(tx context.Context) error {
			for _, w := range batch {
				if err := w.fn(withTx(w.ctx, tx, db)); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return
		}
	}
	for _, w := range batch {
		w.err = db.InTx(context.WithValue(w.ctx, urgentKey{db}, true), w.fn)
	}
}

// withTx is ctx carrying the transaction of txCtx.
func withTx(ctx, txCtx context.Context, db *DB) context.Context {
	ctx = context.WithValue(ctx, txKey{db}, txCtx.Value(txKey{db}))
	return context.WithValue(ctx, hooksKey{db}, txCtx.Value(hooksKey{db}))
}
