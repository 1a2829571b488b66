package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Job run states.
const (
	JobRunning = "running"
	JobDone    = "done"
)

type jobRunRow struct {
	Job         string    `gorm:"primaryKey"`
	TeamID      int64     `gorm:"primaryKey;autoIncrement:false"`
	ScheduledAt time.Time `gorm:"primaryKey"`
	State       string
	LeaseUntil  time.Time
	FinishedAt  *time.Time
	CreatedAt   time.Time
}

func (jobRunRow) TableName() string { return "job_runs" }

// ClaimJobRun takes the run of job for team (0: a global job) at its
// scheduled time, until leaseUntil. It reports false when that run is done
// already or another process holds it; a claim whose lease ran out (its
// process died) is taken over.
func (db *DB) ClaimJobRun(ctx context.Context, job string, teamID int64, scheduledAt, leaseUntil time.Time) (bool, error) {
	now := db.Now()
	row := jobRunRow{Job: job, TeamID: teamID, ScheduledAt: utc(scheduledAt), State: JobRunning, LeaseUntil: utc(leaseUntil)}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, fmt.Errorf("claim run of %s for team %d at %v: %w", job, teamID, scheduledAt, res.Error)
	}
	if res.RowsAffected > 0 {
		return true, nil
	}
	res = db.conn(ctx).Model(&jobRunRow{}).
		Where("job = ? AND team_id = ? AND scheduled_at = ? AND state = ? AND lease_until < ?",
			job, teamID, utc(scheduledAt), JobRunning, now).
		Update("lease_until", utc(leaseUntil))
	if res.Error != nil {
		return false, fmt.Errorf("take over run of %s for team %d: %w", job, teamID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// FinishJobRun records a claimed run as done.
func (db *DB) FinishJobRun(ctx context.Context, job string, teamID int64, scheduledAt time.Time) error {
	err := db.conn(ctx).Model(&jobRunRow{}).
		Where("job = ? AND team_id = ? AND scheduled_at = ?", job, teamID, utc(scheduledAt)).
		Updates(map[string]any{"state": JobDone, "finished_at": db.Now()}).Error
	if err != nil {
		return fmt.Errorf("finish run of %s for team %d: %w", job, teamID, err)
	}
	return nil
}

// ReleaseJobRun forgets a claimed run that failed, so it can be tried again.
func (db *DB) ReleaseJobRun(ctx context.Context, job string, teamID int64, scheduledAt time.Time) error {
	err := db.conn(ctx).
		Where("job = ? AND team_id = ? AND scheduled_at = ? AND state = ?", job, teamID, utc(scheduledAt), JobRunning).
		Delete(&jobRunRow{}).Error
	if err != nil {
		return fmt.Errorf("release run of %s for team %d: %w", job, teamID, err)
	}
	return nil
}

// JobRunDone reports whether the run of job for team at its scheduled time
// is recorded as done.
func (db *DB) JobRunDone(ctx context.Context, job string, teamID int64, scheduledAt time.Time) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&jobRunRow{}).
		Where("job = ? AND team_id = ? AND scheduled_at = ? AND state = ?", job, teamID, utc(scheduledAt), JobDone).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check run of %s for team %d: %w", job, teamID, err)
	}
	return n > 0, nil
}

// PruneJobRuns deletes records of runs scheduled before cutoff.
func (db *DB) PruneJobRuns(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.conn(ctx).Where("scheduled_at < ? AND state = ?", utc(cutoff), JobDone).Delete(&jobRunRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune job runs: %w", res.Error)
	}
	return res.RowsAffected, nil
}
