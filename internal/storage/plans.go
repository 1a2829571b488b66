package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// plannedVisitRow is a planned visit's row: models.PlannedVisit's fields
// are its columns.
type plannedVisitRow struct {
	models.PlannedVisit
	UpdatedAt time.Time
}

func (plannedVisitRow) TableName() string { return "planned_visits" }

func (r *plannedVisitRow) model() models.PlannedVisit {
	p := r.PlannedVisit
	p.CreatedAt = r.CreatedAt.UTC()
	return p
}

// AddPlannedVisits stores planned visits (all or none) and returns them
// with their ids. WeekStart is derived from Day.
func (db *DB) AddPlannedVisits(ctx context.Context, items []models.PlannedVisit) ([]models.PlannedVisit, error) {
	rows := make([]plannedVisitRow, len(items))
	for i, p := range items {
		rows[i] = plannedVisitRow{PlannedVisit: models.PlannedVisit{TeamID: p.TeamID, RepID: p.RepID, ClientID: p.ClientID,
			WeekStart: models.WeekOfDate(p.Day).Monday, Day: p.Day, Purpose: p.Purpose}}
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if len(rows) == 0 {
			return nil
		}
		return tx.CreateInBatches(&rows, 200).Error
	})
	if err != nil {
		return nil, fmt.Errorf("add %d planned visits: %w", len(items), err)
	}
	out := make([]models.PlannedVisit, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// PlannedVisitsOf lists the planned visits of some weeks in a team, with
// their clients' names, by day, as viewer may see them: one rep's
// (idx_planned_rep_week), or with repID 0 the whole team's
// (idx_planned_team_week). A planned visit is seen by the one rule for a
// person's records (entryScope: a manager the team's, a rep their own) on
// a client viewer may see (clientScope): a client handed to a teammate
// leaves the rep's plan with the client.
func (db *DB) PlannedVisitsOf(ctx context.Context, viewer *models.User, teamID, repID int64, weeks ...models.Week) ([]models.PlannedVisit, error) {
	mondays := make([]string, len(weeks))
	for i, w := range weeks {
		mondays[i] = w.Monday
	}
	own, ownArgs := entryScope(viewer, "planned_visits", "rep_id")
	seen, seenArgs := clientScope(viewer, "clients")
	q := db.conn(ctx).Table("planned_visits").Select("planned_visits.id, planned_visits.team_id, planned_visits.rep_id, planned_visits.client_id, planned_visits.week_start, planned_visits.day, planned_visits.purpose, planned_visits.created_at, clients.name AS client_name").
		Joins("JOIN clients ON clients.id = planned_visits.client_id").Where(own, ownArgs...).Where(seen, seenArgs...)
	if repID != 0 {
		q = q.Where("planned_visits.rep_id = ? AND planned_visits.week_start IN ? AND planned_visits.team_id = ?", repID, mondays, teamID)
	} else {
		q = q.Where("planned_visits.team_id = ? AND planned_visits.week_start IN ?", teamID, mondays)
	}
	var rows []struct {
		Row        plannedVisitRow `gorm:"embedded"`
		ClientName string
	}
	if err := q.Order("planned_visits.day, planned_visits.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list planned visits of team %d (rep %d): %w", teamID, repID, err)
	}
	out := make([]models.PlannedVisit, len(rows))
	for i := range rows {
		out[i] = rows[i].Row.model()
		out[i].ClientName = rows[i].ClientName
	}
	return out, nil
}

// DeletePlannedVisits removes a rep's own planned visits by id and returns
// how many went.
func (db *DB) DeletePlannedVisits(ctx context.Context, repID int64, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res := db.conn(ctx).Where("rep_id = ? AND id IN ?", repID, ids).Delete(&plannedVisitRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete planned visits of rep %d: %w", repID, res.Error)
	}
	return res.RowsAffected, nil
}

// RepsWithPlans returns which of a team's reps have at least one planned
// visit in a week (idx_planned_team_week).
func (db *DB) RepsWithPlans(ctx context.Context, teamID int64, week models.Week) (map[int64]bool, error) {
	var ids []int64
	err := db.conn(ctx).Model(&plannedVisitRow{}).Distinct("rep_id").
		Where("team_id = ? AND week_start = ?", teamID, week.Monday).Pluck("rep_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list reps with plans in team %d: %w", teamID, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// PlannedVisit returns one of viewer's own planned visits, with its
// client's name, through the viewer rule (entryScope).
func (db *DB) PlannedVisit(ctx context.Context, viewer *models.User, id int64) (*models.PlannedVisit, error) {
	if viewer == nil || viewer.ID == 0 {
		return nil, models.Errorf(models.ENOTFOUND, "plan_item_gone", nil)
	}
	var row struct {
		Row        plannedVisitRow `gorm:"embedded"`
		ClientName string
	}
	// The one rule for a person's records: their own, in a team they are
	// still active in.
	cond, args := entryScope(viewer, "planned_visits", "rep_id")
	err := db.conn(ctx).Table("planned_visits").
		Select("planned_visits.id, planned_visits.team_id, planned_visits.rep_id, planned_visits.client_id, planned_visits.week_start, planned_visits.day, planned_visits.purpose, planned_visits.created_at, clients.name AS client_name").
		Joins("JOIN clients ON clients.id = planned_visits.client_id").
		Where("planned_visits.id = ? AND planned_visits.rep_id = ?", id, viewer.ID).Where(cond, args...).Take(&row).Error
	if err != nil {
		return nil, fmt.Errorf("get planned visit %d: %w", id, translate(err, "plan_item_gone", ""))
	}
	p := row.Row.model()
	p.ClientName = row.ClientName
	return &p, nil
}

// MovePlannedVisit moves one of a rep's own planned visits to another day
// of its week; it reports whether the visit was there to move.
func (db *DB) MovePlannedVisit(ctx context.Context, repID, id int64, day string) (bool, error) {
	var n int64
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&plannedVisitRow{}).Where("id = ? AND rep_id = ? AND week_start = ?", id, repID, models.WeekOfDate(day).Monday).
			Updates(map[string]any{"day": day, "updated_at": db.Now()})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("move planned visit %d to %s: %w", id, day, err)
	}
	return n > 0, nil
}

// PlannedOn returns which of the given (client, day) pairs a rep has
// planned already, as "clientID day" keys: the same plan item twice is
// asked about before it is stored.
func (db *DB) PlannedOn(ctx context.Context, repID int64, items []models.PlannedVisit) (map[string]bool, error) {
	out := map[string]bool{}
	if len(items) == 0 {
		return out, nil
	}
	seenDay, seenWeek := map[string]bool{}, map[string]bool{}
	var list, weeks []string
	for _, it := range items {
		if !seenDay[it.Day] {
			seenDay[it.Day] = true
			list = append(list, it.Day)
		}
		if w := models.WeekOfDate(it.Day).Monday; !seenWeek[w] {
			seenWeek[w] = true
			weeks = append(weeks, w)
		}
	}
	var rows []plannedVisitRow
	// idx_planned_rep_week
	if err := db.conn(ctx).Where("rep_id = ? AND week_start IN ? AND day IN ?", repID, weeks, list).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("planned visits of rep %d on %v: %w", repID, list, err)
	}
	for _, r := range rows {
		out[PlanKey(r.ClientID, r.Day)] = true
	}
	return out, nil
}

// PlanKey names a plan item by client and day.
func PlanKey(clientID int64, day string) string { return fmt.Sprintf("%d %s", clientID, day) }
