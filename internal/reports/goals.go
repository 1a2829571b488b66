package reports

import (
	"context"

	"salesbot/models"
)

// goals are the month's units and value targets the pipeline forecasts
// against, by rep id and, at key 0, the team's own (none: BuildPipeline
// sums the reps'): the targets' one read of the team's targets, resolved
// by their rule (a rep's own, else each rep's default), as viewer may see
// them (a rep: the team's, the defaults and their own — all their own
// pipeline needs). Attainment is not needed for this: the forecast counts
// the won deals itself.
func (b *Builder) goals(ctx context.Context, viewer *models.User, team *models.Team, month models.Month, reps []models.RepRef) (map[int64]models.Goal, error) {
	if viewer.RoleIn(team.ID) == models.RoleNone {
		return map[int64]models.Goal{}, nil // nobody in the team: no targets to see
	}
	ts, err := b.db.Targets(ctx, viewer, team.ID, month)
	if err != nil {
		return nil, err
	}
	t := models.NewTargets(ts)
	goal := func(units, value models.Target, okU, okV bool) models.Goal {
		var g models.Goal
		if okU {
			g.Units = units.Amount
		}
		if okV {
			g.Value = models.Money{Minor: value.Amount, Currency: value.Currency}
		}
		return g
	}
	out := map[int64]models.Goal{}
	for _, r := range reps {
		u, _, okU := t.ForRep(r.ID, month, models.MetricUnits, 0)
		v, _, okV := t.ForRep(r.ID, month, models.MetricValue, 0)
		if g := goal(u, v, okU, okV); !g.IsZero() {
			out[r.ID] = g
		}
	}
	u, okU := t.ForTeam(month, models.MetricUnits)
	v, okV := t.ForTeam(month, models.MetricValue)
	if g := goal(u, v, okU, okV); !g.IsZero() {
		out[0] = g
	}
	return out, nil
}
