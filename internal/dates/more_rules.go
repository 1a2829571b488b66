package dates

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/olebedev/when/rules"
)

// Rules of ours for forms when has not got at all: slash dates read in the
// user's order, "next week"/"下周", "end of month"/"月底", and refusing
// clock times that do not exist.

// slashDate reads "24/12", "12/24", "5/6" and with a year "24/12/2026",
// "5/6/27". A number above 12 can only be the day, so "24/12" and "12/24"
// are 24 December in every language; when both could be the month the
// user's order decides (Options.MonthFirst: 5/6 is 5 June day-first, 6 May
// month-first). Year-first dates ("2026/12/01") are isoDate's.
func slashDate() spec {
	return spec{
		name: "slashDate",
		re:   regexp.MustCompile(`(?:^|[^\w/.\-:])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?:[^\w/\-]|$)`),
		check: func(text string, m *rules.Match) bool {
			_, _, ok := slashDayMonth(m.Captures[0], m.Captures[1], false)
			return ok && !followedByNumber(text, m.Right)
		},
		ordered: func(m *rules.Match, c *rules.Context, monthFirst bool) bool {
			day, month, ok := slashDayMonth(m.Captures[0], m.Captures[1], monthFirst)
			if !ok {
				return false
			}
			if y := m.Captures[2]; y != "" {
				n, _ := strconv.Atoi(y)
				if len(y) == 2 {
					n += 2000
				}
				c.Year = intp(n)
			}
			c.Month, c.Day = &month, &day
			return true
		},
		info: func(m *rules.Match, _ time.Time) info { return info{date: true, rollYear: m.Captures[2] == ""} },
	}
}

// slashDayMonth orders the two numbers of a slash date.
func slashDayMonth(a, b string, monthFirst bool) (day, month int, ok bool) {
	x, okX := atoiIn(a, 1, 31)
	y, okY := atoiIn(b, 1, 31)
	switch {
	case !okX || !okY || (x > 12 && y > 12):
		return 0, 0, false
	case x > 12:
		return x, y, true
	case y > 12:
		return y, x, true
	case monthFirst:
		return y, x, true
	}
	return x, y, true
}

// weekdayAfter matches a weekday word right after a match ("next week
// mon"): then "next week" is not a day of its own.
var weekdayAfter = regexp.MustCompile(`(?i)^[\s,]*(?:on\s+)?(?:mon|tue|wed|thu|fri|sat|sun)`)

