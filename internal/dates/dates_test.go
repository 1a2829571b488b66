package dates

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// Monday 2026-11-23 14:00 in Shanghai.
func shanghaiNow(t testing.TB) (time.Time, Options) {
	loc := mustLoad(t, "Asia/Shanghai")
	return time.Date(2026, 11, 23, 14, 0, 0, 0, loc), Options{Location: loc}
}

type parseCase struct {
	in               string
	want             string // "2006-01-02 15:04" local
	hasDate, hasTime bool
	text, rest       string
}

// d and t flags, to keep the table short.
const (
	D = true
	T = true
	x = false
)

var parseCases = []parseCase{
	// English, now = Mon 2026-11-23 14:00
	{"tomorrow 10:00 call Acme", "2026-11-24 10:00", D, T, "tomorrow 10:00", "call Acme"},
	{"tomorrow", "2026-11-24 09:00", D, x, "tomorrow", ""},
	{"  Tomorrow 10:00, call Acme", "2026-11-24 10:00", D, T, "Tomorrow 10:00", "call Acme"},
	{"tomorrow 10:00 call Acme at their office", "2026-11-24 10:00", D, T, "tomorrow 10:00", "call Acme at their office"},
	{"10:00 tomorrow call", "2026-11-24 10:00", D, T, "10:00 tomorrow", "call"},
	{"tmr 9am", "2026-11-24 09:00", D, T, "tmr 9am", ""},
	{"today 17:30", "2026-11-23 17:30", D, T, "today 17:30", ""},
	{"today 10:00", "2026-11-23 10:00", D, T, "today 10:00", ""}, // explicit today stays today, even if past
	{"next monday", "2026-11-30 09:00", D, x, "next monday", ""},
	{"next mon 9am ping Bob", "2026-11-30 09:00", D, T, "next mon 9am", "ping Bob"},
	{"next fri", "2026-12-04 09:00", D, x, "next fri", ""}, // Friday of next week (when: the coming Friday)
	{"fri", "2026-11-27 09:00", D, x, "fri", ""},           // the coming Friday
	{"monday", "2026-11-30 09:00", D, x, "monday", ""},     // today excluded
	{"mon", "2026-11-30 09:00", D, x, "mon", ""},
	{"mon 15:00 demo", "2026-11-23 15:00", D, T, "mon 15:00", "demo"}, // later today: today
	{"mon 10:00 demo", "2026-11-30 10:00", D, T, "mon 10:00", "demo"}, // earlier today: next week
	{"mon 14:00", "2026-11-30 14:00", D, T, "mon 14:00", ""},          // not after now: next week
	{"fri 15:30", "2026-11-27 15:30", D, T, "fri 15:30", ""},
	{"Friday", "2026-11-27 09:00", D, x, "Friday", ""},
	{"fri at 3pm send quote", "2026-11-27 15:00", D, T, "fri at 3pm", "send quote"},
	{"on friday, call back", "2026-11-27 09:00", D, x, "on friday", "call back"},
	{"at 3pm call", "2026-11-23 15:00", x, T, "at 3pm", "call"},
	{"sun", "2026-11-29 09:00", D, x, "sun", ""},
	{"in 3 days", "2026-11-26 14:00", D, x, "in 3 days", ""}, // keeps the wall clock
	{"in 3 days 10:00 follow up", "2026-11-26 10:00", D, T, "in 3 days 10:00", "follow up"},
	{"in 2 hours", "2026-11-23 16:00", x, T, "in 2 hours", ""},
	{"in 30 min check", "2026-11-23 14:30", x, T, "in 30 min", "check"},
	{"in 30 minutes", "2026-11-23 14:30", x, T, "in 30 minutes", ""},
	{"in an hour", "2026-11-23 15:00", x, T, "in an hour", ""},
	{"in 2 weeks", "2026-12-07 14:00", D, x, "in 2 weeks", ""},
	{"in 1 month", "2026-12-23 14:00", D, x, "in 1 month", ""},
	{"2026-12-01 9:00", "2026-12-01 09:00", D, T, "2026-12-01 9:00", ""},
	{"2026-12-01", "2026-12-01 09:00", D, x, "2026-12-01", ""},
	{"2026/12/01 send contract", "2026-12-01 09:00", D, x, "2026/12/01", "send contract"},
	{"2026.12.01", "2026-12-01 09:00", D, x, "2026.12.01", ""},
	{"12-20", "2026-12-20 09:00", D, x, "12-20", ""},
	{"dec 1", "2026-12-01 09:00", D, x, "dec 1", ""},
	{"1 dec", "2026-12-01 09:00", D, x, "1 dec", ""},
	{"December 1st 16:00", "2026-12-01 16:00", D, T, "December 1st 16:00", ""},
	{"jan 5", "2027-01-05 09:00", D, x, "jan 5", ""},   // passed this year: next year
	{"nov 23", "2026-11-23 09:00", D, x, "nov 23", ""}, // today is included
	{"nov 22", "2027-11-22 09:00", D, x, "nov 22", ""},
	{"10:00", "2026-11-24 10:00", x, T, "10:00", ""}, // passed today: tomorrow
	{"3pm", "2026-11-23 15:00", x, T, "3pm", ""},
	{"3 pm call", "2026-11-23 15:00", x, T, "3 pm", "call"},
	{"15:30", "2026-11-23 15:30", x, T, "15:30", ""},
	{"14:00", "2026-11-24 14:00", x, T, "14:00", ""}, // not after now: tomorrow
	{"3:30pm", "2026-11-23 15:30", x, T, "3:30pm", ""},
	{"tomorrow morning", "2026-11-24 09:00", D, T, "tomorrow morning", ""},
	{"tomorrow afternoon", "2026-11-24 15:00", D, T, "tomorrow afternoon", ""},
	{"tomorrow morning 10:00", "2026-11-24 10:00", D, T, "tomorrow morning 10:00", ""},
	{"tonight call mom", "2026-11-23 20:00", D, T, "tonight", "call mom"},
	{"now ping", "2026-11-23 14:00", D, T, "now", "ping"},

	// Chinese
	{"明天上午10点 给华为打电话", "2026-11-24 10:00", D, T, "明天上午10点", "给华为打电话"},
	{"明天上午10点给华为打电话", "2026-11-24 10:00", D, T, "明天上午10点", "给华为打电话"},
	{"明天下午3点", "2026-11-24 15:00", D, T, "明天下午3点", ""},
	{"明天", "2026-11-24 09:00", D, x, "明天", ""},
	{"后天", "2026-11-25 09:00", D, x, "后天", ""},
	{"大后天", "2026-11-26 09:00", D, x, "大后天", ""},
	{"今天晚上8点", "2026-11-23 20:00", D, T, "今天晚上8点", ""},
	{"今晚8点开会", "2026-11-23 20:00", D, T, "今晚8点", "开会"},
	{"今晚", "2026-11-23 20:00", D, T, "今晚", ""},
	{"下周一", "2026-11-30 09:00", D, x, "下周一", ""},
	{"下周三下午2点", "2026-12-02 14:00", D, T, "下周三下午2点", ""},
	{"下下周一", "2026-12-07 09:00", D, x, "下下周一", ""},
	{"这周五", "2026-11-27 09:00", D, x, "这周五", ""},
	{"周五", "2026-11-27 09:00", D, x, "周五", ""},
	{"周一", "2026-11-30 09:00", D, x, "周一", ""}, // today excluded
	{"星期五 15:30", "2026-11-27 15:30", D, T, "星期五 15:30", ""},
	{"礼拜三", "2026-11-25 09:00", D, x, "礼拜三", ""},
	{"星期天", "2026-11-29 09:00", D, x, "星期天", ""},
	{"3天后", "2026-11-26 14:00", D, x, "3天后", ""},
	{"三天后", "2026-11-26 14:00", D, x, "三天后", ""},
	{"3天后上午10点", "2026-11-26 10:00", D, T, "3天后上午10点", ""},
	{"2小时后", "2026-11-23 16:00", x, T, "2小时后", ""},
	{"30分钟后 回电话", "2026-11-23 14:30", x, T, "30分钟后", "回电话"},
	{"半小时后", "2026-11-23 14:30", x, T, "半小时后", ""},
	{"12月1日", "2026-12-01 09:00", D, x, "12月1日", ""},
	{"12月1号 9点", "2026-12-01 09:00", D, T, "12月1号 9点", ""},
	{"2026年12月1日", "2026-12-01 09:00", D, x, "2026年12月1日", ""},
	{"2026年12月1日下午3点 签合同", "2026-12-01 15:00", D, T, "2026年12月1日下午3点", "签合同"},
	{"十二月一日", "2026-12-01 09:00", D, x, "十二月一日", ""},
	{"5号", "2026-12-05 09:00", D, x, "5号", ""}, // the 5th has passed this month
	{"明天上午", "2026-11-24 09:00", D, T, "明天上午", ""},
	{"10点", "2026-11-24 10:00", x, T, "10点", ""},
	{"下午3点半", "2026-11-23 15:30", x, T, "下午3点半", ""},
}

