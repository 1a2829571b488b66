package dates

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/olebedev/when/rules"
	"github.com/olebedev/when/rules/en"
	"github.com/olebedev/when/rules/zh"
)

// table is the combined rule set, in the order matches are applied: days
// first, then times of day, then clock times (so "tomorrow morning 10:00" is
// 10:00), then offsets. Most entries are when's own rules with a check that
// turns away their false positives; the rest are small rules of ours where
// when lacks a form or gets it wrong. Not used from when: common.SlashDMY
// (12/01 is ambiguous), en.PastTime ("2 hours ago" is no use for reminders)
// and zh.TraditionHour (子时, 午时 ...).
var table = []spec{
	isoDate(),
	monthDay(),
	slashDate(),
	zhYearMonthDay(),
	fromWhenSpec("en.ExactMonthDate", en.ExactMonthDate(rules.Override), checkEnMonthDate, infoRollYear),
	fromWhenSpec("zh.ExactMonthDate", zh.ExactMonthDate(rules.Override), checkZhMonthDate, infoZhMonthDate),
	enCasualDate(),
	fromWhenSpec("zh.CasualDate", zh.CasualDate(rules.Override), checkZhCasualDate, infoDate),
	endOfMonth(),
	enWeekday(),
	zhWeekdayRule(),
	enNextWeek(),
	zhNextWeek(),
	fromWhenSpec("en.CasualTime", en.CasualTime(rules.Override), checkWordEnd, infoEnCasualTime),
	fromWhenSpec("zh.CasualTime", zh.CasualTime(rules.Override), nil, infoZhCasualTime),
	zhPartOfDay(),
	enHour(),
	enHourMinute(),
	fromWhenSpec("zh.HourMinute", zh.HourMinute(rules.Override), checkZhHourMinute, infoZhHourMinute),
	fromWhenSpec("en.Deadline", en.Deadline(rules.Override), checkEnDeadline, infoEnDeadline),
	zhAfterTime(),
}

func fromWhenSpec(name string, r rules.Rule, check func(string, *rules.Match) bool, inf func(*rules.Match, time.Time) info) spec {
	re, apply := fromWhen(r)
	return spec{name: name, re: re, apply: apply, check: check, info: inf}
}

func infoDate(*rules.Match, time.Time) info     { return info{date: true} }
func infoRollYear(*rules.Match, time.Time) info { return info{date: true, rollYear: true} }

