package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"salesbot/models"
)

type reportSettingRow struct {
	TeamID           int64 `gorm:"primaryKey;autoIncrement:false"`
	DigestOn         bool
	DigestTime       string
	DigestDays       string
	SummaryOn        bool
	SummaryDay       int
	SummaryTime      string
	PlanReminderOn   bool
	PlanDeadlineDay  int
	PlanDeadlineTime string
	MonthOn          bool
	MonthTime        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (reportSettingRow) TableName() string { return "report_settings" }

// isoDay maps a weekday to ISO 1 (Monday) … 7 (Sunday) and back.
func isoDay(d time.Weekday) int { return models.WeekdayIndex(d) + 1 }

func fromISODay(n int) time.Weekday { return time.Weekday(n % 7) }

func (r *reportSettingRow) model() models.ReportSettings {
	s := models.ReportSettings{
		DigestOn: r.DigestOn, DigestTime: clockOf(r.DigestTime, 18, 30),
		SummaryOn: r.SummaryOn, SummaryDay: fromISODay(r.SummaryDay), SummaryTime: clockOf(r.SummaryTime, 9, 0),
		PlanReminderOn: r.PlanReminderOn, PlanDeadlineDay: fromISODay(r.PlanDeadlineDay), PlanDeadlineTime: clockOf(r.PlanDeadlineTime, 16, 0),
		MonthOn: r.MonthOn, MonthTime: clockOf(r.MonthTime, 9, 0),
	}
	for _, c := range r.DigestDays {
		if n, err := strconv.Atoi(string(c)); err == nil {
			s.DigestDays = append(s.DigestDays, fromISODay(n))
		}
	}
	return s
}

// clockOf reads a stored "HH:MM" (the default when it does not read).
func clockOf(s string, h, m int) models.ClockTime {
	if c, ok := models.ParseClockTime(s); ok {
		return c
	}
	return models.Clock(h, m)
}

func settingRow(teamID int64, s models.ReportSettings) reportSettingRow {
	var days strings.Builder
	for _, d := range s.DigestDays {
		days.WriteString(strconv.Itoa(isoDay(d)))
	}
	return reportSettingRow{
		TeamID: teamID, DigestOn: s.DigestOn, DigestTime: s.DigestTime.String(), DigestDays: days.String(),
		SummaryOn: s.SummaryOn, SummaryDay: isoDay(s.SummaryDay), SummaryTime: s.SummaryTime.String(),
		PlanReminderOn: s.PlanReminderOn, PlanDeadlineDay: isoDay(s.PlanDeadlineDay), PlanDeadlineTime: s.PlanDeadlineTime.String(),
		MonthOn: s.MonthOn, MonthTime: s.MonthTime.String(),
	}
}

// ReportSettings returns every team's report settings, the defaults for a
// team that changed none.
func (db *DB) ReportSettings(ctx context.Context) (map[int64]models.ReportSettings, error) {
	var rows []reportSettingRow
	if err := db.conn(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list report settings: %w", err)
	}
	out := make(map[int64]models.ReportSettings, len(rows))
	for i := range rows {
		out[rows[i].TeamID] = rows[i].model()
	}
	return out, nil
}

// TeamReportSettings returns one team's report settings.
func (db *DB) TeamReportSettings(ctx context.Context, teamID int64) (models.ReportSettings, error) {
	var rows []reportSettingRow
	if err := db.conn(ctx).Where("team_id = ?", teamID).Limit(1).Find(&rows).Error; err != nil {
		return models.ReportSettings{}, fmt.Errorf("get report settings of team %d: %w", teamID, err)
	}
	if len(rows) == 0 {
		return models.DefaultReportSettings(), nil
	}
	return rows[0].model(), nil
}

// SetTeamReportSettings stores a team's report settings. Only a manager
// of the team (or an admin, or System) may.
func (db *DB) SetTeamReportSettings(ctx context.Context, viewer *models.User, teamID int64, s models.ReportSettings) error {
	if !viewer.CanManage(teamID) {
		return models.Errorf(models.EFORBIDDEN, "err_settings_managers_only", nil)
	}
	row := settingRow(teamID, s)
	err := upsert(db.conn(ctx), &row, []string{"team_id"}, "digest_on", "digest_time", "digest_days", "summary_on", "summary_day",
		"summary_time", "plan_reminder_on", "plan_deadline_day", "plan_deadline_time", "month_on", "month_time", "updated_at").Error
	if err != nil {
		return fmt.Errorf("set report settings of team %d: %w", teamID, err)
	}
	return nil
}

type reportSendRow struct {
	ID         int64 `gorm:"primaryKey"`
	Kind       string
	TeamID     int64
	UserID     int64
	Period     string
	State      string
	LeaseUntil time.Time
	Parts      int
	TotalParts int
	Attempts   int
	DueAt      time.Time
	Late       bool
	SentAt     *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (reportSendRow) TableName() string { return "report_sends" }

// ReportKey names one report for one recipient: a kind, a team, a user and
// a period (the day of a digest, the Monday of a summary's week).
type ReportKey struct {
	Kind   string
	TeamID int64
	UserID int64
	Period string
}

// Report send states. A report is queued when its parts are in the
// outbox, sent when the last was accepted; failed when Telegram refused a
// part (the next run queues the parts from that one on), blocked when the
// recipient cannot be reached (never retried).
const (
	ReportQueued  = "queued"
	ReportSent    = "sent"
	ReportFailed  = "failed"
	ReportBlocked = "blocked"
)

// SourceReport is the outgoing rows' Source for a report's parts (their
// SourceID is the report_sends row).
const SourceReport = "report"

// QueueReport records one recipient's report as queued with its parts
// parts, in the caller's transaction (InTx, with the outgoing rows of the
// parts), and returns the record's id and how many parts an earlier
// attempt delivered (those are not to be queued again). ok is false when
// the report is queued, sent or blocked already: someone else queues it.
// The record is unique by key, and each step is one statement, so two
// senders never both queue one report.
func (db *DB) QueueReport(ctx context.Context, k ReportKey, due time.Time, late bool, parts int) (id int64, delivered int, ok bool, err error) {
	now := db.Now()
	err = db.tx(ctx, func(g *gorm.DB) error {
		row := reportSendRow{Kind: k.Kind, TeamID: k.TeamID, UserID: k.UserID, Period: k.Period, State: ReportQueued,
			LeaseUntil: now, TotalParts: parts, Attempts: 1, DueAt: utc(due), Late: late}
		res := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			id, ok = row.ID, true
			return nil
		}
		key := func() *gorm.DB {
			return g.Model(&reportSendRow{}).
				Where("kind = ? AND team_id = ? AND user_id = ? AND period = ?", k.Kind, k.TeamID, k.UserID, k.Period)
		}
		res = key().Where("state = ?", ReportFailed).Updates(map[string]any{"state": ReportQueued, "total_parts": parts,
			"attempts": gorm.Expr("attempts + 1"), "late": late})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		var got reportSendRow
		if err := key().Take(&got).Error; err != nil {
			return err
		}
		id, delivered, ok = got.ID, got.Parts, true
		if delivered >= parts { // the parts left were all delivered
			ok = false
			return g.Model(&reportSendRow{}).Where("id = ?", got.ID).Updates(map[string]any{"state": ReportSent, "sent_at": now}).Error
		}
		return nil
	})
	if err != nil {
		return 0, 0, false, fmt.Errorf("queue %s %s for user %d: %w", k.Kind, k.Period, k.UserID, err)
	}
	return id, delivered, ok, nil
}

// ReportPartDelivered counts one more part of report id accepted by
// Telegram, in the transaction of that part's sent mark; the last part
// makes it sent. It returns the report and whether this part finished it.
func (db *DB) ReportPartDelivered(ctx context.Context, id int64) (ReportKey, bool, error) {
	now := db.Now()
	var row reportSendRow
	err := db.tx(ctx, func(g *gorm.DB) error {
		err := g.Model(&reportSendRow{}).Where("id = ?", id).Updates(map[string]any{
			"parts":   gorm.Expr("parts + 1"),
			"state":   gorm.Expr("CASE WHEN parts + 1 >= total_parts THEN ? ELSE state END", ReportSent),
			"sent_at": gorm.Expr("CASE WHEN parts + 1 >= total_parts THEN ? ELSE sent_at END", now),
		}).Error
		if err != nil {
			return err
		}
		return g.Take(&row, id).Error
	})
	if err != nil {
		return ReportKey{}, false, fmt.Errorf("record a part of report %d: %w", id, err)
	}
	key := ReportKey{Kind: row.Kind, TeamID: row.TeamID, UserID: row.UserID, Period: row.Period}
	return key, row.State == ReportSent && row.Parts == row.TotalParts, nil
}

// ReportUndelivered records that a part of report id (outgoing row part)
// was refused, in the transaction that gave that part up: the report is
// blocked (the recipient cannot be reached) or failed (the next run queues
// it again from that part), and its later parts are not sent now, so the
// parts a manager has are always the first ones.
func (db *DB) ReportUndelivered(ctx context.Context, id, part int64, blocked bool, why string) error {
	state := ReportFailed
	if blocked {
		state = ReportBlocked
	}
	err := db.tx(ctx, func(g *gorm.DB) error {
		if err := g.Model(&reportSendRow{}).Where("id = ?", id).Update("state", state).Error; err != nil {
			return err
		}
		return g.Model(&outgoingRow{}).Where("source = ? AND source_id = ? AND state = ? AND id > ?", SourceReport, id, OutgoingPending, part).
			Updates(map[string]any{"state": OutgoingFailed, "last_error": "an earlier part was refused: " + clip(why, 200), "owner": "", "sent_at": db.Now()}).Error
	})
	if err != nil {
		return fmt.Errorf("record report %d %s: %w", id, state, err)
	}
	return nil
}

// ReportSend is a recorded report, as tests and /digest status read it.
type ReportSend struct {
	ReportKey
	State    string
	Parts    int
	Attempts int
	Late     bool
	DueAt    time.Time
	SentAt   time.Time
}

// ReportSends lists the recorded reports of a kind and period.
func (db *DB) ReportSends(ctx context.Context, kind, period string) ([]ReportSend, error) {
	var rows []reportSendRow
	if err := db.conn(ctx).Where("kind = ? AND period = ?", kind, period).Order("team_id, user_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list %s reports of %s: %w", kind, period, err)
	}
	out := make([]ReportSend, len(rows))
	for i, r := range rows {
		out[i] = ReportSend{ReportKey: ReportKey{Kind: r.Kind, TeamID: r.TeamID, UserID: r.UserID, Period: r.Period},
			State: r.State, Parts: r.Parts, Attempts: r.Attempts, Late: r.Late, DueAt: r.DueAt.UTC(), SentAt: derefTime(r.SentAt)}
	}
	return out, nil
}

