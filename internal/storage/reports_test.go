package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// A report is queued once whoever races for it; its parts' marks make it
// sent with the last; a refused part fails it, stops its later parts, and
// the next attempt resumes from that part.
func TestQueueReportOnce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		k := storage.ReportKey{Kind: models.ReportDigest, TeamID: 1, UserID: 7, Period: "2026-11-23"}
		due := clk.Now()

		// Eight senders race for the same report: one wins.
		var wg sync.WaitGroup
		wins := make(chan int64, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.InTx(ctx, func(ctx context.Context) error {
					id, delivered, ok, err := db.QueueReport(ctx, k, due, false, 3)
					if ok {
						if delivered != 0 {
							t.Errorf("a new report has %d parts delivered", delivered)
						}
						wins <- id
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		var id int64
		for w := range wins {
			if id != 0 {
				t.Fatal("two senders queued the same report")
			}
			id = w
		}
		if id == 0 {
			t.Fatal("nobody queued the report")
		}
		if done, _ := db.SentReportKeys(ctx, models.ReportDigest, "2026-11-23", []int64{1}); !done[k] {
			t.Fatal("a queued report is not skipped by the next run")
		}
		// Part 1 goes out; part 2 is refused, which stops part 3.
		if _, finished, err := db.ReportPartDelivered(ctx, id); err != nil || finished {
			t.Fatalf("part 1: %v %v", finished, err)
		}
		rows := []storage.Outgoing{{ChatID: 7, Source: storage.SourceReport, SourceID: id, Payload: []byte("{}")},
			{ChatID: 7, Source: storage.SourceReport, SourceID: id, Payload: []byte("{}")}}
		ids, err := db.EnqueueOutgoing(ctx, rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ReportUndelivered(ctx, id, ids[0], false, "400 Bad Request"); err != nil {
			t.Fatal(err)
		}
		if out, _ := db.OutgoingByID(ctx, ids[1]); out[0].State != storage.OutgoingFailed {
			t.Fatalf("the part after a refused one is %s", out[0].State)
		}
		again := func(late bool) (int64, int, bool) {
			var (
				id2, delivered int64
				ok             bool
			)
			err := db.InTx(ctx, func(ctx context.Context) error {
				i, d, o, err := db.QueueReport(ctx, k, due, late, 3)
				id2, delivered, ok = i, int64(d), o
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id2, int(delivered), ok
		}
		if id2, delivered, ok := again(true); !ok || id2 != id || delivered != 1 {
			t.Fatalf("retake after a refusal: %d %d %v", id2, delivered, ok)
		}
		if _, _, ok := again(true); ok {
			t.Fatal("queued twice")
		}
		for part := 2; part <= 3; part++ {
			_, finished, err := db.ReportPartDelivered(ctx, id)
			if err != nil || finished != (part == 3) {
				t.Fatalf("part %d: finished=%v %v", part, finished, err)
			}
		}
		sends, err := db.ReportSends(ctx, models.ReportDigest, "2026-11-23")
		if err != nil || len(sends) != 1 {
			t.Fatalf("sends: %+v %v", sends, err)
		}
		if s := sends[0]; s.State != storage.ReportSent || s.Parts != 3 || s.Attempts != 2 || !s.Late || s.SentAt.IsZero() {
			t.Fatalf("record: %+v", s)
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
			if err := db.SetTeamReportSettings(ctx, storage.System, team.ID, s); err != nil {
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
