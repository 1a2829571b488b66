package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Update states in the inbox.
const (
	UpdatePending = "pending"
	UpdateDone    = "done"
)

type updateRow struct {
	UpdateID   int64 `gorm:"primaryKey;autoIncrement:false"`
	ChatID     int64
	Payload    string
	State      string
	Attempts   int
	ReceivedAt time.Time
	DoneAt     *time.Time
}

func (updateRow) TableName() string { return "updates" }

// StoredUpdate is a Telegram update as kept in the inbox.
type StoredUpdate struct {
	UpdateID int64
	ChatID   int64
	// Payload is the update's JSON as Telegram sent it.
	Payload  []byte
	Attempts int
}

// StoreUpdates saves updates as pending. An update_id already stored (a
// batch Telegram sent again) is ignored, so each update is handled once.
func (db *DB) StoreUpdates(ctx context.Context, ups []StoredUpdate) error {
	if len(ups) == 0 {
		return nil
	}
	now := db.Now()
	rows := make([]updateRow, len(ups))
	for i, u := range ups {
		rows[i] = updateRow{UpdateID: u.UpdateID, ChatID: u.ChatID, Payload: string(u.Payload), State: UpdatePending, ReceivedAt: now}
	}
	err := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("store %d updates: %w", len(ups), err)
	}
	return nil
}

// PendingUpdates returns up to limit stored updates not yet done, oldest first.
func (db *DB) PendingUpdates(ctx context.Context, limit int) ([]StoredUpdate, error) {
	var rows []updateRow
	err := db.conn(ctx).Where("state = ?", UpdatePending).
		Order("update_id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load pending updates: %w", err)
	}
	out := make([]StoredUpdate, len(rows))
	for i, r := range rows {
		out[i] = StoredUpdate{UpdateID: r.UpdateID, ChatID: r.ChatID, Payload: []byte(r.Payload), Attempts: r.Attempts}
	}
	return out, nil
}

// BeginUpdate counts an attempt to handle an update, so one that crashes the
// process every time can be given up on instead of looping forever.
func (db *DB) BeginUpdate(ctx context.Context, updateID int64) error {
	err := db.conn(ctx).Exec("UPDATE updates SET attempts = attempts + 1 WHERE update_id = ?", updateID).Error
	if err != nil {
		return fmt.Errorf("count attempt of update %d: %w", updateID, err)
	}
	return nil
}

// MarkUpdateDone records that an update was handled.
func (db *DB) MarkUpdateDone(ctx context.Context, updateID int64) error {
	err := db.conn(ctx).Model(&updateRow{}).Where("update_id = ?", updateID).
		Updates(map[string]any{"state": UpdateDone, "done_at": db.Now()}).Error
	if err != nil {
		return fmt.Errorf("mark update %d done: %w", updateID, err)
	}
	return nil
}

// LastUpdateID is the highest update_id stored, 0 for none. The poller asks
// Telegram for updates after it, which confirms everything up to it.
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	var id *int64
	if err := db.conn(ctx).Model(&updateRow{}).Select("MAX(update_id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("read last update id: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// PruneUpdates deletes done updates handled before cutoff, keeping the
// newest row so LastUpdateID survives.
func (db *DB) PruneUpdates(ctx context.Context, cutoff time.Time) (int64, error) {
	last, err := db.LastUpdateID(ctx)
	if err != nil {
		return 0, err
	}
	res := db.conn(ctx).Where("state = ? AND done_at < ? AND update_id < ?", UpdateDone, utc(cutoff), last).Delete(&updateRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune updates: %w", res.Error)
	}
	return res.RowsAffected, nil
}
