package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// ListQueries returns the SQL of the list and count queries that must be
// index-backed, by name, for the plan test.
func ListQueries(db *DB) map[string]string {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	teams := []int64{1}
	sql := func(fn func(tx *gorm.DB) *gorm.DB) string { return db.gorm.ToSQL(fn) }
	var visits []visitRow
	var objections []objectionRow
	var clients []clientRow
	var events []stageEventRow
	var n int64
	var contacts []contactRow
	// A rep in team 1, a rep of team 2 whose clients are shared, and a
	// manager of team 4: every branch of the visibility rule at once.
	rep := &models.User{ID: 3, Active: true, Memberships: []models.Membership{
		{TeamID: 1, Role: models.RoleRep, Active: true},
		{TeamID: 2, Role: models.RoleRep, Active: true, SharedClients: true},
		{TeamID: 4, Role: models.RoleManager, Active: true},
	}}
	var owners []clientOwnerChangeRow
	var shareEvents []clientShareEventRow
	var memberEvents []memberEventRow
	return map[string]string{
		"owner changes of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Where("client_id = ?", 7).Order("at DESC, id DESC").Limit(10).Find(&owners)
		}),
		"shares of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Where("client_id = ?", 7).Order("at DESC, id DESC").Limit(10).Find(&shareEvents)
		}),
		"a team's membership changes": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Where("team_id = ?", 1).Order("at DESC, id DESC").Limit(30).Find(&memberEvents)
		}),
		"a team's shares": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Table("client_share_events").Select("client_share_events.*, clients.name AS client_name").
				Joins("JOIN clients ON clients.id = client_share_events.client_id").
				Where("client_share_events.team_id = ?", 1).
				Order("client_share_events.at DESC, client_share_events.id DESC").Limit(30).Find(&shareEvents)
		}),
		"the clients a rep sees in part of a team": sql(func(tx *gorm.DB) *gorm.DB {
			return repClientIDs(tx, 3, teams).Find(&n)
		}),
		"name grams of a rep's clients": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&clientGramRow{}).Select("client_id, COUNT(*) AS n").
				Where("client_id IN ? AND gram IN ?", []int64{7, 8}, []string{"acm", "cme"}).
				Group("client_id").Order("n DESC, client_id").Limit(40).Find(&n)
		}),
		"name grams of a team": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&clientGramRow{}).Select("client_id, COUNT(*) AS n").
				Where("team_id IN ? AND gram IN ?", teams, []string{"acm", "cme"}).
				Group("client_id").Order("n DESC, client_id").Limit(40).Find(&n)
		}),
		"a rep's visible clients": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{Viewer: rep, TeamIDs: teams}).Order("name_key, id").Limit(10).Find(&clients)
		}),
		"a client by id for a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return visibleClients(tx, rep).Where("clients.id = ?", 7).Find(&clients)
		}),
		"a client by name for a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return visibleClients(tx, rep).Where("team_id IN ? AND name_key = ?", teams, "acme").Find(&clients)
		}),
		"a typed client name, with visibility and open deals": sql(func(tx *gorm.DB) *gorm.DB {
			var rows []lookupRow
			return lookupQuery(tx, rep, teams, "acme").Scan(&rows)
		}),
		"the prefixes of an unseparated visit, with visibility and open deals": sql(func(tx *gorm.DB) *gorm.DB {
			var rows []lookupRow
			return lookupQuery(tx, rep, teams, "acme", "acmecorp", "acmecorpmet").Scan(&rows)
		}),
		"the clients a name may mean, ranked": sql(func(tx *gorm.DB) *gorm.DB {
			return rankedClientsQuery(tx, rep, []int64{2, 4}, []string{"acm", "cme"}).Find(&clients)
		}),
		"a teammate's client by name": sql(func(tx *gorm.DB) *gorm.DB {
			return hiddenClientQuery(tx, rep, teams).Where("clients.name_key = ?", "acme").Limit(1).Find(&clients)
		}),
		"a client's contacts for a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return contactsQuery(tx, rep, 7).Find(&contacts)
		}),
		"a client's visits for a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: rep, ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&visits)
		}),
		"a client's objections for a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{Viewer: rep, ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"visits of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&visits)
		}),
		"visits of a rep in a week": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, RepID: 3, From: at, To: at.AddDate(0, 0, 7)}).Order("at DESC, id DESC").Find(&visits)
		}),
		"visits of a team in a day": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, TeamIDs: teams, From: at, To: at.AddDate(0, 0, 1)}).Order("at DESC, id DESC").Find(&visits)
		}),
		"count visits of a team in a week": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, TeamIDs: teams, From: at, To: at.AddDate(0, 0, 7)}).Count(&n)
		}),
		"count visits of a rep to a client": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, ClientID: 7, RepID: 3}).Count(&n)
		}),
		"count visits of a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{Viewer: System, RepID: 3, From: at}).Count(&n)
		}),
		"objections of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{Viewer: System, ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"open objections of a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{Viewer: System, RepID: 3, TeamIDs: teams, OpenOnly: true}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"objections of a team": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{Viewer: System, TeamIDs: teams}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"a rep's clients by name": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{Viewer: System, TeamIDs: teams, OwnerID: 3}).Order("name_key, id").Limit(10).Find(&clients)
		}),
		"a team's grade-A clients by name": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{Viewer: System, TeamIDs: teams, Grade: "A"}).Order("name_key, id").Limit(10).Find(&clients)
		}),
		"count a team's clients": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{Viewer: System, TeamIDs: teams}).Count(&n)
		}),
		"stage changes of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Where("client_id = ? AND visit_id IS NULL", 7).Order("at DESC, id DESC").Limit(10).Find(&events)
		}),
	}
}

// Gorm is the raw handle, for tests that watch or explain the SQL storage
// runs.
func Gorm(db *DB) *gorm.DB { return db.gorm }

// RecountClient is the full recount of a client's last visit and
// three-visits count from its visits, which SaveVisit keeps by counting
// each new visit in.
func RecountClient(db *DB, id int64) (time.Time, int, error) {
	lastAt, n, err := recountClient(db.gorm, id)
	return derefTime(lastAt), n, err
}

// NoProgressScan is the cap of the three-visits count.
const NoProgressScan = noProgressScan

// BackendPID is the PostgreSQL backend serving ctx's transaction (or a
// pool connection), for tests that wait until another session blocks on it.
func BackendPID(ctx context.Context, db *DB) (int, error) {
	var pid int
	err := db.conn(ctx).Raw("SELECT pg_backend_pid()").Scan(&pid).Error
	return pid, err
}
