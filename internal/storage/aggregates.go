package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// The questions reports and exports ask: a fixed number of index-backed
// queries per team and period, never one per rep or client.
// TestReportQueriesUseIndexes runs EXPLAIN on each of them.

// RecordScope selects a team's records in [From, To): every rep's (RepID 0)
// or one rep's.
type RecordScope struct {
	// Viewer is who the records are read for: the one visibility rule
	// (clientScope, entryScope) applies on top of the team and rep, so a
	// scope built wrong shows less, never more. Reports nobody asked for
	// read as System.
	Viewer        *models.User
	TeamID, RepID int64
	From, To      time.Time
}

// named is a row of visits or objections with its rep's and client's
// names. (gorm reads only exported fields, so the row is a named field.)
type named[R any] struct {
	Row        R `gorm:"embedded"`
	RepName    string
	ClientName string
}

func repVisit(r *named[visitRow]) models.RepVisit {
	v := &r.Row
	return models.RepVisit{RepID: v.RepID, Rep: r.RepName, VisitLine: models.VisitLine{ID: v.ID, At: v.At.UTC(),
		ClientID: v.ClientID, Client: r.ClientName, StageBefore: models.Stage(v.StageBefore), Stage: models.Stage(v.Stage),
		Attitude: models.Attitude(v.Attitude), Method: models.Method(v.Method)}}
}

func visitRecord(r *named[visitRow]) models.VisitRecord {
	return models.VisitRecord{Visit: *r.Row.model(), Rep: r.RepName, Client: r.ClientName}
}

func repObjection(r *named[objectionRow]) models.RepObjection {
	o := &r.Row
	return models.RepObjection{RepID: o.RepID, Rep: r.RepName, Answer: o.Answer, WorkedAnswer: o.WorkedAnswer,
		ObjectionLine: models.ObjectionLine{ID: o.ID, At: o.At.UTC(), Client: r.ClientName,
			Category: models.ObjectionCategory(o.Category), Words: o.Words, Resolved: o.Resolved}}
}

func objectionRecord(r *named[objectionRow]) models.ObjectionRecord {
	return models.ObjectionRecord{Objection: *r.Row.model(), Rep: r.RepName, Client: r.ClientName}
}

// The columns a report reads of a visit or an objection; an export reads
// them all.
const (
	reportVisitColumns = "visits.id, visits.rep_id, users.name AS rep_name, visits.client_id, clients.name AS client_name, " +
		"visits.at, visits.stage_before, visits.stage, visits.attitude, visits.method"
	reportObjectionColumns = "objections.id, objections.rep_id, users.name AS rep_name, clients.name AS client_name, " +
		"objections.at, objections.category, objections.words, objections.answer, objections.resolved, objections.worked_answer"
	exportVisitColumns     = "visits.*, users.name AS rep_name, clients.name AS client_name"
	exportObjectionColumns = "objections.*, users.name AS rep_name, clients.name AS client_name"
)

// inScope reads the records of a scope from table (visits or objections),
// joined with their client's and rep's names, oldest first: a range of
// idx_<table>_team_at, or of idx_<table>_rep_at for one rep.
func inScope[R, M any](ctx context.Context, db *DB, table, cols string, s RecordScope, conv func(*R) M) ([]M, error) {
	t := table + "."
	q := db.conn(ctx).Table(table).Select(cols).
		Joins("JOIN clients ON clients.id = "+t+"client_id").
		Joins("JOIN users ON users.id = "+t+"rep_id").
		Where(t+"team_id = ? AND "+t+"at >= ? AND "+t+"at < ? AND "+t+"deleted_at IS NULL", s.TeamID, utc(s.From), utc(s.To))
	if cond, args := entryScope(s.Viewer, table, "rep_id"); cond != "1 = 1" {
		q = q.Where(cond, args...)
	}
	if s.RepID != 0 {
		q = q.Where(t+"rep_id = ?", s.RepID)
	}
	var rows []R
	if err := q.Order(t + "at, " + t + "id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list %s of team %d (rep %d): %w", table, s.TeamID, s.RepID, err)
	}
	out := make([]M, len(rows))
	for i := range rows {
		out[i] = conv(&rows[i])
	}
	return out, nil
}

// ReportVisits lists a scope's visits as reports show them, oldest first.
func (db *DB) ReportVisits(ctx context.Context, s RecordScope) ([]models.RepVisit, error) {
	return inScope(ctx, db, "visits", reportVisitColumns, s, repVisit)
}

// ReportObjections lists a scope's objections as reports show them, oldest
// first.
func (db *DB) ReportObjections(ctx context.Context, s RecordScope) ([]models.RepObjection, error) {
	return inScope(ctx, db, "objections", reportObjectionColumns, s, repObjection)
}

