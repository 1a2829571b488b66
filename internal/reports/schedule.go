package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Renderer turns reports into messages in a language.
type Renderer interface {
	// lateDue, when not zero, is when a report sent late was due.
	DigestMessages(lang string, d *models.DailyDigest, lateDue time.Time) []outbox.Message
	SummaryMessages(lang string, s *models.WeeklySummary, lateDue time.Time) ([]outbox.Message, error)
	// PlanReminderText asks a rep for next week's plan (a follow-up's text).
	PlanReminderText(lang string, week models.Week, deadline time.Time, loc *time.Location) string
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m outbox.Message) (int, error)
}

// Scheduler sends each team's digest and summary to its managers when due,
// and the plan reminder to reps without a plan for next week.
//
// SendDue is the whole job: a scheduler (or a test, or the CLI) calls it
// every minute or so. Whatever is due today (a digest), this week (a
// summary) or before the planned week (a plan reminder) and not yet
// recorded as sent is sent, so a bot that was down at 18:30 sends the
// digest when it is back the same day, marked late.
//
// Exactly once: every report is a row keyed by kind, team, recipient and
// period; the sender that inserts it (storage.ClaimReport) sends it, others
// skip it, so a second dispatcher, a job run twice or a restart never send
// it twice. A send that fails is retried by the next run; a digest split
// over several messages records each part, so a retry resumes after the
// parts delivered. The one gap no database closes: a crash after Telegram
// accepted a message and before its part was recorded. The claim is a lease
// (Lease); when it lapses the next run sends that one part again. We accept
// that duplicate (one message, after a crash) over losing a digest.
type Scheduler struct {
	DB      *storage.DB
	Builder *Builder
	Render  Renderer
	Send    Sender
	Clock   clock.Clock
	Log     *slog.Logger
	// Lease is how long a claim holds before another run may take it over.
	Lease time.Duration
	// LateAfter: a report sent this long after it was due says it is late.
	LateAfter time.Duration
}

// DefaultLease and DefaultLateAfter are the Scheduler's defaults.
const (
	DefaultLease     = 5 * time.Minute
	DefaultLateAfter = 10 * time.Minute
)

func (s *Scheduler) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return DefaultLease
}

func (s *Scheduler) lateAfter() time.Duration {
	if s.LateAfter > 0 {
		return s.LateAfter
	}
	return DefaultLateAfter
}

// SendDue sends every report that is due and not yet sent. It returns the
// first error after trying everything else.
func (s *Scheduler) SendDue(ctx context.Context) error {
	now := s.Clock.Now()
	teams, err := s.DB.Teams(ctx)
	if err != nil {
		return err
	}
	settings, err := s.DB.ReportSettings(ctx)
	if err != nil {
		return err
	}
	members, err := s.DB.ActiveMembers(ctx)
	if err != nil {
		return err
	}
	byTeam := map[int64][]storage.TeamMember{}
	for _, m := range members {
		byTeam[m.TeamID] = append(byTeam[m.TeamID], m)
	}
	var errs []error
	for _, team := range teams {
		set, ok := settings[team.ID]
		if !ok {
			set = models.DefaultReportSettings()
		}
		if err := s.teamDue(ctx, now, team, set, byTeam[team.ID]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Scheduler) teamDue(ctx context.Context, now time.Time, team *models.Team, set models.ReportSettings, members []storage.TeamMember) error {
	loc := team.Location()
	today := models.CivilDate(now, loc)
	week := models.WeekOfDate(today)
	var managers, reps []*models.User
	for _, m := range members {
		switch m.Role {
		case models.RoleManager:
			managers = append(managers, m.User)
		case models.RoleRep:
			reps = append(reps, m.User)
		}
	}
	var errs []error
	if set.DigestOn && set.DigestOnDay(models.Weekday(today)) {
		if due := set.DigestTime.On(today, loc); !now.Before(due) {
			var d *models.DailyDigest
			build := func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error) {
				if d == nil {
					var err error
					if d, err = s.Builder.DailyDigest(ctx, team, today); err != nil {
						return nil, err
					}
				}
				return s.Render.DigestMessages(lang, d, lateDue), nil
			}
			errs = append(errs, s.deliver(ctx, now, models.ReportDigest, team, today, due, managers, build))
		}
	}
	if set.SummaryOn {
		dueDay := week.Day(models.WeekdayIndex(set.SummaryDay))
		if due := set.SummaryTime.On(dueDay, loc); !now.Before(due) {
			ended := week.Prev()
			var sum *models.WeeklySummary
			build := func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error) {
				if sum == nil {
					var err error
					if sum, err = s.Builder.WeeklySummary(ctx, team, ended); err != nil {
						return nil, err
					}
				}
				return s.Render.SummaryMessages(lang, sum, lateDue)
			}
			errs = append(errs, s.deliver(ctx, now, models.ReportSummary, team, ended.Monday, due, managers, build))
		}
	}
	if set.PlanReminderOn && len(reps) > 0 {
		dueDay := week.Day(models.WeekdayIndex(set.PlanDeadlineDay))
		if due := set.PlanDeadlineTime.On(dueDay, loc); !now.Before(due) {
			errs = append(errs, s.planReminders(ctx, team, week.Next(), due, reps))
		}
	}
	return errors.Join(errs...)
}

