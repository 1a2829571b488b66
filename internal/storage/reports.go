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

// SetTeamReportSettings stores a team's report settings.
func (db *DB) SetTeamReportSettings(ctx context.Context, teamID int64, s models.ReportSettings) error {
	row := settingRow(teamID, s)
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "team_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"digest_on", "digest_time", "digest_days", "summary_on", "summary_day", "summary_time", "plan_reminder_on", "plan_deadline_day", "plan_deadline_time", "updated_at"}),
	}).Create(&row).Error
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

// ReportClaim is the right to send one report, held until its lease ends.
type ReportClaim struct {
	ID int64
	// Parts were delivered by an earlier attempt; send the rest.
	Parts int
}

// Report send states.
const (
	ReportSending = "sending"
	ReportSent    = "sent"
	ReportFailed  = "failed"
	ReportBlocked = "blocked"
)

// ClaimReport takes the right to send a report: it inserts the report's row
// or takes over one whose earlier attempt failed or whose lease ran out
// (the sender crashed). It returns nil when the report was sent already or
// another sender holds it. Each step is one statement, atomic on both
// databases, so two senders never both win.
func (db *DB) ClaimReport(ctx context.Context, k ReportKey, due time.Time, late bool, lease time.Duration) (*ReportClaim, error) {
	now := db.Now()
	g := db.conn(ctx)
	row := reportSendRow{Kind: k.Kind, TeamID: k.TeamID, UserID: k.UserID, Period: k.Period, State: ReportSending,
		LeaseUntil: now.Add(lease), Attempts: 1, DueAt: utc(due), Late: late}
	res := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("claim %s %s for user %d: %w", k.Kind, k.Period, k.UserID, res.Error)
	}
	if res.RowsAffected == 1 {
		return &ReportClaim{ID: row.ID}, nil
	}
	where := g.Model(&reportSendRow{}).
		Where("kind = ? AND team_id = ? AND user_id = ? AND period = ?", k.Kind, k.TeamID, k.UserID, k.Period).
		Where("state = ? OR (state = ? AND lease_until < ?)", ReportFailed, ReportSending, now)
	res = where.Updates(map[string]any{"state": ReportSending, "lease_until": now.Add(lease),
		"attempts": gorm.Expr("attempts + 1"), "late": late})
	if res.Error != nil {
		return nil, fmt.Errorf("retake %s %s for user %d: %w", k.Kind, k.Period, k.UserID, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var got reportSendRow
	err := g.Where("kind = ? AND team_id = ? AND user_id = ? AND period = ?", k.Kind, k.TeamID, k.UserID, k.Period).Take(&got).Error
	if err != nil {
		return nil, fmt.Errorf("read claim %s %s for user %d: %w", k.Kind, k.Period, k.UserID, err)
	}
	return &ReportClaim{ID: got.ID, Parts: got.Parts}, nil
}

// ReportPartSent records that part n (1-based) of a claimed report went out.
func (db *DB) ReportPartSent(ctx context.Context, claimID int64, n int) error {
	err := db.conn(ctx).Model(&reportSendRow{}).Where("id = ?", claimID).Update("parts", n).Error
	if err != nil {
		return fmt.Errorf("record part %d of report %d: %w", n, claimID, err)
	}
	return nil
}

// FinishReport ends a claim in a state: ReportSent, ReportFailed (the next
// run retries) or ReportBlocked (never retried).
func (db *DB) FinishReport(ctx context.Context, claimID int64, state string) error {
	updates := map[string]any{"state": state}
	if state == ReportSent {
		updates["sent_at"] = db.Now()
	}
	if err := db.conn(ctx).Model(&reportSendRow{}).Where("id = ?", claimID).Updates(updates).Error; err != nil {
		return fmt.Errorf("mark report %d %s: %w", claimID, state, err)
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
// finished (sent or blocked) for the given teams, so a run skips them
// without claiming each.
func (db *DB) SentReportKeys(ctx context.Context, kind, period string, teamIDs []int64) (map[ReportKey]bool, error) {
	var rows []reportSendRow
	err := db.conn(ctx).Select("kind, team_id, user_id, period").
		Where("kind = ? AND period = ? AND team_id IN ? AND state IN ?", kind, period, teamIDs, []string{ReportSent, ReportBlocked}).
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
			LeaseUntil: now, Parts: 1, Attempts: 1, DueAt: utc(due), SentAt: &now}
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