// ExportVisits lists a scope's visits with every field, oldest first.
func (db *DB) ExportVisits(ctx context.Context, s RecordScope) ([]models.VisitRecord, error) {
	return inScope(ctx, db, "visits", exportVisitColumns, s, visitRecord)
}

// ExportObjections lists a scope's objections with every field, oldest first.
func (db *DB) ExportObjections(ctx context.Context, s RecordScope) ([]models.ObjectionRecord, error) {
	return inScope(ctx, db, "objections", exportObjectionColumns, s, objectionRecord)
}

// ExportClients lists the clients of a scope (the team's, or for one rep
// those the visibility rule lets them see: owned or shared) by name, each with the scope's visits in [From, To) and its newest
// visit: the cards, then two grouped aggregates over the scope's visits.
func (db *DB) ExportClients(ctx context.Context, s RecordScope) ([]models.ClientRecord, error) {
	g := db.conn(ctx)
	var clients []struct {
		Row       clientRow `gorm:"embedded"`
		OwnerName string
	}
	q := g.Table("clients").Select("clients.*, users.name AS owner_name").
		Joins("LEFT JOIN users ON users.id = clients.owner_id").
		Where("clients.team_id = ?", s.TeamID)
	if cond, args := clientScope(s.Viewer, "clients"); cond != "1 = 1" {
		q = q.Where(cond, args...)
	}
	if s.RepID != 0 && s.Viewer != nil && s.Viewer.ID != s.RepID {
		// One rep's clients as someone else sees them: the ones they own.
		q = q.Where("clients.owner_id = ?", s.RepID)
	}
	if err := q.Order("clients.name, clients.id").Find(&clients).Error; err != nil {
		return nil, fmt.Errorf("export clients of team %d: %w", s.TeamID, err)
	}
	var counts []struct {
		ClientID int64
		N        int
		Last     dbTime
	}
	q = g.Table("visits").Select("client_id, SUM(CASE WHEN at >= ? AND at < ? THEN 1 ELSE 0 END) AS n, MAX(at) AS last", utc(s.From), utc(s.To)).
		Where("team_id = ? AND deleted_at IS NULL", s.TeamID)
	if s.RepID != 0 {
		q = q.Where("rep_id = ?", s.RepID)
	}
	if err := q.Group("client_id").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count visits per client of team %d: %w", s.TeamID, err)
	}
	type visits struct {
		n    int
		last time.Time
	}
	byClient := make(map[int64]visits, len(counts))
	for _, c := range counts {
		byClient[c.ClientID] = visits{c.N, c.Last.UTC()}
	}
	out := make([]models.ClientRecord, len(clients))
	for i := range clients {
		v := byClient[clients[i].Row.ID]
		out[i] = models.ClientRecord{Client: *clients[i].Row.model(), Owner: clients[i].OwnerName, VisitsInPeriod: v.n, LastVisit: v.last}
	}
	return out, nil
}

// ExportFollowUps lists a scope's follow-ups due in [From, To) in any
// state, by due time (idx_follow_ups_team, or idx_follow_ups_owner for one
// rep: state, due time).
func (db *DB) ExportFollowUps(ctx context.Context, s RecordScope) ([]models.FollowUpRecord, error) {
	states := stateStrings(models.FollowUpStates)
	q := db.conn(ctx).Table("follow_ups").
		Select("follow_ups.*, clients.name AS client_name, users.name AS owner_name").
		Joins("JOIN users ON users.id = follow_ups.owner_id").
		Joins("LEFT JOIN clients ON clients.id = follow_ups.client_id")
	if cond, args := entryScope(s.Viewer, "follow_ups", "owner_id"); cond != "1 = 1" {
		q = q.Where(cond, args...)
	}
	if s.RepID != 0 {
		q = q.Where("follow_ups.owner_id = ? AND follow_ups.state IN ? AND follow_ups.due_at >= ? AND follow_ups.due_at < ? AND follow_ups.team_id = ?",
			s.RepID, states, utc(s.From), utc(s.To), s.TeamID)
	} else {
		q = q.Where("follow_ups.team_id = ? AND follow_ups.state IN ? AND follow_ups.due_at >= ? AND follow_ups.due_at < ?",
			s.TeamID, states, utc(s.From), utc(s.To))
	}
	var rows []struct {
		View      followUpView `gorm:"embedded"`
		OwnerName string
	}
	if err := q.Order("follow_ups.due_at, follow_ups.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("export follow-ups of team %d: %w", s.TeamID, err)
	}
	out := make([]models.FollowUpRecord, len(rows))
	for i := range rows {
		out[i] = models.FollowUpRecord{FollowUp: *rows[i].View.model(), Owner: rows[i].OwnerName}
	}
	return out, nil
}

