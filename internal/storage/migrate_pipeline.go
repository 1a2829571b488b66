package storage

import (
	"time"

	"gorm.io/gorm"
)

// migratePipeline adds what the pipeline and the month's review need: a
// team's stage probabilities (only those changed from the defaults are
// stored), the month review's schedule in report_settings, and the deal
// indexes of their reads — a team's deals closed in a month
// (idx_deals_team_closed) and opened in one (idx_deals_team_created).
func migratePipeline(tx *gorm.DB) error {
	type stageProbability struct {
		TeamID    int64     `gorm:"primaryKey;autoIncrement:false"`
		Stage     string    `gorm:"primaryKey;size:32"`
		Percent   int       `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	if err := tx.Migrator().CreateTable(&stageProbability{}); err != nil {
		return err
	}
	return execAll(tx,
		"ALTER TABLE report_settings ADD COLUMN month_on BOOLEAN NOT NULL DEFAULT TRUE",
		"ALTER TABLE report_settings ADD COLUMN month_time VARCHAR(5) NOT NULL DEFAULT '09:00'",
		"CREATE INDEX idx_deals_team_closed ON deals (team_id, closed_at)",
		"CREATE INDEX idx_deals_team_created ON deals (team_id, created_at)",
	)
}
