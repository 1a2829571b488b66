package models

import (
	"sort"
	"strings"
	"time"
)

// StageProbabilities are a team's chances, in percent, that an open deal
// at each seller's stage is won: what the pipeline is weighted by.
type StageProbabilities map[Stage]int

// defaultProbabilities: the usual weighting of a key-account funnel.
var defaultProbabilities = map[Stage]int{
	StageContact: 10, StageNeeds: 20, StagePresentation: 30, StageDemo: 40,
	StageProposal: 60, StageNegotiation: 75, StageContract: 90,
}

// DefaultStageProbabilities returns the weighting of a team that set none:
// contact 10 %, needs 20 %, presentation 30 %, demo 40 %, proposal 60 %,
// negotiation 75 %, contract 90 %.
func DefaultStageProbabilities() StageProbabilities {
	p := make(StageProbabilities, len(defaultProbabilities))
	for s, v := range defaultProbabilities {
		p[s] = v
	}
	return p
}

// Of is the percent for an open deal at stage s. A deal with no stage yet
// counts as contact; lost (which an open deal is not) as 0.
func (p StageProbabilities) Of(s Stage) int {
	if s == StageNone {
		s = StageContact
	}
	if v, ok := p[s]; ok {
		return v
	}
	return defaultProbabilities[s]
}

// PipelineStage is where a deal sits in the funnel: its stage, with no
// stage yet read as contact.
func PipelineStage(s Stage) Stage {
	if s == StageNone || s == StageLost {
		return StageContact
	}
	return s
}

// CheckProbability checks a team's new percent for a stage: one of the
// ordered stages (not lost), 0 to 100.
func CheckProbability(s Stage, pct int) error {
	if s.Index() < 0 {
		return Errorf(EINVALID, "err_probability_stage", map[string]any{"Value": string(s)})
	}
	if pct < 0 || pct > 100 {
		return Errorf(EINVALID, "err_probability_pct", map[string]any{"Value": pct})
	}
	return nil
}

// Amounts are sums of money by currency, in minor units; "" is the
// currency of amounts typed without one ("320万").
type Amounts map[string]int64

// Add adds minor units in a currency.
func (a Amounts) Add(currency string, minor int64) {
	if minor != 0 {
		a[currency] += minor
	}
}

// AddAll adds every sum of o.
func (a Amounts) AddAll(o Amounts) {
	for c, v := range o {
		a.Add(c, v)
	}
}

// In sums what counts towards a target in currency: that currency and
// amounts without one; every amount for a target without a currency.
func (a Amounts) In(currency string) int64 {
	var n int64
	for c, v := range a {
		if currency == "" || c == "" || c == currency {
			n += v
		}
	}
	return n
}

