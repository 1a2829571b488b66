package models

import (
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestRevisitDue(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	ny := zone(t, "America/New_York")
	w := DefaultWorkingHours()
	next := time.Date(2026, 12, 5, 10, 0, 0, 0, sh) // a Saturday the rep chose
	cases := []struct {
		name  string
		visit Visit
		loc   *time.Location
		days  int
		want  time.Time // zero: no follow-up
		exact bool
	}{
		{"Monday 15:00 Shanghai → next Monday 15:00",
			Visit{At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh)}, sh, 7, time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC), false},
		{"Saturday visit lands on a Saturday → Monday morning",
			Visit{At: time.Date(2026, 11, 28, 10, 0, 0, 0, sh)}, sh, 7, time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), false},
		{"21:30 is quiet → next morning 09:00",
			Visit{At: time.Date(2026, 11, 23, 21, 30, 0, 0, sh)}, sh, 7, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), false},
		{"07:00 is quiet → 09:00 the same day",
			Visit{At: time.Date(2026, 11, 24, 7, 0, 0, 0, sh)}, sh, 7, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), false},
		{"across spring forward in New York: 15:00 EST → 15:00 EDT",
			Visit{At: time.Date(2026, 3, 2, 15, 0, 0, 0, ny)}, ny, 7, time.Date(2026, 3, 9, 19, 0, 0, 0, time.UTC), false},
		{"Friday 22:00 before spring forward → Monday 09:00 EDT",
			Visit{At: time.Date(2026, 3, 6, 22, 0, 0, 0, ny)}, ny, 7, time.Date(2026, 3, 16, 13, 0, 0, 0, time.UTC), false},
		{"across the end of summer time in Berlin: 10:00 CEST → 10:00 CET",
			Visit{At: time.Date(2026, 10, 22, 8, 0, 0, 0, time.UTC)}, zone(t, "Europe/Berlin"), 7, time.Date(2026, 10, 29, 9, 0, 0, 0, time.UTC), false},
		{"two weeks",
			Visit{At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh)}, sh, 14, time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC), false},
		{"the rep's next-visit date is kept exactly, Saturday or not",
			Visit{At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh), NextVisitAt: &next}, sh, 7, time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC), true},
		{"turned off for this visit",
			Visit{At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh), NoFollowUp: true}, sh, 7, time.Time{}, false},
		{"no interval set: the one-week rule",
			Visit{At: time.Date(2026, 11, 23, 15, 0, 0, 0, sh)}, sh, 0, time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			due, exact, ok := RevisitDue(&c.visit, c.days, w, c.loc)
			if ok != !c.want.IsZero() {
				t.Fatalf("ok = %v, want %v", ok, !c.want.IsZero())
			}
			if !due.Equal(c.want) || exact != c.exact {
				t.Fatalf("due %v (%v) exact=%v, want %v exact=%v", due, due.In(c.loc), exact, c.want, c.exact)
			}
			if ok && due.Location() != time.UTC {
				t.Fatalf("due must be UTC, got %v", due.Location())
			}
		})
	}
}