// TeamStageChanges lists a team's client stage changes in [from, to), by a
// visit or set on the card, oldest first (idx_stage_events_team_at), of
// the clients viewer may see (clientScope). A new client's first stage is
// no change and is left out.
func (db *DB) TeamStageChanges(ctx context.Context, viewer *models.User, teamID int64, from, to time.Time) ([]models.StageChange, error) {
	cond, args := clientScope(viewer, "clients")
	var rows []struct {
		ClientID   int64
		ClientName string
		UserName   string
		FromStage  string
		ToStage    string
		At         time.Time
	}
	err := db.conn(ctx).Table("stage_events").
		Select("stage_events.client_id, clients.name AS client_name, users.name AS user_name, stage_events.from_stage, stage_events.to_stage, stage_events.at").
		Joins("JOIN clients ON clients.id = stage_events.client_id").
		Joins("JOIN users ON users.id = stage_events.user_id").
		Where("stage_events.team_id = ? AND stage_events.at >= ? AND stage_events.at < ?", teamID, utc(from), utc(to)).
		Where(cond, args...).Order("stage_events.at, stage_events.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list stage changes of team %d: %w", teamID, err)
	}
	out := make([]models.StageChange, 0, len(rows))
	for _, r := range rows {
		if r.FromStage == "" {
			continue
		}
		out = append(out, models.StageChange{ClientID: r.ClientID, Client: r.ClientName, Rep: r.UserName,
			From: models.Stage(r.FromStage), To: models.Stage(r.ToStage), At: r.At.UTC()})
	}
	return out, nil
}

// StalledClients applies the three-visits rule to the clients given, from
// the count of visits without progress that every visit write keeps on the
// client card (one query by primary key). It returns the flagged ones with
// their stage; clients viewer may not see are left out (clientScope).
func (db *DB) StalledClients(ctx context.Context, viewer *models.User, clientIDs []int64) (map[int64]models.Stage, error) {
	if len(clientIDs) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID               int64
		Stage            string
		NoProgressVisits int
	}
	err := visibleClients(db.conn(ctx), viewer).Select("clients.id, clients.stage, clients.no_progress_visits").
		Where("clients.id IN ?", clientIDs).Scan(&rows).Error
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

// FollowUpCountsByOwner counts, per owner, a team's follow-ups done in
// [from, to) (idx_follow_ups_team_done) — those a person completed apart
// from the revisits a later visit closed — and those open and overdue at
// `at` (idx_follow_ups_team: team, state, due time), in grouped queries.
func (db *DB) FollowUpCountsByOwner(ctx context.Context, teamID int64, from, to, at time.Time) (done, closedByVisit, overdue map[int64]int, err error) {
	g := db.conn(ctx)
	inDay := func() *gorm.DB {
		return g.Where("team_id = ? AND done_at >= ? AND done_at < ? AND state = ?", teamID, utc(from), utc(to), string(models.FollowUpDone))
	}
	if done, err = countByOwner(inDay().Where("closed_by_visit_id IS NULL")); err != nil {
		return nil, nil, nil, fmt.Errorf("count follow-ups done in team %d: %w", teamID, err)
	}
	if closedByVisit, err = countByOwner(inDay().Where("closed_by_visit_id IS NOT NULL")); err != nil {
		return nil, nil, nil, fmt.Errorf("count revisits closed by a visit in team %d: %w", teamID, err)
	}
	overdue, err = countByOwner(g.Where("team_id = ? AND state IN ? AND due_at < ?", teamID, openStates, utc(at)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("count overdue follow-ups in team %d: %w", teamID, err)
	}
	return done, closedByVisit, overdue, nil
}

func countByOwner(q *gorm.DB) (map[int64]int, error) {
	var rows []struct {
		OwnerID int64
		N       int
	}
	if err := q.Table("follow_ups").Select("owner_id, COUNT(*) AS n").Group("owner_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.OwnerID] = r.N
	}
	return out, nil
}

// Analyze refreshes the query planner's statistics, as after a bulk load.
func (db *DB) Analyze(ctx context.Context) error {
	if err := db.conn(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("analyze the database: %w", err)
	}
	return nil
}

// dbTime scans an aggregated time, which SQLite returns as text (an
// aggregate has no declared column type) and PostgreSQL as a time.
type dbTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = x
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("scan time from %T", v)
}

// Value implements driver.Valuer (gorm wants both directions).
func (t dbTime) Value() (driver.Value, error) { return t.Time, nil }

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("scan time from %q", s)
}
