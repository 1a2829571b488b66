package models

import (
	"testing"
	"time"
)

func TestDueSectionOf(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	ny := zone(t, "America/New_York")
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, sh) // a Wednesday 10:00 in Shanghai
	sun := time.Date(2026, 11, 29, 10, 0, 0, 0, sh)
	cases := []struct {
		name string
		due  time.Time
		now  time.Time
		loc  *time.Location
		want DueSection
	}{
		{"a minute ago is overdue", wed.Add(-time.Minute), wed, sh, DueOverdue},
		{"yesterday is overdue", wed.AddDate(0, 0, -1), wed, sh, DueOverdue},
		{"now itself is today", wed, wed, sh, DueToday},
		{"23:59 tonight is today", time.Date(2026, 11, 25, 23, 59, 0, 0, sh), wed, sh, DueToday},
		{"midnight is tomorrow: this week", time.Date(2026, 11, 26, 0, 0, 0, 0, sh), wed, sh, DueThisWeek},
		{"Sunday night is this week", time.Date(2026, 11, 29, 23, 0, 0, 0, sh), wed, sh, DueThisWeek},
		{"Monday is later", time.Date(2026, 11, 30, 0, 0, 0, 0, sh), wed, sh, DueLater},
		{"on a Sunday, tomorrow Monday is later", time.Date(2026, 11, 30, 9, 0, 0, 0, sh), sun, sh, DueLater},
		{"on a Sunday, tonight is today", time.Date(2026, 11, 29, 20, 0, 0, 0, sh), sun, sh, DueToday},
		// The day is the user's: 10:00 Wednesday in Shanghai is 21:00
		// Tuesday in New York, so Wednesday 09:00 there is this week.
		{"the user's zone decides the day", time.Date(2026, 11, 25, 9, 0, 0, 0, ny), wed, ny, DueThisWeek},
		{"in New York, Tuesday 23:00 is still today", time.Date(2026, 11, 24, 23, 0, 0, 0, ny), wed, ny, DueToday},
	}
	for _, c := range cases {
		if got := DueSectionOf(c.due, c.now, c.loc); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestRevisitInterval(t *testing.T) {
	for _, c := range []struct{ team, want int }{{0, DefaultRevisitDays}, {-3, DefaultRevisitDays}, {1, 1}, {14, 14}} {
		if got := RevisitInterval(c.team); got != c.want {
			t.Errorf("RevisitInterval(%d) = %d, want %d", c.team, got, c.want)
		}
	}
}
