package models

import (
	"sort"
)

// PlanStatus is where a planned visit stands.
type PlanStatus string

// Plan statuses. A planned visit is done when the rep visits that client on
// the planned day or on any other day of the same week; it is missed only
// once the week is over, because until then a visit still counts.
const (
	PlanDone    PlanStatus = "done"
	PlanPending PlanStatus = "pending"
	PlanMissed  PlanStatus = "missed"
)

// VisitRef is a logged visit as plan matching sees it: who, which client,
// which civil day (in the team's zone).
type VisitRef struct {
	ID       int64
	RepID    int64
	ClientID int64
	Day      string
}

// PlanItem is a planned visit with its status.
type PlanItem struct {
	Planned PlannedVisit
	Status  PlanStatus
	// Overdue marks a pending item whose day has passed (it can still be
	// done this week).
	Overdue bool
	// Visit is the visit that fulfilled it (ID 0 when not done).
	Visit VisitRef
}

// PlanResult is plan-vs-actual for one or more reps' week.
type PlanResult struct {
	Items []PlanItem
	// Unplanned are the week's visits that fulfilled no planned visit
	// (a second visit to a planned client included).
	Unplanned []VisitRef
	Planned   int
	Done      int
	Pending   int
	Overdue   int // pending items whose day has passed
	Missed    int
	Visits    int // all the week's visits
}

// Completion is done as a whole percentage of planned; ok is false when
// nothing was planned.
func (r PlanResult) Completion() (pct int, ok bool) {
	if r.Planned == 0 {
		return 0, false
	}
	return (r.Done*100 + r.Planned/2) / r.Planned, true
}

// MatchPlan is the plan-vs-actual rule. planned are the week's planned
// visits and visits the visits logged (of the same reps; others are
// ignored, as are visits outside the week); today is the current civil
// date in the team's zone. Each visit fulfils at most one planned visit: a
// visit on the planned day is matched first, then any visit to the same
// client in the week, earliest first.
func MatchPlan(week Week, today string, planned []PlannedVisit, visits []VisitRef) PlanResult {
	type key struct{ rep, client int64 }
	items := make([]PlanItem, len(planned))
	for i, p := range planned {
		items[i] = PlanItem{Planned: p}
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		pa, pb := items[order[a]].Planned, items[order[b]].Planned
		if pa.Day != pb.Day {
			return pa.Day < pb.Day
		}
		return pa.ID < pb.ID
	})
	var inWeek []VisitRef
	for _, v := range visits {
		if week.Contains(v.Day) {
			inWeek = append(inWeek, v)
		}
	}
	sort.SliceStable(inWeek, func(a, b int) bool {
		if inWeek[a].Day != inWeek[b].Day {
			return inWeek[a].Day < inWeek[b].Day
		}
		return inWeek[a].ID < inWeek[b].ID
	})
	used := make([]bool, len(inWeek))
	byKey := map[key][]int{}
	for i, v := range inWeek {
		k := key{v.RepID, v.ClientID}
		byKey[k] = append(byKey[k], i)
	}
	match := func(sameDay bool) {
		for _, i := range order {
			it := &items[i]
			if it.Visit.ID != 0 || !week.Contains(it.Planned.Day) {
				continue
			}
			for _, vi := range byKey[key{it.Planned.RepID, it.Planned.ClientID}] {
				if used[vi] || (sameDay && inWeek[vi].Day != it.Planned.Day) {
					continue
				}
				used[vi], it.Visit = true, inWeek[vi]
				break
			}
		}
	}
	match(true)
	match(false)

	res := PlanResult{Items: items, Planned: len(items), Visits: len(inWeek)}
	weekOver := today > week.Sunday()
	for i := range res.Items {
		it := &res.Items[i]
		switch {
		case it.Visit.ID != 0:
			it.Status = PlanDone
			res.Done++
		case weekOver:
			it.Status = PlanMissed
			res.Missed++
		default:
			it.Status = PlanPending
			res.Pending++
			if it.Planned.Day < today {
				it.Overdue = true
				res.Overdue++
			}
		}
	}
	for i, v := range inWeek {
		if !used[i] {
			res.Unplanned = append(res.Unplanned, v)
		}
	}
	return res
}

// PlanDayPast reports whether a planned day (a civil date, as today, in
// the team's zone) has passed: plans are for today and the days ahead, so
// "/plan this mon" said on a Wednesday is refused rather than counted as
// missed.
func PlanDayPast(day, today string) bool { return day < today }
