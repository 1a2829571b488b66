package models

import (
	"testing"
	"time"
)

func TestSameParts(t *testing.T) {
	next := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := &Visit{Stage: StageDemo, Attitude: AttitudeWarm, NextStep: "send quote", NextVisitAt: &next}
	b := *a
	if !SameParts(a, &b, []string{"Li", "wang"}, []string{"Wang", "li"}) {
		t.Fatal("the same visit reads as different")
	}
	b.StageBefore = StageContact // derived, not a part the rep gave
	if !SameParts(a, &b, nil, nil) {
		t.Fatal("the stage before counts as a part")
	}
	for name, change := range map[string]func(v *Visit){
		"stage":      func(v *Visit) { v.Stage = StageProposal },
		"notes":      func(v *Visit) { v.Notes = "cake" },
		"next visit": func(v *Visit) { v.NextVisitAt = nil },
		"no revisit": func(v *Visit) { v.NoFollowUp = true },
	} {
		c := *a
		change(&c)
		if SameParts(a, &c, nil, nil) {
			t.Errorf("a different %s reads as the same", name)
		}
	}
	if SameParts(a, &b, []string{"Li"}, []string{"Li", "Wang"}) {
		t.Error("different contacts read as the same")
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if !NearInTime(at, at.Add(59*time.Minute)) || NearInTime(at, at.Add(-time.Hour)) {
		t.Error("the window is not an hour")
	}
}

// A visit may double only a visit within the window, so a client whose
// newest visit is older than that has none it may double.
func TestMayDouble(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		last time.Time
		want bool
	}{
		{time.Time{}, false},
		{at.Add(-DuplicateWindow), false},
		{at.Add(-DuplicateWindow + time.Nanosecond), true},
		{at, true},
		{at.Add(3 * DuplicateWindow), true}, // a later visit; the one within the window may be before it
	} {
		if got := MayDouble(c.last, at); got != c.want {
			t.Errorf("MayDouble(%v, %v) = %v, want %v", c.last, at, got, c.want)
		}
		// Whenever a visit near in time exists, last is at least as new.
		if c.last.IsZero() {
			continue
		}
		if NearInTime(c.last, at) && !MayDouble(c.last, at) {
			t.Errorf("a visit at %v is near %v, yet MayDouble says none may be", c.last, at)
		}
	}
}
