package models

import "testing"

func TestIsPhone(t *testing.T) {
	for s, want := range map[string]bool{
		"+86 138 0013 8000":      true,
		"13800138000":            true,
		"010-6552 9988":          true,
		"(021) 5432-1000 ext 12": true,
		"0755-8888 8888转123":     true,
		"+1 (415) 555-0100 x7":   true,
		"6":                      false,
		"12345":                  false,
		"Wu":                     false,
		"138 0013 8000 ext":      false,
		"+86 (10 6552 9988":      false,
		"++86 138 0013 8000":     false,
		"1234567890123456789012": false,
		"":                       false,
	} {
		if got := IsPhone(s); got != want {
			t.Errorf("IsPhone(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzIsPhone(f *testing.F) {
	for _, s := range []string{"+86 138 0013 8000", "010-6552 9988", "ext", "转123", "(("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := IsPhone(s)
		if ok != (CheckPhone(s) == nil) {
			t.Fatalf("IsPhone and CheckPhone disagree on %q", s)
		}
		digits := 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if ok && digits < minPhoneDigits {
			t.Fatalf("%q taken as a phone with %d digits", s, digits)
		}
	})
}
