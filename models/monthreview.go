package models

import (
	"sort"
	"strings"
	"time"
)

// RepReview is one rep's month in the review: what they won and lost,
// and their attainment (the metrics with a target, from the targets'
// MonthAttainment).
type RepReview struct {
	Rep   RepRef
	Won   DealTotals
	Lost  int
	Lines []MetricLine
}

// ReasonCount is how many deals were lost for one reason.
type ReasonCount struct {
	Reason LostReason
	Count  int
}

// CompetitorCount is a competitor met in the month: on how many deals
// (closed or opened in the month), and how many of them were lost to it.
type CompetitorCount struct {
	Name   string
	Deals  int
	LostTo int
}

// MaxReviewCompetitors is how many competitors the review names.
const MaxReviewCompetitors = 5

// MonthReview is a team's (or one rep's) month: attainment per rep, the
// deals won and lost with the lost reasons counted, the competitors met,
// and the pipeline for the month after.
type MonthReview struct {
	TeamID   int64
	TeamName string
	Loc      *time.Location
	// RepID is the rep whose own review this is (0: the team's).
	RepID int64
	Month Month
	// ToDate is set while the month is not over.
	ToDate      bool
	Won, Lost   []ClosedDeal // by close time
	WonTotals   DealTotals
	Reps        []RepReview
	LostReasons []ReasonCount
	Competitors []CompetitorCount
	// Next is the pipeline of the month after (nil: not shown, the month
	// reviewed is long past and today's pipeline says nothing of it).
	Next *Pipeline
}

// Empty reports whether the month had nothing to review: no deal won or
// lost, no target.
func (m *MonthReview) Empty() bool {
	if len(m.Won) > 0 || len(m.Lost) > 0 {
		return false
	}
	for _, r := range m.Reps {
		if len(r.Lines) > 0 {
			return false
		}
	}
	return true
}

// BuildMonthReview reviews month from the deals closed in it, the deals
// met in it (closed or opened in it, with their competitors) and the
// month's attainment. The reps listed are the attainment's (repID 0: all
// of them; else that rep's own review).
func BuildMonthReview(month Month, att *MonthAttainment, repID int64, closed []ClosedDeal, met []*Deal) *MonthReview {
	m := &MonthReview{Month: month, RepID: repID, WonTotals: newTotals()}
	byRep := map[int64]*RepReview{}
	if att != nil {
		for _, r := range att.Reps {
			if repID == 0 || r.RepID == repID {
				m.Reps = append(m.Reps, RepReview{Rep: RepRef{ID: r.RepID, Name: r.Name}, Won: newTotals(), Lines: r.Lines})
			}
		}
	}
	for i := range m.Reps {
		byRep[m.Reps[i].Rep.ID] = &m.Reps[i]
	}
	reasons := map[LostReason]int{}
	for _, d := range closed {
		if repID != 0 && d.OwnerID != repID {
			continue
		}
		switch d.State {
		case DealWon:
			m.Won = append(m.Won, d)
			m.WonTotals.add(1, d.Units, d.Value.Currency, d.Value.Minor, 100)
			if r := byRep[d.OwnerID]; r != nil {
				r.Won.add(1, d.Units, d.Value.Currency, d.Value.Minor, 100)
			}
		case DealLost:
			m.Lost = append(m.Lost, d)
			reasons[d.LostReason]++
			if r := byRep[d.OwnerID]; r != nil {
				r.Lost++
			}
		}
	}
	byClose := func(ds []ClosedDeal) {
		sort.SliceStable(ds, func(i, j int) bool {
			if !ds[i].ClosedAt.Equal(ds[j].ClosedAt) {
				return ds[i].ClosedAt.Before(ds[j].ClosedAt)
			}
			return ds[i].ID < ds[j].ID
		})
	}
	byClose(m.Won)
	byClose(m.Lost)
	for _, reason := range LostReasons {
		if n := reasons[reason]; n > 0 {
			m.LostReasons = append(m.LostReasons, ReasonCount{Reason: reason, Count: n})
		}
	}
	sort.SliceStable(m.LostReasons, func(i, j int) bool { return m.LostReasons[i].Count > m.LostReasons[j].Count })
	if repID != 0 {
		var own []*Deal
		for _, d := range met {
			if d.OwnerID == repID {
				own = append(own, d)
			}
		}
		met = own
		var ownClosed []ClosedDeal
		for _, d := range closed {
			if d.OwnerID == repID {
				ownClosed = append(ownClosed, d)
			}
		}
		closed = ownClosed
	}
	m.Competitors = countCompetitors(closed, met)
	return m
}

// countCompetitors counts each competitor (by its name folded: case,
// width and spacing do not matter; the first spelling met is shown) once
// per deal it was met on, and the lost deals that went to it.
func countCompetitors(closed []ClosedDeal, met []*Deal) []CompetitorCount {
	idx := map[string]int{}
	var out []CompetitorCount
	type dealName struct {
		key  string
		deal int64
	}
	seen := map[dealName]bool{}
	count := func(name string, dealID int64) *CompetitorCount {
		name = strings.TrimSpace(name)
		key := NameKey(name)
		if key == "" {
			return nil
		}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, CompetitorCount{Name: name})
		}
		k := dealName{key, dealID}
		if !seen[k] {
			seen[k] = true
			out[i].Deals++
		}
		return &out[i]
	}
	for _, d := range met {
		for _, c := range d.Competitors {
			count(c.Name, d.ID)
		}
	}
	for _, d := range closed {
		for _, c := range d.Competitors {
			count(c.Name, d.ID)
		}
		if d.State == DealLost && d.LostTo != "" {
			if c := count(d.LostTo, d.ID); c != nil {
				c.LostTo++
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Deals != out[j].Deals {
			return out[i].Deals > out[j].Deals
		}
		if out[i].LostTo != out[j].LostTo {
			return out[i].LostTo > out[j].LostTo
		}
		return nameLess(out[i].Name, out[j].Name)
	})
	if len(out) > MaxReviewCompetitors {
		out = out[:MaxReviewCompetitors]
	}
	return out
}
