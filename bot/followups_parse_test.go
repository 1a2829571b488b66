package bot

import (
	"testing"
	"time"

	"salesbot/internal/dates"
	"salesbot/models"
)

var parseNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // a Monday

func TestParseDayRange(t *testing.T) {
	opts := dates.Options{Location: time.UTC}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		in          string
		first, last time.Time
	}{
		{"2026-12-20 2027-01-03", day(2026, 12, 20), day(2027, 1, 3)},
		{"dec 20 - jan 3", day(2026, 12, 20), day(2027, 1, 3)},
		{"dec 20 jan 3", day(2026, 12, 20), day(2027, 1, 3)},
		{"12-20 to 01-03", day(2026, 12, 20), day(2027, 1, 3)},
		{"12月20日到1月3日", day(2026, 12, 20), day(2027, 1, 3)},
		{"2026-12-20~2026-12-24", day(2026, 12, 20), day(2026, 12, 24)},
		{"tomorrow", day(2026, 11, 24), day(2026, 11, 24)},
		{"下周一", day(2026, 11, 30), day(2026, 11, 30)},
	}
	for _, c := range cases {
		f, l, ok := parseDayRange(c.in, parseNow, opts)
		if !ok || !f.Equal(c.first) || !l.Equal(c.last) {
			t.Errorf("parseDayRange(%q) = %v %v %v, want %v %v", c.in, f, l, ok, c.first, c.last)
		}
	}
	for _, in := range []string{"", "someday", "2026-12-20 someday", "soon - later", "-", "到"} {
		if f, l, ok := parseDayRange(in, parseNow, opts); ok {
			t.Errorf("parseDayRange(%q) = %v %v, want a refusal", in, f, l)
		}
	}
}

func TestParseWeekdays(t *testing.T) {
	cases := map[string]models.Weekdays{
		"sat sun":     models.WeekdaysOf(time.Saturday, time.Sunday),
		"Fri,Sat":     models.WeekdaysOf(time.Friday, time.Saturday),
		"周六 周日":       models.WeekdaysOf(time.Saturday, time.Sunday),
		"周五、周六":       models.WeekdaysOf(time.Friday, time.Saturday),
		"none":        0,
		"无":           0,
		"sunday":      models.WeekdaysOf(time.Sunday),
		"mon tue wed": models.WeekdaysOf(time.Monday, time.Tuesday, time.Wednesday),
	}
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range cases {
		if got, ok := parseWeekdays(c, in); !ok || got != want {
			t.Errorf("parseWeekdays(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "weekend", "sat sunday-ish", "8"} {
		if got, ok := parseWeekdays(c, in); ok {
			t.Errorf("parseWeekdays(%q) = %v, want a refusal", in, got)
		}
	}
}

// The parsers of /away and /settings never panic and never return a
// range that ends before it starts.
func FuzzParseDayRange(f *testing.F) {
	for _, s := range []string{"2026-12-20 2027-01-03", "dec 20 - jan 3", "12月20日到1月3日", "tomorrow", "a b c d", "到到", " - "} {
		f.Add(s)
	}
	opts := dates.Options{Location: time.UTC}
	c, err := NewCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return
		}
		first, last, ok := parseDayRange(s, parseNow, opts)
		if ok && (first.IsZero() || last.IsZero()) {
			t.Fatalf("%q: ok with a zero day", s)
		}
		parseWeekdays(c, s)
		models.ParseClockTime(s)
	})
}