// planReminders reminds the reps whose plan for next week is still empty,
// through the follow-ups: each reminder is a plan follow-up that the
// dispatcher delivers (working hours, retries, Done and Snooze buttons).
// The reminder's record and its follow-up are written in one transaction,
// so each rep gets one per week however often this runs.
func (s *Scheduler) planReminders(ctx context.Context, team *models.Team, next models.Week, due time.Time, reps []*models.User) error {
	if due.Before(team.CreatedAt) {
		return nil
	}
	planned, err := s.DB.RepsWithPlans(ctx, team.ID, next)
	if err != nil {
		return err
	}
	done, err := s.DB.SentReportKeys(ctx, models.ReportPlanReminder, next.Monday, []int64{team.ID})
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range reps {
		key := storage.ReportKey{Kind: models.ReportPlanReminder, TeamID: team.ID, UserID: r.ID, Period: next.Monday}
		if planned[r.ID] || done[key] {
			continue
		}
		text := s.Render.PlanReminderText(r.Lang, next, due, r.Location(team.Location()))
		f := &models.FollowUp{TeamID: team.ID, OwnerID: r.ID, Kind: models.KindPlan, Text: text, DueAt: due}
		if _, err := s.DB.CreateReportFollowUp(ctx, key, due, f); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type buildFunc func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error)

// deliver sends one report to each recipient that has not had it.
func (s *Scheduler) deliver(ctx context.Context, now time.Time, kind string, team *models.Team, period string, due time.Time, to []*models.User, build buildFunc) error {
	if len(to) == 0 || due.Before(team.CreatedAt) {
		return nil // nobody to tell, or due before the team existed
	}
	teamID := team.ID
	done, err := s.DB.SentReportKeys(ctx, kind, period, []int64{teamID})
	if err != nil {
		return err
	}
	late := now.Sub(due) > s.lateAfter()
	var lateDue time.Time
	if late {
		lateDue = due
	}
	rendered := map[string][]outbox.Message{}
	var errs []error
	for _, u := range to {
		key := storage.ReportKey{Kind: kind, TeamID: teamID, UserID: u.ID, Period: period}
		if done[key] || u.ChatID == 0 {
			continue
		}
		claim, err := s.DB.ClaimReport(ctx, key, due, late, s.lease())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if claim == nil {
			continue // sent, or another sender holds it
		}
		// build renders in the catalogue's language for u.Lang (the
		// fallback when unsupported); one rendering per stored value.
		lang := u.Lang
		msgs, ok := rendered[lang]
		if !ok {
			if msgs, err = build(ctx, lang, lateDue); err != nil {
				_ = s.DB.FinishReport(ctx, claim.ID, storage.ReportFailed)
				errs = append(errs, fmt.Errorf("build %s %s of team %d: %w", kind, period, teamID, err))
				continue
			}
			rendered[lang] = msgs
		}
		errs = append(errs, s.sendParts(ctx, claim, key, u.ChatID, msgs))
	}
	return errors.Join(errs...)
}

// sendParts sends the parts of a report not yet delivered and records each.
func (s *Scheduler) sendParts(ctx context.Context, claim *storage.ReportClaim, key storage.ReportKey, chatID int64, msgs []outbox.Message) error {
	for i := claim.Parts; i < len(msgs); i++ {
		m := msgs[i]
		m.ChatID = chatID
		if _, err := s.Send.Send(ctx, m); err != nil {
			state := storage.ReportFailed
			if outbox.KindOf(err) == outbox.Unreachable {
				state = storage.ReportBlocked // the recipient blocked the bot (or is gone): retrying cannot help
			}
			if ferr := s.DB.FinishReport(context.WithoutCancel(ctx), claim.ID, state); ferr != nil {
				return errors.Join(err, ferr)
			}
			if state == storage.ReportBlocked {
				s.log().Warn("report recipient blocked the bot", "kind", key.Kind, "user_id", key.UserID)
				return nil
			}
			return fmt.Errorf("send %s %s to user %d: %w", key.Kind, key.Period, key.UserID, err)
		}
		if err := s.DB.ReportPartSent(context.WithoutCancel(ctx), claim.ID, i+1); err != nil {
			return err
		}
	}
	return s.DB.FinishReport(context.WithoutCancel(ctx), claim.ID, storage.ReportSent)
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
