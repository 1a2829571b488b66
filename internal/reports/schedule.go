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
	MonthMessages(lang string, m *models.MonthReview, lateDue time.Time) []outbox.Message
}

// Queue is the durable outbox a report's parts are stored in.
type Queue interface {
	EnqueueFrom(ctx context.Context, updateID int64, source string, sourceID int64, msgs ...outbox.Message) ([]int64, error)
	Wake()
}

// Scheduler sends each team's digest and summary to its managers when due,
// and the plan reminder to reps without a plan for next week.
//
// SendDue is the whole job: a scheduler (or a test, or the CLI) calls it
// at start and every minute. Whatever is due today (a digest), this week
// (a summary) or before the planned week (a plan reminder) and not yet
// recorded is queued, so a bot that was down at 18:30 sends the digest
// when it is back the same day, marked late.
//
// Exactly once: every report is a row keyed by kind, team, recipient and
// period. A report is built once, and its record and all its parts (as
// the outbox's rows) commit in one transaction (storage.QueueReport), so a
// second sender, a job run twice or a restart never queue it again. The
// outbox sends the parts in order and counts each in the record when
// Telegram accepts it; a process killed mid-report leaves the parts not
// yet sent in the outbox, and they go out when it (or another replica) is
// back — the remaining parts, never the whole again. A part repeats only
// inside the outbox's one window (accepted by Telegram, killed before its
// mark). A part Telegram refuses stops the report there (failed): the
// next run queues it again from that part; a recipient who blocked the
// bot is recorded and not retried.
//
// Late is one rule for every report and follow-up (models.IsLate): a
// report queued models.LateAfter or more after its time says it is late,
// with the time it was due, and is recorded late.
type Scheduler struct {
	DB      *storage.DB
	Builder *Builder
	Render  Renderer
	Queue   Queue
	Clock   clock.Clock
	Log     *slog.Logger
	// Sent, when set, is told of each report whose last part went out
	// (metrics.ReportSent fits).
	Sent func(kind string)
	// AfterQueue, when set (crash tests), runs after a report's record
	// and parts committed and before they are sent.
	AfterQueue func()
}

