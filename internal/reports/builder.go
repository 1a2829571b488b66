// Package reports builds the managers' daily digest and weekly summary, the
// reps' week, and the exports, with a fixed number of index-backed queries
// per team (never one per rep or client); it also runs the scheduled
// sending of digests and summaries, exactly once per recipient and period.
package reports

import (
	"context"
	"fmt"
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

// visitRow is a visit with its client's and rep's names.
type visitRow struct {
	ID          int64
	RepID       int64
	RepName     string
	ClientID    int64
	ClientName  string
	At          time.Time
	StageBefore string
	Stage       string
	Attitude    string
	Method      string
}

func (v *visitRow) line() models.VisitLine {
	return models.VisitLine{ID: v.ID, At: v.At.UTC(), ClientID: v.ClientID, Client: v.ClientName,
		StageBefore: models.Stage(v.StageBefore), Stage: models.Stage(v.Stage), Attitude: models.Attitude(v.Attitude), Method: models.Method(v.Method)}
}

// visits lists a team's visits in [from, to), oldest first (idx_visits_team_at).
func (b *Builder) visits(ctx context.Context, teamID int64, from, to time.Time) ([]visitRow, error) {
	var rows []visitRow
	err := b.db.Gorm().WithContext(ctx).Table("visits").
		Select("visits.id, visits.rep_id, users.name AS rep_name, visits.client_id, clients.name AS client_name, visits.at, visits.stage_before, visits.stage, visits.attitude, visits.method").
		Joins("JOIN clients ON clients.id = visits.client_id").
		Joins("JOIN users ON users.id = visits.rep_id").
		Where("visits.team_id = ? AND visits.at >= ? AND visits.at < ? AND visits.deleted_at IS NULL", teamID, from, to).
		Order("visits.at, visits.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list visits of team %d: %w", teamID, err)
	}
	return rows, nil
}

type objectionRow struct {
	ID           int64
	RepID        int64
	RepName      string
	ClientName   string
	At           time.Time
	Category     string
	Words        string
	Answer       string
	Resolved     bool
	WorkedAnswer string
}

// objections lists a team's objections in [from, to) (idx_objections_team_at).
func (b *Builder) objections(ctx context.Context, teamID int64, from, to time.Time) ([]objectionRow, error) {
	var rows []objectionRow
	err := b.db.Gorm().WithContext(ctx).Table("objections").
		Select("objections.id, objections.rep_id, users.name AS rep_name, clients.name AS client_name, objections.at, objections.category, objections.words, objections.answer, objections.resolved, objections.worked_answer").
		Joins("JOIN clients ON clients.id = objections.client_id").
		Joins("JOIN users ON users.id = objections.rep_id").
		Where("objections.team_id = ? AND objections.at >= ? AND objections.at < ? AND objections.deleted_at IS NULL", teamID, from, to).
		Order("objections.at, objections.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list objections of team %d: %w", teamID, err)
	}
	return rows, nil
}

type plannedRow struct {
	ID         int64
	RepID      int64
	ClientID   int64
	ClientName string
	WeekStart  string
	Day        string
	Purpose    string
}

func (p *plannedRow) model(teamID int64) models.PlannedVisit {
	return models.PlannedVisit{ID: p.ID, TeamID: teamID, RepID: p.RepID, ClientID: p.ClientID, WeekStart: p.WeekStart, Day: p.Day, Purpose: p.Purpose}
}

// planned lists a team's planned visits of some weeks (idx_planned_team_week).
func (b *Builder) planned(ctx context.Context, teamID int64, weeks ...models.Week) ([]plannedRow, error) {
	mondays := make([]string, len(weeks))
	for i, w := range weeks {
		mondays[i] = w.Monday
	}
	var rows []plannedRow
	err := b.db.Gorm().WithContext(ctx).Table("planned_visits").
		Select("planned_visits.id, planned_visits.rep_id, planned_visits.client_id, clients.name AS client_name, planned_visits.week_start, planned_visits.day, planned_visits.purpose").
		Joins("JOIN clients ON clients.id = planned_visits.client_id").
		Where("planned_visits.team_id = ? AND planned_visits.week_start IN ?", teamID, mondays).
		Order("planned_visits.day, planned_visits.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list planned visits of team %d: %w", teamID, err)
	}
	return rows, nil
}

