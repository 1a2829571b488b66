package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateVisitRecords adds what logging visits needs beyond migration 0003:
//   - clients.last_visit_at and clients.no_progress_visits, kept by every
//     visit write, so lists show the last visit and the three-visits flag
//     without reading each client's visits;
//   - visits/objections.client_created, so an undo also takes back a client
//     that the entry created;
//   - stage_events: every change of a client's stage, by a visit or set on
//     the card, for the client's history and for undoing a visit's change;
//   - indexes that order client lists by name within an owner or a grade.
func migrateVisitRecords(tx *gorm.DB) error {
	type client struct {
		LastVisitAt      *time.Time
		NoProgressVisits int `gorm:"not null;default:0"`
	}
	type visit struct {
		ClientCreated bool `gorm:"not null;default:false"`
	}
	type objection struct {
		ClientCreated bool `gorm:"not null;default:false"`
	}
	m := tx.Migrator()
	for _, c := range []struct {
		model any
		field string
	}{
		{&client{}, "LastVisitAt"}, {&client{}, "NoProgressVisits"},
		{&visit{}, "ClientCreated"}, {&objection{}, "ClientCreated"},
	} {
		if err := m.AddColumn(c.model, c.field); err != nil {
			return err
		}
	}
	type stageEvent struct {
		ID       int64 `gorm:"primaryKey"`
		TeamID   int64 `gorm:"not null;index:idx_stage_events_team_at,priority:1"`
		ClientID int64 `gorm:"not null;index:idx_stage_events_client_at,priority:1"`
		UserID   int64 `gorm:"not null"`
		// VisitID is the visit that made the change; null when set on the card.
		VisitID   *int64    `gorm:"index"`
		FromStage string    `gorm:"size:16;not null"`
		ToStage   string    `gorm:"size:16;not null"`
		At        time.Time `gorm:"not null;index:idx_stage_events_team_at,priority:2;index:idx_stage_events_client_at,priority:2"`
		CreatedAt time.Time
	}
	if err := m.CreateTable(&stageEvent{}); err != nil {
		return err
	}
	return execAll(tx,
		"CREATE INDEX idx_clients_team_owner_name ON clients (team_id, owner_id, name_key)",
		"CREATE INDEX idx_clients_team_grade_name ON clients (team_id, grade, name_key)",
	)
}
