package models

import (
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/currency"
)

// ProcurementStep is where the customer is in its own purchase process,
// which runs beside the seller's Stage.
type ProcurementStep string

// Procurement steps, in the customer's order.
const (
	StepNone         ProcurementStep = ""
	StepInternalNeed ProcurementStep = "internal_need"  // 内部需求
	StepProjectSetUp ProcurementStep = "project_set_up" // 确立项目
	StepInformation  ProcurementStep = "information"    // 收集信息
	StepScreening    ProcurementStep = "screening"      // 技术筛选
	StepEvaluation   ProcurementStep = "evaluation"     // 项目评估
	StepDecision     ProcurementStep = "decision"       // 最终决策
	StepDelivery     ProcurementStep = "delivery"       // 后续服务
)

// ProcurementSteps lists the steps in order.
var ProcurementSteps = []ProcurementStep{StepInternalNeed, StepProjectSetUp, StepInformation, StepScreening, StepEvaluation, StepDecision, StepDelivery}

// Index is the step's place in the customer's process, -1 for none.
func (p ProcurementStep) Index() int {
	for i, s := range ProcurementSteps {
		if s == p {
			return i
		}
	}
	return -1
}

// BudgetStatus says what is known of the customer's budget for a deal.
type BudgetStatus string

// Budget statuses.
const (
	BudgetUnknown  BudgetStatus = ""         // not asked yet
	BudgetKnown    BudgetStatus = "known"    // the customer named a budget
	BudgetApproved BudgetStatus = "approved" // the budget is approved
	BudgetNone     BudgetStatus = "none"     // there is no budget
)

// BudgetStatuses lists the statuses that say something.
var BudgetStatuses = []BudgetStatus{BudgetKnown, BudgetApproved, BudgetNone}

// DealState is whether a deal is still being worked.
type DealState string

// Deal states.
const (
	DealOpen DealState = "open"
	DealWon  DealState = "won"
	DealLost DealState = "lost"
)

// LostReason is the category a lost deal is filed under, so that "why we
// lose" can be counted.
type LostReason string

// Lost reasons.
const (
	LostNone       LostReason = ""
	LostPrice      LostReason = "price"
	LostFit        LostReason = "product_fit"
	LostCompetitor LostReason = "competitor"
	LostNoBudget   LostReason = "no_budget"
	LostTiming     LostReason = "timing"
	LostRelation   LostReason = "relationship"
	LostContact    LostReason = "lost_contact"
	LostOther      LostReason = "other"
)

// LostReasons lists the categories in the order they are offered.
var LostReasons = []LostReason{LostPrice, LostFit, LostCompetitor, LostNoBudget, LostTiming, LostRelation, LostContact, LostOther}

var (
	stepWords = kindKeywords[ProcurementStep](kindStep)
	lostWords = kindKeywords[LostReason](kindLost)
)

// ParseProcurementStep reads a procurement step ("screening", "技术筛选").
func ParseProcurementStep(s string) (ProcurementStep, bool) { return stepWords.parse(s) }

// ParseLostReason reads a lost-reason category ("price", "没预算").
func ParseLostReason(s string) (LostReason, bool) { return lostWords.parse(s) }

// Month is a calendar month, the unit deals are expected to close in.
type Month struct {
	Year int
	Mon  time.Month
}

// IsZero reports whether no month is set.
func (m Month) IsZero() bool { return m.Year == 0 }

// Key is the month as sortable text, "2027-03" ("" when unset): how it is
// stored and indexed.
func (m Month) Key() string {
	if m.IsZero() {
		return ""
	}
	return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// ParseMonthKey reads a Month.Key back.
func ParseMonthKey(s string) (Month, bool) {
	if s == "" {
		return Month{}, true
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, false
	}
	return Month{Year: t.Year(), Mon: t.Month()}, true
}

// MonthOf is the month a time falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	t = t.In(loc)
	return Month{Year: t.Year(), Mon: t.Month()}
}

// Before reports whether m is an earlier month than o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Mon < o.Mon)
}

// Money is an amount in minor units (cents, 分) of a currency.
type Money struct {
	Minor    int64
	Currency string // ISO code: CNY, USD, EUR; "" when unset
}

// IsZero reports whether no amount is set.
func (m Money) IsZero() bool { return m.Minor == 0 }

// Competitor is a competitor met on a deal.
type Competitor struct {
	ID     int64
	DealID int64
	Name   string
	// Product is the competitor's product in use or offered.
	Product string
	// Satisfaction is the client's satisfaction with it, in their words.
	Satisfaction string
	// Rep is the competitor's rep and their relationship with the client.
	Rep string
}