func TestParse(t *testing.T) {
	now, opts := shanghaiNow(t)
	for _, c := range parseCases {
		t.Run(c.in, func(t *testing.T) {
			r, err := Parse(c.in, now, opts)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			checkResult(t, r, c, opts.Location)
		})
	}
}

func checkResult(t *testing.T, r Result, c parseCase, loc *time.Location) {
	t.Helper()
	want, err := time.ParseInLocation("2006-01-02 15:04", c.want, loc)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Time.Equal(want) || r.Time.Location() != loc {
		t.Errorf("%q: Time = %v, want %v", c.in, r.Time, want)
	}
	if r.HasDate != c.hasDate || r.HasTime != c.hasTime {
		t.Errorf("%q: HasDate/HasTime = %v/%v, want %v/%v", c.in, r.HasDate, r.HasTime, c.hasDate, c.hasTime)
	}
	if r.Text != c.text || r.Rest != c.rest {
		t.Errorf("%q: Text/Rest = %q/%q, want %q/%q", c.in, r.Text, r.Rest, c.text, c.rest)
	}
}

// Cases where olebedev/when on its own gets it wrong; each names the quirk.
var quirkCases = []parseCase{
	// en.HourMinute reads "12-01" inside an ISO date as 12:01.
	{"2026-12-01 call", "2026-12-01 09:00", D, x, "2026-12-01", "call"},
	// en.HourMinute reads "12-20" as 12:20; here it is December 20.
	{"12-20 xmas party", "2026-12-20 09:00", D, x, "12-20", "xmas party"},
	// en.ExactMonthDate reads "1 dec 10:00" as December 10.
	{"1 dec 10:00", "2026-12-01 10:00", D, T, "1 dec 10:00", ""},
	// en.Hour/HourMinute keep 12am at noon.
	{"12am", "2026-11-24 00:00", x, T, "12am", ""},
	{"12:30am", "2026-11-24 00:30", x, T, "12:30am", ""},
	{"12pm", "2026-11-24 12:00", x, T, "12pm", ""},
	// en.Deadline computes (month+n)%12 in the current year: Jan 2026.
	{"in 2 months", "2027-01-23 14:00", D, x, "in 2 months", ""},
	// en.CasualDate puts "tonight" at 23:00.
	{"tonight", "2026-11-23 20:00", D, T, "tonight", ""},
	// when.Parser joins matches up to 5 bytes apart: "ask" became part of the date.
	{"tomorrow ask mon", "2026-11-24 09:00", D, x, "tomorrow", "ask mon"},
	// en.HourMinute with a one-letter suffix: "10:00 a meeting" is not 10am + "meeting".
	{"10:00 a meeting", "2026-11-24 10:00", x, T, "10:00", "a meeting"},
	// zh.HourMinute reads a lone 点 ("早点") as 00:00.
	{"明天早点给华为打电话", "2026-11-24 09:00", D, x, "明天", "早点给华为打电话"},
	// zh.CasualDate swallows the hour digits: "明天10" + "点".
	{"明天10点给华为打电话", "2026-11-24 10:00", D, T, "明天10点", "给华为打电话"},
	// zh.HourMinute leaves 分 behind.
	{"下午3点30分给客户回电", "2026-11-23 15:30", x, T, "下午3点30分", "给客户回电"},
	// A bare 1–6点 is afternoon in a work chat; 凌晨/上午 and clock notation are read as written.
	{"明天3点钟", "2026-11-24 15:00", D, T, "明天3点钟", ""},
	{"明天3点 给华为打电话", "2026-11-24 15:00", D, T, "明天3点", "给华为打电话"},
	{"明天凌晨3点", "2026-11-24 03:00", D, T, "明天凌晨3点", ""},
	{"明天上午6点", "2026-11-24 06:00", D, T, "明天上午6点", ""},
	{"明天7点", "2026-11-24 07:00", D, T, "明天7点", ""},
	{"明天3:00", "2026-11-24 03:00", D, T, "明天3:00", ""},
	// zh.Weekday needs a non-word ASCII char after the day.
	{"周五15点开会", "2026-11-27 15:00", D, T, "周五15点", "开会"},
	{"周五15:30", "2026-11-27 15:30", D, T, "周五15:30", ""},
	// zh.AfterTime knows no 个 and needs a non-word char after 后.
	{"2个小时后", "2026-11-23 16:00", x, T, "2个小时后", ""},
	{"两个月后", "2027-01-23 14:00", D, x, "两个月后", ""},
	{"3天后10点", "2026-11-26 10:00", D, T, "3天后10点", ""},
	// zh.ExactMonthDate stops at the "0" of "05": December 1.
	{"12月05日", "2026-12-05 09:00", D, x, "12月05日", ""},
	// zh.HourMinute's periods lack 中午: "中午1点" was 01:00 (13:00 has passed today).
	{"中午1点", "2026-11-24 13:00", x, T, "中午1点", ""},
	{"明天中午12点", "2026-11-24 12:00", D, T, "明天中午12点", ""},
	// zh.ExactMonthDate matches any bare number (its applier then declines
	// it); it must not pull the number into the date. Bare hours are not read.
	{"tomorrow at 10 call", "2026-11-24 09:00", D, x, "tomorrow", "at 10 call"},
	{"wed 10", "2026-11-25 09:00", D, x, "wed", "10"},
	// zh.ExactMonthDate sets the current month for "5号"; the 5th has passed.
	{"5号 回访", "2026-12-05 09:00", D, x, "5号", "回访"},
	// 、 joins like a comma
	{"明天、下午", "2026-11-24 15:00", D, T, "明天、下午", ""},
}

