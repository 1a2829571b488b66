package models

import "time"

// RepRef names a member in a report.
type RepRef struct {
	ID   int64
	Name string
	// Unreachable is set when the member blocked the bot.
	Unreachable bool
}

// VisitLine is a visit as a report lists it.
type VisitLine struct {
	ID          int64
	At          time.Time
	ClientID    int64
	Client      string
	StageBefore Stage
	Stage       Stage
	Attitude    Attitude
	Method      Method
}

// StageReached is the stage the visit left its client at by the stage
// rule: the stated stage, or — when the rule refused the step (a step
// back, a stage on a lost client) — the stage the client stayed at. Reports
// show this, so a refused step never reads as progress.
func (v VisitLine) StageReached() Stage {
	if v.Stage == StageNone {
		return StageNone
	}
	s, _ := ApplyVisitStage(v.StageBefore, v.Stage)
	return s
}

// RepVisit is a visit as a team report reads it: the line and who made it.
type RepVisit struct {
	VisitLine
	RepID int64
	Rep   string
}

// VisitRecord is a visit with its rep's and client's names, as an export
// writes it.
type VisitRecord struct {
	Visit
	Rep, Client string
}

// ObjectionLine is an objection as a report lists it.
type ObjectionLine struct {
	ID       int64
	At       time.Time
	Client   string
	Category ObjectionCategory
	Words    string
	Resolved bool
}

// RepObjection is an objection as a team report reads it: the line, who
// heard it, and the answers given (for the answers that worked).
type RepObjection struct {
	ObjectionLine
	RepID        int64
	Rep          string
	Answer       string
	WorkedAnswer string
}

// ObjectionRecord is an objection with its rep's and client's names, as an
// export writes it.
type ObjectionRecord struct {
	Objection
	Rep, Client string
}

// ClientRecord is a client card as an export writes it: the owner's name,
// and the visits of the export's scope (the team's, or one rep's).
type ClientRecord struct {
	Client
	Owner string
	// VisitsInPeriod counts the scope's visits in the export's period;
	// LastVisit is the scope's newest visit at any time (zero: none).
	VisitsInPeriod int
	LastVisit      time.Time
}

// FollowUpRecord is a follow-up with its owner's name, as an export writes it.
type FollowUpRecord struct {
	FollowUp
	Owner string
}

// StageChange is a client's stage moved by a visit ("Acme: demo → proposal").
type StageChange struct {
	ClientID int64
	Client   string
	Rep      string
	From, To Stage
	At       time.Time
}

// PlanProgress is a rep's week plan at a glance.
type PlanProgress struct {
	Planned, Done, Pending, Overdue, Missed, Unplanned int
}

// Progress summarises a PlanResult.
func (r PlanResult) Progress() PlanProgress {
	return PlanProgress{Planned: r.Planned, Done: r.Done, Pending: r.Pending, Overdue: r.Overdue, Missed: r.Missed, Unplanned: len(r.Unplanned)}
}

// Completion is done as a percentage of planned (ok false: nothing planned).
func (p PlanProgress) Completion() (pct int, ok bool) {
	return PlanResult{Planned: p.Planned, Done: p.Done}.Completion()
}

// RepDay is one rep's block in the daily digest.
type RepDay struct {
	Rep        RepRef
	Visits     []VisitLine
	Objections []ObjectionLine
	// FollowUpsDone that day by the rep themselves (Done, /done);
	// RevisitsClosed the revisits their visits closed by visiting again;
	// FollowUpsOverdue at the end of the day (now, for today).
	FollowUpsDone    int
	RevisitsClosed   int
	FollowUpsOverdue int
	Plan             PlanProgress
}

// Active reports whether the rep did anything that day.
func (d RepDay) Active() bool {
	return len(d.Visits) > 0 || len(d.Objections) > 0 || d.FollowUpsDone > 0
}

// ClientFlag is a client the three-visits rule flags.
type ClientFlag struct {
	ClientID int64
	Client   string
	Rep      string
	Stage    Stage
}

// DigestTotals open the digest.
//
// Reps counts who the digest expects activity from: the team's reps who
// had joined by the end of the day, and managers who logged something
// that day (a manager who logs visits is counted, one who only manages is
// not). ActiveReps counts those of them with activity, so it never exceeds
// Reps.
type DigestTotals struct {
	Visits, Objections, FollowUpsDone, FollowUpsOverdue int
	RevisitsClosed                                      int
	ActiveReps, Reps                                    int
	// Managers is how many of Reps are managers counted for logging.
	Managers int
	Plan     PlanProgress
}

