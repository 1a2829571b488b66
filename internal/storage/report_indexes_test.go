package storage_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesbot/internal/clock"
	"salesbot/internal/reports"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// tuesdayEvening is 24 Nov 2026 18:30 in Shanghai, the report scenario's
// evening.
var tuesdayEvening = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)

// captured records every SQL statement the report builder runs.
type captured struct {
	mu  sync.Mutex
	sql []string
}

func capture(t *testing.T, db *storage.DB) *captured {
	c := &captured{}
	fn := func(tx *gorm.DB) {
		if tx.Statement.SQL.Len() == 0 {
			return
		}
		c.mu.Lock()
		c.sql = append(c.sql, tx.Dialector.Explain(tx.Statement.SQL.String(), tx.Statement.Vars...))
		c.mu.Unlock()
	}
	g := storage.Gorm(db)
	if err := g.Callback().Query().After("gorm:query").Register("test:capture_query", fn); err != nil {
		t.Fatal(err)
	}
	if err := g.Callback().Row().After("gorm:row").Register("test:capture_row", fn); err != nil {
		t.Fatal(err)
	}
	return c
}

// bigTables are the tables that grow with use; a report may not read one
// of them without an index.
var bigTables = regexp.MustCompile(`\b(visits|objections|planned_visits|stage_events|clients|follow_ups|deals|deal_competitors|deal_stage_events|targets)\b`)

// Every query behind the digest, the summary, a rep's week and an export
// (storage's report aggregates, asked by the reports builder as the bot
// asks it) reads the big tables through an index: on SQLite no plain SCAN of them,
// on PostgreSQL (sequential scans discouraged, as the planner would on big
// tables) no Seq Scan.
func TestReportQueriesUseIndexes(t *testing.T) {
	clk := clock.NewFake(tuesdayEvening)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		s := reportstest.ThreeReps(t, db, clk, "North", "Asia/Shanghai", 0)
		ctx := t.Context()
		nov, dec := models.Month{Year: 2026, Mon: time.November}, models.Month{Year: 2026, Mon: time.December}
		for _, d := range []*models.Deal{
			{ClientID: s.Acme, Title: "trucks", Units: 20, Value: models.Money{Minor: 1e8, Currency: "CNY"}, CloseMonth: dec,
				Stage: models.StageDemo, Competitors: []models.Competitor{{Name: "Brand X"}}},
			{ClientID: s.Beta, Title: "pumps", Units: 5, CloseMonth: nov, Competitors: []models.Competitor{{Name: "Brand Y"}}},
		} {
			if err := db.CreateDeal(ctx, storage.System, d); err != nil {
				t.Fatal(err)
			}
			if d.ClientID == s.Beta {
				if _, err := db.CloseDeal(ctx, storage.System, d.ID, func(d *models.Deal) error { return d.Lost(clk.Now(), models.LostPrice, "", "") }); err != nil {
					t.Fatal(err)
				}
			}
		}
		c := capture(t, db)
		b := reports.NewBuilder(db, clk)
		// As the schedule reads them (System) and as a manager asks
		// (the client rule's manager branch); a rep's week as the rep.
		li := &models.User{ID: s.Li, Active: true, Memberships: []models.Membership{{TeamID: s.Team.ID, Role: models.RoleRep, Active: true}}}
		mia := &models.User{ID: s.Mia, Active: true, Memberships: []models.Membership{{TeamID: s.Team.ID, Role: models.RoleManager, Active: true}}}
		for _, v := range []*models.User{storage.System, mia} {
			if _, err := b.DailyDigest(ctx, v, s.Team, reportstest.Day); err != nil {
				t.Fatal(err)
			}
			if _, err := b.WeeklySummary(ctx, v, s.Team, models.Week{Monday: "2026-11-23"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range []*models.User{storage.System, li} {
			if _, err := b.RepWeek(ctx, v, s.Team, s.Li, models.Week{Monday: "2026-11-23"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, rep := range []int64{0, s.Li} {
			if _, err := b.Export(ctx, reports.ExportScope{Viewer: storage.System, Team: s.Team, RepID: rep, From: "2026-11-01", To: "2026-11-30"}, reports.ExportLabels{}); err != nil {
				t.Fatal(err)
			}
		}
		// The month's attainment (the digest's, /me's and the pipeline's),
		// for the team and for one rep.
		for _, v := range []*models.User{storage.System, {ID: s.Li, Active: true, Memberships: []models.Membership{{TeamID: s.Team.ID, Role: models.RoleRep, Active: true}}}} {
			if _, err := db.Attainment(ctx, v, s.Team, models.Month{Year: 2026, Mon: time.November}, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		// The pipeline and the month's review, for the team and for one rep,
		// as the system, and as that rep (the client rule on each deal).
		for _, q := range []struct {
			viewer *models.User
			rep    int64
		}{{storage.System, 0}, {storage.System, s.Li}, {li, s.Li}} {
			if _, err := b.Pipeline(ctx, q.viewer, s.Team, q.rep, nov); err != nil {
				t.Fatal(err)
			}
			if _, err := b.MonthReview(ctx, q.viewer, s.Team, q.rep, nov); err != nil {
				t.Fatal(err)
			}
		}
		// The deal titles of a rep's visit export, as that rep.
		if _, err := db.DealTitles(ctx, li, s.Team.ID, []int64{1, 2}); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		queries := append([]string(nil), c.sql...)
		c.mu.Unlock()
		if len(queries) < 15 {
			t.Fatalf("captured only %d queries", len(queries))
		}
		for _, q := range queries {
			if !bigTables.MatchString(q) {
				continue
			}
			plan := explain(t, db, q)
			t.Logf("%s\n  %s", q, strings.ReplaceAll(plan, "\n", "\n  "))
			for _, line := range strings.Split(plan, "\n") {
				bad := false
				if db.Dialect() == storage.Postgres {
					bad = strings.Contains(line, "Seq Scan on") && bigTables.MatchString(line)
				} else {
					bad = strings.Contains(line, "SCAN ") && bigTables.MatchString(line) && !strings.Contains(line, "INDEX")
				}
				if bad {
					t.Errorf("query reads a table without an index:\n%s\nplan:\n%s", q, plan)
				}
			}
		}
	})
}