func TestWhenQuirks(t *testing.T) {
	now, opts := shanghaiNow(t)
	for _, c := range quirkCases {
		t.Run(c.in, func(t *testing.T) {
			r, err := Parse(c.in, now, opts)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			checkResult(t, r, c, opts.Location)
		})
	}
}

// rules.Context.Time sets the month before the day: on Oct 31 "11月15日"
// went through "Nov 31" = Dec 1 to Dec 15.
func TestMonthSetBeforeDay(t *testing.T) {
	loc := mustLoad(t, "Asia/Shanghai")
	now := time.Date(2026, 10, 31, 10, 0, 0, 0, loc)
	for _, in := range []string{"11月15日", "nov 15", "11-15"} {
		r, err := Parse(in, now, Options{Location: loc})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if want := time.Date(2026, 11, 15, 9, 0, 0, 0, loc); !r.Time.Equal(want) {
			t.Errorf("%q: %v, want %v", in, r.Time, want)
		}
	}
}

// zh.Weekday counts Sunday as 7 against Go's 0: on a Sunday "下周一" was 8
// days ahead. Chinese weeks start on Monday, so it is tomorrow.
func TestZhNextWeekFromSunday(t *testing.T) {
	loc := mustLoad(t, "Asia/Shanghai")
	now := time.Date(2026, 11, 29, 14, 0, 0, 0, loc) // Sunday
	cases := map[string]time.Time{
		"下周一": time.Date(2026, 11, 30, 9, 0, 0, 0, loc),
		"下周日": time.Date(2026, 12, 6, 9, 0, 0, 0, loc),
		"周一":  time.Date(2026, 11, 30, 9, 0, 0, 0, loc),
		"周日":  time.Date(2026, 12, 6, 9, 0, 0, 0, loc),  // today excluded
		"这周五": time.Date(2026, 11, 27, 9, 0, 0, 0, loc), // this week's, already past
		"mon": time.Date(2026, 11, 30, 9, 0, 0, 0, loc),
	}
	for in, want := range cases {
		r, err := Parse(in, now, Options{Location: loc})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if !r.Time.Equal(want) {
			t.Errorf("%q: %v, want %v", in, r.Time, want)
		}
	}
}

