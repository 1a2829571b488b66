package reports

import (
	"context"

	"salesbot/internal/storage"
	"salesbot/models"
)

// goals reads a team's month against its targets (the targets' one
// attainment aggregate, as of now) and takes out the units and value
// targets the pipeline forecasts against: by rep id and, at key 0, the
// team's (its own, or the sum of its reps').
func (b *Builder) goals(ctx context.Context, team *models.Team, month models.Month) (map[int64]models.Goal, *models.MonthAttainment, error) {
	att, err := b.db.Attainment(ctx, storage.System, team.ID, month, b.clock.Now())
	if err != nil {
		return nil, nil, err
	}
	goal := func(r models.RepAttainment) models.Goal {
		var g models.Goal
		if l, ok := r.Line(models.MetricUnits); ok {
			g.Units = l.Target
		}
		if l, ok := r.Line(models.MetricValue); ok {
			g.Value = models.Money{Minor: l.Target, Currency: l.Currency}
		}
		return g
	}
	out := map[int64]models.Goal{}
	for _, r := range att.Reps {
		out[r.RepID] = goal(r)
	}
	if att.Team != nil {
		out[0] = goal(*att.Team)
	}
	return out, att, nil
}
