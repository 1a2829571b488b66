package storage

import "gorm.io/gorm"

// migrateUpdateCrashes records which run began handling an update and how
// many runs crashed doing it, so the inbox gives up on an update that
// crashes the process, not on one that SIGKILLs happened to interrupt.
func migrateUpdateCrashes(tx *gorm.DB) error {
	return execAll(tx,
		"ALTER TABLE updates ADD COLUMN attempt_owner TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE updates ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0",
	)
}
