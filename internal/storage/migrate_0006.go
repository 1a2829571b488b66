package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateReports adds the teams' report settings and the record of every
// digest and summary sent: one row per kind, team, recipient and period,
// unique, so whoever inserts it first sends it and nobody else does.
func migrateReports(tx *gorm.DB) error {
	type reportSetting struct {
		TeamID           int64  `gorm:"primaryKey;autoIncrement:false"`
		DigestOn         bool   `gorm:"not null"`
		DigestTime       string `gorm:"size:5;not null"`
		DigestDays       string `gorm:"size:7;not null"` // ISO weekdays 1-7, e.g. "12345"
		SummaryOn        bool   `gorm:"not null"`
		SummaryDay       int    `gorm:"not null"` // ISO weekday 1-7
		SummaryTime      string `gorm:"size:5;not null"`
		PlanReminderOn   bool   `gorm:"not null"`
		PlanDeadlineDay  int    `gorm:"not null"`
		PlanDeadlineTime string `gorm:"size:5;not null"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type reportSend struct {
		ID     int64  `gorm:"primaryKey"`
		Kind   string `gorm:"size:16;not null;uniqueIndex:idx_report_sends_key,priority:1"`
		TeamID int64  `gorm:"not null;uniqueIndex:idx_report_sends_key,priority:2"`
		UserID int64  `gorm:"not null;uniqueIndex:idx_report_sends_key,priority:3"`
		// Period is the day (digest) or the week's Monday (summary).
		Period string `gorm:"size:10;not null;uniqueIndex:idx_report_sends_key,priority:4"`
		// State: sending (claimed until LeaseUntil), sent, failed (retried
		// by the next run), blocked (the recipient blocked the bot).
		State      string    `gorm:"size:16;not null"`
		LeaseUntil time.Time `gorm:"not null"`
		// Parts counts the messages delivered, so a retry resumes after them.
		Parts     int       `gorm:"not null"`
		Attempts  int       `gorm:"not null"`
		DueAt     time.Time `gorm:"not null"`
		Late      bool      `gorm:"not null"`
		SentAt    *time.Time
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return tx.Migrator().CreateTable(&reportSetting{}, &reportSend{})
}
