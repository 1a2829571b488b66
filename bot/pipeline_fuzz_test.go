package bot

import (
	"regexp"
	"testing"
	"time"

	"salesbot/models"
)

func TestMonthArg(t *testing.T) {
	cat, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 1 Dec 2026 02:00 in Shanghai is still 30 Nov in UTC.
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	m := func(y int, mon time.Month) models.Month { return models.Month{Year: y, Mon: mon} }
	for _, c := range []struct {
		in   string
		past bool
		loc  *time.Location
		want models.Month
		ok   bool
	}{
		{"", false, sh, m(2026, 12), true},
		{"", false, time.UTC, m(2026, 11), true},
		{"next", false, sh, m(2027, 1), true},
		{"下个月", false, sh, m(2027, 1), true},
		{"last", true, sh, m(2026, 11), true},
		{"上月", true, sh, m(2026, 11), true},
		{"this month", true, sh, m(2026, 12), true},
		{"march", false, sh, m(2027, 3), true},
		{"march", true, sh, m(2026, 3), true},
		{"3月", true, sh, m(2026, 3), true},
		{"12月", true, sh, m(2026, 12), true},
		{"2027-03", true, sh, m(2027, 3), true},
		{"2026/11", true, sh, m(2026, 11), true},
		{"yesterday", true, sh, m(2026, 11), true},
		{"2026-10-15", true, sh, m(2026, 10), true},
		{"yesterday", false, sh, models.Month{}, false},
		{"2026-13", true, sh, models.Month{}, false},
		{"someday", false, sh, models.Month{}, false},
		{"13月", false, sh, models.Month{}, false},
	} {
		got, ok := monthArg(cat, c.in, now, c.loc, c.past)
		if ok != c.ok || got != c.want {
			t.Errorf("monthArg(%q, past %v, %s) = %v %v; want %v %v", c.in, c.past, c.loc, got, ok, c.want, c.ok)
		}
	}
}

var fourDigitsTest = regexp.MustCompile(`\d{4}`)

// Whatever is typed after /pipeline or /month, a month read is a real
// month within reach; /month never reads a month after this one unless a
// year (or "next") was typed.
func FuzzMonthArg(f *testing.F) {
	for _, s := range []string{"", "next", "last", "本月", "march", "mar 2027", "3月", "2027年3月", "明年3月", "2026-11", "11/2026",
		"yesterday", "2026-11-15", "上周一", "13月", "0月", "2027-00", "-1", "９月", "next year march"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	cat, err := NewCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string, past bool) {
		m, ok := monthArg(cat, s, now, time.UTC, past)
		if !ok {
			return
		}
		if m.Mon < 1 || m.Mon > 12 || m.Year < 2000 || m.Year > 2040 {
			t.Fatalf("%q read as %v", s, m)
		}
		this := models.MonthOf(now, time.UTC)
		next, _ := cat.wordOf(s, wordMonthNext)
		if past && this.Before(m) && !fourDigitsTest.MatchString(s) && next != wordMonthNext {
			t.Fatalf("/month %q read as %v, after this month", s, m)
		}
	})
}

func TestParseProbability(t *testing.T) {
	for _, c := range []struct {
		in    string
		stage models.Stage
		pct   int
		ok    bool
	}{
		{"demo 40", models.StageDemo, 40, true},
		{"demo 40%", models.StageDemo, 40, true},
		{"产品演示 40", models.StageDemo, 40, true},
		{"negotiation 0", models.StageNegotiation, 0, true},
		{"contract 100", models.StageContract, 100, true},
		{"demo 101", "", 0, false},
		{"demo -5", "", 0, false},
		{"lost 10", "", 0, false},
		{"demo", "", 0, false},
		{"40", "", 0, false},
		{"banana 40", "", 0, false},
	} {
		st, pct, ok := parseProbability(c.in)
		if ok != c.ok || st != c.stage || pct != c.pct {
			t.Errorf("parseProbability(%q) = %q %d %v; want %q %d %v", c.in, st, pct, ok, c.stage, c.pct, c.ok)
		}
	}
}

// A probability read is a stage of an open deal and a percent 0–100.
func FuzzParseProbability(f *testing.F) {
	for _, s := range []string{"demo 40", "demo 40%", "产品演示 40％", "lost 10", "demo 101", "proposal quote 60", " 5", "demo 9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, pct, ok := parseProbability(s)
		if ok && (st.Index() < 0 || pct < 0 || pct > 100) {
			t.Fatalf("%q read as %q %d", s, st, pct)
		}
	})
}