// Deal is a purchase project (项目/商机) on a client card.
type Deal struct {
	ID       int64
	TeamID   int64
	ClientID int64
	OwnerID  int64 // the rep working the deal
	Title    string
	Product  string // product or model
	Units    int64  // quantity
	Value    Money
	// CloseMonth is the month the deal is expected to close.
	CloseMonth   Month
	Budget       BudgetStatus
	BudgetAmount Money
	Step         ProcurementStep
	// Stage is the seller's stage on this deal (contact … contract).
	Stage       Stage
	Competitors []Competitor
	NextStep    string
	NextStepAt  time.Time
	State       DealState
	LostReason  LostReason
	// LostWords are the rep's words on why it was lost.
	LostWords string
	// LostTo names the competitor a deal was lost to.
	LostTo    string
	ClosedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Deal limits: long enough for what people write, short enough for a card.
const (
	MaxDealTitle      = 200
	MaxDealText       = 1000
	MaxDealCompetitor = 20
)

// Validate checks a deal before it is saved: the client, a title, sane
// numbers, known enums.
func (d *Deal) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.ClientID == 0:
		return Errorf(EINVALID, "err_deal_no_client", nil)
	case d.Title == "":
		return Errorf(EINVALID, "err_deal_no_title", nil)
	case utf8.RuneCountInString(d.Title) > MaxDealTitle || utf8.RuneCountInString(d.Product) > MaxDealTitle ||
		utf8.RuneCountInString(d.NextStep) > MaxDealText || utf8.RuneCountInString(d.LostWords) > MaxDealText:
		return Errorf(EINVALID, "err_deal_too_long", map[string]any{"Max": MaxDealTitle})
	case d.Units < 0 || d.Value.Minor < 0 || d.BudgetAmount.Minor < 0:
		return Errorf(EINVALID, "err_deal_negative", nil)
	case len(d.Competitors) > MaxDealCompetitor:
		return Errorf(EINVALID, "err_deal_too_many_competitors", map[string]any{"Max": MaxDealCompetitor})
	case d.Step != StepNone && d.Step.Index() < 0,
		d.Stage != StageNone && !d.Stage.Valid(),
		d.Budget != BudgetUnknown && d.Budget != BudgetKnown && d.Budget != BudgetApproved && d.Budget != BudgetNone:
		return Errorf(EINVALID, "err_deal_bad_value", nil)
	}
	if d.State == "" {
		d.State = DealOpen
	}
	switch d.State {
	case DealOpen, DealWon:
		if d.LostReason != LostNone {
			return Errorf(EINVALID, "err_deal_bad_value", nil)
		}
	case DealLost:
		if !validLostReason(d.LostReason) {
			return Errorf(EINVALID, "err_deal_lost_reason", nil)
		}
	default:
		return Errorf(EINVALID, "err_deal_bad_value", nil)
	}
	for _, c := range d.Competitors {
		if strings.TrimSpace(c.Name) == "" {
			return Errorf(EINVALID, "err_deal_competitor_name", nil)
		}
	}
	return nil
}

func validLostReason(r LostReason) bool {
	for _, l := range LostReasons {
		if l == r {
			return true
		}
	}
	return false
}

// Won closes an open deal as won at now. Units and value, when given (not
// zero), replace what was expected: they are what was signed. The seller's
// stage becomes contract.
func (d *Deal) Won(now time.Time, units int64, value Money) error {
	if d.State != DealOpen {
		return Errorf(ECONFLICT, "err_deal_closed", map[string]any{"Title": d.Title})
	}
	if units < 0 || value.Minor < 0 {
		return Errorf(EINVALID, "err_deal_negative", nil)
	}
	if units > 0 {
		d.Units = units
	}
	if value.Minor > 0 {
		if value.Currency == "" {
			value.Currency = d.Value.Currency
		}
		d.Value = value
	}
	d.State, d.Stage, d.ClosedAt, d.UpdatedAt = DealWon, StageContract, now.UTC(), now.UTC()
	return nil
}

// Lost closes an open deal as lost at now, filed under reason with the
// rep's words (and the competitor it went to, for LostCompetitor).
func (d *Deal) Lost(now time.Time, reason LostReason, words, to string) error {
	if d.State != DealOpen {
		return Errorf(ECONFLICT, "err_deal_closed", map[string]any{"Title": d.Title})
	}
	if !validLostReason(reason) {
		return Errorf(EINVALID, "err_deal_lost_reason", nil)
	}
	d.State, d.Stage, d.ClosedAt, d.UpdatedAt = DealLost, StageLost, now.UTC(), now.UTC()
	d.LostReason, d.LostWords, d.LostTo = reason, strings.TrimSpace(words), strings.TrimSpace(to)
	return nil
}

