package reports

import "testing"

func TestSafeCell(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://evil","x")`: `'=HYPERLINK("http://evil","x")`,
		"+1+cmd|' /C calc'!A0":          "'+1+cmd|' /C calc'!A0",
		"-2+3":                          "'-2+3",
		"@SUM(A1)":                      "'@SUM(A1)",
		"\t=1":                          "'\t=1",
		"\r=1":                          "'\r=1",
		"":                              "",
		"Acme = good":                   "Acme = good",
		"华为":                            "华为",
		"'quoted":                       "'quoted",
	}
	for in, want := range cases {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
