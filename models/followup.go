package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// FollowUpKind says why a follow-up exists.
type FollowUpKind string

// Follow-up kinds.
const (
	// KindRevisit is the one-week rule: call or revisit the client after a visit.
	KindRevisit FollowUpKind = "revisit"
	// KindReminder is a reminder the rep set with /remind.
	KindReminder FollowUpKind = "reminder"
	// KindPlan reminds a rep of their weekly plan.
	KindPlan FollowUpKind = "plan"
)

// FollowUpKinds lists every kind.
var FollowUpKinds = []FollowUpKind{KindRevisit, KindReminder, KindPlan}

// FollowUpState is where a follow-up is in its life.
type FollowUpState string

// Follow-up states. Pending, sending, held and sent are open (the rep still
// has to act); done and cancelled are closed.
const (
	// FollowUpPending waits for its time.
	FollowUpPending FollowUpState = "pending"
	// FollowUpSending is claimed by a dispatcher that is sending it now; the
	// claim runs out at a lease, after which another dispatcher may take it.
	FollowUpSending FollowUpState = "sending"
	// FollowUpHeld is due but its owner cannot be reached (they blocked the
	// bot, or were deactivated); it goes out when they write again.
	FollowUpHeld FollowUpState = "held"
	// FollowUpSent was delivered; it stays open until done or snoozed.
	FollowUpSent      FollowUpState = "sent"
	FollowUpDone      FollowUpState = "done"
	FollowUpCancelled FollowUpState = "cancelled"
)

// OpenFollowUpStates are the states of follow-ups the rep still has to act
// on: the one list storage queries and Open read.
var OpenFollowUpStates = []FollowUpState{FollowUpPending, FollowUpSending, FollowUpHeld, FollowUpSent}

// FollowUpStates are all the states, open ones first.
var FollowUpStates = append(append([]FollowUpState(nil), OpenFollowUpStates...), FollowUpDone, FollowUpCancelled)

// ClosedFollowUpStates are the states that are not open.
func ClosedFollowUpStates() []FollowUpState {
	var out []FollowUpState
	for _, s := range FollowUpStates {
		if !s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// Open reports whether the state still asks something of the rep.
func (s FollowUpState) Open() bool {
	return slices.Contains(OpenFollowUpStates, s)
}

// FollowUp is something a rep has to do at a time: revisit a client after a
// visit, or whatever they asked to be reminded of.
type FollowUp struct {
	ID       int64
	TeamID   int64
	OwnerID  int64
	ClientID int64 // 0: none
	VisitID  int64 // 0: none (the visit that created a revisit follow-up)
	Kind     FollowUpKind
	Text     string
	// DueAt is when it is due, UTC.
	DueAt time.Time
	// Exact is set when the rep chose this moment themselves: quiet hours
	// and days off do not move it.
	Exact bool
	State FollowUpState
	// SentAt, ChatID and MessageID record the message that delivered it
	// (the latest one, after snoozes); Late that it went out late.
	SentAt    time.Time
	ChatID    int64
	MessageID int
	Late      bool
	// MaybeSentBefore is set when an earlier attempt may have reached the
	// user already (a crash or a lost response after the request left).
	MaybeSentBefore bool
	// Attempts counts tries to deliver it (claims by a dispatcher).
	Attempts    int
	DoneAt      time.Time
	SnoozeCount int
	// Snoozes is the snooze history, oldest first, when loaded.
	Snoozes   []Snooze
	CreatedAt time.Time

	// ClientName is filled by queries that show follow-ups.
	ClientName string
}

// Snooze is one postponement of a follow-up.
type Snooze struct {
	At   time.Time // when the rep snoozed it
	From time.Time // the due time before
	To   time.Time // the due time after
}

// MaxFollowUpTextLen bounds a follow-up's text.
const MaxFollowUpTextLen = 1000

// ValidateReminderText checks the text of a reminder a rep sets.
func ValidateReminderText(text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return Errorf(EINVALID, "err_remind_no_text", nil)
	}
	if n := utf8.RuneCountInString(text); n > MaxFollowUpTextLen {
		return Errorf(EINVALID, "too_long", map[string]any{"Len": n, "Max": MaxFollowUpTextLen})
	}
	return nil
}

// LateAfter is how long after its time a follow-up or a report may go out
// and still count as on time. One rule for all of them (IsLate): a
// message that goes out LateAfter or more after its time is late, says so
// (with the time it was due), and is recorded as late.
const LateAfter = 5 * time.Minute

// IsLate reports whether something due at due that goes out at at is
// late: the rule for follow-ups and every report (digest, summary, plan
// reminder). It is judged when the message is made, since the message
// says it.
func IsLate(due, at time.Time) bool { return at.Sub(due) >= LateAfter }

// IsLate reports whether a follow-up sent at sentAt is late (IsLate).
func (f *FollowUp) IsLate(sentAt time.Time) bool { return IsLate(f.DueAt, sentAt) }

// ClockTime is a time of day, in minutes after midnight.
type ClockTime int

// Clock returns the ClockTime h:m.
func Clock(h, m int) ClockTime { return ClockTime(h*60 + m) }

// Hour and Minute split the time of day.
func (c ClockTime) Hour() int   { return int(c) / 60 }
func (c ClockTime) Minute() int { return int(c) % 60 }

// String renders "09:00".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute()) }

// ParseClockTime reads "9:00", "09:30", "21:00", "9" or "9点".
func ParseClockTime(s string) (ClockTime, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "点")
	s = strings.ReplaceAll(s, "：", ":")
	h, m, hasMin := strings.Cut(s, ":")
	hh, ok1 := atoi(h)
	mm, ok2 := 0, true
	if hasMin {
		mm, ok2 = atoi(m)
		ok2 = ok2 && len(m) == 2
	}
	if !ok1 || !ok2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return Clock(hh, mm), true
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 2 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// at returns day's date at c, in day's location. time.Date normalises a
// wall-clock time that does not exist (a spring-forward gap) forward.
func (c ClockTime) at(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, c.Hour(), c.Minute(), 0, 0, day.Location())
}

