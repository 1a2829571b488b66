package storage_test

import (
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

func TestClaimReportOnce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		k := storage.ReportKey{Kind: models.ReportDigest, TeamID: 1, UserID: 7, Period: "2026-11-23"}
		due := clk.Now()

		// Eight senders race for the same report: one wins.
		var wg sync.WaitGroup
		wins := make(chan *storage.ReportClaim, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := db.ClaimReport(ctx, k, due, false, 5*time.Minute)
				if err != nil {
					t.Error(err)
				}
				if c != nil {
					wins <- c
				}
			}()
		}
		wg.Wait()
		close(wins)
		var claim *storage.ReportClaim
		for c := range wins {
			if claim != nil {
				t.Fatal("two senders claimed the same report")
			}
			claim = c
		}
		if claim == nil {
			t.Fatal("nobody claimed the report")
		}
		// A failed attempt that delivered one part is taken over, resuming.
		if err := db.ReportPartSent(ctx, claim.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishReport(ctx, claim.ID, storage.ReportFailed); err != nil {
			t.Fatal(err)
		}
		again, err := db.ClaimReport(ctx, k, due, true, 5*time.Minute)
		if err != nil || again == nil || again.ID != claim.ID || again.Parts != 1 {
			t.Fatalf("retake after failure: %+v %v", again, err)
		}
		// While the lease holds nobody else gets it; once it lapses (the
		// sender crashed) the next run does.
		if c, _ := db.ClaimReport(ctx, k, due, true, 5*time.Minute); c != nil {
			t.Fatal("claimed during a live lease")
		}
		clk.Advance(6 * time.Minute)
		third, err := db.ClaimReport(ctx, k, due, true, 5*time.Minute)
		if err != nil || third == nil {
			t.Fatalf("retake after lapsed lease: %+v %v", third, err)
		}
		if err := db.FinishReport(ctx, third.ID, storage.ReportSent); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.ClaimReport(ctx, k, due, true, 5*time.Minute); c != nil {
			t.Fatal("claimed a sent report")
		}
		sends, err := db.ReportSends(ctx, models.ReportDigest, "2026-11-23")
		if err != nil || len(sends) != 1 {
			t.Fatalf("sends: %+v %v", sends, err)
		}
		if s := sends[0]; s.State != storage.ReportSent || s.Attempts != 3 || !s.Late || s.SentAt.IsZero() {
			t.Fatalf("record: %+v", s)
		}
		done, err := db.SentReportKeys(ctx, models.ReportDigest, "2026-11-23", []int64{1, 2})
		if err != nil || !done[k] || len(done) != 1 {
			t.Fatalf("sent keys: %v %v", done, err)
		}
		clk.Set(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	})
}

func TestReportSettingsDefaultsAndUpdate(t *testing.T) {
	storagetest.Each(t, nil, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		team, err := db.CreateTeam(ctx, "North", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.TeamReportSettings(ctx, team.ID)
		if err != nil || !s.DigestOn || s.DigestTime != models.Clock(18, 30) || len(s.DigestDays) != 5 || s.SummaryDay != time.Monday {
			t.Fatalf("defaults: %+v %v", s, err)
		}
		s.DigestTime, s.DigestDays, s.SummaryOn = models.Clock(17, 45), []time.Weekday{time.Monday, time.Saturday, time.Sunday}, false
		for range 2 { // the second write updates the row
			if err := db.SetTeamReportSettings(ctx, team.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.ReportSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := all[team.ID]
		if got.DigestTime != models.Clock(17, 45) || got.SummaryOn || !got.DigestOnDay(time.Sunday) || got.DigestOnDay(time.Tuesday) || len(all) != 1 {
			t.Fatalf("stored: %+v", got)
		}
	})
}