// SentReportKeys returns which of a kind's reports for a period are
// queued or finished (sent or blocked) for the given teams, so a run skips
// them without trying to queue each.
func (db *DB) SentReportKeys(ctx context.Context, kind, period string, teamIDs []int64) (map[ReportKey]bool, error) {
	var rows []reportSendRow
	err := db.conn(ctx).Select("kind, team_id, user_id, period").
		Where("kind = ? AND period = ? AND team_id IN ? AND state IN ?", kind, period, teamIDs, []string{ReportQueued, ReportSent, ReportBlocked}).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list sent %s reports of %s: %w", kind, period, err)
	}
	out := make(map[ReportKey]bool, len(rows))
	for _, r := range rows {
		out[ReportKey{Kind: r.Kind, TeamID: r.TeamID, UserID: r.UserID, Period: r.Period}] = true
	}
	return out, nil
}

// TeamMember is a user with their role in one team.
type TeamMember struct {
	TeamID int64
	Role   models.Role
	User   *models.User
	// JoinedAt is when the membership began.
	JoinedAt time.Time
}

// ActiveMembers lists the active members of every team (or of the given
// teams) in one query, by team and name.
func (db *DB) ActiveMembers(ctx context.Context, teamIDs ...int64) ([]TeamMember, error) {
	var rows []struct {
		ID, TelegramID, ChatID int64
		Name, Username         string
		Lang, TZ               string
		IsAdmin, Unreachable   bool
		TeamID                 int64
		Role                   string
		JoinedAt               time.Time
	}
	q := db.conn(ctx).Table("users").
		Select("users.id, users.telegram_id, users.chat_id, users.name, users.username, users.lang, users.tz, users.is_admin, users.unreachable, members.team_id, members.role, members.created_at AS joined_at").
		Joins("JOIN members ON members.user_id = users.id").
		Where("members.active = ?", true)
	if len(teamIDs) > 0 {
		q = q.Where("members.team_id IN ?", teamIDs)
	}
	if err := q.Order("members.team_id, users.name, users.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list active members: %w", err)
	}
	out := make([]TeamMember, len(rows))
	for i, r := range rows {
		out[i] = TeamMember{TeamID: r.TeamID, Role: models.Role(r.Role), JoinedAt: r.JoinedAt.UTC(), User: &models.User{ID: r.ID, TelegramID: r.TelegramID,
			ChatID: r.ChatID, Name: r.Name, Username: r.Username, Lang: r.Lang, TZ: r.TZ, IsAdmin: r.IsAdmin, Unreachable: r.Unreachable, Active: true}}
	}
	return out, nil
}

// CreateReportFollowUp records a report as sent and creates the follow-up
// that delivers it, in one transaction: whoever records the key creates
// the follow-up and nobody else does, with no gap between the two (the
// follow-ups dispatcher then sends it once). It reports whether this call
// created it.
func (db *DB) CreateReportFollowUp(ctx context.Context, k ReportKey, due time.Time, f *models.FollowUp) (bool, error) {
	created := false
	err := db.tx(ctx, func(tx *gorm.DB) error {
		now := db.Now()
		row := reportSendRow{Kind: k.Kind, TeamID: k.TeamID, UserID: k.UserID, Period: k.Period, State: ReportSent,
			LeaseUntil: now, Parts: 1, TotalParts: 1, Attempts: 1, DueAt: utc(due), SentAt: &now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		created = true
		_, err := createFollowUp(tx, f)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("create %s %s for user %d: %w", k.Kind, k.Period, k.UserID, err)
	}
	return created, nil
}
