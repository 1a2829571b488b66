// Package dates reads dates and times the way sales reps type them in a chat,
// in English and Simplified Chinese, in the user's time zone.
//
// The engine is github.com/olebedev/when: its en and zh rule sets (regular
// expressions plus "appliers" that fill a rules.Context) do the reading. This
// package drives those rules itself instead of calling when.Parser.Parse,
// because the stock driver has faults we cannot fix from outside (see
// engine.go for the list), and it adds a few small rules where when lacks a
// form or gets one wrong (rules.go). Every such fix has a test naming the case.
//
// Readings chosen where the text is ambiguous:
//
//   - A time without a day ("10:00", "3pm", "15:30") is the next such time:
//     today if still ahead of now, otherwise tomorrow.
//   - A day without a time is that day at the team's morning time
//     (Options.MorningHour:MorningMinute, default 09:00) and HasTime is false.
//     Exceptions: "in 3 days", "3天后", "in 2 weeks" keep the current
//     wall-clock time (they mean "this moment, N days on"), and "now" is now.
//   - A bare weekday ("mon", "friday", "周五", "星期一") is the next such day,
//     today excluded — except when a clock time is given that is still ahead
//     today: on a Monday at 14:00, "mon 15:00" is today 15:00 (the next
//     Monday-at-15:00), while "mon" and "mon 10:00" are next week's Monday.
//   - "next thu" (English) is Thursday of the next calendar week (weeks
//     start on Monday), as Chinese "下周四": said on a Tuesday it is 9 days
//     ahead, while "thu" and "this thu" are in 2 days. (when reads "next
//     thu" as the coming Thursday, the same day as "thu"; people who add
//     "next" mean the other one.) On a Sunday, "next mon" and "下周一" are
//     tomorrow. "thu next week" is the same as "next thu".
//     "这周五"/"本周五" is Friday of the current week, even if already past.
//   - "next week", "下周", "下个星期", "下礼拜" alone are Monday of the next
//     calendar week ("the week after next", "下下周": the one after);
//     "end of month", "月底", "月末" the last day of this month ("下个月底",
//     "12月底": of that month). A trailing 前/之前/以前 ("周五前", "月底前":
//     by Friday, by the end of the month) is read with the day and names it.
//   - A month and day without a year ("dec 1", "12月1日", "12-20") is the next
//     such day, today included; a day of month alone ("5号") is the next such
//     day of this or the next month.
//   - An explicitly named day is kept even when it has passed: "today 10:00"
//     at 14:00, "yesterday", "last fri", "这周五" on a Saturday. Callers that
//     need a future moment (reminders) must check Time against now.
//   - Bare hours are not read ("at 10", "wed 10"): write 10:00, 10am or 10点.
//     "tues"/"thurs" are not read inside a text (when has only tue/thu);
//     ParseWeekday takes them.
//   - Slash dates: year first ("2026/12/01"), or day and month with an
//     optional year ("24/12", "24/12/2026", "5/6/27"). A number above 12
//     is the day on either side ("24/12" and "12/24" are 24 December);
//     when both could be the month, Options.MonthFirst decides (Chinese
//     users: "5/6" is 6 May; English: 5 June). Dash dates are ISO order:
//     "2026-12-01", "12-20" (month-day).
//   - A clock time that does not exist ("26:00", "10:75", "13pm", "明天88点",
//     "24点") is an error (*TimeError, naming it), not a date read without
//     the time and the time left in Rest.
//   - Times written with a dash ("5-30", "7-10pm") are not times; when reads
//     them as 05:30 / 19:10, which collides with month-day dates.
//   - Chinese hours without 上午/下午: 1–6点 are afternoon ("明天3点" is
//     15:00; 3 a.m. is said 凌晨3点), other hours are read on a 24-hour
//     clock ("明天8点" is 08:00, "明天15点" 15:00); clock notation
//     ("3:00") is read as written.
//   - "tonight" and "今晚" are 20:00 (the same as 晚上); "this evening" 18:00,
//     "afternoon"/"下午" 15:00, "noon"/"中午" 12:00, "morning"/"早晨"/"上午"/
//     "早上" the team's morning time.
//
// All arithmetic is done on the wall clock in Options.Location, so a day is
// a calendar day across DST changes ("tomorrow 10:00" is 10:00 local even
// when the night is 23 or 25 hours long), while "in 2 hours" is two elapsed
// hours. A wall-clock time that does not exist (inside a spring-forward gap)
// is normalised by time.Date.
package dates

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/olebedev/when/rules/en"
)

// ErrNoDate is returned when the text does not hold a recognisable date or
// time where one is required. Errors for dates that were recognised but do
// not exist ("2026-02-30") wrap it too, so errors.Is(err, ErrNoDate) holds
// for every failure.
var ErrNoDate = errors.New("dates: no date or time found")

// Options tune the defaults of a parse.
type Options struct {
	Location      *time.Location // the user's zone; nil means UTC
	MorningHour   int            // hour used when only a date is given (team's morning time); 0 means 9
	MorningMinute int
	// MonthFirst reads a slash date whose numbers could both be the month
	// as month/day ("5/6" is 6 May), the Chinese order; otherwise it is
	// day/month (5 June). The language files say which their users mean
	// (month_first in bot/locales/language.LANG.toml).
	MonthFirst bool
}

