package models

import "time"

// Index is the stage's place in the sales process (0 for contact), -1 for
// no stage and for lost, which stands outside the order.
func (s Stage) Index() int {
	for i, st := range Stages {
		if st == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a stage (an ordered one or lost).
func (s Stage) Valid() bool { return s == StageLost || s.Index() >= 0 }

// Open reports whether the sale is still being worked on: not lost, not
// contracted.
func (s Stage) Open() bool { return s != StageLost && s != StageContract }

// StageOutcome says what a visit's stated stage did to the client's stage.
type StageOutcome string

// Stage outcomes of a visit.
const (
	// OutcomeUnstated: the visit stated no stage; the client's stage stays.
	OutcomeUnstated StageOutcome = "unstated"
	// OutcomeAdvanced: the client moved forward to the stated stage.
	OutcomeAdvanced StageOutcome = "advanced"
	// OutcomeSame: the client is at the stated stage already.
	OutcomeSame StageOutcome = "same"
	// OutcomeNotBack: the stated stage lies behind the client's; visits only
	// move clients forward, a step back is set explicitly on the card.
	OutcomeNotBack StageOutcome = "not_back"
	// OutcomeMarkedLost: the visit marked the client lost.
	OutcomeMarkedLost StageOutcome = "lost"
	// OutcomeLostStays: the client is lost, which only an explicit reopen
	// on the card undoes.
	OutcomeLostStays StageOutcome = "lost_stays"
)

// ApplyVisitStage is the stage rule of a visit: a visit moves the client's
// stage forward, never back; it can mark the client lost; a lost client
// stays lost until reopened explicitly (SetStage).
func ApplyVisitStage(current, stated Stage) (Stage, StageOutcome) {
	switch {
	case stated == StageNone:
		return current, OutcomeUnstated
	case current == StageLost && stated == StageLost:
		return current, OutcomeSame
	case current == StageLost:
		return current, OutcomeLostStays
	case stated == StageLost:
		return StageLost, OutcomeMarkedLost
	case stated == current:
		return current, OutcomeSame
	case stated.Index() > current.Index():
		return stated, OutcomeAdvanced
	}
	return current, OutcomeNotBack
}

// SetStage is an explicit stage change from the client card: any stage,
// back or forward, and reopening a lost client. It refuses only a value
// that is not a stage.
func SetStage(current, to Stage) (Stage, error) {
	if !to.Valid() {
		return current, Errorf(EINVALID, "err_stage_unknown", map[string]any{"Value": string(to)})
	}
	return to, nil
}

// ThreeVisits is the three-visits rule: this many visits to a client
// without stage progress mean the client needs a new plan.
const ThreeVisits = 3

// StageReached is the stage the visit left its client at by the stage
// rule: the stated stage, or the stage the client stayed at when the rule
// refused the step (a step back, a stage on a lost client); none when the
// visit stated none. Reports and exports show this, so a refused step
// never reads as progress.
func (v *Visit) StageReached() Stage {
	return VisitLine{StageBefore: v.StageBefore, Stage: v.Stage}.StageReached()
}

// Progressed reports whether the visit moved its client forward: its
// stated stage lies after the stage the client was at before it.
func (v *Visit) Progressed() bool {
	if v.StageBefore == StageLost {
		return false
	}
	_, out := ApplyVisitStage(v.StageBefore, v.Stage)
	return out == OutcomeAdvanced
}

// VisitsWithoutProgress counts the visits since the last one that moved
// the client forward. visits are the client's visits newest first (only
// those after the last explicit stage change: a rep who resets the stage
// has made a new plan).
func VisitsWithoutProgress(visits []Visit) int {
	n := 0
	for i := range visits {
		if visits[i].Progressed() {
			break
		}
		n++
	}
	return n
}

// NeedsNewPlan is the three-visits rule: a client still being worked on
// that had ThreeVisits or more visits without stage progress.
func NeedsNewPlan(stage Stage, withoutProgress int) bool {
	return stage.Open() && withoutProgress >= ThreeVisits
}

// StageEvent is a change of a client's stage, by a visit or set
// explicitly on the card; the client's history shows them.
type StageEvent struct {
	ID       int64
	TeamID   int64
	ClientID int64
	UserID   int64
	// VisitID is the visit that made the change; 0 for an explicit change.
	VisitID int64
	From    Stage
	To      Stage
	At      time.Time
}

// NeedsNewPlan reports whether the three-visits rule flags the client.
func (c *Client) NeedsNewPlan() bool { return NeedsNewPlan(c.Stage, c.NoProgressVisits) }
