package models

import (
	"testing"
	"time"
)

func TestWeekOf(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		at     time.Time
		loc    *time.Location
		monday string
		iso    string
	}{
		// Sunday 20:00 UTC is already Monday in Shanghai.
		{time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC), sh, "2026-11-30", "2026-W49"},
		{time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC), time.UTC, "2026-11-23", "2026-W48"},
		// A Monday stays its own week's start.
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.UTC, "2026-11-23", "2026-W48"},
		// ISO week 1 of 2027 starts on Monday 4 January; 3 January is W53 of 2026.
		{time.Date(2027, 1, 3, 12, 0, 0, 0, time.UTC), time.UTC, "2026-12-28", "2026-W53"},
		{time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC), time.UTC, "2027-01-04", "2027-W01"},
		// The week of the March DST change in New York.
		{time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC), ny, "2027-03-08", "2027-W10"},
	}
	for _, c := range cases {
		w := WeekOf(c.at, c.loc)
		if w.Monday != c.monday || w.String() != c.iso {
			t.Errorf("WeekOf(%v in %v) = %s %s, want %s %s", c.at, c.loc, w.Monday, w, c.monday, c.iso)
		}
	}
}

func TestBoundsAcrossDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// Sunday 14 March 2027 has 23 hours in New York.
	from, to, err := DateBounds("2027-03-14", ny)
	if err != nil {
		t.Fatal(err)
	}
	if got := to.Sub(from); got != 23*time.Hour {
		t.Fatalf("14 March 2027 in New York lasts %v, want 23h", got)
	}
	if from != time.Date(2027, 3, 14, 5, 0, 0, 0, time.UTC) {
		t.Fatalf("from = %v", from)
	}
	wf, wt, _ := WeekOfDate("2027-03-10").Bounds(ny)
	if got := wt.Sub(wf); got != 7*24*time.Hour-time.Hour {
		t.Fatalf("the DST week lasts %v", got)
	}
	// 18:30 on the day after the change is 22:30 UTC (EDT, UTC-4).
	if got := Clock(18, 30).On("2027-03-15", ny).UTC(); got != time.Date(2027, 3, 15, 22, 30, 0, 0, time.UTC) {
		t.Fatalf("18:30 on 15 March = %v", got)
	}
	if _, _, err := DateBounds("2027-13-01", ny); ErrorCode(err) != EINVALID {
		t.Fatalf("bad date: %v", err)
	}
}

// A week of plans for two reps, counted by hand:
//
//	rep 1 planned: Mon Acme(1), Tue Beta(2), Wed Acme(1), Fri Gamma(3)
//	rep 1 visited: Mon Acme, Thu Beta, Thu Delta(4), Sat Acme
//	  Mon Acme   → done by Monday's visit (same day)
//	  Tue Beta   → done by Thursday's visit (same week)
//	  Wed Acme   → done by Saturday's visit (Monday's was used)
//	  Fri Gamma  → not visited
//	  unplanned: Thu Delta
//	rep 2 planned: Mon Acme; visited Acme on Monday of the next week and
//	Beta on Tuesday. Rep 1's visits never count for rep 2.
func TestMatchPlanHandCount(t *testing.T) {
	w := Week{Monday: "2026-11-23"}
	planned := []PlannedVisit{
		{ID: 1, RepID: 1, ClientID: 1, Day: "2026-11-23"},
		{ID: 2, RepID: 1, ClientID: 2, Day: "2026-11-24"},
		{ID: 3, RepID: 1, ClientID: 1, Day: "2026-11-25"},
		{ID: 4, RepID: 1, ClientID: 3, Day: "2026-11-27"},
		{ID: 5, RepID: 2, ClientID: 1, Day: "2026-11-23"},
	}
	visits := []VisitRef{
		{ID: 13, RepID: 1, ClientID: 1, Day: "2026-11-28"},
		{ID: 10, RepID: 1, ClientID: 1, Day: "2026-11-23"},
		{ID: 11, RepID: 1, ClientID: 2, Day: "2026-11-26"},
		{ID: 12, RepID: 1, ClientID: 4, Day: "2026-11-26"},
		{ID: 20, RepID: 2, ClientID: 1, Day: "2026-11-30"},
		{ID: 21, RepID: 2, ClientID: 2, Day: "2026-11-24"},
	}
	// On Monday 30 November the week is over: not done means missed.
	r := MatchPlan(w, "2026-11-30", planned, visits)
	want := map[int64]struct {
		st    PlanStatus
		visit int64
	}{1: {PlanDone, 10}, 2: {PlanDone, 11}, 3: {PlanDone, 13}, 4: {PlanMissed, 0}, 5: {PlanMissed, 0}}
	for _, it := range r.Items {
		if w := want[it.Planned.ID]; it.Status != w.st || it.Visit.ID != w.visit {
			t.Errorf("planned %d: %s by visit %d, want %s by %d", it.Planned.ID, it.Status, it.Visit.ID, w.st, w.visit)
		}
	}
	if r.Planned != 5 || r.Done != 3 || r.Missed != 2 || r.Pending != 0 || r.Visits != 5 {
		t.Fatalf("counts: %+v", r)
	}
	if len(r.Unplanned) != 2 || r.Unplanned[0].ID != 21 || r.Unplanned[1].ID != 12 {
		t.Fatalf("unplanned = %+v, want visits 21 (Tue) and 12 (Thu)", r.Unplanned)
	}
	if pct, ok := r.Completion(); !ok || pct != 60 {
		t.Fatalf("completion = %d %v, want 60", pct, ok)
	}

	// On Thursday the same plan is still open: Saturday's visit has not
	// happened, so Wed Acme and rep 2's Mon Acme are overdue (yet pending)
	// and Fri Gamma is pending.
	r = MatchPlan(w, "2026-11-26", planned, visits[1:4])
	if r.Done != 2 || r.Pending != 3 || r.Overdue != 2 || r.Missed != 0 {
		t.Fatalf("mid-week counts: %+v", r)
	}
	if _, ok := (PlanResult{}).Completion(); ok {
		t.Fatal("completion of an empty plan")
	}
}
