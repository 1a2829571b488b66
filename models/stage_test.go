package models

import (
	"testing"
)

func TestApplyVisitStage(t *testing.T) {
	cases := []struct {
		current, stated, want Stage
		out                   StageOutcome
	}{
		{StageNone, StageNone, StageNone, OutcomeUnstated},
		{StageDemo, StageNone, StageDemo, OutcomeUnstated},
		{StageNone, StageContact, StageContact, OutcomeAdvanced},
		{StageNone, StageDemo, StageDemo, OutcomeAdvanced}, // a first visit may start anywhere
		{StageContact, StageDemo, StageDemo, OutcomeAdvanced},
		{StageDemo, StageDemo, StageDemo, OutcomeSame},
		{StageProposal, StageDemo, StageProposal, OutcomeNotBack}, // never back by a visit
		{StageContract, StageNegotiation, StageContract, OutcomeNotBack},
		{StageNegotiation, StageContract, StageContract, OutcomeAdvanced},
		{StageDemo, StageLost, StageLost, OutcomeMarkedLost},
		{StageNone, StageLost, StageLost, OutcomeMarkedLost},
		{StageLost, StageDemo, StageLost, OutcomeLostStays}, // lost is terminal
		{StageLost, StageContract, StageLost, OutcomeLostStays},
		{StageLost, StageLost, StageLost, OutcomeSame},
	}
	for _, c := range cases {
		got, out := ApplyVisitStage(c.current, c.stated)
		if got != c.want || out != c.out {
			t.Errorf("ApplyVisitStage(%q, %q) = %q, %q; want %q, %q", c.current, c.stated, got, out, c.want, c.out)
		}
	}
}

func TestSetStageExplicitly(t *testing.T) {
	// Back, and reopening a lost client, are allowed when asked for.
	if got, err := SetStage(StageProposal, StageNeeds); err != nil || got != StageNeeds {
		t.Fatalf("set back: %q %v", got, err)
	}
	if got, err := SetStage(StageLost, StageNegotiation); err != nil || got != StageNegotiation {
		t.Fatalf("reopen: %q %v", got, err)
	}
	if got, err := SetStage(StageDemo, Stage("bogus")); ErrorCode(err) != EINVALID || got != StageDemo {
		t.Fatalf("bogus stage: %q %v", got, err)
	}
}

func TestStageOrder(t *testing.T) {
	want := []Stage{StageContact, StageNeeds, StagePresentation, StageDemo, StageProposal, StageNegotiation, StageContract}
	for i, s := range want {
		if s.Index() != i {
			t.Errorf("%q.Index() = %d, want %d", s, s.Index(), i)
		}
	}
	if StageLost.Index() != -1 || StageNone.Index() != -1 || !StageLost.Valid() || StageNone.Valid() {
		t.Fatal("lost and none stand outside the order; lost is valid, none is not")
	}
	if StageLost.Open() || StageContract.Open() || !StageDemo.Open() || !StageNone.Open() {
		t.Fatal("open: every stage but lost and contract")
	}
}

func TestThreeVisitsRule(t *testing.T) {
	v := func(before, stated Stage) Visit { return Visit{StageBefore: before, Stage: stated} }
	cases := []struct {
		name   string
		visits []Visit // newest first
		stage  Stage
		n      int
		flag   bool
	}{
		{"no visits", nil, StageNone, 0, false},
		{"one progress", []Visit{v(StageNone, StageContact)}, StageContact, 0, false},
		{"two flat after progress", []Visit{v(StageDemo, StageNone), v(StageDemo, StageDemo), v(StageContact, StageDemo)}, StageDemo, 2, false},
		{"three flat", []Visit{v(StageDemo, StageNone), v(StageDemo, StageDemo), v(StageDemo, StageContact), v(StageContact, StageDemo)}, StageDemo, 3, true},
		{"three flat, never staged", []Visit{v(StageNone, StageNone), v(StageNone, StageNone), v(StageNone, StageNone)}, StageNone, 3, true},
		{"progress resets", []Visit{v(StageDemo, StageProposal), v(StageDemo, StageNone), v(StageDemo, StageNone), v(StageDemo, StageNone)}, StageProposal, 0, false},
		{"lost is not a new plan's case", []Visit{v(StageLost, StageDemo), v(StageLost, StageNone), v(StageDemo, StageLost)}, StageLost, 3, false},
		{"contract is done", []Visit{v(StageContract, StageNone), v(StageContract, StageNone), v(StageContract, StageNone)}, StageContract, 3, false},
	}
	for _, c := range cases {
		n := VisitsWithoutProgress(c.visits)
		if n != c.n || NeedsNewPlan(c.stage, n) != c.flag {
			t.Errorf("%s: without progress %d (want %d), flag %v (want %v)", c.name, n, c.n, NeedsNewPlan(c.stage, n), c.flag)
		}
	}
	c := &Client{Stage: StageDemo, NoProgressVisits: 3}
	if !c.NeedsNewPlan() {
		t.Fatal("client with 3 visits without progress must be flagged")
	}
}