// zh.ExactMonthDate's regexp matches the empty string; rules.F.Find then
// slices text[-1:0] and a when.Parser with zh rules panics on nearly any input.
func TestZhEmptyMatchNoPanic(t *testing.T) {
	now, opts := shanghaiNow(t)
	for _, in := range []string{"明天", "a - b", "hello", "", "下周三下午2点"} {
		_, _ = Parse(in, now, opts)
		_, _ = Find(in, now, opts)
	}
}

func TestParseNoDate(t *testing.T) {
	now, opts := shanghaiNow(t)
	for _, in := range []string{
		"",
		"   ",
		"call Acme at their office",
		"call Acme tomorrow", // date not at the start
		"hello",
		"50/50 split", // no month above 12
		"1/2/3",
		"may call acme",
		"march on",
		"3 a day",
		"7-10pm",
		"in person meeting",
		"给华为打电话",
		"早点给华为打电话",
		"半天后",
		"1.5 quote",
		"- notes",
		"on",
		"at noonish", // en.CasualTime has no word boundary after "noon"
		"wed10",
	} {
		r, err := Parse(in, now, opts)
		if !errors.Is(err, ErrNoDate) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNoDate", in, r, err)
		}
	}
}

func TestParseInvalidDate(t *testing.T) {
	now, opts := shanghaiNow(t)
	for _, in := range []string{"2026-02-30", "feb 30", "2月30日", "2026-13-01 9:00", "25:00", "125点"} {
		r, err := Parse(in, now, opts)
		if !errors.Is(err, ErrNoDate) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNoDate", in, r, err)
		}
	}
}

