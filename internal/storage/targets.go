package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// targetRow is one monthly target: the team's (scope team, user 0), a
// rep's (scope rep) or each rep's default (scope each, user 0), for a
// month ("2027-03") or standing ("").
type targetRow struct {
	ID        int64 `gorm:"primaryKey"`
	TeamID    int64
	Scope     string
	UserID    int64
	Month     string
	Metric    string
	Amount    int64
	Currency  string
	SetBy     int64
	UpdatedAt time.Time
}

func (targetRow) TableName() string { return "targets" }

func (r *targetRow) model() models.Target {
	m, _ := models.ParseMonthKey(r.Month)
	return models.Target{TeamID: r.TeamID, Scope: models.TargetScope(r.Scope), UserID: r.UserID, Month: m,
		Metric: models.TargetMetric(r.Metric), Amount: r.Amount, Currency: r.Currency, SetBy: r.SetBy, UpdatedAt: r.UpdatedAt.UTC()}
}

// SetTarget stores a target (replacing the one with the same team, scope,
// person, month and metric), set by viewer, who must manage its team; a
// rep's target needs the rep to be an active member of the team.
func (db *DB) SetTarget(ctx context.Context, viewer *models.User, t models.Target) error {
	if !viewer.SeesTeam(t.TeamID) {
		return models.Errorf(models.EFORBIDDEN, "err_target_managers_only", nil)
	}
	if t.Metric == models.MetricValue {
		m := models.Money{Minor: t.Amount, Currency: t.Currency}
		if err := db.inTeamCurrency(ctx, t.TeamID, &m); err != nil {
			return err
		}
		t.Currency = m.Currency
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if t.Scope == models.ScopeRep {
		if err := db.activeMember(ctx, t.TeamID, t.UserID); err != nil {
			return err
		}
	}
	row := targetRow{TeamID: t.TeamID, Scope: string(t.Scope), UserID: t.UserID, Month: t.Month.Key(),
		Metric: string(t.Metric), Amount: t.Amount, Currency: t.Currency, SetBy: viewer.ID, UpdatedAt: db.Now()}
	err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return upsert(g, &row, []string{"team_id", "scope", "user_id", "month", "metric"}, "amount", "currency", "set_by", "updated_at")
	}).Error
	if err != nil {
		return fmt.Errorf("set %s target of team %d (%s %d, %q): %w", t.Metric, t.TeamID, t.Scope, t.UserID, t.Month.Key(), err)
	}
	return nil
}

