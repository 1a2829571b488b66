package reports_test

import (
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/reports"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// Tuesday 24 Nov 2026 18:30 in Shanghai.
var tuesdayEvening = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)

func TestDailyDigestCounts(t *testing.T) {
	clk := clock.NewFake(tuesdayEvening)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		s := reportstest.ThreeReps(t, db, clk, "North", "Asia/Shanghai", 0)
		if err := db.SetUnreachable(t.Context(), s.Carol, true); err != nil {
			t.Fatal(err)
		}
		d, err := reports.NewBuilder(db, clk).DailyDigest(t.Context(), storage.System, s.Team, reportstest.Day)
		if err != nil {
			t.Fatal(err)
		}
		// By hand: Li 2 visits + 1 objection, Bob 2 visits (Gamma 00:30,
		// Beta 10:00); Monday 23:30 and Wednesday 00:30 are other days.
		tt := d.Totals
		if tt.Visits != 4 || tt.Objections != 1 || tt.ActiveReps != 2 || tt.Reps != 3 {
			t.Fatalf("totals %+v", tt)
		}
		if len(d.Reps) != 2 || d.Reps[0].Rep.Name != "Bob" || d.Reps[1].Rep.Name != "Li Wei" {
			t.Fatalf("reps %+v", d.Reps)
		}
		bob, li := d.Reps[0], d.Reps[1]
		if len(bob.Visits) != 2 || bob.Visits[0].Client != "Gamma" || bob.Visits[1].Client != "Beta" || bob.Visits[1].Stage != models.StageNeeds {
			t.Fatalf("Bob's visits %+v", bob.Visits)
		}
		if len(li.Visits) != 2 || li.Visits[0].Client != "Acme" || li.Visits[0].Attitude != models.AttitudeWarm || li.Visits[1].Client != "华为" {
			t.Fatalf("Li's visits %+v", li.Visits)
		}
		if len(li.Objections) != 1 || li.Objections[0].Category != models.ObjPrice || !li.Objections[0].Resolved {
			t.Fatalf("Li's objections %+v", li.Objections)
		}
		// Plans: Li Mon Acme done (Tue visit), Wed Delta pending; Bob Tue
		// Beta done same day, Mon Gamma done Tuesday.
		if p := li.Plan; p.Planned != 2 || p.Done != 1 || p.Pending != 1 || p.Unplanned != 1 {
			t.Fatalf("Li's plan %+v", p)
		}
		if p := bob.Plan; p.Planned != 2 || p.Done != 2 || p.Unplanned != 1 {
			t.Fatalf("Bob's plan %+v", p)
		}
		if p := tt.Plan; p.Planned != 4 || p.Done != 3 {
			t.Fatalf("team plan %+v", p)
		}
		if len(d.Idle) != 1 || d.Idle[0].Name != "Carol" {
			t.Fatalf("idle %+v", d.Idle)
		}
		if len(d.Unreachable) != 1 || d.Unreachable[0].Name != "Carol" {
			t.Fatalf("unreachable %+v", d.Unreachable)
		}
		// Follow-ups: Bob's visits on Tuesday closed his Gamma and Beta
		// revisits — not follow-ups anyone completed; Carol's Monday
		// reminder is overdue.
		if !d.FollowUps || tt.FollowUpsDone != 0 || tt.RevisitsClosed != 2 || tt.FollowUpsOverdue != 1 || bob.RevisitsClosed != 2 || li.FollowUpsDone != 0 {
			t.Fatalf("follow-ups: totals %+v, Bob %d, Li %d", tt, bob.FollowUpsDone, li.FollowUpsDone)
		}
		if len(d.Flagged) != 1 || d.Flagged[0].Client != "Gamma" || d.Flagged[0].Rep != "Bob" || d.Flagged[0].Stage != models.StageDemo {
			t.Fatalf("flagged %+v", d.Flagged)
		}
		if len(d.StageChanges) != 2 {
			t.Fatalf("stage changes %+v", d.StageChanges)
		}
		if c := d.StageChanges[0]; c.Client != "Acme" || c.From != models.StageDemo || c.To != models.StageProposal {
			t.Fatalf("first change %+v", c)
		}
		if c := d.StageChanges[1]; c.Client != "Beta" || c.From != models.StageContact || c.To != models.StageNeeds {
			t.Fatalf("second change %+v", c)
		}
	})
}

func TestWeeklySummaryHandCount(t *testing.T) {
	// Monday 30 Nov 09:00 in Shanghai: the week of 23 Nov is over.
	clk := clock.NewFake(time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC))
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		s := reportstest.ThreeReps(t, db, clk, "North", "Asia/Shanghai", 0)
		w, err := reports.NewBuilder(db, clk).WeeklySummary(t.Context(), storage.System, s.Team, models.Week{Monday: "2026-11-23"})
		if err != nil {
			t.Fatal(err)
		}
		// By hand: planned 4 (Li 2, Bob 2), done 3 (Li Acme; Bob Beta,
		// Gamma), missed 1 (Li Delta); unplanned 3: Li 华为 and Wed Acme,
		// Bob Mon Beta. Visits in the week: Li 3, Bob 3.
		if tt := w.Totals; tt.Planned != 4 || tt.Done != 3 || tt.Missed != 1 || tt.Pending != 0 || tt.Unplanned != 3 {
			t.Fatalf("totals %+v", tt)
		}
		if pct, _ := w.Totals.Completion(); pct != 75 || w.Visits != 6 {
			t.Fatalf("completion %d, visits %d", pct, w.Visits)
		}
		if len(w.Reps) != 3 || w.Reps[0].Rep.Name != "Bob" || w.Reps[0].Visits != 3 || w.Reps[1].Rep.Name != "Carol" || w.Reps[2].Visits != 3 {
			t.Fatalf("reps %+v", w.Reps)
		}
		if r := w.Reps[2].Result; r.Planned != 2 || r.Done != 1 || r.Missed != 1 || r.Unplanned != 2 {
			t.Fatalf("Li %+v", r)
		}
		if w.ByStage[models.StageProposal] != 2 || w.ByStage[models.StageNeeds] != 2 || w.ByStage[models.StageDemo] != 1 {
			t.Fatalf("by stage %v", w.ByStage)
		}
		if w.ByAttitude[models.AttitudeWarm] != 2 || w.ByAttitude[models.AttitudeNeutral] != 3 || w.ByAttitude[models.AttitudeCold] != 1 {
			t.Fatalf("by attitude %v", w.ByAttitude)
		}
		if w.ObjectionCount != 2 || len(w.Objections) != 2 || w.Objections[0].Category != models.ObjBusy ||
			w.Objections[1].Category != models.ObjPrice || w.Objections[1].Resolved != 1 || w.Objections[1].Answers[0] != "volume discount" {
			t.Fatalf("objections %+v", w.Objections)
		}
		if len(w.Plans) != 1 || w.Plans[0].Rep.Name != "Li Wei" || w.Plans[0].Items[0].Client != "Acme" || w.Plans[0].Items[0].Day != "2026-11-30" {
			t.Fatalf("next week's plans %+v", w.Plans)
		}
		if len(w.NoPlan) != 2 || w.NoPlan[0].Name != "Bob" || w.NoPlan[1].Name != "Carol" {
			t.Fatalf("no plan %+v", w.NoPlan)
		}
	})
}
