package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateDealLinks links a visit to the deal it was for (visits.deal_id, 0
// for none) and records what a visit did to its deal's stage
// (deal_stage_events), so an undo or an edit of the visit puts the deal's
// stage back exactly. The indexes serve the undo (visit_id) and "is this
// still the deal's latest change" (deal_id, id).
func migrateDealLinks(tx *gorm.DB) error {
	type dealStageEvent struct {
		ID        int64     `gorm:"primaryKey"`
		DealID    int64     `gorm:"not null"`
		VisitID   int64     `gorm:"not null"`
		FromStage string    `gorm:"size:32;not null;default:''"`
		ToStage   string    `gorm:"size:32;not null;default:''"`
		At        time.Time `gorm:"not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	if err := addColumn("visits", "deal_id", "BIGINT NOT NULL DEFAULT 0")(tx); err != nil {
		return err
	}
	if err := tx.Migrator().CreateTable(&dealStageEvent{}); err != nil {
		return err
	}
	return execAll(tx,
		"CREATE INDEX idx_deal_stage_events_visit ON deal_stage_events (visit_id)",
		"CREATE INDEX idx_deal_stage_events_deal ON deal_stage_events (deal_id, id)",
		"CREATE INDEX idx_visits_deal ON visits (deal_id)",
	)
}
