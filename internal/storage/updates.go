package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Update states in the inbox.
const (
	UpdatePending = "pending"
	UpdateDone    = "done"
)

type updateRow struct {
	UpdateID int64 `gorm:"primaryKey;autoIncrement:false"`
	ChatID   int64
	Payload  string
	State    string
	Attempts int
	// AttemptOwner is the run that last began handling it; Crashes
	// counts the runs that crashed while handling it (RecordCrash).
	AttemptOwner string
	Crashes      int
	ReceivedAt   time.Time
	DoneAt       *time.Time
	GaveUp       bool
	Error        string
}

func (updateRow) TableName() string { return "updates" }

// StoredUpdate is a Telegram update as kept in the inbox.
type StoredUpdate struct {
	UpdateID int64
	ChatID   int64
	// Payload is the update's JSON as Telegram sent it.
	Payload []byte
	// Attempts is how many times the process died, however, while
	// handling it; Crashes how many of those were crashes of its own.
	Attempts int
	Crashes  int
	// Begun, given to StoreUpdates, stores the update with its first
	// attempt already counted (BeginUpdate) for the run ctx names
	// (WithAttemptOwner): the poller hands it to a worker at once, so one
	// write does both. Its Attempts stays 0 here: no run died in it yet.
	Begun bool
}

// StoreUpdates saves updates as pending. An update_id already stored (a
// batch Telegram sent again) is ignored, so each update is handled once.
//
// An update stored Begun counts as being handled by this run from now on:
// if the run crashes before a worker takes it, RecordCrash counts the crash
// against it too. That costs an innocent update at most one crash (the
// next run handles it alone, counting only its own), as it does an
// update sharing a batch (processBatch) with the one that crashed; and a
// graceful stop takes the attempt back (EndAttempt) of what it abandons.
func (db *DB) StoreUpdates(ctx context.Context, ups []StoredUpdate) error {
	if len(ups) == 0 {
		return nil
	}
	now := db.Now()
	owner := attemptOwner(ctx)
	rows := make([]updateRow, len(ups))
	for i, u := range ups {
		rows[i] = updateRow{UpdateID: u.UpdateID, ChatID: u.ChatID, Payload: string(u.Payload), State: UpdatePending, ReceivedAt: now}
		if u.Begun {
			rows[i].Attempts, rows[i].AttemptOwner = 1, owner
		}
	}
	err := db.write(ctx, func(g *gorm.DB) *gorm.DB { return g.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows) }).Error
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
		out[i] = StoredUpdate{UpdateID: r.UpdateID, ChatID: r.ChatID, Payload: []byte(r.Payload), Attempts: r.Attempts, Crashes: r.Crashes}
	}
	return out, nil
}

// BeginUpdate counts an attempt to handle updates, committed before the
// handling starts: a handling that commits, or that is rolled back without
// a crash (EndAttempt), does not leave it counted, so Attempts is the
// number of times the process died while handling the update. One that
// kills the process every time is given up on instead of looping forever.
func (db *DB) BeginUpdate(ctx context.Context, updateIDs ...int64) error {
	if len(updateIDs) == 0 {
		return nil
	}
	err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return g.Exec("UPDATE updates SET attempts = attempts + 1, attempt_owner = ? WHERE update_id IN ?", attemptOwner(ctx), updateIDs)
	}).Error
	if err != nil {
		return fmt.Errorf("count attempt of updates %v: %w", updateIDs, err)
	}
	return nil
}

// MarkUpdateDone records that updates were handled.
func (db *DB) MarkUpdateDone(ctx context.Context, updateIDs ...int64) error {
	if len(updateIDs) == 0 {
		return nil
	}
	err := db.conn(ctx).Model(&updateRow{}).Where("update_id IN ?", updateIDs).
		Updates(map[string]any{"state": UpdateDone, "done_at": db.Now()}).Error
	if err != nil {
		return fmt.Errorf("mark updates %v done: %w", updateIDs, err)
	}
	return nil
}

