package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

type shownListRow struct {
	UserID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey"`
	IDs     string `gorm:"column:ids"`
	ShownAt time.Time
}

func (shownListRow) TableName() string { return "shown_lists" }

// SaveShownList records the ids of the numbered list of kind just shown to
// the user, in the order shown (number 1 first), replacing the previous one.
func (db *DB) SaveShownList(ctx context.Context, userID int64, kind string, ids []int64) error {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	row := shownListRow{UserID: userID, Kind: kind, IDs: strings.Join(parts, ","), ShownAt: db.Now()}
	err := upsert(db.conn(ctx), &row, []string{"user_id", "kind"}, "ids", "shown_at").Error
	if err != nil {
		return fmt.Errorf("save the %s list shown to user %d: %w", kind, userID, err)
	}
	return nil
}

// ShownList returns the ids of the list of kind last shown to the user, in
// order, and whether one was shown at all.
func (db *DB) ShownList(ctx context.Context, userID int64, kind string) ([]int64, bool, error) {
	var row shownListRow
	err := db.conn(ctx).Where("user_id = ? AND kind = ?", userID, kind).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("load the %s list shown to user %d: %w", kind, userID, err)
	}
	var ids []int64
	for _, p := range strings.Split(row.IDs, ",") {
		if p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("read the %s list shown to user %d: %w", kind, userID, err)
		}
		ids = append(ids, id)
	}
	return ids, true, nil
}
