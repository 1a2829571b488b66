package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateTargets adds monthly targets (one row per team, scope, person,
// month and metric), who created each client card (new clients count for
// their creator even after a hand-over), and the indexes behind
// Attainment: clients by (team_id, created_at) and won deals by
// (team_id, state, closed_at).
func migrateTargets(tx *gorm.DB) error {
	type target struct {
		ID        int64     `gorm:"primaryKey"`
		TeamID    int64     `gorm:"not null;uniqueIndex:idx_targets_key,priority:1"`
		Scope     string    `gorm:"size:8;not null;uniqueIndex:idx_targets_key,priority:2"`
		UserID    int64     `gorm:"not null;uniqueIndex:idx_targets_key,priority:3"`
		Month     string    `gorm:"size:7;not null;uniqueIndex:idx_targets_key,priority:4"`
		Metric    string    `gorm:"size:32;not null;uniqueIndex:idx_targets_key,priority:5"`
		Amount    int64     `gorm:"not null"`
		Currency  string    `gorm:"size:3;not null;default:''"`
		SetBy     int64     `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	if err := tx.Migrator().CreateTable(&target{}); err != nil {
		return err
	}
	return execAll(tx,
		"ALTER TABLE clients ADD COLUMN created_by BIGINT NOT NULL DEFAULT 0",
		"UPDATE clients SET created_by = owner_id",
		"CREATE INDEX idx_clients_team_created ON clients (team_id, created_at)",
		"CREATE INDEX idx_deals_team_state_closed ON deals (team_id, state, closed_at)",
	)
}