// enNextWeek reads "next week" (and "the week after next") as Monday of the
// next calendar week, at the morning time, as Chinese 下周.
func enNextWeek() spec {
	return spec{
		name: "enNextWeek",
		re:   regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(next\s+week|the\s+week\s+after\s+next)(?:[^\p{L}\p{N}]|$)`),
		check: func(text string, m *rules.Match) bool {
			return !weekdayAfter.MatchString(text[m.Right:])
		},
		apply: mondayAhead(func(m *rules.Match) bool { return strings.Contains(strings.ToLower(m.Captures[0]), "after") }),
		info:  infoDate,
	}
}

// mondayAhead is the apply of a "next week" rule: Monday of the next
// calendar week, or of the one after when twoWeeks says the match names it.
func mondayAhead(twoWeeks func(*rules.Match) bool) func(*rules.Match, *rules.Context, *rules.Options, time.Time) (bool, error) {
	return func(m *rules.Match, c *rules.Context, _ *rules.Options, ref time.Time) (bool, error) {
		weeks := 1
		if twoWeeks(m) {
			weeks = 2
		}
		c.Duration = time.Duration(7*weeks-isoWeekday(ref.Weekday())+1) * 24 * time.Hour
		return true, nil
	}
}

// zhNextWeek reads 下周, 下个星期, 下礼拜 (and 下下周) on their own as Monday of
// that week; with a day after them (下周三) zhWeekdayRule reads the day, and
// 下周末 (the weekend) is not read.
func zhNextWeek() spec {
	return spec{
		name: "zhNextWeek",
		re:   regexp.MustCompile(`(下下|下)\s*(?:个\s*)?(周|星期|礼拜)`),
		check: func(text string, m *rules.Match) bool {
			r := runeAfter(text, skipSpace(text, m.Right))
			if _, day := zhWeekday[string(r)]; day || r == '末' {
				return false
			}
			extendBefore(m, text)
			return true
		},
		apply: mondayAhead(func(m *rules.Match) bool { return m.Captures[0] == "下下" }),
		info:  infoDate,
	}
}

// endOfMonth reads "end of month", "end of the month", 月底, 月末, 本月底 as
// the last day of the month, at the morning time; after a month word
// (下个月底, 12月底) the last day of that month. 月底前 ("by the end of the
// month") is the same day.
func endOfMonth() spec {
	return spec{
		name: "endOfMonth",
		re:   regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(end\s+of\s+(?:the\s+)?month)(?:[^\p{L}\p{N}]|$)|(?:(?:本|这个?)\s*)?(月底|月末)`),
		check: func(text string, m *rules.Match) bool {
			extendBefore(m, text)
			return true
		},
		apply: func(m *rules.Match, c *rules.Context, _ *rules.Options, ref time.Time) (bool, error) {
			y, mo := ref.Year(), int(ref.Month())
			if c.Year != nil {
				y = *c.Year
			}
			if c.Month != nil {
				mo = *c.Month
			}
			y, mo = y+floorDiv(mo-1, 12), mod(mo-1, 12)+1
			c.Day = intp(daysIn(y, mo))
			if c.Month == nil {
				c.Month = intp(mo)
			}
			return true, nil
		},
		info: infoDate,
	}
}

// extendBefore grows a Chinese day match over a trailing 前/之前/以前 ("周五前
// 发报价": by Friday): the day named is the deadline, so the reminder is due
// that day, as English "by friday".
func extendBefore(m *rules.Match, text string) {
	_ = extend(m, text, "之前") || extend(m, text, "以前") || extend(m, text, "前")
}

// TimeError is returned for a time of day that does not exist ("26:00",
// "明天88点", "10:75", "13pm"): such a time is refused rather than the rest of
// the date read without it. It wraps ErrNoDate.
type TimeError struct {
	Text string // the impossible time as typed
}

func (e *TimeError) Error() string { return fmt.Sprintf("dates: %q is not a time of day", e.Text) }

// Unwrap makes errors.Is(err, ErrNoDate) hold.
func (e *TimeError) Unwrap() error { return ErrNoDate }

var (
	badColon = regexp.MustCompile(`^(\d{1,4})\s*[:：]\s*(\d{1,4})`)
	badDian  = regexp.MustCompile(`^(\d{1,4})\s*点`)
	badAmPm  = regexp.MustCompile(`(?i)^(\d{1,4})\s*(?:am|pm|a\.m\.|p\.m\.)`)
)

// impossibleTime reports a clock time that does not exist at text[i:]
// (after spaces and a connector word).
func impossibleTime(text string, i int) (string, bool) {
	i = skipSpace(text, i)
	if j, ok := skipConnector(text, i); ok {
		i = j
	}
	s := text[i:]
	if m := badColon.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		min, _ := strconv.Atoi(m[2])
		if h > 23 || min > 59 || len(m[2]) != 2 {
			return m[0], true
		}
		return "", false
	}
	if m := badDian.FindStringSubmatch(s); m != nil {
		if h, _ := strconv.Atoi(m[1]); h > 23 {
			return m[0], true
		}
		return "", false
	}
	if m := badAmPm.FindStringSubmatch(s); m != nil {
		if h, _ := strconv.Atoi(m[1]); h < 1 || h > 12 {
			if end := len(m[0]); end == len(s) || !unicode.IsLetter(rune(s[end])) {
				return m[0], true
			}
		}
	}
	return "", false
}
