package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateAccess makes the membership the unit of access: a member is
// deactivated in one team (members.active), a user chooses the team their
// entries go to (users.current_team_id), and who changed a membership or a
// client's owner is kept (member_events, client_owner_changes).
//
// Existing deactivated users had every membership turned off at once, so
// each of their memberships starts inactive.
func migrateAccess(tx *gorm.DB) error {
	if err := execAll(tx,
		"ALTER TABLE members ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE",
		"ALTER TABLE members ADD COLUMN deactivated_at TIMESTAMP",
		"ALTER TABLE users ADD COLUMN current_team_id BIGINT NOT NULL DEFAULT 0",
		"UPDATE members SET active = FALSE WHERE user_id IN (SELECT id FROM users WHERE active = FALSE)",
	); err != nil {
		return err
	}
	type memberEvent struct {
		ID     int64 `gorm:"primaryKey"`
		TeamID int64 `gorm:"not null;index:idx_member_events_team_at,priority:1"`
		UserID int64 `gorm:"not null"`
		// ActorID is who did it; the user themselves for a join.
		ActorID int64 `gorm:"not null"`
		// Action: join, rejoin, role, deactivate, reassign.
		Action string `gorm:"size:16;not null"`
		Role   string `gorm:"size:16;not null"`
		// Detail says more (a reassignment's new owner and counts).
		Detail string    `gorm:"type:text;not null"`
		At     time.Time `gorm:"not null;index:idx_member_events_team_at,priority:2"`
	}
	type clientOwnerChange struct {
		ID       int64     `gorm:"primaryKey"`
		ClientID int64     `gorm:"not null;index:idx_client_owner_changes_client_at,priority:1"`
		FromID   int64     `gorm:"not null"`
		ToID     int64     `gorm:"not null"`
		ActorID  int64     `gorm:"not null"`
		At       time.Time `gorm:"not null;index:idx_client_owner_changes_client_at,priority:2"`
	}
	return tx.Migrator().CreateTable(&memberEvent{}, &clientOwnerChange{})
}
