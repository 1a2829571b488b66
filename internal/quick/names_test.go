package quick

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseNames(t *testing.T) {
	for in, want := range map[string][]string{
		"Acme":                           {"Acme"},
		"Acme, Brightway; Cobalt Ltd":    {"Acme", "Brightway", "Cobalt Ltd"},
		"华为、小米，中兴":                       {"华为", "小米", "中兴"},
		"1. Acme\n2) Brightway\n- Delta": {"Acme", "Brightway", "Delta"},
		"1）华为\n2）小米":                     {"华为", "小米"},
		"  ,, ;\n":                       nil,
		"3M Company":                     {"3M Company"},
		"7-Eleven":                       {"7-Eleven"},
	} {
		if got := ParseNames(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ParseNames(%q) = %q; want %q", in, got, want)
		}
	}
}

// FuzzParseNames: never panics; no name is empty, has a separator or
// edge space.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"Acme, Brightway", "1. 华为\n2. 小米", "- a;b、c", "", "12.", "\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range ParseNames(s) {
			if n == "" || n != strings.TrimSpace(n) || strings.ContainsAny(n, ",，;；、\n\r") {
				t.Fatalf("ParseNames(%q) has %q", s, n)
			}
		}
	})
}
