package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateFollowUps adds follow-ups with their snooze history, the team
// settings that say when follow-ups may reach people, the users' away
// periods and unreachable flag, and the record of periodic job runs.
func migrateFollowUps(tx *gorm.DB) error {
	type team struct {
		ID int64 `gorm:"primaryKey"`
		// Working hours, in minutes after midnight, read in each user's zone.
		MorningMin   int `gorm:"not null;default:540"`
		QuietFromMin int `gorm:"not null;default:1260"`
		QuietToMin   int `gorm:"not null;default:480"`
		// DaysOff is a bit set of weekdays (1<<time.Sunday ... 1<<time.Saturday).
		DaysOff int `gorm:"not null;default:65"`
	}
	type user struct {
		ID int64 `gorm:"primaryKey"`
		// Unreachable: Telegram refused a message (the user blocked the bot).
		Unreachable bool `gorm:"not null;default:false"`
		AwayFrom    *time.Time
		AwayUntil   *time.Time
	}
	m := tx.Migrator()
	for _, col := range []string{"MorningMin", "QuietFromMin", "QuietToMin", "DaysOff"} {
		if err := m.AddColumn(&team{}, col); err != nil {
			return err
		}
	}
	for _, col := range []string{"Unreachable", "AwayFrom", "AwayUntil"} {
		if err := m.AddColumn(&user{}, col); err != nil {
			return err
		}
	}

	// followUp indexes: the dispatcher's queue (state, send_at); a rep's
	// open list and a team's overdue list (owner/team, state, due_at); a
	// client's open revisit (client, state); a visit's follow-up (visit).
	type followUp struct {
		ID       int64  `gorm:"primaryKey"`
		TeamID   int64  `gorm:"not null;index:idx_follow_ups_team,priority:1"`
		OwnerID  int64  `gorm:"not null;index:idx_follow_ups_owner,priority:1"`
		ClientID *int64 `gorm:"index:idx_follow_ups_client,priority:1"`
		VisitID  *int64 `gorm:"index"`
		Kind     string `gorm:"size:16;not null"`
		Text     string `gorm:"type:text;not null"`
		// DueAt is when it is due (UTC); SendAt when the dispatcher should
		// next look at it: the due time, a deferral (quiet hours, away), a
		// retry after a failure, or the end of a claim's lease.
		DueAt       time.Time `gorm:"not null;index:idx_follow_ups_team,priority:3;index:idx_follow_ups_owner,priority:3"`
		Exact       bool      `gorm:"not null"`
		State       string    `gorm:"size:16;not null;index:idx_follow_ups_queue,priority:1;index:idx_follow_ups_team,priority:2;index:idx_follow_ups_owner,priority:2;index:idx_follow_ups_client,priority:2"`
		SendAt      time.Time `gorm:"not null;index:idx_follow_ups_queue,priority:2"`
		ClaimToken  string    `gorm:"size:32;not null"`
		Attempts    int       `gorm:"not null"`
		LastError   string    `gorm:"size:300;not null"`
		MaybeSent   bool      `gorm:"not null"`
		ChatID      int64     `gorm:"not null"`
		MessageID   int64     `gorm:"not null"`
		SentAt      *time.Time
		Late        bool `gorm:"not null"`
		DoneAt      *time.Time
		SnoozeCount int `gorm:"not null"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type followUpSnooze struct {
		ID         int64     `gorm:"primaryKey"`
		FollowUpID int64     `gorm:"not null;index"`
		At         time.Time `gorm:"not null"`
		FromDue    time.Time `gorm:"not null"`
		ToDue      time.Time `gorm:"not null"`
	}
	// jobRun records a periodic job's run for one scheduled time (and team,
	// 0 for global jobs), so a run missed while the bot was down is caught
	// up at start and replicas do not both run it.
	type jobRun struct {
		Job         string    `gorm:"primaryKey;size:64"`
		TeamID      int64     `gorm:"primaryKey;autoIncrement:false"`
		ScheduledAt time.Time `gorm:"primaryKey"`
		State       string    `gorm:"size:16;not null"`
		LeaseUntil  time.Time `gorm:"not null"`
		FinishedAt  *time.Time
		CreatedAt   time.Time
	}
	return m.CreateTable(&followUp{}, &followUpSnooze{}, &jobRun{})
}
