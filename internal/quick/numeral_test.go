package quick

import (
	"strings"
	"testing"
)

func TestLeadingNumeral(t *testing.T) {
	for _, tt := range []struct {
		in, rest string
		want     int64
	}{
		{"一", "", 1}, {"两", "", 2}, {"十", "", 10}, {"十二", "", 12}, {"二十", "", 20}, {"二十台", "台", 20},
		{"二十五 台", "台", 25}, {"一百", "", 100}, {"两百套", "套", 200}, {"一百零五", "", 105}, {"一千零五十件", "件", 1050},
		{"三千", "", 3000}, {"一千二百", "", 1200}, {"九千九百九十九", "", 9999}, {"十万", "", 100_000}, {"三万五千", "", 35_000},
		{"一万零五", "", 10_005}, {"一千二百万", "", 12_000_000}, {"两万台", "台", 20_000},
		// As people say them: the digit after the last unit is of the next unit down.
		{"一千二", "", 1200}, {"两万五", "", 25_000}, {"三百五", "", 350},
		{"一体机", "体机", 1}, {"〇", "", 0},
	} {
		got, rest, ok := leadingNumeral(tt.in)
		if !ok || got != tt.want || rest != tt.rest {
			t.Errorf("leadingNumeral(%q) = %d, %q, %v; want %d, %q", tt.in, got, rest, ok, tt.want, tt.rest)
		}
	}
	// Not numerals: words that start with a unit, digits in a row, units
	// out of order, a second 万.
	for _, in := range []string{"", "台", "百", "万能表", "千万", "二二", "十百", "二十二十", "一万一万", "零十", "trucks", "20"} {
		if got, _, ok := leadingNumeral(in); ok {
			t.Errorf("leadingNumeral(%q) = %d; want no numeral", in, got)
		}
	}
}

func TestParseQuantityChineseNumerals(t *testing.T) {
	for in, want := range map[string]Quantity{
		"二十台": {20, "台"}, "两台": {2, "台"}, "十二辆": {12, "辆"}, "一百五十套": {150, "套"}, "两千": {2000, ""},
		"三万件": {30_000, "件"}, "二十 trucks": {20, "trucks"}, "十 units": {10, "units"},
	} {
		if got, err := ParseQuantity(in); err != nil || got != want {
			t.Errorf("ParseQuantity(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, key := range map[string]string{"零台": "err_quantity_zero", "一千万零一台": "err_quantity_absurd", "一体机": "err_quantity_unreadable"} {
		if _, err := ParseQuantity(in); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("ParseQuantity(%q): %v; want %s", in, err, key)
		}
	}
}

// chineseNumeral writes n (1 to 99,999,999) in canonical Chinese
// numerals, for the fuzz target to read back.
func chineseNumeral(n int64) string {
	digits := []rune("零一二三四五六七八九")
	section := func(n int64, lead bool) string {
		var b strings.Builder
		zero := false
		for i, unit := range []string{"千", "百", "十", ""} {
			p := pow10(3 - i)
			d := n / p % 10
			switch {
			case d == 0:
				zero = b.Len() > 0 || lead
			default:
				if zero {
					b.WriteRune('零')
					zero = false
				}
				b.WriteRune(digits[d])
				b.WriteString(unit)
			}
		}
		return b.String()
	}
	hi, lo := n/10_000, n%10_000
	if hi == 0 {
		return section(lo, false)
	}
	s := section(hi, false) + "万"
	if lo > 0 {
		if lo < 1000 {
			s += "零" + strings.TrimPrefix(section(lo, false), "零")
		} else {
			s += section(lo, false)
		}
	}
	return s
}

func TestChineseNumeralWriter(t *testing.T) {
	for n, want := range map[int64]string{1: "一", 10: "一十", 105: "一百零五", 1050: "一千零五十", 10_005: "一万零五", 12_000_000: "一千二百万"} {
		if got := chineseNumeral(n); got != want {
			t.Errorf("chineseNumeral(%d) = %q; want %q", n, got, want)
		}
	}
}

// FuzzLeadingNumeral: never panics; a numeral it reads starts the
// input, worth at most 99,999,999; and every number written in canonical
// numerals reads back as itself.
func FuzzLeadingNumeral(f *testing.F) {
	for _, s := range []string{"二十台", "一千零五十", "两万五", "十二辆", "一体机", "二二", "万能表", "一万零五"} {
		f.Add(s, int64(20))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if v, rest, ok := leadingNumeral(s); ok {
			if v < 0 || v > 99_999_999 || !strings.Contains(s, rest) || len(rest) >= len(s) {
				t.Fatalf("leadingNumeral(%q) = %d, %q", s, v, rest)
			}
		}
		if n < 0 {
			n = -(n + 1)
		}
		n = n%99_999_999 + 1
		w := chineseNumeral(n)
		if v, rest, ok := leadingNumeral(w); !ok || v != n || rest != "" {
			t.Fatalf("leadingNumeral(%q) = %d, %q, %v; want %d", w, v, rest, ok, n)
		}
	})
}