// Weekdays is a set of days of the week.
type Weekdays uint8

// WeekdaysOf makes a set.
func WeekdaysOf(days ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range days {
		w |= 1 << uint(d)
	}
	return w
}

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d)) != 0 }

// Days lists the set Monday first.
func (w Weekdays) Days() []time.Weekday {
	var out []time.Weekday
	for i := 1; i <= 7; i++ {
		if d := time.Weekday(i % 7); w.Has(d) {
			out = append(out, d)
		}
	}
	return out
}

// WorkingHours are a team's rules for when follow-ups may reach people,
// read in each person's own time zone.
type WorkingHours struct {
	// Morning is when a follow-up moved out of quiet hours is due, and the
	// time of day of "tomorrow morning".
	Morning ClockTime
	// QuietFrom..QuietTo is the night (it may wrap midnight); equal values
	// mean no quiet hours.
	QuietFrom, QuietTo ClockTime
	DaysOff            Weekdays
}

// Defaults of the team settings.
var (
	DefaultMorning   = Clock(9, 0)
	DefaultQuietFrom = Clock(21, 0)
	DefaultQuietTo   = Clock(8, 0)
	DefaultDaysOff   = WeekdaysOf(time.Saturday, time.Sunday)
)

// DefaultWorkingHours are 09:00 mornings, quiet 21:00–08:00, Saturday and
// Sunday off.
func DefaultWorkingHours() WorkingHours {
	return WorkingHours{Morning: DefaultMorning, QuietFrom: DefaultQuietFrom, QuietTo: DefaultQuietTo, DaysOff: DefaultDaysOff}
}

// Validate refuses settings under which no day is a working day. (A morning
// inside quiet hours is allowed: the day then starts when they end.)
func (w WorkingHours) Validate() error {
	if w.DaysOff == WeekdaysOf(0, 1, 2, 3, 4, 5, 6) {
		return Errorf(EINVALID, "err_days_off_all", nil)
	}
	return nil
}

func (w WorkingHours) inQuiet(c ClockTime) bool {
	switch {
	case w.QuietFrom == w.QuietTo:
		return false
	case w.QuietFrom < w.QuietTo:
		return c >= w.QuietFrom && c < w.QuietTo
	default: // wraps midnight
		return c >= w.QuietFrom || c < w.QuietTo
	}
}