// DailyDigest is a team's day for its managers.
type DailyDigest struct {
	TeamID   int64
	TeamName string
	Loc      *time.Location
	Date     string
	// Past is set for a day that has ended (/digest yesterday): the
	// digest then speaks of "that day", not "today".
	Past   bool
	Week   Week
	Totals DigestTotals
	// Reps with activity, by name; Idle the reps without any.
	Reps         []RepDay
	Idle         []RepRef
	Unreachable  []RepRef
	Flagged      []ClientFlag
	StageChanges []StageChange
	// FollowUps is false while follow-ups are not tracked (the counts are
	// then left out rather than shown as zero).
	FollowUps bool
	// Month is the month to date against the targets, as of the end of the
	// day (now, for today).
	Month *MonthAttainment
}

// PlannedLine is a line of a rep's plan for the coming week.
type PlannedLine struct {
	Day     string
	Client  string
	Purpose string
}

// RepPlan is a rep's plan for a week.
type RepPlan struct {
	Rep   RepRef
	Items []PlannedLine
}

// RepWeek is a rep's plan-vs-actual for the ended week.
type RepWeek struct {
	Rep    RepRef
	Result PlanProgress
	Visits int
}

// ObjectionStat is one category of the week's objections with the answers
// that resolved them, most used first.
type ObjectionStat struct {
	Category ObjectionCategory
	Count    int
	Resolved int
	Answers  []string
}

// WeeklySummary is a team's week for its managers: plan-vs-actual of the
// week (Week) and the plans for the week after it (Next).
type WeeklySummary struct {
	TeamID   int64
	TeamName string
	Loc      *time.Location
	Week     Week
	Next     Week
	// Today is the civil date the summary was built on; a week still
	// running has pending items instead of missed ones.
	Today        string
	Totals       PlanProgress
	Visits       int
	Reps         []RepWeek
	Plans        []RepPlan
	NoPlan       []RepRef
	ByStage      map[Stage]int
	ByAttitude   map[Attitude]int
	StageChanges []StageChange
	Objections   []ObjectionStat
	// ObjectionCount is all the week's objections.
	ObjectionCount int
	// Month is the month of the week's last day to date against the
	// targets, as of the end of the week (now, while it runs).
	Month *MonthAttainment
}

// ReportSettings are a team's report schedule, in the team's zone.
type ReportSettings struct {
	DigestOn   bool
	DigestTime ClockTime
	// DigestDays are the weekdays a digest goes out (working days).
	DigestDays  []time.Weekday
	SummaryOn   bool
	SummaryDay  time.Weekday
	SummaryTime ClockTime
	// PlanReminderOn: a rep whose next week's plan is empty at the plan
	// deadline gets one reminder.
	PlanReminderOn   bool
	PlanDeadlineDay  time.Weekday
	PlanDeadlineTime ClockTime
	// MonthOn: on the 1st at MonthTime managers get the review of the
	// month that ended, and reps their own.
	MonthOn   bool
	MonthTime ClockTime
}

// DefaultReportSettings: the digest at 18:30 on working days, the summary
// on Monday at 09:00, the plan deadline on Friday at 16:00, the month's
// review on the 1st at 09:00.
func DefaultReportSettings() ReportSettings {
	return ReportSettings{
		DigestOn: true, DigestTime: Clock(18, 30),
		DigestDays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		SummaryOn:  true, SummaryDay: time.Monday, SummaryTime: Clock(9, 0),
		PlanReminderOn: true, PlanDeadlineDay: time.Friday, PlanDeadlineTime: Clock(16, 0),
		MonthOn: true, MonthTime: Clock(9, 0),
	}
}

// DigestOnDay reports whether a digest goes out on that weekday.
func (s ReportSettings) DigestOnDay(d time.Weekday) bool {
	for _, w := range s.DigestDays {
		if w == d {
			return true
		}
	}
	return false
}

// Report kinds, as recorded per recipient and period.
const (
	ReportDigest       = "digest"
	ReportSummary      = "summary"
	ReportPlanReminder = "plan_reminder"
	// ReportMonth is the month's review; its period is the month ("2026-11").
	ReportMonth = "month"
)

// RepWeekly is one rep's week: their plan with its status, their visits and
// objections (for /plan and /me).
type RepWeekly struct {
	TeamID     int64
	Loc        *time.Location
	RepID      int64
	Week       Week
	Today      string
	Plan       PlanResult
	Clients    map[int64]string // client names by id
	Visits     []VisitLine
	Objections []ObjectionLine
}
