package models

import (
	"testing"
	"time"
)

func TestWorkingDaysAndPace(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	nov := Month{Year: 2026, Mon: time.November}
	w := DefaultWorkingHours() // Saturday and Sunday off
	for _, c := range []struct {
		asOf           time.Time
		total, elapsed int
	}{
		// 1 Nov 2026 is a Sunday: 21 working days (2–6, 9–13, 16–20, 23–27, 30).
		{time.Date(2026, 11, 1, 12, 0, 0, 0, sh), 21, 0},
		{time.Date(2026, 11, 2, 0, 0, 0, 0, sh), 21, 1},
		// 23:30 UTC on the 23rd is already the 24th in Shanghai.
		{time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), 21, 17},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, sh), 21, 20},
		{time.Date(2026, 12, 5, 0, 0, 0, 0, sh), 21, 21},
		{time.Date(2026, 10, 31, 0, 0, 0, 0, sh), 21, 0},
	} {
		total, elapsed := WorkingDays(nov, w, c.asOf, sh)
		if total != c.total || elapsed != c.elapsed {
			t.Errorf("WorkingDays at %v = %d, %d; want %d, %d", c.asOf, total, elapsed, c.total, c.elapsed)
		}
	}
	if total, _ := WorkingDays(nov, WorkingHours{DaysOff: WeekdaysOf(time.Sunday)}, time.Time{}, sh); total != 25 {
		t.Errorf("Mon–Sat in November: %d working days; want 25", total)
	}
	for _, c := range []struct {
		target         int64
		elapsed, total int
		want           int64
	}{
		{42, 16, 21, 32}, {42, 0, 21, 0}, {42, 21, 21, 42}, {42, 25, 21, 42}, {30, 16, 21, 23},
		{5, 16, 21, 4}, {1, 10, 21, 0}, {1, 11, 21, 1}, {0, 10, 21, 0}, {10, 1, 0, 0},
		{MaxTargetMinor, 30, 31, 96_774_193_548_387}, // 1e14 × 30/31, no overflow
	} {
		if got := Pace(c.target, c.elapsed, c.total); got != c.want {
			t.Errorf("Pace(%d, %d, %d) = %d; want %d", c.target, c.elapsed, c.total, got, c.want)
		}
	}
	for _, c := range []struct {
		actual, pace int64
		want         PaceStatus
	}{
		{18, 24, Behind}, {22, 24, OnPace}, {24, 24, OnPace}, {26, 24, OnPace}, {27, 24, Ahead},
		{0, 0, OnPace}, {1, 0, Ahead}, {0, 1, Behind}, {9, 10, OnPace}, {11, 10, OnPace},
	} {
		if got := StatusOf(c.actual, c.pace); got != c.want {
			t.Errorf("StatusOf(%d, %d) = %s; want %s", c.actual, c.pace, got, c.want)
		}
	}
}

func TestTargetResolution(t *testing.T) {
	nov, dec := Month{Year: 2026, Mon: time.November}, Month{Year: 2026, Mon: time.December}
	ts := NewTargets([]Target{
		{Scope: ScopeEachRep, Metric: MetricUnits, Amount: 30},
		{Scope: ScopeRep, UserID: 7, Month: nov, Metric: MetricUnits, Amount: 42},
		{Scope: ScopeEachRep, Metric: MetricVisits, Amount: 50},
		{Scope: ScopeTeam, Metric: MetricValue, Amount: 100},
		{Scope: ScopeTeam, Month: nov, Metric: MetricValue, Amount: 500},
	})
	for _, c := range []struct {
		rep    int64
		month  Month
		metric TargetMetric
		want   int64
		def    bool
		ok     bool
	}{
		{7, nov, MetricUnits, 42, false, true},
		{7, dec, MetricUnits, 30, true, true},
		{8, nov, MetricUnits, 30, true, true},
		{8, nov, MetricVisits, 50, true, true},
		{8, nov, MetricExistingVisits, DefaultExistingVisits, true, true},
		{8, nov, MetricNewClients, 0, false, false},
		{8, nov, MetricValue, 0, false, false},
	} {
		got, def, ok := ts.ForRep(c.rep, c.month, c.metric, 21)
		if got.Amount != c.want || def != c.def || ok != c.ok {
			t.Errorf("ForRep(%d, %s, %s) = %d %v %v; want %d %v %v", c.rep, c.month.Key(), c.metric, got.Amount, def, ok, c.want, c.def, c.ok)
		}
	}
	if got, _, _ := NewTargets(nil).ForRep(1, nov, MetricVisits, 21); got.Amount != 42 {
		t.Errorf("default visits %d; want 2 × 21", got.Amount)
	}
	if got, ok := ts.ForTeam(nov, MetricValue); !ok || got.Amount != 500 {
		t.Errorf("team value in November %d %v", got.Amount, ok)
	}
	if got, ok := ts.ForTeam(dec, MetricValue); !ok || got.Amount != 100 {
		t.Errorf("team value in December (standing) %d %v", got.Amount, ok)
	}
	for in, want := range map[string]TargetMetric{"units": MetricUnits, "Value": MetricValue, "拜访": MetricVisits, "老客户": MetricExistingVisits, "新客户": MetricNewClients, "new clients": MetricNewClients} {
		if got, ok := ParseTargetMetric(in); !ok || got != want {
			t.Errorf("ParseTargetMetric(%q) = %s %v; want %s", in, got, ok, want)
		}
	}
}