// flaggedClients applies the three-visits rule to the clients given, from
// the count of visits without progress that every visit write keeps on the
// client card (one query by primary key).
func (b *Builder) flaggedClients(ctx context.Context, clientIDs []int64) (map[int64]models.Stage, error) {
	if len(clientIDs) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID               int64
		Stage            string
		NoProgressVisits int
	}
	err := b.db.Gorm().WithContext(ctx).Table("clients").Select("id, stage, no_progress_visits").
		Where("id IN ?", clientIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read the three-visits counts of %d clients: %w", len(clientIDs), err)
	}
	out := map[int64]models.Stage{}
	for _, r := range rows {
		if models.NeedsNewPlan(models.Stage(r.Stage), r.NoProgressVisits) {
			out[r.ID] = models.Stage(r.Stage)
		}
	}
	return out, nil
}

// stageChanges lists a team's client stage changes in [from, to), by a
// visit or set on the card (idx_stage_events_team_at).
func (b *Builder) stageChanges(ctx context.Context, teamID int64, from, to time.Time) ([]models.StageChange, error) {
	var rows []struct {
		ClientID   int64
		ClientName string
		UserName   string
		FromStage  string
		ToStage    string
		At         time.Time
	}
	err := b.db.Gorm().WithContext(ctx).Table("stage_events").
		Select("stage_events.client_id, clients.name AS client_name, users.name AS user_name, stage_events.from_stage, stage_events.to_stage, stage_events.at").
		Joins("JOIN clients ON clients.id = stage_events.client_id").
		Joins("JOIN users ON users.id = stage_events.user_id").
		Where("stage_events.team_id = ? AND stage_events.at >= ? AND stage_events.at < ?", teamID, from, to).
		Order("stage_events.at, stage_events.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list stage changes of team %d: %w", teamID, err)
	}
	out := make([]models.StageChange, 0, len(rows))
	for _, r := range rows {
		if r.FromStage == "" {
			continue // a new client's first stage is no change
		}
		out = append(out, models.StageChange{ClientID: r.ClientID, Client: r.ClientName, Rep: r.UserName,
			From: models.Stage(r.FromStage), To: models.Stage(r.ToStage), At: r.At.UTC()})
	}
	return out, nil
}

func visitRefs(rows []visitRow, loc *time.Location) []models.VisitRef {
	out := make([]models.VisitRef, len(rows))
	for i, v := range rows {
		out[i] = models.VisitRef{ID: v.ID, RepID: v.RepID, ClientID: v.ClientID, Day: models.CivilDate(v.At, loc)}
	}
	return out
}

