package storage_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// Targets are set by managers only, resolved per rep (own, each rep's
// default, the process default) and the team (own, else the reps' sum),
// and Attainment counts the month to date by the documented rules: won
// deals closed in the month by owner, visits by visitor (existing: the
// card is older than the month), cards created in the month by creator.
// The numbers below are worked out by hand for Monday 23 Nov 2026 in UTC
// with Saturday and Sunday off: November has 21 working days, 16 of them
// up to and including the 23rd.
func TestTargetsAndAttainment(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		rita := &models.User{TelegramID: 101, ChatID: 101, Name: "Rita", Active: true}
		bob := &models.User{TelegramID: 102, ChatID: 102, Name: "Bob", Active: true}
		mia := &models.User{TelegramID: 103, ChatID: 103, Name: "Mia", Active: true}
		dan := &models.User{TelegramID: 104, ChatID: 104, Name: "Dan", Active: true}
		if err := db.InsertBulk(ctx, &storage.Bulk{Users: []*models.User{rita, bob, mia, dan}}); err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct {
			team, user int64
			role       models.Role
		}{{g.team.ID, rita.ID, models.RoleRep}, {g.team.ID, bob.ID, models.RoleRep}, {g.team.ID, mia.ID, models.RoleManager}, {south.ID, dan.ID, models.RoleRep}} {
			if err := db.AddMember(ctx, m.team, m.user, m.role); err != nil {
				t.Fatal(err)
			}
		}
		viewer := func(u *models.User, team int64, role models.Role) *models.User {
			v := *u
			v.Memberships = []models.Membership{{TeamID: team, Role: role, Active: true}}
			return &v
		}
		ritaV, miaV, danV := viewer(rita, g.team.ID, models.RoleRep), viewer(mia, g.team.ID, models.RoleManager), viewer(dan, south.ID, models.RoleRep)

		// Acme existed before November; Beta is Rita's new card of the 23rd.
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: rita.ID,
			CreatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
		october := &models.Visit{TeamID: g.team.ID, RepID: rita.ID, At: time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC),
			CreatedAt: time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC)}
		if err := db.InsertBulk(ctx, &storage.Bulk{Clients: []*models.Client{acme}}); err != nil {
			t.Fatal(err)
		}
		october.ClientID = acme.ID
		if err := db.InsertBulk(ctx, &storage.Bulk{Visits: []*models.Visit{october}}); err != nil {
			t.Fatal(err)
		}
		beta := &models.Client{TeamID: g.team.ID, Name: "Beta", OwnerID: rita.ID}
		if err := db.CreateClient(ctx, beta); err != nil {
			t.Fatal(err)
		}
		for _, c := range []int64{acme.ID, acme.ID, beta.ID} {
			clk.Advance(time.Minute)
			if _, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: c, RepID: rita.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		deal := func(u *models.User, client int64, units int64, value models.Money) *models.Deal {
			d := &models.Deal{ClientID: client, Title: "deal", Units: units, Value: value}
			if err := db.CreateDeal(ctx, u, d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		win := func(u *models.User, d *models.Deal, units int64) {
			if _, err := db.CloseDeal(ctx, u, d.ID, func(d *models.Deal) error { return d.Won(clk.Now(), units, models.Money{}) }); err != nil {
				t.Fatal(err)
			}
		}
		bobAcme := viewer(bob, g.team.ID, models.RoleManager) // sees Acme to open a deal on it
		won := deal(ritaV, acme.ID, 20, models.Money{Minor: 320_000_000, Currency: "CNY"})
		win(ritaV, won, 18)
		bobs := deal(bobAcme, acme.ID, 5, models.Money{Minor: 100_000_000})
		win(bobAcme, bobs, 0)
		lost := deal(ritaV, acme.ID, 7, models.Money{Minor: 50_000_000, Currency: "CNY"})
		if _, err := db.CloseDeal(ctx, ritaV, lost.ID, func(d *models.Deal) error { return d.Lost(clk.Now(), models.LostPrice, "", "") }); err != nil {
			t.Fatal(err)
		}
		deal(ritaV, acme.ID, 9, models.Money{}) // open: not counted
		// Won on 31 October: last month's.
		clk.Set(time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC))
		win(ritaV, deal(ritaV, acme.ID, 100, models.Money{}), 0)
		clk.Set(t0.Add(time.Hour))

		nov := models.Month{Year: 2026, Mon: time.November}
		set := func(v *models.User, tg models.Target) error { tg.TeamID = g.team.ID; return db.SetTarget(ctx, v, tg) }
		for _, tg := range []models.Target{
			{Scope: models.ScopeEachRep, Metric: models.MetricUnits, Amount: 25},
			{Scope: models.ScopeEachRep, Metric: models.MetricUnits, Amount: 30}, // replaces 25
			{Scope: models.ScopeRep, UserID: rita.ID, Month: nov, Metric: models.MetricUnits, Amount: 42},
			{Scope: models.ScopeTeam, Month: nov, Metric: models.MetricValue, Amount: 500_000_000, Currency: "CNY"},
		} {
			if err := set(miaV, tg); err != nil {
				t.Fatalf("set %+v: %v", tg, err)
			}
		}
		if err := set(ritaV, models.Target{Scope: models.ScopeRep, UserID: rita.ID, Month: nov, Metric: models.MetricUnits, Amount: 1}); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Fatalf("a rep setting a target: %v", err)
		}
		if err := set(miaV, models.Target{Scope: models.ScopeRep, UserID: dan.ID, Month: nov, Metric: models.MetricUnits, Amount: 1}); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("a target for another team's rep: %v", err)
		}
		if err := set(miaV, models.Target{Scope: models.ScopeRep, UserID: rita.ID, Month: nov, Metric: models.MetricUnits, Amount: -3}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("a negative target: %v", err)
		}

		c := capture(t, db)
		a, err := db.Attainment(ctx, miaV, g.team, nov, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if a.WorkingDays != 21 || a.Elapsed != 16 {
			t.Fatalf("working days %d, elapsed %d; want 21, 16", a.WorkingDays, a.Elapsed)
		}
		if len(a.Reps) != 2 || a.Reps[0].Name != "Bob" || a.Reps[1].Name != "Rita" {
			t.Fatalf("reps %+v", a.Reps)
		}
		want := func(who string, r models.RepAttainment, m models.TargetMetric, target, actual, pace int64, st models.PaceStatus) {
			t.Helper()
			l, ok := r.Line(m)
			if !ok || l.Target != target || l.Actual != actual || l.Pace != pace || l.Status != st {
				t.Errorf("%s %s: %+v (ok %v); want %d/%d pace %d %s", who, m, l, ok, actual, target, pace, st)
			}
		}
		bobA, ritaA := a.Reps[0], a.Reps[1]
		want("Rita", ritaA, models.MetricUnits, 42, 18, 32, models.Behind)                             // 42×16/21 = 32.0
		want("Rita", ritaA, models.MetricVisits, 42, 3, 32, models.Behind)                             // 2 a day × 21
		want("Rita", ritaA, models.MetricExistingVisits, 5, 2, 4, models.Behind)                       // 5×16/21 = 3.8
		want("Bob", bobA, models.MetricUnits, 30, 5, 23, models.Behind)                                // 30×16/21 = 22.9
		want("team", *a.Team, models.MetricUnits, 72, 23, 55, models.Behind)                           // 42+30; 72×16/21 = 54.9
		want("team", *a.Team, models.MetricValue, 500_000_000, 420_000_000, 380_952_381, models.Ahead) // 4.2M > 1.1 × 3.81M
		if _, ok := ritaA.Line(models.MetricValue); ok {
			t.Error("Rita has a value target she was never given")
		}
		if ritaA.Actuals.NewClients != 1 || bobA.Actuals.NewClients != 0 || ritaA.Actuals.Of(models.MetricValue, "CNY") != 320_000_000 {
			t.Errorf("actuals: Rita %+v, Bob %+v", ritaA.Actuals, bobA.Actuals)
		}

		// A rep sees only her own line; another team's rep nothing.
		own, err := db.Attainment(ctx, ritaV, g.team, nov, clk.Now())
		if err != nil || own.Team != nil || len(own.Reps) != 1 || own.Reps[0].RepID != rita.ID {
			t.Fatalf("Rita's own attainment: %+v %v", own, err)
		}
		want("Rita (own)", own.Reps[0], models.MetricUnits, 42, 18, 32, models.Behind)
		if _, err := db.Attainment(ctx, danV, g.team, nov, clk.Now()); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Fatalf("another team's rep: %v", err)
		}
		// October, seen from November: all its working days have passed.
		oct, err := db.Attainment(ctx, miaV, g.team, models.Month{Year: 2026, Mon: time.October}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := oct.Rep(rita.ID); r.Actuals.Units != 100 || r.Actuals.Visits != 1 || oct.Elapsed != oct.WorkingDays {
			t.Fatalf("October: %+v, %d of %d days", r, oct.Elapsed, oct.WorkingDays)
		}

		// Clearing Rita's own target brings back each rep's default.
		if ok, err := db.ClearTarget(ctx, miaV, models.Target{TeamID: g.team.ID, Scope: models.ScopeRep, UserID: rita.ID, Month: nov, Metric: models.MetricUnits}); !ok || err != nil {
			t.Fatalf("clear: %v %v", ok, err)
		}
		a, err = db.Attainment(ctx, miaV, g.team, nov, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := a.Rep(rita.ID); true {
			want("Rita after clearing", r, models.MetricUnits, 30, 18, 23, models.Behind)
		}

		c.mu.Lock()
		queries := append([]string(nil), c.sql...)
		c.mu.Unlock()
		checkIndexed(t, db, queries, 12)
	})
}

// indexedTables are the tables a report or attainment query may not read
// without an index.
var indexedTables = regexp.MustCompile(`\b(visits|objections|planned_visits|stage_events|clients|follow_ups|deals|targets)\b`)

// checkIndexed fails for each query (at least min of them touching a
// watched table) whose plan reads a watched table without an index.
func checkIndexed(t *testing.T, db *storage.DB, queries []string, min int) {
	t.Helper()
	n := 0
	for _, q := range queries {
		if !indexedTables.MatchString(q) {
			continue
		}
		n++
		plan := explain(t, db, q)
		for _, line := range strings.Split(plan, "\n") {
			var bad bool
			if db.Dialect() == storage.Postgres {
				bad = strings.Contains(line, "Seq Scan on") && indexedTables.MatchString(line)
			} else {
				bad = strings.Contains(line, "SCAN ") && indexedTables.MatchString(line) && !strings.Contains(line, "INDEX")
			}
			if bad {
				t.Errorf("query reads a table without an index:\n%s\nplan:\n%s", q, plan)
			}
		}
	}
	if n < min {
		t.Fatalf("only %d queries captured; want %d", n, min)
	}
}