func TestWorkingHoursAdjust(t *testing.T) {
	ny := zone(t, "America/New_York")
	sh := zone(t, "Asia/Shanghai")
	w := DefaultWorkingHours()
	cases := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"working time stays", time.Date(2026, 11, 24, 14, 0, 0, 0, sh), time.Date(2026, 11, 24, 14, 0, 0, 0, sh)},
		{"20:59 is still working", time.Date(2026, 11, 24, 20, 59, 0, 0, sh), time.Date(2026, 11, 24, 20, 59, 0, 0, sh)},
		{"21:00 starts quiet", time.Date(2026, 11, 24, 21, 0, 0, 0, sh), time.Date(2026, 11, 25, 9, 0, 0, 0, sh)},
		{"08:00 is working again", time.Date(2026, 11, 25, 8, 0, 0, 0, sh), time.Date(2026, 11, 25, 8, 0, 0, 0, sh)},
		{"03:00 → 09:00 the same day", time.Date(2026, 11, 25, 3, 0, 0, 0, sh), time.Date(2026, 11, 25, 9, 0, 0, 0, sh)},
		{"Sunday noon → Monday", time.Date(2026, 11, 29, 12, 0, 0, 0, sh), time.Date(2026, 11, 30, 9, 0, 0, 0, sh)},
		// New York springs forward on Sunday 8 March 2026: Saturday 23:00 EST
		// is 04:00 UTC; Monday 09:00 EDT is 13:00 UTC (not 14:00).
		{"Saturday night across spring forward", time.Date(2026, 3, 7, 23, 0, 0, 0, ny), time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)},
		// ... and falls back on Sunday 1 November 2026: Monday 09:00 EST is 14:00 UTC.
		{"Saturday night across fall back", time.Date(2026, 10, 31, 22, 0, 0, 0, ny), time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got := w.Adjust(c.in)
		if !got.Equal(c.want) {
			t.Errorf("%s: Adjust(%v) = %v, want %v", c.name, c.in, got.In(c.in.Location()), c.want.In(c.in.Location()))
		}
	}

	// A morning inside quiet hours starts the day when they end.
	early := WorkingHours{Morning: Clock(7, 0), QuietFrom: Clock(21, 0), QuietTo: Clock(8, 0), DaysOff: DefaultDaysOff}
	if got, want := early.Adjust(time.Date(2026, 11, 24, 23, 0, 0, 0, sh)), time.Date(2026, 11, 25, 8, 0, 0, 0, sh); !got.Equal(want) {
		t.Errorf("morning inside quiet hours: %v, want %v", got, want)
	}
	// Quiet hours that do not wrap midnight (a lunch break), no days off.
	lunch := WorkingHours{Morning: Clock(9, 0), QuietFrom: Clock(12, 0), QuietTo: Clock(13, 0)}
	if got, want := lunch.Adjust(time.Date(2026, 11, 28, 12, 30, 0, 0, sh)), time.Date(2026, 11, 29, 9, 0, 0, 0, sh); !got.Equal(want) {
		t.Errorf("lunch quiet: %v, want %v", got, want)
	}
	if got := lunch.Adjust(time.Date(2026, 11, 28, 23, 0, 0, 0, sh)); got.Hour() != 23 {
		t.Errorf("no quiet at night with a lunch break: %v", got)
	}
	none := WorkingHours{Morning: Clock(9, 0)}
	if in := time.Date(2026, 11, 28, 3, 0, 0, 0, sh); !none.Adjust(in).Equal(in) {
		t.Error("no quiet hours and no days off must never move a time")
	}
	if err := (WorkingHours{DaysOff: WeekdaysOf(0, 1, 2, 3, 4, 5, 6)}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("every day off: %v", err)
	}
}

func TestSnoozeTargets(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	w := DefaultWorkingHours()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sh) }
	cases := []struct {
		name      string
		got, want time.Time
	}{
		{"tomorrow morning from Tuesday", w.TomorrowMorning(at(24, 10, 0)), at(25, 9, 0)},
		{"tomorrow morning from Tuesday 02:00 is still Wednesday", w.TomorrowMorning(at(24, 2, 0)), at(25, 9, 0)},
		{"tomorrow morning from Friday is Monday", w.TomorrowMorning(at(27, 16, 0)), at(30, 9, 0)},
		{"next week from Wednesday", w.NextWeek(at(25, 10, 0)), at(30, 9, 0)},
		{"next week from Monday is a week on", w.NextWeek(at(23, 10, 0)), at(30, 9, 0)},
		{"next week from Sunday is the next day", w.NextWeek(at(29, 20, 0)), at(30, 9, 0)},
	}
	for _, c := range cases {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSendAt(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	w := DefaultWorkingHours()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sh).UTC() }
	cases := []struct {
		name string
		f    FollowUp
		now  time.Time
		away Away
		want time.Time
	}{
		{"on time in working hours", FollowUp{DueAt: at(24, 10, 0)}, at(24, 10, 0), Away{}, at(24, 10, 0)},
		{"the rep's own 22:00 goes out at 22:00", FollowUp{DueAt: at(24, 22, 0), Exact: true}, at(24, 22, 1), Away{}, at(24, 22, 1)},
		{"the rep's own Saturday goes out on Saturday", FollowUp{DueAt: at(28, 10, 0), Exact: true}, at(28, 10, 0), Away{}, at(28, 10, 0)},
		{"the rep's 22:00, bot down until 03:00 → 09:00", FollowUp{DueAt: at(24, 22, 0), Exact: true}, at(25, 3, 0), Away{}, at(25, 9, 0)},
		{"the rep's Saturday 10:00, bot down until 11:00 → now", FollowUp{DueAt: at(28, 10, 0), Exact: true}, at(28, 11, 0), Away{}, at(28, 11, 0)},
		{"a revisit due Friday, bot down until Saturday → Monday", FollowUp{DueAt: at(27, 15, 0)}, at(28, 10, 0), Away{}, at(30, 9, 0)},
		{"late but in working hours → now", FollowUp{DueAt: at(24, 10, 0)}, at(24, 15, 0), Away{}, at(24, 15, 0)},
		{"away until Sunday night → Monday morning", FollowUp{DueAt: at(26, 10, 0), Exact: true}, at(26, 10, 0),
			Away{From: at(25, 0, 0), Until: at(30, 0, 0)}, at(30, 9, 0)},
		{"back from away → now", FollowUp{DueAt: at(26, 10, 0)}, at(30, 9, 0),
			Away{From: at(25, 0, 0), Until: at(30, 0, 0)}, at(30, 9, 0)},
	}
	for _, c := range cases {
		got := SendAt(&c.f, c.now, sh, w, c.away)
		if !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got.In(sh), c.want.In(sh))
		}
	}
}