func TestFind(t *testing.T) {
	now, opts := shanghaiNow(t)
	cases := []parseCase{
		{"revisit friday", "2026-11-27 09:00", D, x, "friday", "revisit"},
		{"复访 下周三", "2026-12-02 09:00", D, x, "下周三", "复访"},
		{"请下周三复访", "2026-12-02 09:00", D, x, "下周三", "请复访"},
		{"revisit on fri at 3pm please", "2026-11-27 15:00", D, T, "on fri at 3pm", "revisit please"},
		{"call back in 2 hours", "2026-11-23 16:00", x, T, "in 2 hours", "call back"},
		{"good meeting, revisit 2026-12-01", "2026-12-01 09:00", D, x, "2026-12-01", "good meeting, revisit"},
		{"tomorrow 10:00 call Acme", "2026-11-24 10:00", D, T, "tomorrow 10:00", "call Acme"},
		{"next visit: 12月1号 9点", "2026-12-01 09:00", D, T, "12月1号 9点", "next visit:"},
		// an impossible date is skipped for a later real one
		{"ref 2026-02-30, revisit mon", "2026-11-30 09:00", D, x, "mon", "ref 2026-02-30, revisit"},
		{"feb 30 10:00, revisit on tue", "2026-11-24 09:00", D, x, "on tue", "feb 30 10:00, revisit"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			r, err := Find(c.in, now, opts)
			if err != nil {
				t.Fatalf("Find(%q): %v", c.in, err)
			}
			checkResult(t, r, c, opts.Location)
		})
	}
	for _, in := range []string{"met CEO, no date", "", "50/50", "call 3 a day", "feb 30 10:00"} {
		if _, err := Find(in, now, opts); !errors.Is(err, ErrNoDate) {
			t.Errorf("Find(%q): %v, want ErrNoDate", in, err)
		}
	}
}

func TestDSTNewYork(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	opts := Options{Location: ny}
	cases := []struct {
		name, in string
		now      time.Time
		want     time.Time
		gap      time.Duration // want - now, 0 = not checked
	}{
		// spring forward: 2027-03-14 02:00 EST -> 03:00 EDT
		{"tomorrow 10:00 over spring-forward is 23h", "tomorrow 10:00",
			time.Date(2027, 3, 13, 10, 0, 0, 0, ny), time.Date(2027, 3, 14, 10, 0, 0, 0, ny), 23 * time.Hour},
		// when adds 24h: 23:30 EST + 24h = Mar 15 00:30 EDT, the wrong day
		{"tomorrow late evening before spring-forward", "tomorrow",
			time.Date(2027, 3, 13, 23, 30, 0, 0, ny), time.Date(2027, 3, 14, 9, 0, 0, 0, ny), 0},
		{"in 3 days keeps the wall clock", "in 3 days",
			time.Date(2027, 3, 13, 10, 0, 0, 0, ny), time.Date(2027, 3, 16, 10, 0, 0, 0, ny), 71 * time.Hour},
		{"in 2 hours is elapsed time", "in 2 hours",
			time.Date(2027, 3, 14, 1, 30, 0, 0, ny), time.Date(2027, 3, 14, 4, 30, 0, 0, ny), 2 * time.Hour},
		{"sun is the transition day", "sun",
			time.Date(2027, 3, 13, 10, 0, 0, 0, ny), time.Date(2027, 3, 14, 9, 0, 0, 0, ny), 0},
		{"time alone after spring-forward", "10:00",
			time.Date(2027, 3, 13, 22, 0, 0, 0, ny), time.Date(2027, 3, 14, 10, 0, 0, 0, ny), 11 * time.Hour},
		// fall back: 2027-11-07 02:00 EDT -> 01:00 EST
		{"tomorrow 10:00 over fall-back is 25h", "tomorrow 10:00",
			time.Date(2027, 11, 6, 10, 0, 0, 0, ny), time.Date(2027, 11, 7, 10, 0, 0, 0, ny), 25 * time.Hour},
		{"in 1 day over fall-back", "in 1 day",
			time.Date(2027, 11, 6, 10, 0, 0, 0, ny), time.Date(2027, 11, 7, 10, 0, 0, 0, ny), 25 * time.Hour},
		{"明天 over fall-back", "明天上午10点",
			time.Date(2027, 11, 6, 10, 0, 0, 0, ny), time.Date(2027, 11, 7, 10, 0, 0, 0, ny), 25 * time.Hour},
		{"in 2 hours over fall-back", "in 2 hours",
			time.Date(2027, 11, 7, 0, 30, 0, 0, ny), time.Date(2027, 11, 7, 0, 30, 0, 0, ny).Add(2 * time.Hour), 2 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse(c.in, c.now, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Time.Equal(c.want) || r.Time.Location() != ny {
				t.Errorf("%q at %v: %v, want %v", c.in, c.now, r.Time, c.want)
			}
			if c.gap != 0 && r.Time.Sub(c.now) != c.gap {
				t.Errorf("%q: gap %v, want %v", c.in, r.Time.Sub(c.now), c.gap)
			}
		})
	}
	// the fall-back "in 2 hours" lands on the second 01:30 (EST)
	r, _ := Parse("in 2 hours", time.Date(2027, 11, 7, 0, 30, 0, 0, ny), opts)
	if name, _ := r.Time.Zone(); name != "EST" || r.Time.Hour() != 1 || r.Time.Minute() != 30 {
		t.Errorf("fall-back in 2 hours: %v", r.Time)
	}
}

