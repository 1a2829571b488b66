package models

import (
	"sort"
	"time"
)

// TargetMetric is what a sales target counts.
type TargetMetric string

// Target metrics, in the order they are shown.
const (
	// MetricUnits: units of won deals closed in the month.
	MetricUnits TargetMetric = "units"
	// MetricValue: value of won deals closed in the month (minor units).
	MetricValue TargetMetric = "value"
	// MetricVisits: visits logged in the month.
	MetricVisits TargetMetric = "visits"
	// MetricExistingVisits: visits in the month to clients whose card was
	// created before the month started (existing clients, 老客户).
	MetricExistingVisits TargetMetric = "existing_visits"
	// MetricNewClients: client cards the rep created in the month.
	MetricNewClients TargetMetric = "new_clients"
)

// TargetMetrics lists the metrics in the order reports show them.
var TargetMetrics = []TargetMetric{MetricUnits, MetricValue, MetricVisits, MetricExistingVisits, MetricNewClients}

// Valid reports whether m is a known metric.
func (m TargetMetric) Valid() bool {
	for _, x := range TargetMetrics {
		if x == m {
			return true
		}
	}
	return false
}

var metricWords = kindKeywords[TargetMetric](kindMetric)

// ParseTargetMetric reads a metric as people type it ("units", "老客户").
func ParseTargetMetric(s string) (TargetMetric, bool) { return metricWords.parse(s) }

// TargetScope says whom a target is for.
type TargetScope string

// Target scopes.
const (
	// ScopeTeam is the team as a whole (UserID 0).
	ScopeTeam TargetScope = "team"
	// ScopeRep is one rep (UserID).
	ScopeRep TargetScope = "rep"
	// ScopeEachRep is every rep's default, set in /settings (UserID 0).
	ScopeEachRep TargetScope = "each"
)

// Target is one monthly goal: a metric's amount for the team, a rep, or
// each rep by default, in a month or (zero Month) in every month that has
// no target of its own.
type Target struct {
	TeamID int64
	Scope  TargetScope
	UserID int64 // the rep for ScopeRep; 0 otherwise
	Month  Month // zero: the standing default
	Metric TargetMetric
	// Amount is a count, or minor units for MetricValue.
	Amount int64
	// Currency of a value target ("" when none was typed).
	Currency  string
	SetBy     int64
	UpdatedAt time.Time
}

// MaxTargetCount bounds a count target (units, visits, clients a month).
const MaxTargetCount = 10_000_000

// MaxTargetMinor bounds a value target (a trillion, in minor units).
const MaxTargetMinor = 1_000_000_000_000 * 100

// Validate checks a target before it is saved.
func (t *Target) Validate() error {
	switch {
	case !t.Metric.Valid():
		return Errorf(EINVALID, "err_target_metric", nil)
	case t.Scope != ScopeTeam && t.Scope != ScopeRep && t.Scope != ScopeEachRep,
		t.Scope == ScopeRep && t.UserID == 0, t.Scope != ScopeRep && t.UserID != 0:
		return Errorf(EINVALID, "err_target_scope", nil)
	case t.Amount <= 0:
		return Errorf(EINVALID, "err_target_amount", nil)
	case t.Metric == MetricValue && t.Amount > MaxTargetMinor, t.Metric != MetricValue && t.Amount > MaxTargetCount:
		return Errorf(EINVALID, "err_target_absurd", nil)
	case t.Metric != MetricValue && t.Currency != "":
		return Errorf(EINVALID, "err_target_amount", nil)
	}
	return nil
}

// Process defaults (销售目标): at least two visits a working day and five
// visits to existing clients a month, per rep. Units, value and new
// clients have no default unless the team sets one.
const (
	DefaultVisitsPerDay   = 2
	DefaultExistingVisits = 5
)

// WorkingDays counts the days of month m that are not days off, and of
// those the ones on or before asOf (its civil date in loc; the day asOf
// falls on counts as elapsed: pace is what should be done by the end of
// today). A month before asOf's is all elapsed, a later one not begun.
func WorkingDays(m Month, hours WorkingHours, asOf time.Time, loc *time.Location) (total, elapsed int) {
	today := CivilDate(asOf, loc)
	first := time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, time.UTC)
	for d := first; d.Month() == m.Mon; d = d.AddDate(0, 0, 1) {
		if hours.DaysOff.Has(d.Weekday()) {
			continue
		}
		total++
		if d.Format(DateLayout) <= today {
			elapsed++
		}
	}
	return total, elapsed
}

// MonthBounds is the instant range [from, to) of a month in loc, in UTC.
func MonthBounds(m Month, loc *time.Location) (from, to time.Time) {
	return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, loc).UTC(), time.Date(m.Year, m.Mon+1, 1, 0, 0, 0, 0, loc).UTC()
}

