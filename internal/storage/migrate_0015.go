package storage

import (
	"fmt"

	"gorm.io/gorm"

	"salesbot/models"
)

// migrateThroughOutbox moves follow-ups and reports onto the outbox's
// table. A follow-up claimed under the old lease (state sending, no
// outgoing row) is pending again: the dispatcher now claims one only
// together with the outgoing row that delivers it; that claim's send may
// have started, so its next message says it may be a repeat. A report
// cut off under the old lease is failed, which the next run queues again
// from its first undelivered part; report_sends learns how many parts a
// report has, so the last one's mark makes it sent.
func migrateThroughOutbox(tx *gorm.DB) error {
	err := tx.Exec("UPDATE follow_ups SET state = ?, send_at = due_at, claim_token = '', maybe_sent = ? WHERE state = ?",
		string(models.FollowUpPending), true, string(models.FollowUpSending)).Error
	if err != nil {
		return fmt.Errorf("release leased follow-ups: %w", err)
	}
	if err := tx.Exec("ALTER TABLE report_sends ADD COLUMN total_parts INTEGER NOT NULL DEFAULT 0").Error; err != nil {
		return fmt.Errorf("add report_sends.total_parts: %w", err)
	}
	if err := tx.Exec("UPDATE report_sends SET state = ? WHERE state = 'sending'", ReportFailed).Error; err != nil {
		return fmt.Errorf("release leased reports: %w", err)
	}
	return nil
}
