package storage_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/models"
)

// BenchmarkOpenDeals measures /deals' read for a manager (the team's 5,000
// open deals among 10,000, each with a competitor) and for one of the ten
// reps (500 of them).
//
//	go test -run '^$' -bench OpenDeals ./internal/storage/
func BenchmarkOpenDeals(b *testing.B) {
	each(b, func(b *testing.B, db *storage.DB, clk *clock.Fake, clients []int64) {
		ctx := context.Background()
		team, err := db.TeamByName(ctx, "Bench")
		if err != nil {
			b.Fatal(err)
		}
		type deal struct {
			ID                        int64
			TeamID, ClientID, OwnerID int64
			Title, CloseMonth, State  string
			Units, ValueMinor         int64
			CreatedAt, UpdatedAt      time.Time
		}
		type comp struct {
			DealID int64
			Name   string
		}
		rows := make([]deal, 10_000)
		for i := range rows {
			state := "open"
			if (i/10)%2 == 1 {
				state = "won"
			}
			rows[i] = deal{TeamID: team.ID, ClientID: clients[i%len(clients)], OwnerID: int64(1 + i%10), Title: "deal",
				CloseMonth: models.Month{Year: 2027, Mon: time.Month(1 + i%12)}.Key(), State: state, Units: 20, ValueMinor: 1e8,
				CreatedAt: t0, UpdatedAt: t0}
		}
		g := storage.Gorm(db)
		if err := g.Table("deals").CreateInBatches(rows, 500).Error; err != nil {
			b.Fatal(err)
		}
		comps := make([]comp, len(rows))
		for i := range rows {
			comps[i] = comp{DealID: rows[i].ID, Name: "Brand X"}
		}
		if err := g.Table("deal_competitors").CreateInBatches(comps, 500).Error; err != nil {
			b.Fatal(err)
		}
		viewers := map[string]*models.User{
			"manager": {ID: 99, Active: true, Memberships: []models.Membership{{TeamID: team.ID, Role: models.RoleManager, Active: true}}},
			"rep":     {ID: 3, Active: true, Memberships: []models.Membership{{TeamID: team.ID, Role: models.RoleRep, Active: true}}},
		}
		for _, who := range []string{"manager", "rep"} {
			want := map[string]int{"manager": 5000, "rep": 500}[who]
			b.Run(who, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					ds, err := db.OpenDeals(ctx, viewers[who], team.ID)
					if err != nil || len(ds) != want {
						b.Fatalf("%d deals, %v; want %d", len(ds), err, want)
					}
				}
			})
		}
	})
}