// LastUpdateID is the highest update_id stored, 0 for none. The poller asks
// Telegram for updates after it, which confirms everything up to it.
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	return maxOf(db.conn(ctx).Model(&updateRow{}), "update_id", "last update id")
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

// EndAttempt takes back an attempt that ended without a crash (the
// handling was cut off by a stop and rolled back).
func (db *DB) EndAttempt(ctx context.Context, updateIDs ...int64) error {
	if len(updateIDs) == 0 {
		return nil
	}
	err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return g.Exec("UPDATE updates SET attempts = attempts - 1, attempt_owner = '' WHERE update_id IN ? AND attempts > 0", updateIDs)
	}).Error
	if err != nil {
		return fmt.Errorf("uncount attempt of updates %v: %w", updateIDs, err)
	}
	return nil
}

type attemptOwnerKey struct{}

// WithAttemptOwner names the run whose attempts BeginUpdate records in
// ctx, so that RecordCrash can later find what that run was handling.
func WithAttemptOwner(ctx context.Context, owner string) context.Context {
	return context.WithValue(ctx, attemptOwnerKey{}, owner)
}

func attemptOwner(ctx context.Context) string {
	owner, _ := ctx.Value(attemptOwnerKey{}).(string)
	return owner
}

// RecordCrash counts a crash against every update the dead run owner was
// handling when it crashed (begun and neither done nor taken back).
func (db *DB) RecordCrash(ctx context.Context, owner string) (int64, error) {
	if owner == "" {
		return 0, nil
	}
	res := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return g.Exec("UPDATE updates SET crashes = crashes + 1 WHERE attempt_owner = ? AND state = ?", owner, UpdatePending)
	})
	if res.Error != nil {
		return 0, fmt.Errorf("record the crash of %s: %w", owner, res.Error)
	}
	return res.RowsAffected, nil
}

// GiveUpUpdate marks an update done without its effects, keeping why.
func (db *DB) GiveUpUpdate(ctx context.Context, updateID int64, why string) error {
	err := db.conn(ctx).Model(&updateRow{}).Where("update_id = ?", updateID).
		Updates(map[string]any{"state": UpdateDone, "done_at": db.Now(), "gave_up": true, "error": why}).Error
	if err != nil {
		return fmt.Errorf("give up update %d: %w", updateID, err)
	}
	return nil
}

// GivenUp is an update the bot could not process.
type GivenUp struct {
	UpdateID int64
	ChatID   int64
	At       time.Time
	Why      string
}

// GivenUpUpdates lists updates given up on since since, newest first.
func (db *DB) GivenUpUpdates(ctx context.Context, since time.Time, limit int) ([]GivenUp, error) {
	var rows []updateRow
	err := db.conn(ctx).Where("gave_up = ? AND done_at >= ?", true, utc(since)).
		Order("update_id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list updates given up on: %w", err)
	}
	out := make([]GivenUp, len(rows))
	for i, r := range rows {
		out[i] = GivenUp{UpdateID: r.UpdateID, ChatID: r.ChatID, At: derefTime(r.DoneAt), Why: r.Error}
	}
	return out, nil
}

// HandleUpdate runs fn, the handling of updates (one, or a batch the
// inbox commits together: updateIDs), in one transaction (InTx). It first
// counts the attempt of those in count (BeginUpdate; not those stored Begun),
// committed before fn starts. On SQLite both happen under one hold of the
// writer lock, so counting costs no second wait for it.
func (db *DB) HandleUpdate(ctx context.Context, updateIDs, count []int64, fn func(ctx context.Context) error) error {
	if db.killed.Load() {
		return ErrKilled
	}
	held, unlock := db.holdingWriteLock(ctx)
	defer unlock()
	if err := db.BeginUpdate(held, count...); err != nil {
		return err
	}
	return db.InTx(held, fn)
}