// SourceHooks are what the outbox records as a report's parts go out or
// are refused (register them with outbox.Queue.Handle for
// storage.SourceReport).
func (s *Scheduler) SourceHooks() outbox.SourceHooks {
	return outbox.SourceHooks{
		Sent: func(ctx context.Context, row storage.Outgoing, _ int) error {
			key, finished, err := s.DB.ReportPartDelivered(ctx, row.SourceID)
			if err == nil && finished && s.Sent != nil {
				s.Sent(key.Kind)
			}
			return err
		},
		Failed: func(ctx context.Context, row storage.Outgoing, cause error) error {
			blocked := outbox.KindOf(cause) == outbox.Unreachable
			if blocked {
				s.log().Warn("report recipient blocked the bot", "report_id", row.SourceID, "chat_id", row.ChatID)
			} else {
				s.log().Error("Telegram refused a report's part; the next run sends it again from there", "report_id", row.SourceID, "err", cause)
			}
			return s.DB.ReportUndelivered(ctx, row.SourceID, row.ID, blocked, cause.Error())
		},
	}
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
			build := buildOnce(func(ctx context.Context) (*models.DailyDigest, error) {
				return s.Builder.DailyDigest(ctx, storage.System, team, today)
			},
				func(lang string, d *models.DailyDigest, lateDue time.Time) ([]outbox.Message, error) {
					return s.Render.DigestMessages(lang, d, lateDue), nil
				})
			errs = append(errs, s.deliver(ctx, now, models.ReportDigest, team, today, due, managers, build))
		}
	}
	if set.SummaryOn {
		dueDay := week.Day(models.WeekdayIndex(set.SummaryDay))
		if due := set.SummaryTime.On(dueDay, loc); !now.Before(due) {
			ended := week.Prev()
			build := buildOnce(func(ctx context.Context) (*models.WeeklySummary, error) {
				return s.Builder.WeeklySummary(ctx, storage.System, team, ended)
			},
				s.Render.SummaryMessages)
			errs = append(errs, s.deliver(ctx, now, models.ReportSummary, team, ended.Monday, due, managers, build))
		}
	}
	if set.MonthOn {
		this := models.MonthOf(now, loc)
		first := models.CivilDate(models.MonthStart(this, loc), loc)
		if due := set.MonthTime.On(first, loc); !now.Before(due) {
			errs = append(errs, s.monthReviews(ctx, now, team, models.AddMonths(this, -1), due, members))
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

// monthReviews queues the review of the month that ended: the team's to
// each manager, their own to each rep, once each (ReportMonth, period the
// month) — to those who were members when it was due, so someone who joins
// later in the month is not sent a month they were not there for. Each
// review is read as the person it goes to (review), so it shows what
// their /month shows and never a client they may no longer see.
func (s *Scheduler) monthReviews(ctx context.Context, now time.Time, team *models.Team, month models.Month, due time.Time, members []storage.TeamMember) error {
	if due.Before(team.CreatedAt) {
		return nil
	}
	var managers, reps []*models.User
	for _, m := range members {
		switch {
		case m.JoinedAt.After(due):
		case m.Role == models.RoleManager:
			managers = append(managers, m.User)
		case m.Role == models.RoleRep:
			reps = append(reps, m.User)
		}
	}
	period := month.Key()
	done, err := s.DB.SentReportKeys(ctx, models.ReportMonth, period, []int64{team.ID})
	if err != nil {
		return err
	}
	key := func(u *models.User) storage.ReportKey {
		return storage.ReportKey{Kind: models.ReportMonth, TeamID: team.ID, UserID: u.ID, Period: period}
	}
	pending := func(us []*models.User) []*models.User {
		var out []*models.User
		for _, u := range us {
			if !done[key(u)] && u.ChatID != 0 {
				out = append(out, u)
			}
		}
		return out
	}
	managers, reps = pending(managers), pending(reps)
	if len(managers)+len(reps) == 0 {
		return nil
	}
	late := models.IsLate(due, now)
	var lateDue time.Time
	if late {
		lateDue = due
	}
	var errs []error
	send := func(u *models.User, repID int64) {
		m, err := s.review(ctx, u.ID, team, repID, month)
		if err != nil {
			errs = append(errs, fmt.Errorf("build month review %s of team %d for user %d: %w", period, team.ID, u.ID, err))
			return
		}
		errs = append(errs, s.queue(ctx, key(u), due, late, u.ChatID, s.Render.MonthMessages(u.Lang, m, lateDue)))
	}
	for _, u := range managers {
		send(u, 0)
	}
	for _, u := range reps {
		send(u, u.ID)
	}
	return errors.Join(errs...)
}

// review is the month's review user userID gets: the team's (repID 0) or
// their own, read as them (with their memberships as they are now)
// through Builder.MonthReview, the function /month answers with. A few
// queries a person, once a month.
func (s *Scheduler) review(ctx context.Context, userID int64, team *models.Team, repID int64, month models.Month) (*models.MonthReview, error) {
	viewer, err := s.DB.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.Builder.MonthReview(ctx, viewer, team, repID, month)
}

type buildFunc func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error)

// deliver queues one report to each recipient that has not had it.
func (s *Scheduler) deliver(ctx context.Context, now time.Time, kind string, team *models.Team, period string, due time.Time, to []*models.User, build buildFunc) error {
	if len(to) == 0 || due.Before(team.CreatedAt) {
		return nil // nobody to tell, or due before the team existed
	}
	teamID := team.ID
	done, err := s.DB.SentReportKeys(ctx, kind, period, []int64{teamID})
	if err != nil {
		return err
	}
	late := models.IsLate(due, now)
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
		// build renders in the catalogue's language for u.Lang (the
		// fallback when unsupported); one rendering per stored value.
		lang := u.Lang
		msgs, ok := rendered[lang]
		if !ok {
			if msgs, err = build(ctx, lang, lateDue); err != nil {
				errs = append(errs, fmt.Errorf("build %s %s of team %d: %w", kind, period, teamID, err))
				continue
			}
			rendered[lang] = msgs
		}
		errs = append(errs, s.queue(ctx, key, due, late, u.ChatID, msgs))
	}
	return errors.Join(errs...)
}

// queue records the report and stores its parts not yet delivered, in one
// transaction.
func (s *Scheduler) queue(ctx context.Context, key storage.ReportKey, due time.Time, late bool, chatID int64, msgs []outbox.Message) error {
	defer s.Queue.Wake()
	queued := false
	defer func() {
		if queued && s.AfterQueue != nil {
			s.AfterQueue()
		}
	}()
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		id, delivered, ok, err := s.DB.QueueReport(ctx, key, due, late, len(msgs))
		if err != nil || !ok {
			return err
		}
		parts := make([]outbox.Message, 0, len(msgs)-delivered)
		for _, m := range msgs[delivered:] {
			m.ChatID = chatID
			parts = append(parts, m)
		}
		if _, err := s.Queue.EnqueueFrom(ctx, 0, storage.SourceReport, id, parts...); err != nil {
			return fmt.Errorf("queue %s %s for user %d: %w", key.Kind, key.Period, key.UserID, err)
		}
		queued = true
		return nil
	})
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// buildOnce is a report for deliver: built the first time a manager's
// messages are asked for (build), then rendered in each manager's
// language.
func buildOnce[T any](build func(ctx context.Context) (*T, error),
	render func(lang string, report *T, lateDue time.Time) ([]outbox.Message, error)) func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error) {
	var report *T
	return func(ctx context.Context, lang string, lateDue time.Time) ([]outbox.Message, error) {
		if report == nil {
			var err error
			if report, err = build(ctx); err != nil {
				return nil, err
			}
		}
		return render(lang, report, lateDue)
	}
}
