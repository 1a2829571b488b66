package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// The pipeline's and the month review's reads: a fixed number of
// index-backed queries per team, never one per deal or rep
// (TestReportQueriesUseIndexes runs EXPLAIN on each).

// DealScope selects a team's deals: every rep's (RepID 0) or one rep's.
type DealScope struct {
	// Viewer is who the deals are read for: a deal is seen with its client
	// (the one visibility rule, clientScope), on top of the team and rep,
	// so a scope built wrong shows less, never more (nil: nothing).
	// Reports nobody asked for read as System.
	Viewer        *models.User
	TeamID, RepID int64
}

// visibleDeals narrows q, a read of the deals of team teamID (joined with
// their clients when joined), to those on clients viewer may see
// (clientScope); ok is false when viewer sees nothing of the team. A team
// viewer sees whole (splitReach) needs no client read; in one where a rep
// sees part, each deal's client is read by primary key and checked by the
// rule's indexes.
func visibleDeals(q *gorm.DB, viewer *models.User, teamID int64, joined bool) (_ *gorm.DB, ok bool) {
	whole, part := splitReach(viewer, []int64{teamID})
	switch {
	case len(whole) > 0:
		return q, true
	case len(part) == 0:
		return q, false
	}
	if !joined {
		q = q.Joins("JOIN clients ON clients.id = deals.client_id")
	}
	cond, args := clientScope(viewer, "clients")
	return q.Where(cond, args...), true
}

type stageProbabilityRow struct {
	TeamID    int64  `gorm:"primaryKey;autoIncrement:false"`
	Stage     string `gorm:"primaryKey"`
	Percent   int
	UpdatedAt time.Time
}

func (stageProbabilityRow) TableName() string { return "stage_probabilities" }

// StageProbabilities returns a team's stage probabilities: the defaults
// with the team's changes.
func (db *DB) StageProbabilities(ctx context.Context, teamID int64) (models.StageProbabilities, error) {
	var rows []stageProbabilityRow
	if err := db.conn(ctx).Where("team_id = ?", teamID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("get stage probabilities of team %d: %w", teamID, err)
	}
	p := models.DefaultStageProbabilities()
	for _, r := range rows {
		p[models.Stage(r.Stage)] = r.Percent
	}
	return p, nil
}

// SetStageProbability stores a team's percent for one stage, set by
// viewer, who must manage the team (checked here, as for targets: the
// weights every pipeline and forecast of the team read).
func (db *DB) SetStageProbability(ctx context.Context, viewer *models.User, teamID int64, stage models.Stage, pct int) error {
	if !viewer.SeesTeam(teamID) {
		return models.Errorf(models.EFORBIDDEN, "err_probability_managers_only", nil)
	}
	if err := models.CheckProbability(stage, pct); err != nil {
		return err
	}
	row := stageProbabilityRow{TeamID: teamID, Stage: string(stage), Percent: pct, UpdatedAt: db.Now()}
	err := upsert(db.conn(ctx), &row, []string{"team_id", "stage"}, "percent", "updated_at").Error
	if err != nil {
		return fmt.Errorf("set probability of %s for team %d: %w", stage, teamID, err)
	}
	return nil
}

// OpenDealGroups sums a scope's open deals by owner, stage, expected close
// month and currency: one grouped range read of idx_deals_team_state_close
// (idx_deals_owner_state_close for one rep), however many deals there are.
func (db *DB) OpenDealGroups(ctx context.Context, s DealScope) ([]models.DealGroup, error) {
	q := db.conn(ctx).Table("deals").
		Select("deals.owner_id, deals.stage, deals.close_month, deals.currency, COUNT(*) AS deals, SUM(deals.units) AS units, SUM(deals.value_minor) AS value_minor")
	if s.RepID != 0 {
		q = q.Where("deals.owner_id = ? AND deals.state = ? AND deals.team_id = ?", s.RepID, string(models.DealOpen), s.TeamID)
	} else {
		q = q.Where("deals.team_id = ? AND deals.state = ?", s.TeamID, string(models.DealOpen))
	}
	q, ok := visibleDeals(q, s.Viewer, s.TeamID, false)
	if !ok {
		return nil, nil
	}
	var rows []struct {
		OwnerID    int64
		Stage      string
		CloseMonth string
		Currency   string
		Deals      int
		Units      int64
		ValueMinor int64
	}
	if err := q.Group("deals.owner_id, deals.stage, deals.close_month, deals.currency").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("sum open deals of team %d (rep %d): %w", s.TeamID, s.RepID, err)
	}
	out := make([]models.DealGroup, len(rows))
	for i, r := range rows {
		m, _ := models.ParseMonthKey(r.CloseMonth)
		out[i] = models.DealGroup{OwnerID: r.OwnerID, Stage: models.Stage(r.Stage), CloseMonth: m, Currency: r.Currency,
			Deals: r.Deals, Units: r.Units, ValueMinor: r.ValueMinor}
	}
	return out, nil
}

// ClosedDeals lists a scope's deals won or lost in [from, to), with their
// client's and owner's names and their competitors, by close time: a range
// of idx_deals_team_closed.
func (db *DB) ClosedDeals(ctx context.Context, s DealScope, from, to time.Time) ([]models.ClosedDeal, error) {
	q, ok := s.dealsIn(db.namedDeals(ctx), "closed_at", from, to, true)
	if !ok {
		return nil, nil
	}
	deals, err := findNamedDeals(ctx, db, q.Order("deals.closed_at, deals.id"), func(d models.Deal, client, owner string) models.ClosedDeal {
		return models.ClosedDeal{Deal: d, Client: client, Owner: owner}
	})
	if err != nil {
		return nil, fmt.Errorf("list deals closed by team %d (rep %d): %w", s.TeamID, s.RepID, err)
	}
	return deals, nil
}

// dealsIn narrows q, a read of deals (joined: with their clients), to
// the scope's whose column col (closed_at, created_at) is in [from, to):
// a range of the team's index on it, the rep's if one, on clients the
// viewer may see (visibleDeals; ok false: none).
func (s DealScope) dealsIn(q *gorm.DB, col string, from, to time.Time, joined bool) (_ *gorm.DB, ok bool) {
	q = q.Where("deals.team_id = ? AND deals."+col+" >= ? AND deals."+col+" < ?", s.TeamID, utc(from), utc(to))
	if s.RepID != 0 {
		q = q.Where("deals.owner_id = ?", s.RepID)
	}
	return visibleDeals(q, s.Viewer, s.TeamID, joined)
}

// DealsOpenedIn lists a scope's deals created in [from, to), in any
// state, with their competitors: a range of idx_deals_team_created.
func (db *DB) DealsOpenedIn(ctx context.Context, s DealScope, from, to time.Time) ([]*models.Deal, error) {
	q, ok := s.dealsIn(db.conn(ctx).Table("deals").Select("deals.*"), "created_at", from, to, false)
	if !ok {
		return nil, nil
	}
	var rows []dealRow
	if err := q.Order("deals.created_at, deals.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list deals opened by team %d (rep %d): %w", s.TeamID, s.RepID, err)
	}
	return db.withCompetitors(ctx, rows)
}
