package models

import (
	"fmt"
	"time"
)

// DateLayout is how civil dates (a calendar day in some zone, no time) are
// written: PlannedVisit.Day, report periods, export ranges.
const DateLayout = "2006-01-02"

// CivilDate is t's calendar day in loc, as YYYY-MM-DD.
func CivilDate(t time.Time, loc *time.Location) string { return t.In(loc).Format(DateLayout) }

// StartOfDate is midnight at the start of a civil date in loc. Built with
// time.Date, so a day is 23 or 25 hours long across a DST change.
func StartOfDate(date string, loc *time.Location) (time.Time, error) {
	d, err := time.Parse(DateLayout, date)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "err_date_bad", map[string]any{"Value": date})
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc), nil
}

// DateBounds is the instant range [from, to) of a civil date in loc, in UTC.
func DateBounds(date string, loc *time.Location) (from, to time.Time, err error) {
	start, err := StartOfDate(date, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return start.UTC(), time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, loc).UTC(), nil
}

// AddDays moves a civil date by n days.
func AddDays(date string, n int) string {
	d, err := time.Parse(DateLayout, date)
	if err != nil {
		return date
	}
	return d.AddDate(0, 0, n).Format(DateLayout)
}

// Weekday of a civil date (time.Sunday for a bad date).
func Weekday(date string) time.Weekday {
	d, err := time.Parse(DateLayout, date)
	if err != nil {
		return time.Sunday
	}
	return d.Weekday()
}

// Week is an ISO week (Monday to Sunday), named by its Monday.
type Week struct {
	// Monday is the week's first day as YYYY-MM-DD.
	Monday string
}

// WeekOf is the week that contains instant t in loc.
func WeekOf(t time.Time, loc *time.Location) Week { return WeekOfDate(CivilDate(t, loc)) }

// WeekOfDate is the week that contains a civil date.
func WeekOfDate(date string) Week {
	d, err := time.Parse(DateLayout, date)
	if err != nil {
		return Week{}
	}
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return Week{Monday: d.AddDate(0, 0, -back).Format(DateLayout)}
}

// Day is the week's day i (0 Monday … 6 Sunday).
func (w Week) Day(i int) string { return AddDays(w.Monday, i) }

// Days lists the week's seven dates.
func (w Week) Days() []string {
	out := make([]string, 7)
	for i := range out {
		out[i] = w.Day(i)
	}
	return out
}

// Sunday is the week's last day.
func (w Week) Sunday() string { return w.Day(6) }

// Next is the week after w.
func (w Week) Next() Week { return Week{Monday: w.Day(7)} }

// Prev is the week before w.
func (w Week) Prev() Week { return Week{Monday: w.Day(-7)} }

// Contains reports whether a civil date falls in the week.
func (w Week) Contains(date string) bool { return date >= w.Monday && date <= w.Sunday() }

// Bounds is the instant range [from, to) of the week in loc, in UTC.
func (w Week) Bounds(loc *time.Location) (from, to time.Time, err error) {
	from, _, err = DateBounds(w.Monday, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	_, to, err = DateBounds(w.Sunday(), loc)
	return from, to, err
}

// ISO is the ISO 8601 year and week number.
func (w Week) ISO() (year, week int) {
	d, err := time.Parse(DateLayout, w.Monday)
	if err != nil {
		return 0, 0
	}
	return d.ISOWeek()
}

// String is "2026-W48".
func (w Week) String() string {
	y, n := w.ISO()
	return fmt.Sprintf("%d-W%02d", y, n)
}

// WeekdayIndex is the ISO position of a weekday: Monday 0 … Sunday 6.
func WeekdayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// On is the instant this time of day falls on a civil date in loc (moved
// forward past a DST gap, as time.Date does).
func (c ClockTime) On(date string, loc *time.Location) time.Time {
	start, err := StartOfDate(date, loc)
	if err != nil {
		return time.Time{}
	}
	return c.at(start)
}
