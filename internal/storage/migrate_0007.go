package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateShownLists keeps, per user, the numbered list last shown to them
// (the ids in the order shown), so "/done 2" means the second line of what
// they saw, not of the list as it is now.
func migrateShownLists(tx *gorm.DB) error {
	type shownList struct {
		UserID  int64  `gorm:"primaryKey;autoIncrement:false"`
		Kind    string `gorm:"primaryKey;size:32"`
		IDs     string `gorm:"column:ids;type:text;not null"`
		ShownAt time.Time
	}
	return tx.Migrator().CreateTable(&shownList{})
}
