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
		team := seedDeals(b, db, clients)
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

// seedDeals gives the bench team 10,000 deals on its clients (half of
// them open, in runs of ten), each with a competitor, for ten reps.
func seedDeals(b *testing.B, db *storage.DB, clients []int64) *models.Team {
	b.Helper()
	team, err := db.TeamByName(context.Background(), "Bench")
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
	return team
}

// BenchmarkExportDeals measures the export's Deals sheet for the team of
// BenchmarkOpenDeals: its 5,000 open deals (the won ones have no close
// date, so none closed in the period) with their competitors, client and
// rep names, from the team's 10,000.
//
//	go test -run '^$' -bench ExportDeals ./internal/storage/
func BenchmarkExportDeals(b *testing.B) {
	each(b, func(b *testing.B, db *storage.DB, clk *clock.Fake, clients []int64) {
		ctx := context.Background()
		team := seedDeals(b, db, clients)
		sc := storage.RecordScope{Viewer: storage.System, TeamID: team.ID, From: t0.AddDate(0, -1, 0), To: t0.AddDate(0, 0, 1)}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ds, err := db.ExportDeals(ctx, sc)
			if err != nil || len(ds) != 5000 {
				b.Fatalf("%d deals, %v", len(ds), err)
			}
		}
	})
}
