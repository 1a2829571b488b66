package storage

import "gorm.io/gorm"

// migrateFollowUpsDoneIndex lets the daily digest count each team's
// follow-ups done in a day by an index range (the follow-ups' own indexes
// order by due time, not by when they were done).
func migrateFollowUpsDoneIndex(tx *gorm.DB) error {
	return tx.Exec("CREATE INDEX idx_follow_ups_team_done ON follow_ups (team_id, done_at)").Error
}
