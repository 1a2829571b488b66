package models

import (
	"testing"
	"time"
)

func TestStageProbabilities(t *testing.T) {
	p := DefaultStageProbabilities()
	if p.Of(StageNone) != 10 || p.Of(StageContact) != 10 || p.Of(StageContract) != 90 || p.Of(StageLost) != 0 {
		t.Fatalf("defaults: %v", p)
	}
	p[StageDemo] = 55
	if p.Of(StageDemo) != 55 || DefaultStageProbabilities().Of(StageDemo) != 40 {
		t.Fatal("a team's change leaks into the defaults")
	}
	for _, c := range []struct {
		s   Stage
		pct int
		ok  bool
	}{{StageDemo, 0, true}, {StageDemo, 100, true}, {StageDemo, 101, false}, {StageDemo, -1, false}, {StageLost, 10, false}, {StageNone, 10, false}} {
		if err := CheckProbability(c.s, c.pct); (err == nil) != c.ok {
			t.Errorf("CheckProbability(%q, %d) = %v", c.s, c.pct, err)
		}
	}
}

// Open deals weighted by stage, a month's forecast (won + weighted
// closing), overdue deals, an owner who left the team, and the team's
// target as the sum of the reps' when it has none.
func TestBuildPipeline(t *testing.T) {
	dec, nov, jan := Month{2026, time.December}, Month{2026, time.November}, Month{2027, time.January}
	reps := []RepRef{{ID: 2, Name: "bob"}, {ID: 1, Name: "Ann"}}
	names := map[int64]string{1: "Ann", 2: "bob", 9: "Gone"}
	open := []DealGroup{
		{OwnerID: 1, Stage: StageDemo, CloseMonth: dec, Currency: "CNY", Deals: 2, Units: 7, ValueMinor: 333},
		{OwnerID: 1, Stage: StageNone, CloseMonth: jan, Currency: "", Deals: 1, Units: 10, ValueMinor: 1000},
		{OwnerID: 2, Stage: StageNegotiation, CloseMonth: nov, Currency: "USD", Deals: 1, Units: 4, ValueMinor: 400},
		{OwnerID: 9, Stage: StageContract, CloseMonth: dec, Currency: "CNY", Deals: 1, Units: 1, ValueMinor: 100},
	}
	won := []ClosedDeal{{Deal: Deal{OwnerID: 2, State: DealWon, Units: 3, Value: Money{500, ""}}},
		{Deal: Deal{OwnerID: 2, State: DealLost, Units: 50}}}
	p := BuildPipeline(dec, DefaultStageProbabilities(), reps, names, open, won, map[int64]Goal{1: {Units: 10}, 2: {Units: 5, Value: Money{1000, "CNY"}}})
	if p.Open.Deals != 5 || p.Open.Units != 22 || p.Open.WeightedUnits != 7*40+10*10+4*75+1*90 {
		t.Fatalf("open: %+v", p.Open)
	}
	if p.Open.WeightedValue["CNY"] != 333*40/100+100*90/100 || p.Open.WeightedValue[""] != 100 || p.Open.WeightedValue["USD"] != 300 {
		t.Fatalf("weighted value: %v", p.Open.WeightedValue)
	}
	if got := p.ByStage[0]; got.Stage != StageContact || got.Open.Deals != 1 || got.Pct != 10 {
		t.Fatalf("no stage counts as contact: %+v", got)
	}
	if p.Overdue != 1 {
		t.Fatalf("overdue %d, want the November deal", p.Overdue)
	}
	if len(p.ByRep) != 3 || p.ByRep[0].Rep.Name != "Ann" || p.ByRep[1].Rep.Name != "bob" || p.ByRep[2].Rep.Name != "Gone" {
		t.Fatalf("reps: %+v", p.ByRep)
	}
	ann, bob := p.ByRep[0].Forecast, p.ByRep[1].Forecast
	if ann.Units() != 280 || ann.UnitsGap() != 720 {
		t.Fatalf("Ann: forecast %d gap %d", ann.Units(), ann.UnitsGap())
	}
	if bob.Units() != 300 || bob.UnitsGap() != 200 || bob.Value("CNY") != 500 || bob.ValueGap() != 500 {
		t.Fatalf("bob: forecast %d gap %d value %d", bob.Units(), bob.UnitsGap(), bob.Value("CNY"))
	}
	if g := p.Forecast.Goal; g.Units != 15 || g.Value != (Money{1000, "CNY"}) {
		t.Fatalf("team goal: %+v", g)
	}
	if p.Forecast.Units() != 280+300+90 {
		t.Fatalf("team forecast %d", p.Forecast.Units())
	}
}

func TestAmountsIn(t *testing.T) {
	a := Amounts{"CNY": 100, "": 10, "USD": 1}
	if a.In("CNY") != 110 || a.In("") != 111 || a.In("EUR") != 10 {
		t.Fatalf("In: %d %d %d", a.In("CNY"), a.In(""), a.In("EUR"))
	}
	if cs := a.Currencies(); len(cs) != 3 || cs[0] != "CNY" || cs[1] != "" {
		t.Fatalf("currencies %q", cs)
	}
}

// Competitors are counted once per deal, by folded name, with the lost
// deals that went to them; a rep's review counts their own deals only.
func TestMonthReviewCompetitors(t *testing.T) {
	nov := Month{2026, time.November}
	closed := []ClosedDeal{
		{Deal: Deal{ID: 1, OwnerID: 1, State: DealLost, LostReason: LostCompetitor, LostTo: "brand x", Competitors: []Competitor{{Name: "Brand X"}}}},
		{Deal: Deal{ID: 2, OwnerID: 2, State: DealLost, LostReason: LostPrice, Competitors: []Competitor{{Name: "Ｂｒａｎｄ Ｘ"}, {Name: "Brand Y"}}}},
		{Deal: Deal{ID: 3, OwnerID: 2, State: DealWon, Units: 4}},
	}
	met := []*Deal{{ID: 1, OwnerID: 1, Competitors: []Competitor{{Name: "Brand X"}}}, {ID: 4, OwnerID: 1, Competitors: []Competitor{{Name: "Brand Y"}}}}
	att := &MonthAttainment{Reps: []RepAttainment{{RepID: 1, Name: "Ann"}, {RepID: 2, Name: "Bob"}}}
	m := BuildMonthReview(nov, att, 0, closed, met)
	if len(m.Competitors) != 2 || m.Competitors[0] != (CompetitorCount{"Brand X", 2, 1}) || m.Competitors[1] != (CompetitorCount{"Brand Y", 2, 0}) {
		t.Fatalf("competitors: %+v", m.Competitors)
	}
	if len(m.LostReasons) != 2 || len(m.Won) != 1 || m.WonTotals.Units != 4 || m.Reps[1].Lost != 1 || m.Reps[1].Won.Deals != 1 {
		t.Fatalf("review: %+v", m)
	}
	own := BuildMonthReview(nov, att, 1, closed, met)
	if len(own.Reps) != 1 || len(own.Lost) != 1 || len(own.Won) != 0 || len(own.Competitors) != 2 || own.Competitors[0].Deals != 1 {
		t.Fatalf("Ann's review: %+v", own)
	}
}
