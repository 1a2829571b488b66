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

// Deals are created, listed and closed for a viewer, and a client the
// viewer may not see is refused (the client-visibility rule), for creating,
// listing the card's deals and closing alike. Every deal query reads deals
// through an index.
func TestDeals(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		member := func(id, team int64, role models.Role) *models.User {
			return &models.User{ID: id, Active: true, Memberships: []models.Membership{{TeamID: team, Role: role, Active: true}}}
		}
		rep, other := member(g.rep, g.team.ID, models.RoleRep), member(g.other, g.team.ID, models.RoleRep)
		mgr, outsider := member(13, g.team.ID, models.RoleManager), member(14, south.ID, models.RoleManager)
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		beta := &models.Client{TeamID: g.team.ID, Name: "Beta", OwnerID: g.other}
		for _, c := range []*models.Client{acme, beta} {
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		c := capture(t, db)
		newDeal := func(u *models.User, client int64, title string, month models.Month) (*models.Deal, error) {
			d := &models.Deal{ClientID: client, Title: title, Units: 20, Value: models.Money{Minor: 320_000_000, Currency: "CNY"},
				CloseMonth: month, Competitors: []models.Competitor{{Name: "Brand X"}}}
			return d, db.CreateDeal(ctx, u, d)
		}
		late, err := newDeal(rep, acme.ID, "20 trucks", models.Month{Year: 2027, Mon: time.March})
		if err != nil {
			t.Fatal(err)
		}
		if late.ID == 0 || late.TeamID != g.team.ID || late.OwnerID != g.rep || late.State != models.DealOpen || late.Competitors[0].ID == 0 {
			t.Fatalf("created %+v", late)
		}
		early, err := newDeal(rep, acme.ID, "spare parts", models.Month{Year: 2027, Mon: time.January})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newDeal(rep, acme.ID, "someday", models.Month{}); err != nil {
			t.Fatal(err)
		}
		betaDeal, err := newDeal(other, beta.ID, "beta deal", models.Month{Year: 2026, Mon: time.December})
		if err != nil {
			t.Fatal(err)
		}
		// The rep sees neither a teammate's client nor another team's.
		for _, u := range []*models.User{rep, outsider} {
			if _, err := newDeal(u, beta.ID, "sneaky", models.Month{}); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("user %d creating a deal on Beta: %v; want not found", u.ID, err)
			}
			if _, err := db.ClientDeals(ctx, u, beta.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("user %d listing Beta's deals: %v; want not found", u.ID, err)
			}
			if _, err := db.CloseDeal(ctx, u, betaDeal.ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("user %d closing Beta's deal: %v; want not found", u.ID, err)
			}
		}

		titles := func(ds []*models.Deal) string {
			var s []string
			for _, d := range ds {
				s = append(s, d.Title)
			}
			return strings.Join(s, ", ")
		}
		mine, err := db.OpenDeals(ctx, rep, g.team.ID)
		if err != nil || titles(mine) != "spare parts, 20 trucks, someday" {
			t.Fatalf("rep's open deals: %q %v", titles(mine), err)
		}
		team, err := db.OpenDeals(ctx, mgr, g.team.ID)
		if err != nil || titles(team) != "beta deal, spare parts, 20 trucks, someday" {
			t.Fatalf("team's open deals: %q %v", titles(team), err)
		}
		if len(team[1].Competitors) != 1 || team[1].Competitors[0].Name != "Brand X" {
			t.Fatalf("competitors: %+v", team[1].Competitors)
		}
		if _, err := db.OpenDeals(ctx, outsider, g.team.ID); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Fatalf("outsider listing North's deals: %v", err)
		}

		won, err := db.CloseDeal(ctx, rep, late.ID, func(d *models.Deal) error { return d.Won(clk.Now(), 18, models.Money{Minor: 300_000_000}) })
		if err != nil || won.State != models.DealWon || won.Units != 18 || won.Value.Currency != "CNY" {
			t.Fatalf("won: %+v %v", won, err)
		}
		if _, err := db.CloseDeal(ctx, rep, late.ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("winning twice: %v", err)
		}
		// A manager closes a rep's deal.
		if _, err := db.CloseDeal(ctx, mgr, early.ID, func(d *models.Deal) error { return d.Lost(clk.Now(), models.LostPrice, "too expensive", "") }); err != nil {
			t.Fatal(err)
		}
		card, err := db.ClientDeals(ctx, rep, acme.ID)
		if err != nil || len(card) != 3 {
			t.Fatalf("card deals: %d %v", len(card), err)
		}
		lost := card[1]
		if lost.State != models.DealLost || lost.LostReason != models.LostPrice || lost.LostWords != "too expensive" {
			t.Fatalf("lost deal as stored: %+v", lost)
		}
		if got, _ := db.OpenDeals(ctx, rep, g.team.ID); titles(got) != "someday" {
			t.Fatalf("open after closing: %q", titles(got))
		}

		c.mu.Lock()
		queries := append([]string(nil), c.sql...)
		c.mu.Unlock()
		dealTables := regexp.MustCompile(`\b(deals|deal_competitors)\b`)
		n := 0
		for _, q := range queries {
			if !dealTables.MatchString(q) {
				continue
			}
			n++
			plan := explain(t, db, q)
			for _, line := range strings.Split(plan, "\n") {
				var bad bool
				if db.Dialect() == storage.Postgres {
					bad = strings.Contains(line, "Seq Scan on") && dealTables.MatchString(line)
				} else {
					bad = strings.Contains(line, "SCAN ") && dealTables.MatchString(line) && !strings.Contains(line, "INDEX")
				}
				if bad {
					t.Errorf("deal query without an index:\n%s\nplan:\n%s", q, plan)
				}
			}
		}
		if n < 5 {
			t.Fatalf("only %d deal queries captured", n)
		}
	})
}
