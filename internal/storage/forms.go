package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

type formRow struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Kind      string
	State     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (formRow) TableName() string { return "forms" }

// SavedForm is a user's half-filled form: its kind and its state as JSON
// (the bot layer owns the state's shape).
type SavedForm struct {
	UserID    int64
	Kind      string
	State     json.RawMessage
	UpdatedAt time.Time
}

// SaveForm stores the user's form, replacing any other.
func (db *DB) SaveForm(ctx context.Context, userID int64, kind string, state any) error {
	data, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encode %s form: %w", kind, err)
	}
	now := db.Now()
	row := formRow{UserID: userID, Kind: kind, State: string(data), CreatedAt: now, UpdatedAt: now}
	err = upsert(db.conn(ctx), &row, []string{"user_id"}, "kind", "state", "updated_at").Error
	if err != nil {
		return fmt.Errorf("save %s form of user %d: %w", kind, userID, err)
	}
	return nil
}

// Form returns the user's form, or nil when there is none.
func (db *DB) Form(ctx context.Context, userID int64) (*SavedForm, error) {
	var row formRow
	err := db.conn(ctx).Where("user_id = ?", userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load form of user %d: %w", userID, err)
	}
	return &SavedForm{UserID: row.UserID, Kind: row.Kind, State: json.RawMessage(row.State), UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// DeleteForm removes the user's form. It reports whether there was one with
// that updated_at (zero: any), so an expiry sweep and the user's own answer
// racing for the same form do not both act on it.
func (db *DB) DeleteForm(ctx context.Context, userID int64, updatedAt time.Time) (bool, error) {
	q := db.conn(ctx).Where("user_id = ?", userID)
	if !updatedAt.IsZero() {
		q = q.Where("updated_at = ?", utc(updatedAt))
	}
	res := q.Delete(&formRow{})
	if res.Error != nil {
		return false, fmt.Errorf("delete form of user %d: %w", userID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// IdleForms lists forms last touched at or before before.
func (db *DB) IdleForms(ctx context.Context, before time.Time, limit int) ([]SavedForm, error) {
	var rows []formRow
	err := db.conn(ctx).Where("updated_at <= ?", utc(before)).Order("updated_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list idle forms: %w", err)
	}
	out := make([]SavedForm, len(rows))
	for i, r := range rows {
		out[i] = SavedForm{UserID: r.UserID, Kind: r.Kind, State: json.RawMessage(r.State), UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}