// Pace is what should be done of target by the elapsed share of the
// month's working days, rounded half up.
func Pace(target int64, elapsed, total int) int64 {
	if total <= 0 || target <= 0 {
		return 0
	}
	if elapsed >= total {
		return target
	}
	// target ≤ 1e14 and days ≤ 31: no overflow.
	return (2*target*int64(elapsed) + int64(total)) / (2 * int64(total))
}

// PaceStatus says how attainment stands against pace.
type PaceStatus string

// Pace statuses.
const (
	Ahead  PaceStatus = "ahead"
	OnPace PaceStatus = "on_pace"
	Behind PaceStatus = "behind"
)

// StatusOf compares actual to pace: within 10 % of pace either way is on
// pace; below that behind, above ahead. Nothing due yet (pace 0) is on pace
// with nothing done and ahead with anything done.
func StatusOf(actual, pace int64) PaceStatus {
	switch {
	case actual*10 < pace*9:
		return Behind
	case actual*10 > pace*11, pace == 0 && actual > 0:
		return Ahead
	}
	return OnPace
}

// Actuals are what a rep (or the team) did in a month to date.
type Actuals struct {
	Units int64
	// Value sums won deals' values per currency ("" for deals without one).
	Value                              map[string]int64
	Visits, ExistingVisits, NewClients int64
}

// Add adds o to a.
func (a *Actuals) Add(o Actuals) {
	a.Units += o.Units
	a.Visits += o.Visits
	a.ExistingVisits += o.ExistingVisits
	a.NewClients += o.NewClients
	for c, v := range o.Value {
		if a.Value == nil {
			a.Value = map[string]int64{}
		}
		a.Value[c] += v
	}
}

// Of is the actual of a metric. Value counts the deals in currency plus
// those without a currency (typed without one: the team's own); a target
// without a currency counts every deal.
func (a Actuals) Of(m TargetMetric, currency string) int64 {
	switch m {
	case MetricUnits:
		return a.Units
	case MetricValue:
		var n int64
		for c, v := range a.Value {
			if currency == "" || c == "" || c == currency {
				n += v
			}
		}
		return n
	case MetricVisits:
		return a.Visits
	case MetricExistingVisits:
		return a.ExistingVisits
	case MetricNewClients:
		return a.NewClients
	}
	return 0
}

// MetricLine is one metric of a rep's or the team's month: target, done
// and pace.
type MetricLine struct {
	Metric   TargetMetric
	Target   int64
	Currency string // of a value target
	Actual   int64
	Pace     int64
	Status   PaceStatus
	// Default is set when the target is the process's or the team's
	// default rather than one set for this rep (or team) and month.
	Default bool
}

// Percent is actual as a whole percentage of target.
func (l MetricLine) Percent() int64 {
	switch {
	case l.Target <= 0:
		return 0
	case l.Actual > 1<<56: // sums of huge values: avoid overflowing ×100
		return l.Actual / l.Target * 100
	}
	return l.Actual * 100 / l.Target
}

// RepAttainment is one rep's month (or the team's, RepID 0).
type RepAttainment struct {
	RepID   int64
	Name    string
	Actuals Actuals
	// Lines are the metrics with a target, in TargetMetrics order.
	Lines []MetricLine
}

// Line returns the metric's line (ok false: no target).
func (r RepAttainment) Line(m TargetMetric) (MetricLine, bool) {
	for _, l := range r.Lines {
		if l.Metric == m {
			return l, true
		}
	}
	return MetricLine{}, false
}

// MonthAttainment is a team's month to date against its targets.
type MonthAttainment struct {
	TeamID int64
	Month  Month
	// AsOf is when it was measured; WorkingDays and Elapsed the month's
	// working days and those up to AsOf's day (pace's share).
	AsOf                 time.Time
	WorkingDays, Elapsed int
	// Reps by name: the team's reps, and anyone else with a target or
	// something done in the month. A rep viewer gets only their own.
	Reps []RepAttainment
	// Team is the team as a whole (nil for a rep viewer): its own targets,
	// or the sum of its reps' where it has none.
	Team *RepAttainment
}

// Rep returns one rep's month (ok false: not in it).
func (a *MonthAttainment) Rep(id int64) (RepAttainment, bool) {
	for _, r := range a.Reps {
		if r.RepID == id {
			return r, true
		}
	}
	return RepAttainment{}, false
}

// Targets resolves which target applies: a rep's own for the month, else
// the team's default for each rep (/settings), else the process default
// (visits: two a working day; existing clients: five); the team's own for
// the month, else its standing target, else the sum of its reps'.
type Targets struct {
	byKey map[targetKey]Target
}