// morningStart is the time of day a working day's follow-ups start: the
// morning, or the end of quiet hours if the morning is inside them.
func (w WorkingHours) morningStart() ClockTime {
	if w.inQuiet(w.Morning) {
		return w.QuietTo
	}
	return w.Morning
}

// Off reports whether t (read in its own location) is in quiet hours or on
// a day off.
func (w WorkingHours) Off(t time.Time) bool {
	return w.DaysOff.Has(t.Weekday()) || w.inQuiet(Clock(t.Hour(), t.Minute()))
}

// Quiet reports whether t (in its location) is in quiet hours.
func (w WorkingHours) Quiet(t time.Time) bool { return w.inQuiet(Clock(t.Hour(), t.Minute())) }

// NextMorning is the first working day's morning strictly after t, in t's
// location. Days are calendar days, so this is right across DST changes.
func (w WorkingHours) NextMorning(t time.Time) time.Time {
	start := w.morningStart()
	day := t
	for i := 0; i < 8; i++ {
		if !w.DaysOff.Has(day.Weekday()) {
			if m := start.at(day); m.After(t) {
				return m
			}
		}
		day = addDays(day, 1)
	}
	return start.at(addDays(t, 1)) // unreachable with valid settings
}

// Adjust returns t, or the next working morning when t falls in quiet
// hours or on a day off.
func (w WorkingHours) Adjust(t time.Time) time.Time {
	if !w.Off(t) {
		return t
	}
	return w.NextMorning(t)
}

// TomorrowMorning is the morning of the first working day after t's day
// (the "Tomorrow morning" snooze: on a Friday it is Monday).
func (w WorkingHours) TomorrowMorning(t time.Time) time.Time {
	return w.NextMorning(endOfDay(t))
}

// NextWeek is the first working morning of the calendar week after t's
// (weeks start on Monday).
func (w WorkingHours) NextWeek(t time.Time) time.Time {
	daysToMonday := (8 - int(t.Weekday())) % 7
	if daysToMonday == 0 {
		daysToMonday = 7
	}
	monday := addDays(t, daysToMonday)
	y, m, d := monday.Date()
	return w.NextMorning(time.Date(y, m, d, 0, 0, 0, 0, t.Location()).Add(-time.Nanosecond))
}

// addDays moves t by n calendar days keeping the wall-clock time.
func addDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Add(-time.Nanosecond)
}

// RevisitDue applies the one-week rule to a visit: the follow-up is due at
// the next-visit date the rep gave (exactly then), or revisitDays calendar
// days after the visit (DefaultRevisitDays if not set) at the same local
// time, moved out of quiet hours and days off. ok is false when the rep
// turned the follow-up off for this visit.
func RevisitDue(v *Visit, revisitDays int, w WorkingHours, loc *time.Location) (due time.Time, exact, ok bool) {
	switch {
	case v.NoFollowUp:
		return time.Time{}, false, false
	case v.NextVisitAt != nil && !v.NextVisitAt.IsZero():
		return v.NextVisitAt.UTC(), true, true
	}
	at := addDays(v.At.In(loc), RevisitInterval(revisitDays))
	return w.Adjust(at).UTC(), false, true
}

// Away is a period in which a rep gets no follow-ups: From is the start
// of the first day away, Until the start of the first day back (UTC).
type Away struct {
	From, Until time.Time
}

// Covers reports whether t is within the period.
func (a Away) Covers(t time.Time) bool {
	return !a.From.IsZero() && !t.Before(a.From) && t.Before(a.Until)
}

// MaxAwayDays bounds an /away period.
const MaxAwayDays = 366

