package storage_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// Every list and count of visits, objections and clients reads through an
// index: no full scan of the table on SQLite, and on PostgreSQL no
// sequential scan once the planner is told to avoid them (it still picks
// one when no index can serve the query).
func TestListQueriesUseIndexes(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		queries := storage.ListQueries(db)
		names := make([]string, 0, len(queries))
		for name := range queries {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			plan := explain(t, db, queries[name])
			t.Logf("%s:\n  %s\n  %s", name, queries[name], strings.ReplaceAll(plan, "\n", "\n  "))
			var full *regexp.Regexp
			if db.Dialect() == storage.SQLite {
				full = regexp.MustCompile(`(?m)^SCAN (visits|objections|clients|stage_events|client_grams)\b`)
			} else {
				full = regexp.MustCompile(`Seq Scan on (visits|objections|clients|stage_events|client_grams)\b`)
			}
			if full.MatchString(plan) {
				t.Errorf("%s scans the whole table:\n%s\n%s", name, queries[name], plan)
			}
			// A named index, or a primary key (SQLite's autoindex, PG's _pkey).
			if !indexed.MatchString(plan) {
				t.Errorf("%s names no index:\n%s", name, plan)
			}
		}
	})
}

var indexed = regexp.MustCompile(`idx_|sqlite_autoindex_|_pkey\b`)

func explain(t *testing.T, db *storage.DB, query string) string {
	t.Helper()
	var lines []string
	err := storage.Gorm(db).Transaction(func(tx *gorm.DB) error {
		if db.Dialect() == storage.Postgres {
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			rows, err := tx.Raw("EXPLAIN " + query).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var l string
				if err := rows.Scan(&l); err != nil {
					return err
				}
				lines = append(lines, l)
			}
			return rows.Err()
		}
		rows, err := tx.Raw("EXPLAIN QUERY PLAN " + query).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			lines = append(lines, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	return strings.Join(lines, "\n")
}