func TestOptions(t *testing.T) {
	loc := mustLoad(t, "Asia/Shanghai")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, loc)
	opts := Options{Location: loc, MorningHour: 8, MorningMinute: 30}
	for in, want := range map[string]time.Time{
		"tomorrow":         time.Date(2026, 11, 24, 8, 30, 0, 0, loc),
		"tomorrow morning": time.Date(2026, 11, 24, 8, 30, 0, 0, loc),
		"明天上午":             time.Date(2026, 11, 24, 8, 30, 0, 0, loc),
		"明天早上":             time.Date(2026, 11, 24, 8, 30, 0, 0, loc),
		"明天早晨":             time.Date(2026, 11, 24, 8, 30, 0, 0, loc),
		"明天上午10点":          time.Date(2026, 11, 24, 10, 0, 0, 0, loc),
		"tomorrow 9:00":    time.Date(2026, 11, 24, 9, 0, 0, 0, loc),
	} {
		r, err := Parse(in, now, opts)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if !r.Time.Equal(want) {
			t.Errorf("%q: %v, want %v", in, r.Time, want)
		}
	}

	// nil Location means UTC, also for a now given in another zone
	r, err := Parse("tomorrow 10:00", now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC); !r.Time.Equal(want) || r.Time.Location() != time.UTC {
		t.Errorf("UTC: %v, want %v", r.Time, want)
	}
}

func TestParseDay(t *testing.T) {
	now, opts := shanghaiNow(t)
	loc := opts.Location
	for in, want := range map[string]time.Time{
		"2026-12-20":     time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
		"2027-01-03":     time.Date(2027, 1, 3, 0, 0, 0, 0, loc),
		"12-20":          time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
		"dec 20":         time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
		" tomorrow ":     time.Date(2026, 11, 24, 0, 0, 0, 0, loc),
		"today":          time.Date(2026, 11, 23, 0, 0, 0, 0, loc),
		"下周一":            time.Date(2026, 11, 30, 0, 0, 0, 0, loc),
		"12月20日":         time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
		"tomorrow 10:00": time.Date(2026, 11, 24, 0, 0, 0, 0, loc),
		"12/20":          time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
		"20/12/2026":     time.Date(2026, 12, 20, 0, 0, 0, 0, loc),
	} {
		got, err := ParseDay(in, now, opts)
		if err != nil {
			t.Errorf("ParseDay(%q): %v", in, err)
			continue
		}
		if !got.Equal(want) || got.Location() != loc {
			t.Errorf("ParseDay(%q) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{"", "10:00", "in 2 hours", "tomorrow call", "2026-02-30", "31/31", "soon"} {
		if got, err := ParseDay(in, now, opts); !errors.Is(err, ErrNoDate) {
			t.Errorf("ParseDay(%q) = %v, %v; want ErrNoDate", in, got, err)
		}
	}

	// midnight on the spring-forward day in New York
	ny := mustLoad(t, "America/New_York")
	got, err := ParseDay("2027-03-14", time.Date(2027, 3, 1, 12, 0, 0, 0, ny), Options{Location: ny})
	if err != nil || !got.Equal(time.Date(2027, 3, 14, 0, 0, 0, 0, ny)) {
		t.Errorf("ParseDay NY: %v, %v", got, err)
	}
}

func TestParseWeekday(t *testing.T) {
	ok := map[string]time.Weekday{
		"mon": time.Monday, "Monday": time.Monday, " TUE ": time.Tuesday, "tues": time.Tuesday,
		"wed": time.Wednesday, "wednesday": time.Wednesday, "thu": time.Thursday, "thurs": time.Thursday,
		"thursday": time.Thursday, "fri": time.Friday, "Fri.": time.Friday, "sat": time.Saturday,
		"saturday": time.Saturday, "sun": time.Sunday, "sunday": time.Sunday,
		"周一": time.Monday, "周二": time.Tuesday, "周三": time.Wednesday, "周四": time.Thursday,
		"周五": time.Friday, "周六": time.Saturday, "周日": time.Sunday, "周天": time.Sunday,
		"星期一": time.Monday, "星期天": time.Sunday, "星期日": time.Sunday, "礼拜一": time.Monday,
		"礼拜六": time.Saturday, "周1": time.Monday, "周7": time.Sunday,
	}
	for in, want := range ok {
		if got, found := ParseWeekday(in); !found || got != want {
			t.Errorf("ParseWeekday(%q) = %v, %v; want %v", in, got, found, want)
		}
	}
	for _, in := range []string{"", "mo", "monday!", "周", "周八", "星期", "next mon", "下周一", "1"} {
		if got, found := ParseWeekday(in); found {
			t.Errorf("ParseWeekday(%q) = %v, want not found", in, got)
		}
	}
}

// FuzzParse checks that nothing panics, that a result is in opts.Location and
// that Text and Rest are made of the input's characters.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in)
	}
	for _, c := range quirkCases {
		f.Add(c.in)
	}
	for _, c := range peopleCases {
		f.Add(c.in)
	}
	for _, s := range []string{"26:00 x", "明天88点", "10:75", "13pm", "5/6/27", "下下个礼拜", "fri next week", "本月底前"} {
		f.Add(s)
	}
	for _, s := range []string{"", "a - b", "12/01", "2026-02-30", "周五3点", "明天10号", "in 99999 days", "\xff明天"} {
		f.Add(s)
	}
	now, opts := shanghaiNow(f)
	ny := Options{Location: mustLoad(f, "America/New_York"), MorningHour: 7, MorningMinute: 45}
	nyNow := time.Date(2027, 3, 13, 23, 30, 0, 0, ny.Location)
	f.Fuzz(func(t *testing.T, in string) {
		for _, o := range []struct {
			now  time.Time
			opts Options
		}{{now, opts}, {nyNow, ny}, {now, Options{}}, {now, Options{Location: opts.Location, MonthFirst: true}}} {
			loc := o.opts.Location
			if loc == nil {
				loc = time.UTC
			}
			for name, fn := range map[string]func(string, time.Time, Options) (Result, error){"Parse": Parse, "Find": Find} {
				r, err := fn(in, o.now, o.opts)
				if err != nil {
					if !errors.Is(err, ErrNoDate) {
						t.Fatalf("%s(%q): error %v does not wrap ErrNoDate", name, in, err)
					}
					var te *TimeError
					if errors.As(err, &te) && (te.Text == "" || !strings.Contains(in, te.Text)) {
						t.Fatalf("%s(%q): TimeError names %q, not a part of the input", name, in, te.Text)
					}
					continue
				}
				if r.Time.Location() != loc {
					t.Fatalf("%s(%q): location %v, want %v", name, in, r.Time.Location(), loc)
				}
				if r.Text == "" || !strings.Contains(in, r.Text) {
					t.Fatalf("%s(%q): Text %q is not a part of the input", name, in, r.Text)
				}
				if !onlyRunesOf(r.Rest, in) {
					t.Fatalf("%s(%q): Rest %q has characters not in the input", name, in, r.Rest)
				}
				if !r.HasDate && !r.HasTime {
					t.Fatalf("%s(%q): neither date nor time", name, in)
				}
			}
			if d, err := ParseDay(in, o.now, o.opts); err == nil && d.Location() != loc {
				t.Fatalf("ParseDay(%q) = %v", in, d)
			}
			ParseWeekday(in)
		}
	})
}