type targetKey struct {
	scope  TargetScope
	user   int64
	month  string
	metric TargetMetric
}

// NewTargets indexes the stored targets of one team.
func NewTargets(ts []Target) Targets {
	t := Targets{byKey: map[targetKey]Target{}}
	for _, x := range ts {
		t.byKey[targetKey{x.Scope, x.UserID, x.Month.Key(), x.Metric}] = x
	}
	return t
}

func (t Targets) get(scope TargetScope, user int64, month Month, m TargetMetric) (Target, bool) {
	x, ok := t.byKey[targetKey{scope, user, month.Key(), m}]
	return x, ok
}

// ForRep is the target of a rep for a metric in a month (ok false: none),
// and whether it is a default.
func (t Targets) ForRep(repID int64, month Month, m TargetMetric, workingDays int) (target Target, isDefault, ok bool) {
	for _, k := range []struct {
		scope TargetScope
		user  int64
		month Month
	}{{ScopeRep, repID, month}, {ScopeRep, repID, Month{}}, {ScopeEachRep, 0, month}, {ScopeEachRep, 0, Month{}}} {
		if x, ok := t.get(k.scope, k.user, k.month, m); ok {
			return x, k.scope != ScopeRep || k.month.IsZero(), true
		}
	}
	switch m {
	case MetricVisits:
		return Target{Scope: ScopeEachRep, Metric: m, Amount: int64(DefaultVisitsPerDay * workingDays)}, true, workingDays > 0
	case MetricExistingVisits:
		return Target{Scope: ScopeEachRep, Metric: m, Amount: DefaultExistingVisits}, true, true
	}
	return Target{}, false, false
}

// ForTeam is the team's own target for a metric in a month, or its
// standing one (ok false: neither).
func (t Targets) ForTeam(month Month, m TargetMetric) (Target, bool) {
	if x, ok := t.get(ScopeTeam, 0, month, m); ok {
		return x, true
	}
	return t.get(ScopeTeam, 0, Month{}, m)
}

// RepMonth is a rep's row as storage reads it for BuildAttainment.
type RepMonth struct {
	RepID   int64
	Name    string
	Actuals Actuals
}

// BuildAttainment puts a team's month together: each rep's targets,
// actuals and pace, and the team's. reps are the reps to show (each once);
// withTeam adds the team line.
func BuildAttainment(teamID int64, month Month, asOf time.Time, hours WorkingHours, loc *time.Location,
	targets Targets, reps []RepMonth, withTeam bool) *MonthAttainment {
	a := &MonthAttainment{TeamID: teamID, Month: month, AsOf: asOf}
	a.WorkingDays, a.Elapsed = WorkingDays(month, hours, asOf, loc)
	line := func(m TargetMetric, tg Target, isDefault bool, act Actuals) MetricLine {
		l := MetricLine{Metric: m, Target: tg.Amount, Currency: tg.Currency, Default: isDefault, Actual: act.Of(m, tg.Currency)}
		l.Pace = Pace(l.Target, a.Elapsed, a.WorkingDays)
		l.Status = StatusOf(l.Actual, l.Pace)
		return l
	}
	var team Actuals
	sums := map[TargetMetric]*Target{}
	for _, r := range reps {
		ra := RepAttainment{RepID: r.RepID, Name: r.Name, Actuals: r.Actuals}
		for _, m := range TargetMetrics {
			tg, def, ok := targets.ForRep(r.RepID, month, m, a.WorkingDays)
			if !ok {
				continue
			}
			ra.Lines = append(ra.Lines, line(m, tg, def, r.Actuals))
			if s := sums[m]; s == nil {
				c := tg
				sums[m] = &c
			} else {
				s.Amount += tg.Amount
				if s.Currency != tg.Currency {
					s.Currency = ""
				}
			}
		}
		team.Add(r.Actuals)
		a.Reps = append(a.Reps, ra)
	}
	sort.SliceStable(a.Reps, func(i, j int) bool { return lessName(a.Reps[i].Name, a.Reps[j].Name) })
	if withTeam {
		ta := &RepAttainment{Actuals: team}
		for _, m := range TargetMetrics {
			if tg, ok := targets.ForTeam(month, m); ok {
				ta.Lines = append(ta.Lines, line(m, tg, tg.Month.IsZero(), team))
			} else if s := sums[m]; s != nil {
				ta.Lines = append(ta.Lines, line(m, *s, true, team))
			}
		}
		a.Team = ta
	}
	return a
}

func lessName(a, b string) bool {
	if fa, fb := Fold(a), Fold(b); fa != fb {
		return fa < fb
	}
	return a < b
}
