// Package reports builds the managers' daily digest and weekly summary, the
// reps' week, and the exports, with a fixed number of index-backed queries
// per team (never one per rep or client); it also runs the scheduled
// sending of digests and summaries, exactly once per recipient and period.
package reports

import (
	"context"
	"sort"
	"strings"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Builder reads the team's records into reports.
type Builder struct {
	db    *storage.DB
	clock clock.Clock
}

// NewBuilder returns a Builder on db.
func NewBuilder(db *storage.DB, clk clock.Clock) *Builder {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Builder{db: db, clock: clk}
}

func visitRefs(rows []models.RepVisit, loc *time.Location) []models.VisitRef {
	out := make([]models.VisitRef, len(rows))
	for i, v := range rows {
		out[i] = models.VisitRef{ID: v.ID, RepID: v.RepID, ClientID: v.ClientID, Day: models.CivilDate(v.At, loc)}
	}
	return out
}

// ofWeek keeps the planned visits of one week.
func ofWeek(planned []models.PlannedVisit, week models.Week) []models.PlannedVisit {
	var out []models.PlannedVisit
	for _, p := range planned {
		if p.WeekStart == week.Monday {
			out = append(out, p)
		}
	}
	return out
}

// planByRep runs plan-vs-actual per rep.
func planByRep(week models.Week, today string, planned []models.PlannedVisit, visits []models.VisitRef) map[int64]models.PlanResult {
	pl := map[int64][]models.PlannedVisit{}
	vs := map[int64][]models.VisitRef{}
	reps := map[int64]bool{}
	for _, p := range planned {
		pl[p.RepID], reps[p.RepID] = append(pl[p.RepID], p), true
	}
	for _, v := range visits {
		vs[v.RepID], reps[v.RepID] = append(vs[v.RepID], v), true
	}
	out := make(map[int64]models.PlanResult, len(reps))
	for id := range reps {
		out[id] = models.MatchPlan(week, today, pl[id], vs[id])
	}
	return out
}

func addProgress(a, b models.PlanProgress) models.PlanProgress {
	return models.PlanProgress{Planned: a.Planned + b.Planned, Done: a.Done + b.Done, Pending: a.Pending + b.Pending,
		Overdue: a.Overdue + b.Overdue, Missed: a.Missed + b.Missed, Unplanned: a.Unplanned + b.Unplanned}
}

// members splits a team's active members into reps, the set of managers
// and everyone's names; reps who joined at or after joinedBy (zero: any
// time) are left out, so a past day does not count someone as idle before
// they were there.
func (b *Builder) members(ctx context.Context, teamID int64, joinedBy time.Time) (reps []models.RepRef, managers map[int64]bool, names map[int64]string, err error) {
	ms, err := b.db.ActiveMembers(ctx, teamID)
	if err != nil {
		return nil, nil, nil, err
	}
	managers, names = map[int64]bool{}, map[int64]string{}
	for _, m := range ms {
		names[m.User.ID] = m.User.Name
		if m.Role.AtLeast(models.RoleManager) {
			managers[m.User.ID] = true
		}
		if m.Role == models.RoleRep && (joinedBy.IsZero() || m.JoinedAt.Before(joinedBy)) {
			reps = append(reps, models.RepRef{ID: m.User.ID, Name: m.User.Name, Unreachable: m.User.Unreachable})
		}
	}
	return reps, managers, names, nil
}

func byName(a, b string) bool {
	if la, lb := strings.ToLower(a), strings.ToLower(b); la != lb {
		return la < lb
	}
	return a < b
}

// DailyDigest builds a team's digest for a civil date in the team's zone,
// as viewer may see it (storage.System for the scheduled one).
func (b *Builder) DailyDigest(ctx context.Context, viewer *models.User, team *models.Team, date string) (*models.DailyDigest, error) {
	r, err := b.readDay(ctx, viewer, team, date)
	if err != nil {
		return nil, err
	}
	d := &models.DailyDigest{TeamID: team.ID, TeamName: team.Name, Loc: r.loc, Date: date, Week: r.week,
		Past: date < models.CivilDate(b.clock.Now(), r.loc), FollowUps: true, Flagged: r.flagged(), StageChanges: r.changes}
	r.addRepDays(d)
	_, dayTo, err := models.DateBounds(date, r.loc)
	if err != nil {
		return nil, err
	}
	if d.Month, err = b.MonthToDate(ctx, viewer, team, dayTo); err != nil {
		return nil, err
	}
	return d, nil
}

// MonthToDate is a team's attainment of its targets in the month of the
// instant before end, as of then (or now, when that is earlier): for a
// digest the end of its day, for a summary the end of its week; as viewer
// may see it.
func (b *Builder) MonthToDate(ctx context.Context, viewer *models.User, team *models.Team, end time.Time) (*models.MonthAttainment, error) {
	asOf := b.clock.Now()
	if !asOf.Before(end) {
		asOf = end.Add(-time.Microsecond)
	}
	return b.db.Attainment(ctx, viewer, team, models.MonthOf(asOf, team.Location()), asOf)
}

// dayRecords is what a digest reads: the week's visits to the end of the
// day (the plan counts the whole week so far), the day's objections, stage
// changes and follow-up counts, the week's plan, and the three-visits flags
// of the clients visited that day.
type dayRecords struct {
	loc            *time.Location
	week           models.Week
	dayFrom        time.Time
	today          string // the plan's today: the next day for a past day
	reps           []models.RepRef
	weekVisits     []models.RepVisit
	objections     []models.RepObjection
	planned        []models.PlannedVisit
	done, overdue  map[int64]int
	closedByVisit  map[int64]int
	managers       map[int64]bool
	stalled        map[int64]models.Stage
	changes        []models.StageChange
	clientsVisited []int64 // that day, in the order of their first visit
}

// readDay runs a digest's queries for viewer, in a fixed number per team.
func (b *Builder) readDay(ctx context.Context, viewer *models.User, team *models.Team, date string) (*dayRecords, error) {
	loc := team.Location()
	dayFrom, dayTo, err := models.DateBounds(date, loc)
	if err != nil {
		return nil, err
	}
	r := &dayRecords{loc: loc, week: models.WeekOfDate(date), dayFrom: dayFrom}
	weekFrom, _, err := r.week.Bounds(loc)
	if err != nil {
		return nil, err
	}
	if r.reps, r.managers, _, err = b.members(ctx, team.ID, dayTo); err != nil {
		return nil, err
	}
	if r.weekVisits, err = b.db.ReportVisits(ctx, storage.RecordScope{Viewer: viewer, TeamID: team.ID, From: weekFrom, To: dayTo}); err != nil {
		return nil, err
	}
	if r.objections, err = b.db.ReportObjections(ctx, storage.RecordScope{Viewer: viewer, TeamID: team.ID, From: dayFrom, To: dayTo}); err != nil {
		return nil, err
	}
	if r.planned, err = b.db.PlannedVisitsOf(ctx, viewer, team.ID, 0, r.week); err != nil {
		return nil, err
	}
	// A past day's digest shows the plan and the overdue follow-ups as
	// they stood that evening.
	now := b.clock.Now()
	if r.today = models.CivilDate(now, loc); r.today > date {
		r.today = models.AddDays(date, 1)
	}
	if now.After(dayTo) {
		now = dayTo
	}
	if r.done, r.closedByVisit, r.overdue, err = b.db.FollowUpCountsByOwner(ctx, team.ID, dayFrom, dayTo, now); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, v := range r.dayVisits() {
		if !seen[v.ClientID] {
			seen[v.ClientID] = true
			r.clientsVisited = append(r.clientsVisited, v.ClientID)
		}
	}
	if r.stalled, err = b.db.StalledClients(ctx, viewer, r.clientsVisited); err != nil {
		return nil, err
	}
	if r.changes, err = b.db.TeamStageChanges(ctx, viewer, team.ID, dayFrom, dayTo); err != nil {
		return nil, err
	}
	return r, nil
}

// dayVisits are the week's visits that fell on the day.
func (r *dayRecords) dayVisits() []models.RepVisit {
	for i, v := range r.weekVisits {
		if !v.At.Before(r.dayFrom) {
			return r.weekVisits[i:] // oldest first
		}
	}
	return nil
}

// flagged lists the clients visited that day that the three-visits rule
// flags, with the rep who visited last.
func (r *dayRecords) flagged() []models.ClientFlag {
	last := map[int64]models.RepVisit{}
	for _, v := range r.dayVisits() {
		last[v.ClientID] = v
	}
	var out []models.ClientFlag
	for _, id := range r.clientsVisited {
		if st, ok := r.stalled[id]; ok {
			out = append(out, models.ClientFlag{ClientID: id, Client: last[id].Client, Rep: last[id].Rep, Stage: st})
		}
	}
	return out
}

// repDays gathers each member's day: visits, objections, plan and
// follow-ups; every rep has one, active or not.
func (r *dayRecords) repDays() map[int64]*models.RepDay {
	days := map[int64]*models.RepDay{}
	repDay := func(id int64, name string) *models.RepDay {
		if rd, ok := days[id]; ok {
			return rd
		}
		rd := &models.RepDay{Rep: models.RepRef{ID: id, Name: name}}
		days[id] = rd
		return rd
	}
	for _, rep := range r.reps {
		repDay(rep.ID, rep.Name).Rep.Unreachable = rep.Unreachable
	}
	for _, v := range r.dayVisits() {
		rd := repDay(v.RepID, v.Rep)
		rd.Visits = append(rd.Visits, v.VisitLine)
	}
	for _, o := range r.objections {
		rd := repDay(o.RepID, o.Rep)
		rd.Objections = append(rd.Objections, o.ObjectionLine)
	}
	for id, res := range planByRep(r.week, r.today, ofWeek(r.planned, r.week), visitRefs(r.weekVisits, r.loc)) {
		if rd, ok := days[id]; ok {
			rd.Plan = res.Progress()
		}
	}
	for id, rd := range days {
		rd.FollowUpsDone, rd.RevisitsClosed, rd.FollowUpsOverdue = r.done[id], r.closedByVisit[id], r.overdue[id]
	}
	return days
}

// addRepDays sorts the members' days into the digest: the active ones, the
// idle reps and the unreachable, each by name, and the totals.
func (r *dayRecords) addRepDays(d *models.DailyDigest) {
	isRep := map[int64]bool{}
	for _, rep := range r.reps {
		isRep[rep.ID] = true
	}
	for _, rd := range r.repDays() {
		t := &d.Totals
		t.Visits += len(rd.Visits)
		t.Objections += len(rd.Objections)
		t.FollowUpsDone += rd.FollowUpsDone
		t.RevisitsClosed += rd.RevisitsClosed
		t.FollowUpsOverdue += rd.FollowUpsOverdue
		t.Plan = addProgress(t.Plan, rd.Plan)
		if rd.Rep.Unreachable {
			d.Unreachable = append(d.Unreachable, rd.Rep)
		}
		switch {
		case rd.Active():
			t.ActiveReps++
			if !isRep[rd.Rep.ID] {
				t.Reps++ // a manager who logged visits counts, as one of those expected
				if r.managers[rd.Rep.ID] {
					t.Managers++
				}
			}
			d.Reps = append(d.Reps, *rd)
		case isRep[rd.Rep.ID]:
			d.Idle = append(d.Idle, rd.Rep)
		}
	}
	d.Totals.Reps += len(r.reps)
	sort.Slice(d.Reps, func(i, j int) bool { return byName(d.Reps[i].Rep.Name, d.Reps[j].Rep.Name) })
	sort.Slice(d.Idle, func(i, j int) bool { return byName(d.Idle[i].Name, d.Idle[j].Name) })
	sort.Slice(d.Unreachable, func(i, j int) bool { return byName(d.Unreachable[i].Name, d.Unreachable[j].Name) })
}

// WeeklySummary builds a team's summary of a week: plan-vs-actual, visits
// by stage and attitude, stage changes, objections, and the plans for the
// week after; as viewer may see it (storage.System for the scheduled one).
func (b *Builder) WeeklySummary(ctx context.Context, viewer *models.User, team *models.Team, week models.Week) (*models.WeeklySummary, error) {
	loc := team.Location()
	reps, _, members, err := b.members(ctx, team.ID, time.Time{})
	if err != nil {
		return nil, err
	}
	next := week.Next()
	visits, objs, planned, err := b.readWeek(ctx, viewer, team, 0, week, next)
	if err != nil {
		return nil, err
	}
	today := models.CivilDate(b.clock.Now(), loc)
	s := &models.WeeklySummary{TeamID: team.ID, TeamName: team.Name, Loc: loc, Week: week, Next: next, Today: today,
		Visits: len(visits), ByStage: map[models.Stage]int{}, ByAttitude: map[models.Attitude]int{}, ObjectionCount: len(objs)}

	names, visitsBy := countVisits(s, reps, visits)
	// Everyone with a plan line has a name: also a manager who planned
	// without visiting, and someone who has left the team since.
	for _, p := range planned {
		if _, ok := names[p.RepID]; ok {
			continue
		}
		if name, ok := members[p.RepID]; ok {
			names[p.RepID] = name
			continue
		}
		u, err := b.db.User(ctx, p.RepID)
		if err != nil {
			return nil, err
		}
		names[p.RepID] = u.Name
	}
	addRepWeeks(s, reps, names, visitsBy, planByRep(week, today, ofWeek(planned, week), visitRefs(visits, loc)))
	addNextPlans(s, reps, names, ofWeek(planned, next))
	s.Objections = objectionStats(objs)
	from, to, err := week.Bounds(loc)
	if err != nil {
		return nil, err
	}
	if s.StageChanges, err = b.db.TeamStageChanges(ctx, viewer, team.ID, from, to); err != nil {
		return nil, err
	}
	if s.Month, err = b.MonthToDate(ctx, viewer, team, to); err != nil {
		return nil, err
	}
	return s, nil
}

// countVisits counts a summary's visits by stage and attitude, and per rep;
// names are the members' and visitors' names by id.
func countVisits(s *models.WeeklySummary, reps []models.RepRef, visits []models.RepVisit) (names map[int64]string, visitsBy map[int64]int) {
	names, visitsBy = map[int64]string{}, map[int64]int{}
	for _, r := range reps {
		names[r.ID] = r.Name
	}
	for _, v := range visits {
		names[v.RepID] = v.Rep
		visitsBy[v.RepID]++
		if st := v.StageReached(); st != models.StageNone {
			s.ByStage[st]++ // a refused step counts where the client stayed
		}
		if v.Attitude != "" {
			s.ByAttitude[v.Attitude]++
		}
	}
	return names, visitsBy
}

// addRepWeeks adds each rep's plan-vs-actual to a summary, by name, and
// the team's totals: every rep, and the managers and former reps who
// planned or visited.
func addRepWeeks(s *models.WeeklySummary, reps []models.RepRef, names map[int64]string, visitsBy map[int64]int, results map[int64]models.PlanResult) {
	seen := map[int64]bool{}
	add := func(id int64) {
		if seen[id] {
			return
		}
		seen[id] = true
		res := results[id]
		rw := models.RepWeek{Rep: models.RepRef{ID: id, Name: names[id]}, Result: res.Progress(), Visits: visitsBy[id]}
		s.Totals = addProgress(s.Totals, rw.Result)
		s.Reps = append(s.Reps, rw)
	}
	for _, r := range reps {
		add(r.ID)
	}
	for id := range results {
		add(id)
	}
	sort.Slice(s.Reps, func(i, j int) bool { return byName(s.Reps[i].Rep.Name, s.Reps[j].Rep.Name) })
}

// addNextPlans adds the plans for the week after to a summary, by rep
// name, and the reps who have none.
func addNextPlans(s *models.WeeklySummary, reps []models.RepRef, names map[int64]string, planned []models.PlannedVisit) {
	byRep := map[int64]*models.RepPlan{}
	for _, p := range planned {
		rp := byRep[p.RepID]
		if rp == nil {
			rp = &models.RepPlan{Rep: models.RepRef{ID: p.RepID, Name: names[p.RepID]}}
			byRep[p.RepID] = rp
		}
		rp.Items = append(rp.Items, models.PlannedLine{Day: p.Day, Client: p.ClientName, Purpose: p.Purpose})
	}
	for _, rp := range byRep {
		s.Plans = append(s.Plans, *rp)
	}
	sort.Slice(s.Plans, func(i, j int) bool { return byName(s.Plans[i].Rep.Name, s.Plans[j].Rep.Name) })
	for _, r := range reps {
		if byRep[r.ID] == nil {
			s.NoPlan = append(s.NoPlan, r)
		}
	}
}

// readWeek reads the visits and objections of a week in a team (repID 0)
// or of one rep, and the planned visits of that week and the more weeks
// given, for viewer.
func (b *Builder) readWeek(ctx context.Context, viewer *models.User, team *models.Team, repID int64, week models.Week, more ...models.Week) (
	[]models.RepVisit, []models.RepObjection, []models.PlannedVisit, error) {
	from, to, err := week.Bounds(team.Location())
	if err != nil {
		return nil, nil, nil, err
	}
	scope := storage.RecordScope{Viewer: viewer, TeamID: team.ID, RepID: repID, From: from, To: to}
	visits, err := b.db.ReportVisits(ctx, scope)
	if err != nil {
		return nil, nil, nil, err
	}
	objs, err := b.db.ReportObjections(ctx, scope)
	if err != nil {
		return nil, nil, nil, err
	}
	planned, err := b.db.PlannedVisitsOf(ctx, viewer, team.ID, repID, append([]models.Week{week}, more...)...)
	if err != nil {
		return nil, nil, nil, err
	}
	return visits, objs, planned, nil
}

// objectionStats groups objections by category, most frequent first, with
// the answers that resolved them (the worked answer, else the answer
// given), most used first, three at most.
func objectionStats(objs []models.RepObjection) []models.ObjectionStat {
	byCat := map[models.ObjectionCategory]*models.ObjectionStat{}
	answers := map[models.ObjectionCategory]map[string]int{}
	for _, o := range objs {
		st := byCat[o.Category]
		if st == nil {
			st = &models.ObjectionStat{Category: o.Category}
			byCat[o.Category] = st
			answers[o.Category] = map[string]int{}
		}
		st.Count++
		if o.Resolved {
			st.Resolved++
			a := strings.TrimSpace(o.WorkedAnswer)
			if a == "" {
				a = strings.TrimSpace(o.Answer)
			}
			if a != "" {
				answers[o.Category][a]++
			}
		}
	}
	out := make([]models.ObjectionStat, 0, len(byCat))
	for cat, st := range byCat {
		type kv struct {
			a string
			n int
		}
		var as []kv
		for a, n := range answers[cat] {
			as = append(as, kv{a, n})
		}
		sort.Slice(as, func(i, j int) bool {
			if as[i].n != as[j].n {
				return as[i].n > as[j].n
			}
			return as[i].a < as[j].a
		})
		for i := 0; i < len(as) && i < 3; i++ {
			st.Answers = append(st.Answers, as[i].a)
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Category < out[j].Category
	})
	return out
}

// RepWeek builds one rep's week in a team: plan-vs-actual, visits and
// objections (idx_planned_rep_week, idx_visits_rep_at, idx_objections_rep_at),
// as viewer may see them.
func (b *Builder) RepWeek(ctx context.Context, viewer *models.User, team *models.Team, repID int64, week models.Week) (*models.RepWeekly, error) {
	loc := team.Location()
	visits, objs, planned, err := b.readWeek(ctx, viewer, team, repID, week)
	if err != nil {
		return nil, err
	}
	today := models.CivilDate(b.clock.Now(), loc)
	rw := &models.RepWeekly{TeamID: team.ID, Loc: loc, RepID: repID, Week: week, Today: today, Clients: map[int64]string{}}
	for _, p := range planned {
		rw.Clients[p.ClientID] = p.ClientName
	}
	for _, v := range visits {
		rw.Clients[v.ClientID] = v.Client
		rw.Visits = append(rw.Visits, v.VisitLine)
	}
	for _, o := range objs {
		rw.Objections = append(rw.Objections, o.ObjectionLine)
	}
	rw.Plan = models.MatchPlan(week, today, planned, visitRefs(visits, loc))
	return rw, nil
}