// ClearTarget removes a target (the default applies again); ok is false
// when there was none.
func (db *DB) ClearTarget(ctx context.Context, viewer *models.User, t models.Target) (ok bool, err error) {
	if !viewer.SeesTeam(t.TeamID) {
		return false, models.Errorf(models.EFORBIDDEN, "err_target_managers_only", nil)
	}
	res := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return g.Where("team_id = ? AND scope = ? AND user_id = ? AND month = ? AND metric = ?",
			t.TeamID, string(t.Scope), t.UserID, t.Month.Key(), string(t.Metric)).Delete(&targetRow{})
	})
	if res.Error != nil {
		return false, fmt.Errorf("clear %s target of team %d: %w", t.Metric, t.TeamID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// Targets lists a team's stored targets that bear on a month: those of
// the month and the standing ones (idx_targets_key). A rep viewer gets
// the team's, the defaults and their own; someone outside the team none.
func (db *DB) Targets(ctx context.Context, viewer *models.User, teamID int64, month models.Month) ([]models.Target, error) {
	q := db.conn(ctx).Where("team_id = ? AND month IN ?", teamID, []string{month.Key(), ""})
	switch {
	case viewer.SeesTeam(teamID):
	case viewer.RoleIn(teamID) != models.RoleNone:
		q = q.Where("scope <> ? OR user_id = ?", string(models.ScopeRep), viewer.ID)
	default:
		return nil, models.Errorf(models.EFORBIDDEN, "err_not_your_team", nil)
	}
	var rows []targetRow
	if err := q.Order("scope, user_id, metric, month").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list targets of team %d for %s: %w", teamID, month.Key(), err)
	}
	out := make([]models.Target, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// activeMember checks that a user is an active member of a team
// (ENOTFOUND "err_target_not_member" otherwise).
func (db *DB) activeMember(ctx context.Context, teamID, userID int64) error {
	var n int64
	if err := db.conn(ctx).Model(&memberRow{}).Where("team_id = ? AND user_id = ? AND active = ?", teamID, userID, true).Count(&n).Error; err != nil {
		return fmt.Errorf("check member %d of team %d: %w", userID, teamID, err)
	}
	if n == 0 {
		return models.Errorf(models.ENOTFOUND, "err_target_not_member", nil)
	}
	return nil
}

// Attainment is a team's month to date at asOf against its targets, as
// viewer may see it: a manager (or System) every rep and the team; a rep
// only their own line (Team nil); anyone else EFORBIDDEN. Actuals are
// counted in the month's bounds in the team's zone, up to asOf:
//   - units and value: deals closed won in the month, by the deal's owner
//     (idx_deals_team_state_closed);
//   - visits, and visits to existing clients — clients whose card was
//     created before the month started —, by the visiting rep
//     (idx_visits_team_at, clients by primary key);
//   - new clients: cards created in the month, by who created them
//     (idx_clients_team_created).
//
// The reps are the team's active reps who had joined by asOf and before
// the month's end, and anyone else with something done in the month or a
// target of their own. Three counts, the targets and the members, whatever
// the team's size; team is the team as the caller read it (its zone and
// working hours: not read again).
func (db *DB) Attainment(ctx context.Context, viewer *models.User, team *models.Team, month models.Month, asOf time.Time) (*models.MonthAttainment, error) {
	teamID := team.ID
	onlyRep := int64(0)
	switch {
	case viewer.SeesTeam(teamID):
	case viewer.RoleIn(teamID) != models.RoleNone:
		onlyRep = viewer.ID
	default:
		return nil, models.Errorf(models.EFORBIDDEN, "err_not_your_team", nil)
	}
	loc := team.Location()
	from, end := models.MonthBounds(month, loc)
	to := end
	if asOf.Before(to) {
		// Up to asOf inclusive: a deal won or a visit logged at this very
		// instant counts, as the won list and the forecast count it.
		to = asOf.Truncate(time.Microsecond).Add(time.Microsecond)
	}
	actuals, err := db.monthActuals(ctx, teamID, from, to, onlyRep)
	if err != nil {
		return nil, err
	}
	targets, err := db.Targets(ctx, viewer, teamID, month)
	if err != nil {
		return nil, err
	}
	members, err := db.ActiveMembers(ctx, teamID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var ids []int64
	add := func(id int64) {
		if _, ok := names[id]; !ok && (onlyRep == 0 || id == onlyRep) {
			names[id] = ""
			ids = append(ids, id)
		}
	}
	for _, m := range members {
		// A rep who joined after asOf was not there yet (a past day's
		// digest), nor one who joined after the month (last month's review).
		if m.Role == models.RoleRep && !m.JoinedAt.After(asOf) && m.JoinedAt.Before(end) {
			add(m.User.ID)
		}
	}
	for id := range actuals {
		add(id)
	}
	for _, t := range targets {
		if t.Scope == models.ScopeRep {
			add(t.UserID)
		}
	}
	if onlyRep != 0 {
		add(onlyRep)
	}
	for _, m := range members {
		names[m.User.ID] = m.User.Name
	}
	if err := db.fillNames(ctx, ids, names); err != nil {
		return nil, err
	}
	reps := make([]models.RepMonth, 0, len(ids))
	for _, id := range ids {
		reps = append(reps, models.RepMonth{RepID: id, Name: names[id], Actuals: actuals[id]})
	}
	return models.BuildAttainment(teamID, month, asOf, team.Hours, loc, models.NewTargets(targets), reps, onlyRep == 0), nil
}

// fillNames reads the names of the users in ids that names lacks (people
// who left the team but did something in the month).
func (db *DB) fillNames(ctx context.Context, ids []int64, names map[int64]string) error {
	var missing []int64
	for _, id := range ids {
		if names[id] == "" {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.conn(ctx).Table("users").Select("id, name").Where("id IN ?", missing).Scan(&rows).Error; err != nil {
		return fmt.Errorf("read names of %d users: %w", len(missing), err)
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return nil
}

// monthActuals counts a team's won deals, visits and new clients in
// [from, to) per person (only one person's when rep is not 0).
func (db *DB) monthActuals(ctx context.Context, teamID int64, from, to time.Time, rep int64) (map[int64]models.Actuals, error) {
	g := db.conn(ctx)
	out := map[int64]models.Actuals{}
	add := func(id int64, change func(*models.Actuals)) {
		a := out[id]
		change(&a)
		out[id] = a
	}
	// perPerson scans q grouped by group, narrowed to rep's rows (repCol)
	// when rep is not 0.
	perPerson := func(q *gorm.DB, repCol, group string, dest any) error {
		if rep != 0 {
			q = q.Where(repCol+" = ?", rep)
		}
		return q.Group(group).Scan(dest).Error
	}

	var won []struct {
		OwnerID  int64
		Currency string
		Units    int64
		Value    int64
	}
	q := g.Table("deals").Select("owner_id, currency, SUM(units) AS units, SUM(value_minor) AS value").
		Where("team_id = ? AND state = ? AND closed_at >= ? AND closed_at < ?", teamID, string(models.DealWon), utc(from), utc(to))
	if err := perPerson(q, "owner_id", "owner_id, currency", &won); err != nil {
		return nil, fmt.Errorf("sum won deals of team %d: %w", teamID, err)
	}
	for _, w := range won {
		add(w.OwnerID, func(a *models.Actuals) {
			a.Units += w.Units
			if a.Value == nil {
				a.Value = map[string]int64{}
			}
			a.Value[w.Currency] += w.Value
		})
	}

	var visits []struct {
		RepID    int64
		N        int64
		Existing int64
	}
	q = g.Table("visits").Select("visits.rep_id, COUNT(*) AS n, SUM(CASE WHEN clients.created_at < ? THEN 1 ELSE 0 END) AS existing", utc(from)).
		Joins("JOIN clients ON clients.id = visits.client_id").
		Where("visits.team_id = ? AND visits.at >= ? AND visits.at < ? AND visits.deleted_at IS NULL", teamID, utc(from), utc(to))
	if err := perPerson(q, "visits.rep_id", "visits.rep_id", &visits); err != nil {
		return nil, fmt.Errorf("count visits of team %d in the month: %w", teamID, err)
	}
	for _, v := range visits {
		add(v.RepID, func(a *models.Actuals) { a.Visits, a.ExistingVisits = v.N, v.Existing })
	}

	var created []struct {
		CreatedBy int64
		N         int64
	}
	q = g.Table("clients").Select("created_by, COUNT(*) AS n").
		Where("team_id = ? AND created_at >= ? AND created_at < ? AND created_by <> 0", teamID, utc(from), utc(to))
	if err := perPerson(q, "created_by", "created_by", &created); err != nil {
		return nil, fmt.Errorf("count new clients of team %d in the month: %w", teamID, err)
	}
	for _, c := range created {
		add(c.CreatedBy, func(a *models.Actuals) { a.NewClients = c.N })
	}
	return out, nil
}
