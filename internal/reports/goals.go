package reports

import (
	"context"

	"salesbot/models"
)

// goals are a month's targets of units and value by rep id and, at key 0,
// the team's.
func (b *Builder) goals(ctx context.Context, team *models.Team, repID int64, month models.Month) (map[int64]models.Goal, error) {
	return map[int64]models.Goal{}, nil
}
