package reports

import (
	"context"

	"salesbot/internal/storage"
	"salesbot/models"
)

// people are a team's reps to list and everyone's names (members who
// left included, for the deals they still own).
func (b *Builder) people(ctx context.Context, teamID int64) ([]models.RepRef, map[int64]string, error) {
	ms, err := b.db.Members(ctx, teamID)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(ms))
	var reps []models.RepRef
	for _, m := range ms {
		names[m.User.ID] = m.User.Name
		if m.Active && m.Role == models.RoleRep {
			reps = append(reps, models.RepRef{ID: m.User.ID, Name: m.User.Name, Unreachable: m.User.Unreachable})
		}
	}
	return reps, names, nil
}

// pipelineData is what a pipeline is built from: a fixed number of reads
// per team (members, probabilities, the open deals grouped, the month's
// closed deals, targets), whether for the team or one rep.
type pipelineData struct {
	team   *models.Team
	month  models.Month
	reps   []models.RepRef
	names  map[int64]string
	probs  models.StageProbabilities
	open   []models.DealGroup
	closed []models.ClosedDeal
	goals  map[int64]models.Goal
}

// readPipeline reads a pipeline's data; closed, when not nil, are the
// scope's deals closed in month already read (the month review's own, for
// this month), so they are not read twice.
func (b *Builder) readPipeline(ctx context.Context, team *models.Team, scope storage.DealScope, month models.Month,
	reps []models.RepRef, names map[int64]string, closed []models.ClosedDeal) (*pipelineData, error) {
	d := &pipelineData{team: team, month: month, reps: reps, names: names, closed: closed}
	var err error
	if d.probs, err = b.db.StageProbabilities(ctx, team.ID); err != nil {
		return nil, err
	}
	if d.open, err = b.db.OpenDealGroups(ctx, scope); err != nil {
		return nil, err
	}
	if d.closed == nil {
		from, to := models.MonthBounds(month, team.Location())
		if d.closed, err = b.db.ClosedDeals(ctx, scope, from, to); err != nil {
			return nil, err
		}
	}
	if d.goals, err = b.goals(ctx, scope.Viewer, team, month, reps); err != nil {
		return nil, err
	}
	return d, nil
}

// build weighs the data into the team's pipeline (repID 0) or one rep's.
func (d *pipelineData) build(repID int64) *models.Pipeline {
	reps, open, closed, goals := d.reps, d.open, d.closed, d.goals
	if repID != 0 {
		reps = []models.RepRef{{ID: repID, Name: d.names[repID]}}
		open = filter(open, func(g models.DealGroup) bool { return g.OwnerID == repID })
		closed = filter(closed, func(c models.ClosedDeal) bool { return c.OwnerID == repID })
		goals = map[int64]models.Goal{repID: d.goals[repID], 0: d.goals[repID]}
	}
	p := models.BuildPipeline(d.month, d.probs, reps, d.names, open, closed, goals)
	p.TeamID, p.TeamName, p.Loc, p.RepID = d.team.ID, d.team.Name, d.team.Location(), repID
	return p
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// Pipeline builds a team's pipeline (repID 0) or one rep's, with the
// forecast of month, as viewer may see it (deals on clients viewer sees:
// storage.DealScope): the open deals grouped in one query, the deals
// closed in month in another, the stage probabilities and targets.
func (b *Builder) Pipeline(ctx context.Context, viewer *models.User, team *models.Team, repID int64, month models.Month) (*models.Pipeline, error) {
	reps, names, err := b.people(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	d, err := b.readPipeline(ctx, team, storage.DealScope{Viewer: viewer, TeamID: team.ID, RepID: repID}, month, reps, names, nil)
	if err != nil {
		return nil, err
	}
	return d.build(repID), nil
}

// monthData is what a month's review is built from: the deals closed and
// opened in it, the targets, and the pipeline of the month after.
type monthData struct {
	team   *models.Team
	month  models.Month
	toDate bool
	reps   []models.RepRef
	names  map[int64]string
	closed []models.ClosedDeal
	opened []*models.Deal
	att    *models.MonthAttainment
	next   *pipelineData // nil: not shown
}

// readMonth reads a review's data. The pipeline shown with it is the
// month after's when that is this month or later, and the rest of this
// month's for this month so far; a month long past shows none (today's
// pipeline says nothing of it).
func (b *Builder) readMonth(ctx context.Context, team *models.Team, scope storage.DealScope, month models.Month) (*monthData, error) {
	loc := team.Location()
	reps, names, err := b.people(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	d := &monthData{team: team, month: month, reps: reps, names: names}
	from, to := models.MonthBounds(month, loc)
	if d.closed, err = b.db.ClosedDeals(ctx, scope, from, to); err != nil {
		return nil, err
	}
	if d.opened, err = b.db.DealsOpenedIn(ctx, scope, from, to); err != nil {
		return nil, err
	}
	// The month's attainment: every rep's against every target (units,
	// value, visits, existing clients, new clients), as of now or, for a
	// month that ended, as of its end (who was in the team then).
	asOf := b.clock.Now()
	if to.Before(asOf) {
		asOf = to
	}
	if d.att, err = b.db.Attainment(ctx, scope.Viewer, team, month, asOf); err != nil {
		return nil, err
	}
	now := models.MonthOf(b.clock.Now(), loc)
	d.toDate = !month.Before(now)
	next, closed := models.AddMonths(month, 1), []models.ClosedDeal(nil)
	if d.toDate {
		// This month's pipeline: its closed deals are the review's.
		next, closed = month, d.closed
		if closed == nil {
			closed = []models.ClosedDeal{}
		}
	}
	if !next.Before(now) {
		if d.next, err = b.readPipeline(ctx, team, scope, next, reps, names, closed); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// build makes the team's review (repID 0) or one rep's from the data.
func (d *monthData) build(repID int64) *models.MonthReview {
	m := models.BuildMonthReview(d.month, d.att, repID, d.closed, d.opened)
	if repID != 0 && len(m.Reps) == 0 {
		m.Reps = []models.RepReview{{Rep: models.RepRef{ID: repID, Name: d.names[repID]}}}
	}
	m.TeamID, m.TeamName, m.Loc, m.ToDate = d.team.ID, d.team.Name, d.team.Location(), d.toDate
	if d.next != nil {
		m.Next = d.next.build(repID)
	}
	return m
}

// MonthReview builds a team's review of month (repID 0) or one rep's, as
// viewer may see it.
func (b *Builder) MonthReview(ctx context.Context, viewer *models.User, team *models.Team, repID int64, month models.Month) (*models.MonthReview, error) {
	d, err := b.readMonth(ctx, team, storage.DealScope{Viewer: viewer, TeamID: team.ID, RepID: repID}, month)
	if err != nil {
		return nil, err
	}
	return d.build(repID), nil
}
