package storage

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"
)

// A process's claims on outgoing rows are taken over once its heartbeat is
// StaleAfter old. On PostgreSQL there is a faster, exact signal: each
// sending process holds a session advisory lock named after it for as long
// as it lives (HoldProcessLock); when the process dies its session ends
// and the lock is free at once, so another process that can take the lock
// knows the owner is gone and frees its rows (ReleaseDeadClaims) — within
// a heartbeat, not after the stale time. (A replica restarted under the
// same --replica name resumes its own rows at once either way.)

// processLockClass is the first key of process locks (the two-key advisory
// space; chat locks use chatLockClass).
const processLockClass = 74_653_111

func processLockKey(id string) int32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int32(h.Sum32())
}

// HoldProcessLock takes process id's lock on a connection of its own and
// keeps it until release (or the process dies). On SQLite, which serves
// one process, it does nothing.
func (db *DB) HoldProcessLock(ctx context.Context, id string) (release func(), err error) {
	if db.dialect != Postgres {
		return func() {}, nil
	}
	conn, err := db.lockSession(ctx, "process-lock")
	if err != nil {
		return nil, err
	}
	// A lock still held under this name is a predecessor's session that
	// PostgreSQL has not ended yet (or another live process of that name):
	// try again until ctx ends.
	for {
		var got bool
		err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", processLockClass, processLockKey(id)).Scan(&got)
		if err == nil && got {
			break
		}
		if err == nil {
			err = fmt.Errorf("held by another session")
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("take process lock of %s: %w", id, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, $2)", processLockClass, processLockKey(id))
		conn.Close()
	}, nil
}

// ReleaseDeadClaims frees the pending outgoing rows held by owners other
// than self whose process lock is free (the process is gone) and whose
// heartbeat is older than silent, so any live process sends them at once;
// it returns how many rows it freed. The heartbeat condition keeps a live
// process that holds no lock (a version before this one, during a rolling
// upgrade) from losing its rows: it beats more often than silent. On
// SQLite it does nothing (the one process resumes its own).
func (db *DB) ReleaseDeadClaims(ctx context.Context, self string, silent time.Time) (int64, error) {
	if db.dialect != Postgres {
		return 0, nil
	}
	var owners []string
	err := db.conn(ctx).Model(&outgoingRow{}).Distinct("owner").
		Where("state = ? AND owner <> '' AND owner <> ?", OutgoingPending, self).
		Where("NOT EXISTS (SELECT 1 FROM processes WHERE processes.id = outgoing.owner AND processes.beat_at >= ?)", utc(silent)).
		Pluck("owner", &owners).Error
	if err != nil {
		return 0, fmt.Errorf("list claim owners: %w", err)
	}
	if len(owners) == 0 {
		return 0, nil
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("open connection to check claim owners: %w", err)
	}
	defer conn.Close()
	var freed int64
	for _, owner := range owners {
		// The connection is the pool's, not a handle's: a kill (simulated
		// crash) since the list was read must stop the writes here too.
		if db.killed.Load() {
			return freed, ErrKilled
		}
		n, err := releaseIfDead(ctx, conn, owner)
		if err != nil {
			return freed, err
		}
		freed += n
	}
	return freed, nil
}

func releaseIfDead(ctx context.Context, conn *sql.Conn, owner string) (int64, error) {
	key := processLockKey(owner)
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", processLockClass, key).Scan(&got); err != nil {
		return 0, fmt.Errorf("check process %s: %w", owner, err)
	}
	if !got {
		return 0, nil // alive
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, $2)", processLockClass, key) //nolint:errcheck // freed with the connection anyway
	res, err := conn.ExecContext(ctx, "UPDATE outgoing SET owner = '' WHERE state = $1 AND owner = $2", OutgoingPending, owner)
	if err != nil {
		return 0, fmt.Errorf("free the claims of process %s: %w", owner, err)
	}
	return res.RowsAffected()
}