func onlyRunesOf(s, in string) bool {
	for _, r := range s {
		if !strings.ContainsRune(in, r) {
			return false
		}
	}
	return true
}

// Parse scans only the start of long texts; Rest is still the whole rest.
func TestLongInput(t *testing.T) {
	now, opts := shanghaiNow(t)
	body := strings.Repeat("call Acme tomorrow 10:00 about 12-20 ", 200)
	r, err := Parse("tomorrow 10:00 "+body, now, opts)
	if err != nil || r.Rest != strings.TrimSpace(body) || r.Text != "tomorrow 10:00" {
		t.Fatalf("long Parse: %q %v", r.Text, err)
	}
	// a run of date words is bounded
	r, err = Parse(strings.Repeat("mon ", 5000), now, opts)
	if err != nil || len(r.Text) > 100 {
		t.Fatalf("long run: %d bytes of Text, %v", len(r.Text), err)
	}
	if _, err := Find(strings.Repeat("2026-02-30 ", 2000), now, opts); !errors.Is(err, ErrNoDate) {
		t.Fatalf("long Find: %v", err)
	}
}

// Dates as people type them (issue 11, item 12); now is Tuesday 24 Nov
// 2026 10:00 in Shanghai unless monthFirst says a Chinese user.
var peopleCases = []struct {
	in         string
	monthFirst bool
	want       string
	text, rest string
}{
	// Slash dates: a number above 12 is the day, whichever side it is on.
	{"24/12 call Li", false, "2026-12-24 09:00", "24/12", "call Li"},
	{"12/24 call Li", false, "2026-12-24 09:00", "12/24", "call Li"},
	{"24/12 call Li", true, "2026-12-24 09:00", "24/12", "call Li"},
	{"12/24 给李总打电话", true, "2026-12-24 09:00", "12/24", "给李总打电话"},
	// Both could be the month: the user's order (English day/month, Chinese month/day).
	{"5/6 renewal", false, "2027-06-05 09:00", "5/6", "renewal"},
	{"5/6 续约", true, "2027-05-06 09:00", "5/6", "续约"},
	{"1/12/2026 x", false, "2026-12-01 09:00", "1/12/2026", "x"},
	{"12/1/26 x", true, "2026-12-01 09:00", "12/1/26", "x"},
	{"3/12 15:30 demo", false, "2026-12-03 15:30", "3/12 15:30", "demo"},
	// Weeks and months.
	{"next week send the quote", false, "2026-11-30 09:00", "next week", "send the quote"},
	{"next week 10:00 x", false, "2026-11-30 10:00", "next week 10:00", "x"},
	{"the week after next x", false, "2026-12-07 09:00", "the week after next", "x"},
	{"下周 发报价", true, "2026-11-30 09:00", "下周", "发报价"},
	{"下个星期 回访", true, "2026-11-30 09:00", "下个星期", "回访"},
	{"下下周 回访", true, "2026-12-07 09:00", "下下周", "回访"},
	{"end of month renewal", false, "2026-11-30 09:00", "end of month", "renewal"},
	{"by end of the month renewal", false, "2026-11-30 09:00", "by end of the month", "renewal"},
	{"月底 续约", true, "2026-11-30 09:00", "月底", "续约"},
	{"月底前交方案", true, "2026-11-30 09:00", "月底前", "交方案"},
	{"下个月底 续约", true, "2026-12-31 09:00", "下个月底", "续约"},
	{"周五前 发报价", true, "2026-11-27 09:00", "周五前", "发报价"},
	{"下周三之前 回复", true, "2026-12-02 09:00", "下周三之前", "回复"},
	// "next X" is X of the next calendar week; on a Tuesday:
	{"next thursday demo", false, "2026-12-03 09:00", "next thursday", "demo"},
	{"thursday next week demo", false, "2026-12-03 09:00", "thursday next week", "demo"},
	{"thursday demo", false, "2026-11-26 09:00", "thursday", "demo"},
	{"this thursday demo", false, "2026-11-26 09:00", "this thursday", "demo"},
	{"next monday demo", false, "2026-11-30 09:00", "next monday", "demo"},
	{"下周四 演示", true, "2026-12-03 09:00", "下周四", "演示"},
}

