package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// InboxBacklog counts the updates stored and not yet handled, and tells when
// the oldest of them was received (zero when none is pending). It reads the
// state index, for /metrics.
func (db *DB) InboxBacklog(ctx context.Context) (pending int64, oldest time.Time, err error) {
	q := db.conn(ctx).Model(&updateRow{}).Where("state = ?", UpdatePending)
	if err := q.Count(&pending).Error; err != nil {
		return 0, time.Time{}, fmt.Errorf("count pending updates: %w", err)
	}
	if pending == 0 {
		return 0, time.Time{}, nil
	}
	// The oldest by a row, not MIN(): SQLite returns an aggregate of a
	// time column as text.
	var first []updateRow
	err = db.conn(ctx).Select("received_at").Where("state = ?", UpdatePending).
		Order("received_at").Limit(1).Find(&first).Error
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("find oldest pending update: %w", err)
	}
	if len(first) > 0 {
		oldest = first[0].ReceivedAt.UTC()
	}
	return pending, oldest, nil
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", db.dialect, err)
	}
	return nil
}

// PoolStats is the connection pool's state, for /metrics.
func (db *DB) PoolStats() sql.DBStats { return db.sql.Stats() }
