package models

import "testing"

// Client-name matching: Closeness is within [0, 1], symmetric, 1 for the
// same key; a name with a key has a core; MatchClient's exact match has the key; the
// grams are bounded.
func FuzzNameMatching(f *testing.F) {
	for _, p := range [][2]string{{"Acme Corp", "ACME Ltd."}, {"华为", "华为技术有限公司"}, {"Plant 1", "Plant 2"}, {"", "x"}, {"Ａｃｍｅ", "acme"}, {"Co.", "Co"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 300 || len(b) > 300 {
			return // MaxNameLen keeps names short before they get here
		}
		s := Closeness(a, b)
		if s < 0 || s > 1 || s != Closeness(b, a) {
			t.Fatalf("Closeness(%q, %q) = %v (reverse %v)", a, b, s, Closeness(b, a))
		}
		if NameKey(a) != "" && NameKey(a) == NameKey(b) && s != 1 {
			t.Fatalf("same key, Closeness %v", s)
		}
		if NameKey(a) != "" && CoreKey(a) == "" {
			t.Fatalf("CoreKey(%q) is empty for a name with a key", a)
		}
		if len(NameGrams(a)) > MaxNameGrams {
			t.Fatalf("%d grams", len(NameGrams(a)))
		}
		cs := []*Client{{ID: 1, Name: a}, {ID: 2, Name: b}}
		if exact, close := MatchClient(b, cs, 3); exact != nil && NameKey(exact.Name) != NameKey(b) || len(close) > 3 {
			t.Fatalf("MatchClient(%q) = %v %v", b, exact, close)
		}
	})
}
