package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateDeals adds deals (purchase projects on a client card) and the
// competitors met on them. The indexes serve /deals for a rep
// (owner_id, state, close_month) and a manager (team_id, state,
// close_month), and the card's list (client_id).
func migrateDeals(tx *gorm.DB) error {
	type deal struct {
		ID             int64  `gorm:"primaryKey"`
		TeamID         int64  `gorm:"not null"`
		ClientID       int64  `gorm:"not null"`
		OwnerID        int64  `gorm:"not null"`
		Title          string `gorm:"not null"`
		Product        string `gorm:"not null;default:''"`
		Units          int64  `gorm:"not null;default:0"`
		ValueMinor     int64  `gorm:"not null;default:0"`
		Currency       string `gorm:"size:3;not null;default:''"`
		CloseMonth     string `gorm:"size:7;not null;default:''"`
		Budget         string `gorm:"size:16;not null;default:''"`
		BudgetMinor    int64  `gorm:"not null;default:0"`
		BudgetCurrency string `gorm:"size:3;not null;default:''"`
		Step           string `gorm:"size:32;not null;default:''"`
		Stage          string `gorm:"size:32;not null;default:''"`
		NextStep       string `gorm:"not null;default:''"`
		NextStepAt     *time.Time
		State          string `gorm:"size:8;not null"`
		LostReason     string `gorm:"size:32;not null;default:''"`
		LostWords      string `gorm:"not null;default:''"`
		LostTo         string `gorm:"not null;default:''"`
		ClosedAt       *time.Time
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	type dealCompetitor struct {
		ID           int64  `gorm:"primaryKey"`
		DealID       int64  `gorm:"not null"`
		Name         string `gorm:"not null"`
		Product      string `gorm:"not null;default:''"`
		Satisfaction string `gorm:"not null;default:''"`
		Rep          string `gorm:"not null;default:''"`
	}
	if err := tx.Migrator().CreateTable(&deal{}, &dealCompetitor{}); err != nil {
		return err
	}
	return execAll(tx,
		"CREATE INDEX idx_deals_team_state_close ON deals (team_id, state, close_month)",
		"CREATE INDEX idx_deals_owner_state_close ON deals (owner_id, state, close_month)",
		"CREATE INDEX idx_deals_client ON deals (client_id)",
		"CREATE INDEX idx_deal_competitors_deal ON deal_competitors (deal_id)",
	)
}