// NewAway makes the period from the first day to the last day (both local
// midnights in the rep's zone, as dates.ParseDay returns them) inclusive.
func NewAway(first, last, now time.Time) (Away, error) {
	if last.Before(first) {
		return Away{}, Errorf(EINVALID, "err_away_order", map[string]any{"From": first, "To": last})
	}
	until := addDays(last, 1)
	if !until.After(now) {
		return Away{}, Errorf(EINVALID, "err_away_past", map[string]any{"To": last})
	}
	if until.Sub(first) > MaxAwayDays*24*time.Hour+time.Hour {
		return Away{}, Errorf(EINVALID, "err_away_long", map[string]any{"Max": MaxAwayDays})
	}
	return Away{From: first.UTC(), Until: until.UTC()}, nil
}

// SendAt decides when a follow-up that is due at now may go out to its
// owner, whose zone is loc: now, or a later moment it has to wait for.
//   - While the owner is away it waits for the first working morning after
//     they are back.
//   - A follow-up the rep timed exactly goes out on time whatever the hour;
//     if it is late (the bot was down) it still waits out quiet hours.
//   - Any other follow-up waits out quiet hours and days off. (Its due time
//     was moved out of them when it was made; this catches late sends and
//     settings or zones changed since.)
func SendAt(f *FollowUp, now time.Time, loc *time.Location, w WorkingHours, away Away) time.Time {
	local := now.In(loc)
	if away.Covers(now) {
		return w.Adjust(away.Until.In(loc)).UTC()
	}
	if f.Exact {
		if !f.IsLate(now) || !w.Quiet(local) {
			return now
		}
		return w.NextMorning(local).UTC()
	}
	if !w.Off(local) {
		return now
	}
	return w.NextMorning(local).UTC()
}

// SnoozeChoice is one of the snooze buttons under a follow-up.
type SnoozeChoice byte

// The snooze buttons.
const (
	SnoozeHour    SnoozeChoice = 'h' // ⏰ 1 hour
	SnoozeMorning SnoozeChoice = 'm' // 🌅 tomorrow morning
	SnoozeWeek    SnoozeChoice = 'w' // 📅 next week
)

// SnoozeFrom is the moment a snooze is counted from: the later of now and
// the follow-up's due time. A snooze postpones, so "1 hour" on a follow-up
// due in two hours is an hour after it was due, never an hour from now.
func SnoozeFrom(due, now time.Time) time.Time {
	if due.After(now) {
		return due
	}
	return now
}

// SnoozeTo is where a snooze button moves a follow-up that is due at due,
// pressed at now (both read in loc): always after both. exact says whether
// the moment is kept as is (an hour later) or follows working hours (a
// morning).
func (w WorkingHours) SnoozeTo(c SnoozeChoice, due, now time.Time, loc *time.Location) (to time.Time, exact bool) {
	from := SnoozeFrom(due, now).In(loc)
	switch c {
	case SnoozeMorning:
		return w.TomorrowMorning(from).UTC(), false
	case SnoozeWeek:
		return w.NextWeek(from).UTC(), false
	}
	return from.Add(time.Hour).UTC(), true
}

// CheckSnooze refuses a snooze to a time that is not after the follow-up's
// due time: snoozing never brings a follow-up forward.
func CheckSnooze(due, to time.Time) error {
	if !to.After(due) {
		return Errorf(EINVALID, "err_snooze_earlier", map[string]any{"Due": due, "To": to})
	}
	return nil
}

// DueSection is where an open follow-up stands in the user's to-do list.
type DueSection int

// The sections of /followups, in the order listed.
const (
	DueOverdue DueSection = iota
	DueToday
	DueThisWeek
	DueLater
)

// DueSectionOf places a due time relative to now in the user's zone: before
// now is overdue, then the rest of today, the rest of this week (weeks start
// on Monday; on a Sunday that is the day itself) and later.
func DueSectionOf(due, now time.Time, loc *time.Location) DueSection {
	if due.Before(now) {
		return DueOverdue
	}
	n := now.In(loc)
	y, m, d := n.Date()
	if due.Before(time.Date(y, m, d+1, 0, 0, 0, 0, loc)) {
		return DueToday
	}
	daysToMonday := (8 - int(n.Weekday())) % 7
	if daysToMonday == 0 {
		daysToMonday = 7
	}
	if due.Before(time.Date(y, m, d+daysToMonday, 0, 0, 0, 0, loc)) {
		return DueThisWeek
	}
	return DueLater
}
