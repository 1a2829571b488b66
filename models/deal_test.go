package models

import (
	"strings"
	"testing"
	"time"
)

func TestDealValidate(t *testing.T) {
	ok := func() Deal {
		return Deal{ClientID: 1, Title: "20 trucks", Units: 20, Value: Money{Minor: 100, Currency: "CNY"}}
	}
	tests := []struct {
		name string
		mut  func(*Deal)
		key  string
	}{
		{"fine", func(*Deal) {}, ""},
		{"no client", func(d *Deal) { d.ClientID = 0 }, "err_deal_no_client"},
		{"blank title", func(d *Deal) { d.Title = "  " }, "err_deal_no_title"},
		{"negative units", func(d *Deal) { d.Units = -1 }, "err_deal_negative"},
		{"negative value", func(d *Deal) { d.Value.Minor = -1 }, "err_deal_negative"},
		{"bad step", func(d *Deal) { d.Step = "shopping" }, "err_deal_bad_value"},
		{"bad stage", func(d *Deal) { d.Stage = "maybe" }, "err_deal_bad_value"},
		{"bad budget", func(d *Deal) { d.Budget = "lots" }, "err_deal_bad_value"},
		{"lost without reason", func(d *Deal) { d.State = DealLost }, "err_deal_lost_reason"},
		{"open with a lost reason", func(d *Deal) { d.LostReason = LostPrice }, "err_deal_bad_value"},
		{"nameless competitor", func(d *Deal) { d.Competitors = []Competitor{{Product: "X1"}} }, "err_deal_competitor_name"},
		{"bad state", func(d *Deal) { d.State = "pending" }, "err_deal_bad_value"},
	}
	for _, tt := range tests {
		d := ok()
		tt.mut(&d)
		err := d.Validate()
		var key string
		if e, isErr := err.(*Error); isErr {
			key = e.Key
		} else if err != nil {
			key = err.Error()
		}
		if key != tt.key {
			t.Errorf("%s: Validate() = %v; want %q", tt.name, err, tt.key)
		}
		if tt.key == "" && d.State != DealOpen {
			t.Errorf("%s: state %q; a new deal is open", tt.name, d.State)
		}
	}
}

func TestDealWonLost(t *testing.T) {
	now := time.Date(2027, 3, 5, 9, 0, 0, 0, time.UTC)
	d := Deal{ClientID: 1, Title: "t", Units: 20, Value: Money{Minor: 320_000_000, Currency: "CNY"}, State: DealOpen, Stage: StageProposal}
	if err := d.Won(now, 18, Money{Minor: 300_000_000}); err != nil {
		t.Fatal(err)
	}
	if d.State != DealWon || d.Units != 18 || d.Value != (Money{Minor: 300_000_000, Currency: "CNY"}) || d.Stage != StageContract || !d.ClosedAt.Equal(now) {
		t.Fatalf("won: %+v", d)
	}
	if err := d.Won(now, 0, Money{}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("winning twice: %v", err)
	}
	if err := d.Lost(now, LostPrice, "", ""); ErrorCode(err) != ECONFLICT {
		t.Fatalf("losing a won deal: %v", err)
	}

	e := Deal{ClientID: 1, Title: "t", Units: 20, State: DealOpen}
	if err := e.Won(now, 0, Money{}); err != nil || e.Units != 20 {
		t.Fatalf("won as expected: %v %+v", err, e)
	}

	l := Deal{ClientID: 1, Title: "t", State: DealOpen}
	if err := l.Lost(now, "cheaper", "", ""); ErrorCode(err) != EINVALID {
		t.Fatalf("lost with a bad reason: %v", err)
	}
	if err := l.Lost(now, LostCompetitor, " went with them ", "Brand X"); err != nil {
		t.Fatal(err)
	}
	if l.State != DealLost || l.LostReason != LostCompetitor || l.LostWords != "went with them" || l.LostTo != "Brand X" || l.Stage != StageLost {
		t.Fatalf("lost: %+v", l)
	}
	if err := l.Validate(); err != nil {
		t.Fatalf("a lost deal validates: %v", err)
	}
}

func TestDealAdvanceStageAndOverdue(t *testing.T) {
	d := Deal{Stage: StageDemo, State: DealOpen, CloseMonth: Month{2027, time.March}}
	if out := d.AdvanceStage(StageNeeds); out != OutcomeNotBack || d.Stage != StageDemo {
		t.Errorf("back: %s %s", out, d.Stage)
	}
	if out := d.AdvanceStage(StageProposal); out != OutcomeAdvanced || d.Stage != StageProposal {
		t.Errorf("forward: %s %s", out, d.Stage)
	}
	if d.Overdue(Month{2027, time.March}) || !d.Overdue(Month{2027, time.April}) || d.Overdue(Month{2026, time.December}) {
		t.Error("overdue is after the close month only")
	}
	d.State = DealWon
	if d.Overdue(Month{2028, time.January}) {
		t.Error("a closed deal is never overdue")
	}
}

func TestParseProcurementStepAndLostReason(t *testing.T) {
	for in, want := range map[string]ProcurementStep{"技术筛选": StepScreening, "Final Decision": StepDecision, "立项": StepProjectSetUp, "后续服务": StepDelivery} {
		if got, ok := ParseProcurementStep(in); !ok || got != want {
			t.Errorf("ParseProcurementStep(%q) = %q %v", in, got, ok)
		}
	}
	for in, want := range map[string]LostReason{"price": LostPrice, "太贵": LostPrice, "没预算": LostNoBudget, "postponed": LostTiming, "失联": LostContact, "Product Fit": LostFit} {
		if got, ok := ParseLostReason(in); !ok || got != want {
			t.Errorf("ParseLostReason(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := ParseLostReason("bad luck"); ok {
		t.Error("bad luck is not a category")
	}
	if len(ProcurementSteps) != 7 || len(LostReasons) != 8 {
		t.Error("the process has 7 procurement steps and 8 lost reasons")
	}
}

func TestMonthKey(t *testing.T) {
	m := Month{2027, time.March}
	if m.Key() != "2027-03" {
		t.Fatal(m.Key())
	}
	if back, ok := ParseMonthKey("2027-03"); !ok || back != m {
		t.Fatal(back)
	}
	if (Month{}).Key() != "" {
		t.Fatal("unset month")
	}
}

// NoteLost adds the competitor and the words to a lost deal only; blanks
// keep what was filed.
func TestDealNoteLost(t *testing.T) {
	now := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	d := &Deal{ClientID: 1, Title: "20 trucks", State: DealOpen}
	if err := d.NoteLost(now, "Brand X", "cheaper"); ErrorCode(err) != ECONFLICT {
		t.Fatalf("an open deal: %v", err)
	}
	if err := d.Lost(now, LostCompetitor, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := d.NoteLost(now, " Brand X ", ""); err != nil || d.LostTo != "Brand X" || d.LostWords != "" {
		t.Fatalf("to: %v %+v", err, d)
	}
	if err := d.NoteLost(now, "", " cheaper "); err != nil || d.LostTo != "Brand X" || d.LostWords != "cheaper" {
		t.Fatalf("words: %v %+v", err, d)
	}
	if err := d.NoteLost(now, strings.Repeat("x", MaxDealTitle+1), ""); ErrorCode(err) != EINVALID || d.LostTo != "Brand X" {
		t.Fatalf("too long: %v %+v", err, d)
	}
}