// --- helpers --------------------------------------------------------------

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// compress drops whitespace, as when's zh rules do before comparing.
func compress(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// trimTo shortens m to end at byte offset right (absolute) and clears the
// captures from index i on.
func trimTo(m *rules.Match, text string, right, i int) {
	for ; i < len(m.Captures); i++ {
		m.Captures[i] = ""
	}
	m.Right = right
	m.Text = text[m.Left:m.Right]
}

// extend grows m over suffix when the text continues with it.
func extend(m *rules.Match, text, suffix string) bool {
	if strings.HasPrefix(text[m.Right:], suffix) {
		m.Right += len(suffix)
		m.Text = text[m.Left:m.Right]
		return true
	}
	return false
}

func runeBefore(text string, i int) rune {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

func runeAfter(text string, i int) rune {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func atoiIn(s string, lo, hi int) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// --- dates ----------------------------------------------------------------

// isoDate reads year-first dates: 2026-12-01, 2026/12/01, 2026.12.01. when's
// en rules have no such rule, and en.HourMinute reads the "12-01" inside
// "2026-12-01" as 12:01.
func isoDate() spec {
	return spec{
		name: "isoDate",
		re:   regexp.MustCompile(`(?:^|[^\w\-/.])(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:[^\w\-/]|$)`),
		check: func(text string, m *rules.Match) bool {
			_, okM := atoiIn(m.Captures[2], 1, 12)
			_, okD := atoiIn(m.Captures[4], 1, 31)
			return okM && okD && m.Captures[1] == m.Captures[3] && !followedByNumber(text, m.Right)
		},
		apply: setYMD(0, 2, 4),
		info:  infoDate,
	}
}

// monthDay reads month-first dash dates without a year: 12-20, 3-5. when's
// en.HourMinute would read them as times (12:20, 03:05); we do not accept
// dash times at all (see enHourMinute).
func monthDay() spec {
	return spec{
		name: "monthDay",
		re:   regexp.MustCompile(`(?:^|[^\w\-/.])(\d{1,2})-(\d{1,2})(?:[^\w\-/]|$)`),
		check: func(text string, m *rules.Match) bool {
			_, okM := atoiIn(m.Captures[0], 1, 12)
			_, okD := atoiIn(m.Captures[1], 1, 31)
			return okM && okD && !followedByNumber(text, m.Right)
		},
		apply: setYMD(-1, 0, 1),
		info:  infoRollYear,
	}
}

// followedByNumber reports "12-20.5" or "12-20:30" style continuations.
func followedByNumber(text string, i int) bool {
	r, n := utf8.DecodeRuneInString(text[i:])
	return (r == '.' || r == ':' || r == '：') && isDigit(runeAfter(text, i+n))
}

// zhYearMonthDay reads 2026年12月1日 and digit dates with a leading zero
// (12月05日). when's zh.ExactMonthDate has no year and reads "12月05日" as
// December 1 (the "0" stops its day pattern).
func zhYearMonthDay() spec {
	return spec{
		name: "zhYearMonthDay",
		re:   regexp.MustCompile(`(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*([日号])?`),
		check: func(text string, m *rules.Match) bool {
			if isDigit(runeBefore(text, m.Left)) {
				return false
			}
			_, okM := atoiIn(m.Captures[1], 1, 12)
			_, okD := atoiIn(m.Captures[2], 1, 31)
			if m.Captures[3] == "" {
				// "12月1 9点" yes, "12月10点" no
				if r := runeAfter(text, m.Right); r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.IsPunct(r) {
					return false
				}
			}
			return okM && okD
		},
		apply: setYMD(0, 1, 2),
		info: func(m *rules.Match, _ time.Time) info {
			return info{date: true, rollYear: m.Captures[0] == ""}
		},
	}
}

// setYMD returns an applier setting year, month and day from the given
// captures (-1 or an empty capture: year not set).
func setYMD(y, mo, d int) applier {
	return func(m *rules.Match, c *rules.Context, _ *rules.Options, _ time.Time) (bool, error) {
		if y >= 0 && m.Captures[y] != "" {
			n, ok := atoiIn(m.Captures[y], 1, 9999)
			if !ok {
				return false, nil
			}
			c.Year = intp(n)
		}
		month, okM := atoiIn(m.Captures[mo], 1, 12)
		day, okD := atoiIn(m.Captures[d], 1, 31)
		if !okM || !okD {
			return false, nil
		}
		c.Month, c.Day = &month, &day
		return true, nil
	}
}

// checkEnMonthDate: en.ExactMonthDate accepts a month alone ("may", "mar"),
// which it reads as today's day in that month; we want a day too. With a day
// on both sides ("1 dec 10:00") it lets the second win and reads Dec 10; we
// keep the first and leave the rest.
func checkEnMonthDate(text string, m *rules.Match) bool {
	c := m.Captures
	before := c[0] != "" || c[1] != ""
	after := c[3] != "" || c[4] != ""
	if !before && !after {
		return false
	}
	if before && after {
		first := c[0] + c[1]
		i := strings.Index(m.Text[len(first):], c[2])
		if i < 0 {
			return false
		}
		trimTo(m, text, m.Left+len(first)+i+len(c[2]), 3)
	}
	for _, n := range []string{c[1], c[4]} {
		if _, ok := atoiIn(n, 1, 31); n != "" && !ok {
			return false
		}
	}
	return true
}

// checkZhMonthDate: zh.ExactMonthDate also takes "-", "/" and "." between
// month and day, so "12/01", "1.5" and "3-4" become dates; only 月 is kept.
func checkZhMonthDate(text string, m *rules.Match) bool {
	c := m.Captures
	if c[1] != "" && c[1] != "月" {
		return false
	}
	if c[0] != "" && c[1] == "" {
		return false // never seen: a month needs 月
	}
	if c[1] == "" && c[0] == "" && c[3] == "" {
		return false // a bare number; the applier would decline it too
	}
	if c[1] == "月" && c[2] == "" && isDigit(runeAfter(text, skipSpace(text, m.Right))) {
		return false // "12月05日": zhYearMonthDay reads it
	}
	if c[1] == "" && isDigit(runeBefore(text, m.Left)) {
		return false
	}
	return true
}

func infoZhMonthDate(m *rules.Match, _ time.Time) info {
	if m.Captures[0] != "" {
		return info{date: true, rollYear: true}
	}
	return info{date: true, rollMonth: true} // "5号"
}

// zhCasualWords are the words zh.CasualDate's applier acts on; its regexp
// matches more ("上天", "下下年", "昨儿") and those would read as today.
var zhCasualWords = map[string]bool{
	"今天": true, "今儿": true, "明天": true, "明儿": true, "后天": true, "大后天": true,
	"昨天": true, "前天": true, "大前天": true,
	"下月": true, "下个月": true, "下下月": true, "下下个月": true,
	"上月": true, "上个月": true, "上上月": true, "上上个月": true,
	"明年": true, "后年": true,
}

// checkZhCasualDate: zh.CasualDate's regexp takes a day number after the
// word even without 日/号, so "明天10点" matches "明天10"; the number is
// dropped unless 日/号 follows (and then it must be digits: the applier uses
// strconv.Atoi and would set day 0 for "五号").
func checkZhCasualDate(text string, m *rules.Match) bool {
	c := m.Captures
	if !zhCasualWords[c[0]+c[1]] {
		return false
	}
	if c[3] == "" {
		trimTo(m, text, m.Left+len(c[0])+len(c[1]), 2)
		return true
	}
	_, ok := atoiIn(c[2], 1, 31)
	return ok
}

// --- days -----------------------------------------------------------------

// enCasualDate is en.CasualDate with "tonight" at 20:00 (when says 23:00),
// the same as zh 今晚/晚上.
func enCasualDate() spec {
	re, apply := fromWhen(en.CasualDate(rules.Override))
	return spec{
		name: "en.CasualDate",
		re:   re,
		apply: func(m *rules.Match, c *rules.Context, o *rules.Options, ref time.Time) (bool, error) {
			ok, err := apply(m, c, o, ref)
			if ok && err == nil && lowerTrim(m.Text) == "tonight" {
				c.Hour, c.Minute = intp(20), intp(0)
			}
			return ok, err
		},
		info: func(m *rules.Match, _ time.Time) info {
			switch w := lowerTrim(m.Text); {
			case w == "now":
				return info{date: true, time: true, now: true}
			case w == "tonight" || strings.HasPrefix(w, "last"):
				return info{date: true, time: true}
			}
			return info{date: true}
		},
	}
}

// enWeekday is en.Weekday with one reading changed: "next thursday" (and
// "thursday next week") is Thursday of the next calendar week (weeks start
// on Monday), the same as Chinese 下周四 — on a Tuesday it is 9 days ahead,
// while "thursday" and "this thursday" are in 2 days. when reads "next X" as
// the coming X, which makes "next thursday" on a Tuesday the same as
// "thursday", and not what people who say "next" mean.
func enWeekday() spec {
	re, apply := fromWhen(en.Weekday(rules.Override))
	return spec{
		name: "en.Weekday",
		re:   re,
		check: func(text string, m *rules.Match) bool {
			if m.Captures[2] != "" { // "fri next week": when's match stops before "week"
				if j := skipSpace(text, m.Right); strings.HasPrefix(strings.ToLower(text[j:]), "week") {
					m.Right = j + len("week")
					m.Text = text[m.Left:m.Right]
				}
			}
			return true
		},
		apply: func(m *rules.Match, c *rules.Context, o *rules.Options, ref time.Time) (bool, error) {
			ok, err := apply(m, c, o, ref)
			if !ok || err != nil {
				return ok, err
			}
			if lowerTrim(m.Captures[0]) == "next" || lowerTrim(m.Captures[2]) == "next" {
				d := en.WEEKDAY_OFFSET[lowerTrim(m.Captures[1])]
				c.Duration = time.Duration(7-isoWeekday(ref.Weekday())+isoWeekday(time.Weekday(d))) * 24 * time.Hour
			}
			return true, nil
		},
		info: infoEnWeekday,
	}
}

func infoEnWeekday(m *rules.Match, ref time.Time) info {
	c := m.Captures
	d, ok := en.WEEKDAY_OFFSET[lowerTrim(c[1])]
	return info{date: true, bareToday: ok && c[0] == "" && c[2] == "" && d == int(ref.Weekday())}
}

// zhWeekdayRule replaces zh.Weekday, which
//   - requires a non-word ASCII character after the day, so "周五15:30" and
//     "周五3点" do not match;
//   - numbers Sunday 7 against Go's Sunday 0, so on a Sunday "下周一" is 8
//     days ahead instead of tomorrow (Chinese weeks start on Monday);
//   - reads bare "周五" as this week's Friday, even when that has passed.
//
// Here: no modifier = the next such day, today excluded; 本/这/这个 = this
// week's; 下/下个 = next week's; 下下 = the week after; 上/上个 = last week's.
func zhWeekdayRule() spec {
	return spec{
		name: "zhWeekday",
		re:   regexp.MustCompile(`(?:(本|这|下|上|这个|下个|上个|下下)\s*)?(周|礼拜|星期)\s*([1-7一二三四五六日天])`),
		check: func(text string, m *rules.Match) bool {
			if isDigit(runeAfter(text, m.Right)) && isDigit(runeBefore(text, m.Right)) {
				return false
			}
			extendBefore(m, text) // 周五前: by Friday
			return true
		},
		apply: func(m *rules.Match, c *rules.Context, _ *rules.Options, ref time.Time) (bool, error) {
			wd, ok := zhWeekday[m.Captures[2]]
			if !ok {
				return false, nil
			}
			t, today := isoWeekday(wd), isoWeekday(ref.Weekday())
			var d int
			switch compress(m.Captures[0]) {
			case "":
				d = (t - today + 7) % 7
				if d == 0 {
					d = 7
				}
			case "本", "这", "这个":
				d = t - today
			case "下", "下个":
				d = 7 - today + t
			case "下下":
				d = 14 - today + t
			case "上", "上个":
				d = t - today - 7
			default:
				return false, nil
			}
			c.Duration = time.Duration(d) * 24 * time.Hour
			return true, nil
		},
		info: func(m *rules.Match, ref time.Time) info {
			wd, ok := zhWeekday[m.Captures[2]]
			return info{date: true, bareToday: ok && m.Captures[0] == "" && wd == ref.Weekday()}
		},
	}
}

// isoWeekday numbers Monday 1 .. Sunday 7.
func isoWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

// --- times of day ---------------------------------------------------------

// checkWordEnd: en.CasualTime has no boundary after the word ("noonish").
func checkWordEnd(text string, m *rules.Match) bool {
	r := runeAfter(text, m.Right)
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func infoEnCasualTime(m *rules.Match, _ time.Time) info {
	return info{time: true, morning: lowerTrim(m.Captures[2]) == "morning"}
}

func infoZhCasualTime(m *rules.Match, _ time.Time) info {
	return info{time: true, date: m.Captures[1] != "", morning: m.Captures[2] == "早晨"}
}

// zhPartOfDay adds 上午, 早上 (morning) and 今晚 (tonight, 20:00) on their
// own: zh.CasualTime knows only 早晨/下午/傍晚/中午/晚上, and 上午/早上/今晚
// appear in zh.HourMinute only in front of an hour.
func zhPartOfDay() spec {
	return spec{
		name: "zhPartOfDay",
		re:   regexp.MustCompile(`(上午|早上|今晚)`),
		apply: func(m *rules.Match, c *rules.Context, o *rules.Options, _ time.Time) (bool, error) {
			h := 20
			if m.Captures[0] != "今晚" {
				h = o.Morning
			}
			c.Hour, c.Minute = intp(h), intp(0)
			return true, nil
		},
		info: func(m *rules.Match, _ time.Time) info {
			if m.Captures[0] == "今晚" {
				return info{date: true, time: true}
			}
			return info{time: true, morning: true}
		},
	}
}

// --- clock times ----------------------------------------------------------

// twelveAM fixes "12am"/"12:30am": when keeps hour 12 (noon).
func twelveAM(apply applier, suffix int) applier {
	return func(m *rules.Match, c *rules.Context, o *rules.Options, ref time.Time) (bool, error) {
		ok, err := apply(m, c, o, ref)
		if ok && err == nil && c.Hour != nil && *c.Hour == 12 && strings.HasPrefix(lowerTrim(m.Captures[suffix]), "a") {
			c.Hour = intp(0)
		}
		return ok, err
	}
}

// bareLetter reports a one-letter am/pm suffix set off by a space ("3 a"),
// which in chat is usually the article: "call 3 a day".
func bareLetter(m *rules.Match, suffix string) bool {
	return len(suffix) == 1 && strings.ContainsFunc(m.Text, unicode.IsSpace)
}

// enHour is en.Hour ("3pm", "9 am", "5p") with the 12am fix and without
// "3 a"/"3 p".
func enHour() spec {
	re, apply := fromWhen(en.Hour(rules.Override))
	return spec{
		name:  "en.Hour",
		re:    re,
		apply: twelveAM(apply, 1),
		check: func(_ string, m *rules.Match) bool { return !bareLetter(m, m.Captures[1]) },
		info:  func(*rules.Match, time.Time) info { return info{time: true} },
	}
}

// enHourMinute is en.HourMinute ("15:30", "3:30pm") with the 12am fix. It
// refuses "-" as separator: when reads "2026-12-01" as 12:01, "12-20" as
// 12:20 and the range "7-10pm" as 19:10.
func enHourMinute() spec {
	re, apply := fromWhen(en.HourMinute(rules.Override))
	return spec{
		name:  "en.HourMinute",
		re:    re,
		apply: twelveAM(apply, 2),
		check: func(text string, m *rules.Match) bool {
			if strings.Contains(m.Text, "-") {
				return false
			}
			if m.Captures[2] != "" && bareLetter(m, m.Captures[2]) {
				// "10:00 a meeting": keep 10:00, leave "a meeting"
				trimTo(m, text, m.Left+strings.Index(m.Text, m.Captures[1])+len(m.Captures[1]), 2)
			}
			return true
		},
		info: func(*rules.Match, time.Time) info { return info{time: true} },
	}
}

// checkZhHourMinute: every part of zh.HourMinute's regexp but the separator
// is optional, so a lone "-", ":" or "点" (as in "早点", "快点") reads as
// 00:00; an hour is required here, and "-" is refused as for en. "半"/"一刻"
// are minutes, not hours. The match is grown over a trailing 分 ("3点30分")
// or 钟/整 ("3点钟", "10点整"), which when leaves in the text. It has no
// boundary before the hour, so "25:00" read as 05:00.
func checkZhHourMinute(text string, m *rules.Match) bool {
	c := m.Captures
	if c[1] == "" && c[2] == "" || c[3] == "-" || c[2] == "半" || c[2] == "一刻" {
		return false
	}
	if c[0] == "" && isDigit(runeBefore(text, m.Left)) {
		return false // "25:00" is not 05:00
	}
	if c[0] == "" && strings.HasSuffix(strings.TrimRightFunc(text[:m.Left], unicode.IsSpace), "中午") {
		// "中午1点" is 13:00; the period group has no 中午, so when said 01:00
		if h, ok := zhHour(c); ok && (h <= 2 || h == 12) {
			m.Captures[0] = "下午"
		}
	} else if c[0] == "" && c[3] == "点" {
		// A bare "3点" in a work chat is 15:00 (3 a.m. is said 凌晨3点), so
		// hours 1–6 without 上午/凌晨/早上 are afternoon. "3:00" stays 03:00:
		// clock notation is read as written.
		if h, ok := zhHour(c); ok && h >= 1 && h <= 6 {
			m.Captures[0] = "下午"
		}
	}
	if c[4] != "" || c[5] != "" {
		extend(m, text, "分")
	} else if c[3] == "点" {
		_ = extend(m, text, "钟") || extend(m, text, "整")
	}
	return true
}

func zhHour(c []string) (int, bool) {
	if h, ok := zh.INTEGER_WORDS[c[2]]; ok {
		return h, true
	}
	return atoiIn(c[1], 0, 24)
}

func infoZhHourMinute(m *rules.Match, _ time.Time) info {
	return info{time: true, date: compress(m.Captures[0]) == "今晚"}
}

// --- offsets --------------------------------------------------------------

// checkEnDeadline bounds the number (when overflows time.Duration on long
// digit strings) and refuses "half a year", which when turns into a month
// number modulo 12.
func checkEnDeadline(_ string, m *rules.Match) bool {
	n := lowerTrim(m.Captures[1])
	if strings.Contains(n, "half") && strings.HasPrefix(lowerTrim(m.Captures[2]), "year") {
		return false
	}
	if n != "" && isDigit(rune(n[0])) {
		_, ok := atoiIn(n, 0, 9999)
		return ok
	}
	return true
}

func infoEnDeadline(m *rules.Match, _ time.Time) info {
	unit := lowerTrim(m.Captures[2])
	switch {
	case strings.HasPrefix(unit, "sec"), strings.HasPrefix(unit, "min"), strings.HasPrefix(unit, "hour"):
		return info{time: true, offset: clockOffset}
	case strings.HasPrefix(unit, "month"):
		n := lowerTrim(m.Captures[1])
		if strings.Contains(n, "half") {
			return info{date: true, offset: calOffset} // when: 14 days
		}
		return info{date: true, offset: calOffset, months: enNumber(n)}
	}
	return info{date: true, offset: calOffset}
}

// enNumber reads the amount the way en.Deadline does.
func enNumber(s string) int {
	switch {
	case s == "a" || s == "an":
		return 1
	case strings.Contains(s, "few"):
		return 3
	}
	if n, ok := en.INTEGER_WORDS[s]; ok {
		return n
	}
	n, _ := atoiIn(s, 0, 9999)
	return n
}

// zhAfterTime is zh.AfterTime's applier on a mended regexp: it also takes
// 个 ("2个小时后", "3个月后") and 以后/之后, and no longer needs a non-word
// ASCII character after 后 ("3天后10点"). The check refuses a bare unit
// ("天后" in "明天后"), 半 except in 半小时 (when reads "半天后" as 30 days),
// and digits glued to more digits. when does nothing for 月; months are
// booked by the resolver.
func zhAfterTime() spec {
	_, apply := fromWhen(zh.AfterTime(rules.Override))
	return spec{
		name: "zh.AfterTime",
		re: regexp.MustCompile(`([0-9]{0,3})?(` + zh.INTEGER_WORDS_PATTERN[3:] + `?\s*(?:个\s*)?` +
			`(分钟|分|小时|天|周|月)\s*(?:以|之)?(后)`),
		apply: apply,
		check: func(text string, m *rules.Match) bool {
			c := m.Captures
			if (c[0] == "") == (c[1] == "") || c[1] == "一刻" || c[1] == "半" && c[2] != "小时" {
				return false
			}
			return !isDigit(runeBefore(text, m.Left))
		},
		info: func(m *rules.Match, _ time.Time) info {
			switch m.Captures[2] {
			case "分钟", "分", "小时":
				return info{time: true, offset: clockOffset}
			case "月":
				n, ok := zh.INTEGER_WORDS[m.Captures[1]]
				if !ok {
					n, _ = atoiIn(m.Captures[0], 0, 999)
				}
				return info{date: true, offset: calOffset, months: n}
			}
			return info{date: true, offset: calOffset}
		},
	}
}

func intp(n int) *int { return &n }