func plannedModels(rows []plannedRow, teamID int64, week models.Week) []models.PlannedVisit {
	var out []models.PlannedVisit
	for i := range rows {
		if rows[i].WeekStart == week.Monday {
			out = append(out, rows[i].model(teamID))
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

// members splits a team's active members into reps and everyone by id.
func (b *Builder) members(ctx context.Context, teamID int64) (reps []models.RepRef, names map[int64]string, err error) {
	ms, err := b.db.ActiveMembers(ctx, teamID)
	if err != nil {
		return nil, nil, err
	}
	names = map[int64]string{}
	for _, m := range ms {
		names[m.User.ID] = m.User.Name
		if m.Role == models.RoleRep {
			reps = append(reps, models.RepRef{ID: m.User.ID, Name: m.User.Name, Unreachable: m.User.Unreachable})
		}
	}
	return reps, names, nil
}

// followUpCounts counts, per owner, a team's follow-ups done in [from, to)
// (idx_follow_ups_team_done) and those open and overdue at `at`
// (idx_follow_ups_team: team, state, due time), in two grouped queries.
func (b *Builder) followUpCounts(ctx context.Context, teamID int64, from, to, at time.Time) (done, overdue map[int64]int, err error) {
	type count struct {
		OwnerID int64
		N       int
	}
	var d, o []count
	g := b.db.Gorm().WithContext(ctx)
	err = g.Table("follow_ups").Select("owner_id, COUNT(*) AS n").
		Where("team_id = ? AND done_at >= ? AND done_at < ? AND state = ?", teamID, from, to, string(models.FollowUpDone)).
		Group("owner_id").Scan(&d).Error
	if err != nil {
		return nil, nil, fmt.Errorf("count follow-ups done in team %d: %w", teamID, err)
	}
	err = g.Table("follow_ups").Select("owner_id, COUNT(*) AS n").
		Where("team_id = ? AND state IN ? AND due_at < ?", teamID, openFollowUpStates(), at).
		Group("owner_id").Scan(&o).Error
	if err != nil {
		return nil, nil, fmt.Errorf("count overdue follow-ups in team %d: %w", teamID, err)
	}
	done, overdue = map[int64]int{}, map[int64]int{}
	for _, c := range d {
		done[c.OwnerID] = c.N
	}
	for _, c := range o {
		overdue[c.OwnerID] = c.N
	}
	return done, overdue, nil
}

func openFollowUpStates() []string {
	out := make([]string, len(models.OpenFollowUpStates))
	for i, s := range models.OpenFollowUpStates {
		out[i] = string(s)
	}
	return out
}

func byName(a, b string) bool {
	if la, lb := strings.ToLower(a), strings.ToLower(b); la != lb {
		return la < lb
	}
	return a < b
}

// DailyDigest builds a team's digest for a civil date in the team's zone.
func (b *Builder) DailyDigest(ctx context.Context, team *models.Team, date string) (*models.DailyDigest, error) {
	loc := team.Location()
	dayFrom, dayTo, err := models.DateBounds(date, loc)
	if err != nil {
		return nil, err
	}
	week := models.WeekOfDate(date)
	weekFrom, _, err := week.Bounds(loc)
	if err != nil {
		return nil, err
	}
	reps, _, err := b.members(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	// The week so far, to the end of the day: today's visits and the plan.
	weekVisits, err := b.visits(ctx, team.ID, weekFrom, dayTo)
	if err != nil {
		return nil, err
	}
	objs, err := b.objections(ctx, team.ID, dayFrom, dayTo)
	if err != nil {
		return nil, err
	}
	planned, err := b.planned(ctx, team.ID, week)
	if err != nil {
		return nil, err
	}
	d := &models.DailyDigest{TeamID: team.ID, TeamName: team.Name, Loc: loc, Date: date, Week: week}

	days := map[int64]*models.RepDay{}
	repDay := func(id int64, name string) *models.RepDay {
		if rd, ok := days[id]; ok {
			return rd
		}
		rd := &models.RepDay{Rep: models.RepRef{ID: id, Name: name}}
		days[id] = rd
		return rd
	}
	for _, r := range reps {
		repDay(r.ID, r.Name).Rep.Unreachable = r.Unreachable
	}
	var clientsToday []int64
	seenClient := map[int64]bool{}
	clientRep := map[int64]string{}
	clientName := map[int64]string{}
	for i := range weekVisits {
		v := &weekVisits[i]
		if v.At.Before(dayFrom) {
			continue
		}
		rd := repDay(v.RepID, v.RepName)
		rd.Visits = append(rd.Visits, v.line())
		if !seenClient[v.ClientID] {
			seenClient[v.ClientID] = true
			clientsToday = append(clientsToday, v.ClientID)
		}
		clientRep[v.ClientID], clientName[v.ClientID] = v.RepName, v.ClientName
	}
	for i := range objs {
		o := &objs[i]
		rd := repDay(o.RepID, o.RepName)
		rd.Objections = append(rd.Objections, models.ObjectionLine{ID: o.ID, At: o.At.UTC(), Client: o.ClientName,
			Category: models.ObjectionCategory(o.Category), Words: o.Words, Resolved: o.Resolved})
	}
	today := models.CivilDate(b.clock.Now(), loc)
	if today > date {
		today = models.AddDays(date, 1) // a past day's digest shows the plan as it stood that evening
	}
	plans := planByRep(week, today, plannedModels(planned, team.ID, week), visitRefs(weekVisits, loc))
	for id, res := range plans {
		if rd, ok := days[id]; ok {
			rd.Plan = res.Progress()
		}
	}
	at := b.clock.Now()
	if at.After(dayTo) {
		at = dayTo // a past day's digest: overdue as that evening
	}
	done, overdue, err := b.followUpCounts(ctx, team.ID, dayFrom, dayTo, at)
	if err != nil {
		return nil, err
	}
	d.FollowUps = true
	for id, n := range done {
		if rd, ok := days[id]; ok {
			rd.FollowUpsDone = n
		}
	}
	for id, n := range overdue {
		if rd, ok := days[id]; ok {
			rd.FollowUpsOverdue = n
		}
	}
	stalled, err := b.flaggedClients(ctx, clientsToday)
	if err != nil {
		return nil, err
	}
	if d.StageChanges, err = b.stageChanges(ctx, team.ID, dayFrom, dayTo); err != nil {
		return nil, err
	}
	for _, id := range clientsToday {
		if st, ok := stalled[id]; ok {
			d.Flagged = append(d.Flagged, models.ClientFlag{ClientID: id, Client: clientName[id], Rep: clientRep[id], Stage: st})
		}
	}
	isRep := map[int64]bool{}
	for _, r := range reps {
		isRep[r.ID] = true
	}
	for _, rd := range days {
		t := &d.Totals
		t.Visits += len(rd.Visits)
		t.Objections += len(rd.Objections)
		t.FollowUpsDone += rd.FollowUpsDone
		t.FollowUpsOverdue += rd.FollowUpsOverdue
		t.Plan = addProgress(t.Plan, rd.Plan)
		if rd.Rep.Unreachable {
			d.Unreachable = append(d.Unreachable, rd.Rep)
		}
		switch {
		case rd.Active():
			t.ActiveReps++
			d.Reps = append(d.Reps, *rd)
		case isRep[rd.Rep.ID]:
			d.Idle = append(d.Idle, rd.Rep)
		}
	}
	d.Totals.Reps = len(reps)
	sort.Slice(d.Reps, func(i, j int) bool { return byName(d.Reps[i].Rep.Name, d.Reps[j].Rep.Name) })
	sort.Slice(d.Idle, func(i, j int) bool { return byName(d.Idle[i].Name, d.Idle[j].Name) })
	sort.Slice(d.Unreachable, func(i, j int) bool { return byName(d.Unreachable[i].Name, d.Unreachable[j].Name) })
	return d, nil
}

// WeeklySummary builds a team's summary of a week: plan-vs-actual, visits
// by stage and attitude, stage changes, objections, and the plans for the
// week after.
func (b *Builder) WeeklySummary(ctx context.Context, team *models.Team, week models.Week) (*models.WeeklySummary, error) {
	loc := team.Location()
	from, to, err := week.Bounds(loc)
	if err != nil {
		return nil, err
	}
	reps, _, err := b.members(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	visits, err := b.visits(ctx, team.ID, from, to)
	if err != nil {
		return nil, err
	}
	objs, err := b.objections(ctx, team.ID, from, to)
	if err != nil {
		return nil, err
	}
	next := week.Next()
	planned, err := b.planned(ctx, team.ID, week, next)
	if err != nil {
		return nil, err
	}
	today := models.CivilDate(b.clock.Now(), loc)
	s := &models.WeeklySummary{TeamID: team.ID, TeamName: team.Name, Loc: loc, Week: week, Next: next, Today: today,
		Visits: len(visits), ByStage: map[models.Stage]int{}, ByAttitude: map[models.Attitude]int{}, ObjectionCount: len(objs)}

	names := map[int64]string{}
	for _, r := range reps {
		names[r.ID] = r.Name
	}
	visitsBy := map[int64]int{}
	for i := range visits {
		v := &visits[i]
		names[v.RepID] = v.RepName
		visitsBy[v.RepID]++
		if v.Stage != "" {
			s.ByStage[models.Stage(v.Stage)]++
		}
		if v.Attitude != "" {
			s.ByAttitude[models.Attitude(v.Attitude)]++
		}
	}
	results := planByRep(week, today, plannedModels(planned, team.ID, week), visitRefs(visits, loc))
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
		add(id) // managers and former reps who planned or visited
	}
	sort.Slice(s.Reps, func(i, j int) bool { return byName(s.Reps[i].Rep.Name, s.Reps[j].Rep.Name) })

	nextPlans := map[int64]*models.RepPlan{}
	for i := range planned {
		p := &planned[i]
		if p.WeekStart != next.Monday {
			continue
		}
		rp := nextPlans[p.RepID]
		if rp == nil {
			rp = &models.RepPlan{Rep: models.RepRef{ID: p.RepID, Name: names[p.RepID]}}
			nextPlans[p.RepID] = rp
		}
		rp.Items = append(rp.Items, models.PlannedLine{Day: p.Day, Client: p.ClientName, Purpose: p.Purpose})
	}
	for _, rp := range nextPlans {
		s.Plans = append(s.Plans, *rp)
	}
	sort.Slice(s.Plans, func(i, j int) bool { return byName(s.Plans[i].Rep.Name, s.Plans[j].Rep.Name) })
	for _, r := range reps {
		if nextPlans[r.ID] == nil {
			s.NoPlan = append(s.NoPlan, r)
		}
	}
	s.Objections = objectionStats(objs)
	if s.StageChanges, err = b.stageChanges(ctx, team.ID, from, to); err != nil {
		return nil, err
	}
	return s, nil
}

// objectionStats groups objections by category, most frequent first, with
// the answers that resolved them (the worked answer, else the answer
// given), most used first, three at most.
func objectionStats(objs []objectionRow) []models.ObjectionStat {
	byCat := map[string]*models.ObjectionStat{}
	answers := map[string]map[string]int{}
	for _, o := range objs {
		st := byCat[o.Category]
		if st == nil {
			st = &models.ObjectionStat{Category: models.ObjectionCategory(o.Category)}
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
// objections (idx_planned_rep_week, idx_visits_rep_at, idx_objections_rep_at).
func (b *Builder) RepWeek(ctx context.Context, team *models.Team, repID int64, week models.Week) (*models.RepWeekly, error) {
	loc := team.Location()
	from, to, err := week.Bounds(loc)
	if err != nil {
		return nil, err
	}
	g := b.db.Gorm().WithContext(ctx)
	var planned []plannedRow
	err = g.Table("planned_visits").
		Select("planned_visits.id, planned_visits.rep_id, planned_visits.client_id, clients.name AS client_name, planned_visits.week_start, planned_visits.day, planned_visits.purpose").
		Joins("JOIN clients ON clients.id = planned_visits.client_id").
		Where("planned_visits.rep_id = ? AND planned_visits.week_start = ? AND planned_visits.team_id = ?", repID, week.Monday, team.ID).
		Order("planned_visits.day, planned_visits.id").Scan(&planned).Error
	if err != nil {
		return nil, fmt.Errorf("list planned visits of rep %d: %w", repID, err)
	}
	var visits []visitRow
	err = g.Table("visits").
		Select("visits.id, visits.rep_id, visits.client_id, clients.name AS client_name, visits.at, visits.stage_before, visits.stage, visits.attitude, visits.method").
		Joins("JOIN clients ON clients.id = visits.client_id").
		Where("visits.rep_id = ? AND visits.at >= ? AND visits.at < ? AND visits.team_id = ? AND visits.deleted_at IS NULL", repID, from, to, team.ID).
		Order("visits.at, visits.id").Scan(&visits).Error
	if err != nil {
		return nil, fmt.Errorf("list visits of rep %d: %w", repID, err)
	}
	var objs []objectionRow
	err = g.Table("objections").
		Select("objections.id, objections.rep_id, clients.name AS client_name, objections.at, objections.category, objections.words, objections.resolved").
		Joins("JOIN clients ON clients.id = objections.client_id").
		Where("objections.rep_id = ? AND objections.at >= ? AND objections.at < ? AND objections.team_id = ? AND objections.deleted_at IS NULL", repID, from, to, team.ID).
		Order("objections.at, objections.id").Scan(&objs).Error
	if err != nil {
		return nil, fmt.Errorf("list objections of rep %d: %w", repID, err)
	}
	today := models.CivilDate(b.clock.Now(), loc)
	rw := &models.RepWeekly{TeamID: team.ID, Loc: loc, RepID: repID, Week: week, Today: today, Clients: map[int64]string{}}
	for _, p := range planned {
		rw.Clients[p.ClientID] = p.ClientName
	}
	for i := range visits {
		rw.Clients[visits[i].ClientID] = visits[i].ClientName
		rw.Visits = append(rw.Visits, visits[i].line())
	}
	for _, o := range objs {
		rw.Objections = append(rw.Objections, models.ObjectionLine{ID: o.ID, At: o.At.UTC(), Client: o.ClientName,
			Category: models.ObjectionCategory(o.Category), Words: o.Words, Resolved: o.Resolved})
	}
	rw.Plan = models.MatchPlan(week, today, plannedModels(planned, team.ID, week), visitRefs(visits, loc))
	return rw, nil
}
