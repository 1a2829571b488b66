package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// BenchmarkSaveVisit measures one visit write (the transaction with stage
// rule, contacts and the three-visits refresh) to a client among 50, and
// the card's reads (last visits and their count) once 10 000 visits exist.
//
//	go test -run '^$' -bench 'SaveVisit|ClientCard' ./internal/storage/
func BenchmarkSaveVisit(b *testing.B) {
	each(b, func(b *testing.B, db *storage.DB, clk *clock.Fake, clients []int64) {
		ctx := context.Background()
		before := db.Statements()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			clk.Advance(time.Second)
			_, err := db.SaveVisit(ctx, &storage.NewVisit{
				Visit:    models.Visit{ClientID: clients[i%len(clients)], RepID: int64(1 + i%5), Stage: models.Stages[i%4], NextStep: "call"},
				Contacts: []models.Contact{{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer}}},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(db.Statements()-before)/float64(b.N), "stmts/op")
	})
}

func BenchmarkClientCard(b *testing.B) {
	each(b, func(b *testing.B, db *storage.DB, clk *clock.Fake, clients []int64) {
		ctx := context.Background()
		g := storage.Gorm(db)
		// 10 000 visits spread over the clients, written directly.
		for i := 0; i < 10000; i += 500 {
			var rows []map[string]any
			for j := i; j < i+500; j++ {
				rows = append(rows, map[string]any{"team_id": 1, "client_id": clients[j%len(clients)], "rep_id": 1 + j%5,
					"at": clk.Now().Add(time.Duration(j) * time.Minute), "method": "", "place": "", "live_location": false,
					"duration_min": 0, "talking_points": "", "client_view": "", "stage_before": "", "stage": "", "attitude": "",
					"next_step": "", "no_follow_up": false, "notes": "", "client_created": false})
			}
			if err := g.Table("visits").Create(rows).Error; err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			f := storage.VisitFilter{Viewer: storage.System, ClientID: clients[i%len(clients)], Limit: 3}
			if _, err := db.Visits(ctx, f); err != nil {
				b.Fatal(err)
			}
			if _, err := db.CountVisits(ctx, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func each(b *testing.B, fn func(b *testing.B, db *storage.DB, clk *clock.Fake, clients []int64)) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			clk := clock.NewFake(t0)
			var db *storage.DB
			if name == "sqlite" {
				db = storagetest.SQLite(b, clk)
			} else {
				db = storagetest.Postgres(b, clk)
			}
			team, err := db.CreateTeam(context.Background(), "Bench", "UTC")
			if err != nil {
				b.Fatal(err)
			}
			var clients []int64
			for i := 0; i < 50; i++ {
				c := &models.Client{TeamID: team.ID, Name: fmt.Sprintf("Client %d", i), OwnerID: 1}
				if err := db.CreateClient(context.Background(), c); err != nil {
					b.Fatal(err)
				}
				clients = append(clients, c.ID)
			}
			fn(b, db, clk, clients)
		})
	}
}