// Result is one parsed moment.
type Result struct {
	Time    time.Time // in opts.Location
	HasDate bool      // the text named a day (tomorrow, friday, 2026-12-01, 下周一, in 3 days ...)
	HasTime bool      // the text named a clock time or part of day (10:00, 3pm, 上午10点, tomorrow morning, in 2 hours ...)
	Text    string    // the exact substring that was read as the date/time
	Rest    string    // the input with that substring removed, trimmed (e.g. "call Acme")
}

// Parse finds a date/time at the START of text (what /remind needs: WHEN
// comes first, then the reminder text). Leading whitespace and one leading
// "at"/"on"/"by"/"@" are allowed; the date/time words must follow directly,
// and consecutive date/time words separated only by spaces, commas, "at",
// "on" or "@" are read together ("fri at 3pm"). Everything after is Rest,
// with one leading separator (",", ":", "-", "，", "：" ...) dropped. now is
// the current instant. Returns ErrNoDate when text does not start with a
// recognisable date/time. Only the first 256 bytes or so (up to the next
// whitespace) are searched, so long reminder texts cost nothing extra.
func Parse(text string, now time.Time, opts Options) (Result, error) {
	p := newParse(text, window(text), now, opts)
	start := skipSpace(text, 0)
	if r, found, _, err := p.at(start, start); found {
		return r, err
	}
	if after, ok := skipConnector(text, start); ok {
		if r, found, _, err := p.at(after, start); found {
			return r, err
		}
	}
	if bad, ok := impossibleTime(text, start); ok {
		return Result{}, &TimeError{Text: bad}
	}
	return Result{}, ErrNoDate
}

// Find finds a date/time anywhere in text (for "revisit friday" inside a
// longer part): the leftmost run of date/time words that reads as a valid
// moment (a run naming an impossible day, "feb 30 10:00", is skipped as a
// whole). Same rules as Parse; a connector word right before the date
// ("revisit on friday", "call at 3pm") is taken into Text. Rest is the text
// before and after, joined with the whitespace that separated them (or
// nothing, as in Chinese "请下周三复访" → "请复访").
func Find(text string, now time.Time, opts Options) (Result, error) {
	p := newParse(text, text, now, opts)
	var firstErr error
	done := -1
	for _, c := range p.cands {
		if c.m.Left < done {
			continue // inside a run that was already tried
		}
		r, found, end, err := p.at(c.m.Left, connectorBefore(text, c.m.Left))
		if !found {
			continue
		}
		if err == nil {
			return r, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		done = end // "feb 30 10:00": not 10:00 either
	}
	if firstErr != nil {
		return Result{}, firstErr
	}
	return Result{}, ErrNoDate
}

// ParseDay parses a single day (for /away and /export: "2026-12-20",
// "12-20", "dec 20", "tomorrow", "下周一") and returns local midnight of that
// day in opts.Location. The whole text must be the day (a clock time may
// follow and is ignored); a day without a year is the next such day, today
// included.
func ParseDay(text string, now time.Time, opts Options) (time.Time, error) {
	r, err := Parse(text, now, opts)
	if err != nil {
		return time.Time{}, err
	}
	if !r.HasDate {
		return time.Time{}, fmt.Errorf("dates: %q names no day: %w", text, ErrNoDate)
	}
	if r.Rest != "" {
		return time.Time{}, fmt.Errorf("dates: unexpected %q after the day: %w", r.Rest, ErrNoDate)
	}
	y, m, d := r.Time.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, r.Time.Location()), nil
}

// zhWeekday maps the day character after 周/星期/礼拜 to a weekday.
var zhWeekday = map[string]time.Weekday{
	"一": time.Monday, "二": time.Tuesday, "三": time.Wednesday, "四": time.Thursday,
	"五": time.Friday, "六": time.Saturday, "日": time.Sunday, "天": time.Sunday,
	"1": time.Monday, "2": time.Tuesday, "3": time.Wednesday, "4": time.Thursday,
	"5": time.Friday, "6": time.Saturday, "7": time.Sunday,
}

// enWeekdayExtra adds abbreviations that when's en.WEEKDAY_OFFSET lacks.
var enWeekdayExtra = map[string]time.Weekday{"tues": time.Tuesday, "thurs": time.Thursday, "weds": time.Wednesday}

// ParseWeekday reads "mon".."sun", "monday", "tues", "thurs", "周一".."周日",
// "周天", "星期一", "礼拜一" (also "周1".."周7") and returns the time.Weekday.
// Case and surrounding spaces are ignored, as is a trailing ".".
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "."))
	if d, ok := en.WEEKDAY_OFFSET[s]; ok {
		return time.Weekday(d), true
	}
	if d, ok := enWeekdayExtra[s]; ok {
		return d, true
	}
	for _, prefix := range []string{"星期", "礼拜", "周"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			d, ok := zhWeekday[strings.TrimFunc(rest, unicode.IsSpace)]
			return d, ok
		}
	}
	return 0, false
}