func TestNewAway(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, sh)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, sh) }
	a, err := NewAway(day(2026, 12, 20), day(2027, 1, 3), now)
	if err != nil {
		t.Fatal(err)
	}
	if !a.From.Equal(time.Date(2026, 12, 19, 16, 0, 0, 0, time.UTC)) || !a.Until.Equal(time.Date(2027, 1, 3, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("away = %v .. %v", a.From, a.Until)
	}
	if !a.Covers(day(2027, 1, 3).Add(23*time.Hour)) || a.Covers(day(2027, 1, 4)) || a.Covers(day(2026, 12, 19)) {
		t.Fatal("the period covers the first through the last day, inclusive")
	}
	if _, err := NewAway(day(2026, 12, 20), day(2026, 12, 19), now); ErrorCode(err) != EINVALID {
		t.Fatalf("reversed: %v", err)
	}
	if _, err := NewAway(day(2026, 11, 20), day(2026, 11, 30), now); ErrorCode(err) != EINVALID {
		t.Fatalf("past: %v", err)
	}
	// Today counts: away from today to today is fine.
	if _, err := NewAway(day(2026, 12, 1), day(2026, 12, 1), now); err != nil {
		t.Fatalf("today only: %v", err)
	}
	if _, err := NewAway(day(2026, 12, 20), day(2028, 1, 3), now); ErrorCode(err) != EINVALID {
		t.Fatalf("too long: %v", err)
	}
}

func TestParseClockTime(t *testing.T) {
	good := map[string]ClockTime{"9:00": 540, "09:30": 570, "21:00": 1260, "0:00": 0, "23:59": 1439, "9": 540, "9点": 540, "21：30": 1290}
	for in, want := range good {
		if got, ok := ParseClockTime(in); !ok || got != want {
			t.Errorf("ParseClockTime(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "24:00", "9:60", "9:5", "ab", "-1", "123", "9:00pm", "８:00"} {
		if got, ok := ParseClockTime(in); ok {
			t.Errorf("ParseClockTime(%q) = %v, want refusal", in, got)
		}
	}
	if s := Clock(9, 5).String(); s != "09:05" {
		t.Errorf("String = %q", s)
	}
}

func TestFollowUpLate(t *testing.T) {
	due := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	f := &FollowUp{DueAt: due}
	if f.IsLate(due.Add(LateAfter - time.Second)) {
		t.Error("14:59 after due is not late")
	}
	if !f.IsLate(due.Add(LateAfter)) {
		t.Error("15 minutes after due is late")
	}
	if !FollowUpSent.Open() || FollowUpDone.Open() || FollowUpCancelled.Open() || !FollowUpHeld.Open() {
		t.Error("open states")
	}
}

func TestSnoozeToIsNeverEarlier(t *testing.T) {
	w := DefaultWorkingHours()
	utc := time.UTC
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, utc) } // 23 Nov 2026 is a Monday
	for _, c := range []struct {
		name      string
		choice    SnoozeChoice
		due, now  time.Time
		want      time.Time
		wantExact bool
	}{
		{"hour, due later", SnoozeHour, at(23, 17, 3), at(23, 15, 3), at(23, 18, 3), true},
		{"hour, overdue", SnoozeHour, at(23, 10, 0), at(23, 15, 3), at(23, 16, 3), true},
		{"morning, due tomorrow", SnoozeMorning, at(24, 10, 0), at(23, 15, 0), at(25, 9, 0), false},
		{"morning, overdue", SnoozeMorning, at(23, 8, 0), at(23, 15, 0), at(24, 9, 0), false},
		{"morning, friday", SnoozeMorning, at(27, 8, 0), at(27, 15, 0), at(30, 9, 0), false},
		{"week, due next monday", SnoozeWeek, at(30, 10, 0), at(23, 15, 0), time.Date(2026, 12, 7, 9, 0, 0, 0, utc), false},
	} {
		got, exact := w.SnoozeTo(c.choice, c.due, c.now, utc)
		if !got.Equal(c.want) || exact != c.wantExact {
			t.Errorf("%s: got %v exact=%v, want %v exact=%v", c.name, got, exact, c.want, c.wantExact)
		}
		if !got.After(c.due) || !got.After(c.now) {
			t.Errorf("%s: %v is not after due %v and now %v", c.name, got, c.due, c.now)
		}
		if err := CheckSnooze(c.due, got); err != nil {
			t.Errorf("%s: CheckSnooze refused its own result: %v", c.name, err)
		}
	}
	if err := CheckSnooze(at(23, 17, 3), at(23, 16, 3)); ErrorCode(err) != EINVALID {
		t.Errorf("an earlier snooze was allowed: %v", err)
	}
}
