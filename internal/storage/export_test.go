package storage

import (
	"time"

	"gorm.io/gorm"
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
	return map[string]string{
		"visits of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&visits)
		}),
		"visits of a rep in a week": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{RepID: 3, From: at, To: at.AddDate(0, 0, 7)}).Order("at DESC, id DESC").Find(&visits)
		}),
		"visits of a team in a day": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{TeamIDs: teams, From: at, To: at.AddDate(0, 0, 1)}).Order("at DESC, id DESC").Find(&visits)
		}),
		"count visits of a team in a week": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{TeamIDs: teams, From: at, To: at.AddDate(0, 0, 7)}).Count(&n)
		}),
		"count visits of a rep to a client": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{ClientID: 7, RepID: 3}).Count(&n)
		}),
		"count visits of a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return visitQuery(tx, VisitFilter{RepID: 3, From: at}).Count(&n)
		}),
		"objections of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{ClientID: 7}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"open objections of a rep": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{RepID: 3, TeamIDs: teams, OpenOnly: true}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"objections of a team": sql(func(tx *gorm.DB) *gorm.DB {
			return objectionQuery(tx, ObjectionFilter{TeamIDs: teams}).Order("at DESC, id DESC").Limit(10).Find(&objections)
		}),
		"a rep's clients by name": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{TeamIDs: teams, OwnerID: 3}).Order("name_key, id").Limit(10).Find(&clients)
		}),
		"a team's grade-A clients by name": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{TeamIDs: teams, Grade: "A"}).Order("name_key, id").Limit(10).Find(&clients)
		}),
		"count a team's clients": sql(func(tx *gorm.DB) *gorm.DB {
			return clientQuery(tx, ClientFilter{TeamIDs: teams}).Count(&n)
		}),
		"stage changes of a client": sql(func(tx *gorm.DB) *gorm.DB {
			return tx.Where("client_id = ? AND visit_id IS NULL", 7).Order("at DESC, id DESC").Limit(10).Find(&events)
		}),
	}
}

// Gorm is the raw handle, for tests that watch or explain the SQL storage
// runs.
func Gorm(db *DB) *gorm.DB { return db.gorm }