// Currencies lists the currencies with a sum, largest sum first (ties by
// code), so the first is the one most of the value is in.
func (a Amounts) Currencies() []string {
	out := make([]string, 0, len(a))
	for c, v := range a {
		if v != 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a[out[i]] != a[out[j]] {
			return a[out[i]] > a[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// DealTotals sum deals: how many, their units and their value, and the
// same weighted by stage probability (units in hundredths: 250 is 2.5
// units; value in minor units).
type DealTotals struct {
	Deals         int
	Units         int64
	Value         Amounts
	WeightedUnits int64 // hundredths of a unit
	WeightedValue Amounts
}

func newTotals() DealTotals { return DealTotals{Value: Amounts{}, WeightedValue: Amounts{}} }

// add counts a group of deals at a percent.
func (t *DealTotals) add(deals int, units int64, currency string, minor int64, pct int) {
	t.Deals += deals
	t.Units += units
	t.Value.Add(currency, minor)
	t.WeightedUnits += units * int64(pct)
	t.WeightedValue.Add(currency, minor*int64(pct)/100)
}

// AddTotals adds o to t.
func (t *DealTotals) AddTotals(o DealTotals) {
	t.Deals += o.Deals
	t.Units += o.Units
	t.Value.AddAll(o.Value)
	t.WeightedUnits += o.WeightedUnits
	t.WeightedValue.AddAll(o.WeightedValue)
}

// DealGroup sums a team's open deals that share an owner, a stage, an
// expected close month and a currency: storage's grouped read of the
// pipeline.
type DealGroup struct {
	OwnerID    int64
	Stage      Stage
	CloseMonth Month
	Currency   string
	Deals      int
	Units      int64
	ValueMinor int64
}

// ClosedDeal is a won or lost deal as the pipeline and the month's review
// read it: the deal, its client's and owner's names.
type ClosedDeal struct {
	Deal
	Client, Owner string
}

// Goal is a month's target of units and value (zero: none set).
type Goal struct {
	Units int64
	Value Money
}

// IsZero reports whether no target is set.
func (g Goal) IsZero() bool { return g.Units == 0 && g.Value.IsZero() }

// Forecast is what a month will bring: deals won in it so far, plus the
// open deals expected to close in it weighted by stage, against the
// month's target.
type Forecast struct {
	Won     DealTotals // won in the month (weighted: at 100 %)
	Closing DealTotals // open, expected to close in the month
	Goal    Goal
}

// Units is the forecast of units in hundredths: won plus weighted closing.
func (f Forecast) Units() int64 { return f.Won.Units*100 + f.Closing.WeightedUnits }

// Value is the forecast of value in a currency, in minor units: as the
// targets count it, deals in that currency and those typed without one
// (for a target without a currency, every deal).
func (f Forecast) Value(currency string) int64 {
	return f.Won.Value.In(currency) + f.Closing.WeightedValue.In(currency)
}

// UnitsGap is the target's units less the forecast, in hundredths
// (negative: the forecast is above the target).
func (f Forecast) UnitsGap() int64 { return f.Goal.Units*100 - f.Units() }

// ValueGap is the target's value less the forecast in the target's
// currency, in minor units.
func (f Forecast) ValueGap() int64 { return f.Goal.Value.Minor - f.Value(f.Goal.Value.Currency) }

func (f *Forecast) addForecast(o Forecast) {
	f.Won.AddTotals(o.Won)
	f.Closing.AddTotals(o.Closing)
}

// StagePipeline is one stage of the funnel.
type StagePipeline struct {
	Stage Stage
	Pct   int
	Open  DealTotals
}

// RepPipeline is one rep's open deals and forecast.
type RepPipeline struct {
	Rep      RepRef
	Open     DealTotals
	Forecast Forecast
}

// Pipeline is a team's (or one rep's) open deals by stage and by rep,
// weighted by the team's stage probabilities, and the forecast of a month
// against its target.
type Pipeline struct {
	TeamID   int64
	TeamName string
	Loc      *time.Location
	// RepID is the rep whose own pipeline this is (0: the team's).
	RepID         int64
	Month         Month
	Probabilities StageProbabilities
	Open          DealTotals
	// ByStage lists every ordered stage, contact first.
	ByStage []StagePipeline
	// ByRep lists the reps (and anyone else with open deals or a win in
	// the month), by name.
	ByRep    []RepPipeline
	Forecast Forecast
	// Overdue counts open deals whose expected close month is before the
	// month asked about: they count in no forecast until moved.
	Overdue int
}

// BuildPipeline weighs grouped open deals by probs, and forecasts month
// from them and the deals won in it. reps are the people to list (a rep's
// own pipeline: just them); goals are the month's targets by rep id and,
// at key 0, the team's. Owners with deals who are not among reps (left
// the team) are listed after them with the name names gives.
func BuildPipeline(month Month, probs StageProbabilities, reps []RepRef, names map[int64]string,
	open []DealGroup, won []ClosedDeal, goals map[int64]Goal) *Pipeline {
	p := &Pipeline{Month: month, Probabilities: probs, Open: newTotals(),
		Forecast: Forecast{Won: newTotals(), Closing: newTotals(), Goal: goals[0]}}
	byStage := map[Stage]*StagePipeline{}
	for _, s := range Stages {
		p.ByStage = append(p.ByStage, StagePipeline{Stage: s, Pct: probs.Of(s), Open: newTotals()})
	}
	for i := range p.ByStage {
		byStage[p.ByStage[i].Stage] = &p.ByStage[i]
	}
	byRep := map[int64]*RepPipeline{}
	order := []int64{}
	rep := func(id int64) *RepPipeline {
		if r, ok := byRep[id]; ok {
			return r
		}
		r := &RepPipeline{Rep: RepRef{ID: id, Name: names[id]}, Open: newTotals(),
			Forecast: Forecast{Won: newTotals(), Closing: newTotals(), Goal: goals[id]}}
		byRep[id] = r
		order = append(order, id)
		return r
	}
	for _, r := range reps {
		rep(r.ID).Rep = r
	}
	listed := len(order)
	for _, g := range open {
		st := PipelineStage(g.Stage)
		pct := probs.Of(st)
		byStage[st].Open.add(g.Deals, g.Units, g.Currency, g.ValueMinor, pct)
		p.Open.add(g.Deals, g.Units, g.Currency, g.ValueMinor, pct)
		r := rep(g.OwnerID)
		r.Open.add(g.Deals, g.Units, g.Currency, g.ValueMinor, pct)
		switch {
		case g.CloseMonth == month:
			r.Forecast.Closing.add(g.Deals, g.Units, g.Currency, g.ValueMinor, pct)
		case !g.CloseMonth.IsZero() && g.CloseMonth.Before(month):
			p.Overdue += g.Deals
		}
	}
	for _, d := range won {
		if d.State != DealWon {
			continue
		}
		rep(d.OwnerID).Forecast.Won.add(1, d.Units, d.Value.Currency, d.Value.Minor, 100)
	}
	for _, id := range order {
		r := byRep[id]
		p.Forecast.addForecast(r.Forecast)
		p.ByRep = append(p.ByRep, *r)
	}
	sort.SliceStable(p.ByRep[:listed], func(i, j int) bool { return nameLess(p.ByRep[i].Rep.Name, p.ByRep[j].Rep.Name) })
	rest := p.ByRep[listed:]
	sort.SliceStable(rest, func(i, j int) bool { return nameLess(rest[i].Rep.Name, rest[j].Rep.Name) })
	if p.Forecast.Goal.IsZero() {
		// No team target: the reps' targets add up to it.
		var g Goal
		for _, r := range p.ByRep {
			g.Units += r.Forecast.Goal.Units
			if g.Value.Currency == "" || g.Value.Currency == r.Forecast.Goal.Value.Currency {
				g.Value.Currency = r.Forecast.Goal.Value.Currency
				g.Value.Minor += r.Forecast.Goal.Value.Minor
			}
		}
		p.Forecast.Goal = g
	}
	return p
}

// nameLess orders people by name regardless of case, as the digest and
// the week's summary do (reports' byName).
func nameLess(a, b string) bool {
	if la, lb := strings.ToLower(a), strings.ToLower(b); la != lb {
		return la < lb
	}
	return a < b
}

// MonthStart is the first instant of month in loc.
func MonthStart(m Month, loc *time.Location) time.Time {
	return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, loc)
}

// AddMonths is the month n months after m (before, for n < 0).
func AddMonths(m Month, n int) Month {
	t := time.Date(m.Year, m.Mon+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return Month{Year: t.Year(), Mon: t.Month()}
}
