package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateSendBudget adds the send budget every replica reserves its
// messages from (send_budget.go). One row per budget; next_at is when the
// next message may go.
func migrateSendBudget(tx *gorm.DB) error {
	type sendBudget struct {
		Name   string    `gorm:"primaryKey;size:32"`
		NextAt time.Time `gorm:"not null"`
	}
	if err := tx.Migrator().CreateTable(&sendBudget{}); err != nil {
		return err
	}
	return tx.Create(&sendBudget{Name: TelegramBudget, NextAt: time.Unix(0, 0).UTC()}).Error
}