func TestDatesAsPeopleTypeThem(t *testing.T) {
	loc := mustLoad(t, "Asia/Shanghai")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc) // Tuesday
	for _, c := range peopleCases {
		t.Run(c.in, func(t *testing.T) {
			r, err := Parse(c.in, now, Options{Location: loc, MonthFirst: c.monthFirst})
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			want, _ := time.ParseInLocation("2006-01-02 15:04", c.want, loc)
			if !r.Time.Equal(want) || r.Text != c.text || r.Rest != c.rest {
				t.Errorf("Parse(%q) = %v %q/%q, want %v %q/%q", c.in, r.Time, r.Text, r.Rest, want, c.text, c.rest)
			}
		})
	}
}

// A time of day that does not exist is refused, naming it; the rest of the
// date is not read without it ("tomorrow 26:00" was tomorrow 09:00 with
// "26:00 call" kept as the reminder's text).
func TestImpossibleTimesAreRefused(t *testing.T) {
	now, opts := shanghaiNow(t)
	for in, bad := range map[string]string{
		"26:00 call Li":         "26:00",
		"tomorrow 26:00 call":   "26:00",
		"tomorrow at 25:00":     "25:00",
		"fri 10:75 demo":        "10:75",
		"tomorrow 13pm call":    "13pm",
		"明天88点 打电话":             "88点",
		"明天下午25点":               "25点",
		"明天24点":                 "24点",
		"下周一 99：00 开会":          "99：00",
		"next week 7:5 call Li": "7:5",
	} {
		for name, fn := range map[string]func(string, time.Time, Options) (Result, error){"Parse": Parse, "Find": Find} {
			if name == "Find" && in == "26:00 call Li" {
				continue // Find needs a day or time that reads; a stray number in a note is not one
			}
			r, err := fn(in, now, opts)
			var te *TimeError
			if !errors.As(err, &te) || te.Text != bad || !errors.Is(err, ErrNoDate) {
				t.Errorf("%s(%q) = %+v, %v; want a TimeError naming %q", name, in, r, err, bad)
			}
		}
	}
	// Real times next to them still read.
	for _, in := range []string{"tomorrow 23:59 x", "明天23点 x", "tomorrow 12pm x", "tomorrow 3 people"} {
		if _, err := Parse(in, now, opts); err != nil {
			t.Errorf("Parse(%q): %v", in, err)
		}
	}
}
