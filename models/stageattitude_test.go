package models

import "testing"

func TestParseStageAndAttitude(t *testing.T) {
	for _, c := range []struct {
		in    string
		stage Stage
		att   Attitude
		ok    bool
	}{
		{"demo warm", StageDemo, AttitudeWarm, true},
		{"warm, proposal", StageProposal, AttitudeWarm, true},
		{"Demo / Trial - cold", StageDemo, AttitudeCold, true},
		{"报价 热心", StageProposal, AttitudeWarm, true},
		{"谈判冷淡", StageNegotiation, AttitudeCold, true},
		{"demo", "", "", false},
		{"warm", "", "", false},
		{"demo nice", "", "", false},
		{"", "", "", false},
	} {
		st, a, ok := ParseStageAndAttitude(c.in)
		if st != c.stage || a != c.att || ok != c.ok {
			t.Errorf("ParseStageAndAttitude(%q) = %q, %q, %v; want %q, %q, %v", c.in, st, a, ok, c.stage, c.att, c.ok)
		}
	}
}

func FuzzParseStageAndAttitude(f *testing.F) {
	for _, s := range []string{"demo warm", "报价 热心", "谈判冷淡", "warm,proposal", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, a, ok := ParseStageAndAttitude(s)
		if ok && (st == "" || a == "") || !ok && (st != "" || a != "") {
			t.Fatalf("%q: %q %q %v", s, st, a, ok)
		}
	})
}