// NoteLost adds to a lost deal what its reason button could not say: the
// competitor it went to and the client's words (blank: kept as filed).
func (d *Deal) NoteLost(now time.Time, to, words string) error {
	if d.State != DealLost {
		return Errorf(ECONFLICT, "err_deal_not_lost", map[string]any{"Title": d.Title})
	}
	to, words = strings.TrimSpace(to), strings.TrimSpace(words)
	if utf8.RuneCountInString(to) > MaxDealTitle {
		return Errorf(EINVALID, "err_deal_too_long", map[string]any{"Max": MaxDealTitle})
	}
	if to != "" {
		d.LostTo = to
	}
	if words != "" {
		d.LostWords = words
	}
	d.UpdatedAt = now.UTC()
	return nil
}

// AdvanceStage is a visit's effect on its deal: the deal's stage moves by
// the same rule as a client's (forward only; ApplyVisitStage).
func (d *Deal) AdvanceStage(stated Stage) StageOutcome {
	var out StageOutcome
	d.Stage, out = ApplyVisitStage(d.Stage, stated)
	return out
}

// Overdue reports whether an open deal's expected close month has passed
// by month now (in the team's zone): the rep should move it or close it.
func (d *Deal) Overdue(now Month) bool {
	return d.State == DealOpen && !d.CloseMonth.IsZero() && d.CloseMonth.Before(now)
}

// DealCloseLess orders deals by expected close month (unset last), then
// by id: the order /deals lists them in.
func DealCloseLess(a, b *Deal) bool {
	switch {
	case a.CloseMonth.IsZero() != b.CloseMonth.IsZero():
		return !a.CloseMonth.IsZero()
	case a.CloseMonth != b.CloseMonth:
		return a.CloseMonth.Before(b.CloseMonth)
	}
	return a.ID < b.ID
}

// DealRecord is a deal with its client's and rep's names, as an export
// writes it.
type DealRecord struct {
	Deal
	Client, Owner string
}

// Text is a competitor as one line: "Brand X (X1, unhappy, rep
// Li)", its details in the order typed.
func (c Competitor) Text(repWord string) string {
	var bits []string
	for _, s := range []string{c.Product, c.Satisfaction} {
		if s != "" {
			bits = append(bits, s)
		}
	}
	if c.Rep != "" {
		bits = append(bits, strings.TrimSpace(repWord+" "+c.Rep))
	}
	if len(bits) == 0 {
		return c.Name
	}
	return c.Name + " (" + strings.Join(bits, ", ") + ")"
}

// DealChange is what a later entry says of an open deal: the parts it
// names replace the deal's; competitors named again get the details
// given, new ones are added.
type DealChange struct {
	NextStep     string
	NextStepAt   time.Time
	Competitors  []Competitor
	Budget       BudgetStatus
	BudgetAmount Money
	Step         ProcurementStep
	Stage        Stage
	CloseMonth   Month
}

// Change applies c to the deal.
func (d *Deal) Change(c DealChange) {
	if c.NextStep != "" || !c.NextStepAt.IsZero() {
		d.NextStep, d.NextStepAt = c.NextStep, c.NextStepAt
	}
	if c.Budget != BudgetUnknown {
		d.Budget, d.BudgetAmount = c.Budget, c.BudgetAmount
	}
	if c.Step != StepNone {
		d.Step = c.Step
	}
	if c.Stage != StageNone {
		d.Stage = c.Stage
	}
	if !c.CloseMonth.IsZero() {
		d.CloseMonth = c.CloseMonth
	}
	for _, nc := range c.Competitors {
		found := false
		for i := range d.Competitors {
			if have := &d.Competitors[i]; Fold(have.Name) == Fold(nc.Name) {
				found = true
				for _, f := range []struct {
					dst *string
					v   string
				}{{&have.Product, nc.Product}, {&have.Satisfaction, nc.Satisfaction}, {&have.Rep, nc.Rep}} {
					if f.v != "" {
						*f.dst = f.v
					}
				}
			}
		}
		if !found {
			d.Competitors = append(d.Competitors, nc)
		}
	}
}

// ParseCurrency reads an ISO 4217 currency code ("cny", "USD") and returns
// it upper case; anything else is false.
func ParseCurrency(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 3 {
		return "", false
	}
	u, err := currency.ParseISO(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// InCurrency gives an amount typed without a currency the team's (a
// no-op when it has one, or when the team has none).
func (m *Money) InCurrency(team string) {
	if m.Currency == "" && m.Minor != 0 {
		m.Currency = team
	}
}
