package models

import (
	"strings"
	"testing"
)

// The quick entry reads a bare word by trying each choice field of a visit
// in turn, so no word may belong to two of them.
func TestVisitChoiceWordsDoNotOverlap(t *testing.T) {
	words := map[Enum]map[string]bool{}
	for _, e := range []Enum{EnumMethod, EnumStage, EnumAttitude} {
		words[e] = map[string]bool{}
	}
	for k := range stageWords {
		words[EnumStage][k] = true
	}
	for k := range attitudeWords {
		words[EnumAttitude][k] = true
	}
	for k := range methodWords {
		words[EnumMethod][k] = true
	}
	seen := map[string]Enum{}
	for _, f := range VisitFields {
		if f.Kind != ChoiceField || f.Set == nil {
			continue
		}
		ws, ok := words[f.Enum]
		if !ok {
			t.Fatalf("field %s: enum %s has no word list in this test", f.Name, f.Enum)
		}
		for w := range ws {
			if other, dup := seen[w]; dup {
				t.Errorf("%q is a word of both %s and %s", w, other, f.Enum)
			}
			seen[w] = f.Enum
		}
	}
}

func TestFieldChecks(t *testing.T) {
	v := &Visit{ClientID: 1, Stage: StageDemo, DurationMin: 45, NextStep: strings.Repeat("x", MaxTextLen)}
	if err := v.Validate(); err != nil {
		t.Fatalf("valid visit: %v", err)
	}
	for name, bad := range map[string]func(v *Visit){
		"long next step": func(v *Visit) { v.NextStep += "x" },
		"long place":     func(v *Visit) { v.Place = strings.Repeat("p", MaxPlaceLen+1) },
		"stage":          func(v *Visit) { v.Stage = "bogus" },
		"duration":       func(v *Visit) { v.DurationMin = MaxMinutes + 1 },
		"negative":       func(v *Visit) { v.DurationMin = -1 },
	} {
		w := *v
		bad(&w)
		if err := w.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	c := &Client{Name: "Acme", Grade: "Z"}
	if err := c.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("grade Z: %v", err)
	}
	o := &Objection{ClientID: 1}
	if err := o.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("objection without category: %v", err)
	}
	o.Category, o.WorkedAnswer = ObjPrice, strings.Repeat("a", MaxTextLen+1)
	if err := o.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("long answer that worked: %v", err)
	}
}
