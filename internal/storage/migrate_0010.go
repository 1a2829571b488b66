package storage

import "gorm.io/gorm"

// migrateClosedByVisit records which visit closed a revisit follow-up (the
// next visit to the client does), so reports count the follow-ups a person
// completed apart from those a visit closed, and undoing that visit can
// open them again.
func migrateClosedByVisit(tx *gorm.DB) error {
	return tx.Exec("ALTER TABLE follow_ups ADD COLUMN closed_by_visit_id BIGINT").Error
}
