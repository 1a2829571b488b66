package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"salesbot/internal/dates"
	"salesbot/internal/quick"
	"salesbot/models"
)

var fuzzNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// The periods of /export and the days of /digest and /week: no panic, and
// a period that reads is two real days.
func FuzzReportPeriods(f *testing.F) {
	for _, s := range []string{"", "2026-11-01 2026-11-30", "11-01", "last mon", "上周一", "yesterday", "dec 20 - jan 3",
		"a b c d e f g h i", "2026-11-01 - ", "昨天 到 今天", strings.Repeat("1 ", 50)} {
		f.Add(s)
	}
	loc := models.LoadLocation("Asia/Shanghai")
	f.Fuzz(func(t *testing.T, s string) {
		if from, to, err := exportRange(s, fuzzNow, loc); err == nil {
			if _, e1 := time.Parse("2006-01-02", from); e1 != nil {
				t.Fatalf("%q: from %q", s, from)
			}
			if _, e2 := time.Parse("2006-01-02", to); e2 != nil {
				t.Fatalf("%q: to %q", s, to)
			}
		}
		if d, err := reportDay(s, fuzzNow, loc); err == nil {
			if _, e := time.Parse("2006-01-02", d); e != nil {
				t.Fatalf("%q: day %q", s, d)
			}
		}
	})
}

// /schedule and /settings values: no panic; a schedule that reads keeps
// valid settings.
func FuzzScheduleAndSettings(f *testing.F) {
	c, err := NewCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"digest 18:00", "digest off", "days mon-sat", "summary mon 09:00", "deadline fri 16:00",
		"summary off", "days 周一-周五", "21:00-08:00", "sat sun", "周六 周日", "Asia/Shanghai", "7d", "none", "25:61"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w := strings.Fields(s); len(w) > 0 {
			set := models.DefaultReportSettings()
			applySchedule(c, &set, w)
		}
		parseDays(s)
		parseWeekdays(c, s)
		models.ParseZone(s)
		if ct, ok := models.ParseClockTime(s); ok && (ct < 0 || ct >= 24*60) {
			t.Fatalf("%q: clock time %d", s, ct)
		}
	})
}

// Callback payloads: the parsers accept only what a button could carry.
func FuzzCallbackPayloads(f *testing.F) {
	for _, s := range []string{"12", "12:x", "id:7", "1:2:3", "1:2:3:*", "1:2:3:A:ok", "01:2:3", "-1:2:3", "1:2:2", "x"} {
		f.Add(s)
	}
	c, err := NewCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, _, ok := cbID(s); ok && id <= 0 {
			t.Fatalf("cbID(%q) = %d", s, id)
		}
		if id, ok := parseID(s); ok && id <= 0 {
			t.Fatalf("parseID(%q) = %d", s, id)
		}
		if p, ok := parseReassign(s); ok {
			if p.team <= 0 || p.from <= 0 || p.to <= 0 || p.from == p.to {
				t.Fatalf("parseReassign(%q) = %+v", s, p)
			}
			if p.data(p.scope, p.confirm) != "ra:"+s {
				t.Fatalf("parseReassign(%q) does not round-trip: %q", s, p.data(p.scope, p.confirm))
			}
		}
		planWeekArg(c, s, fuzzNow, time.UTC)
	})
}

// The /remind WHEN+text split: no panic; what was read plus the rest is
// never more than what was typed.
func FuzzRemindSplit(f *testing.F) {
	for _, s := range []string{"tomorrow 10:00 call Li", "明天上午10点 给华为打电话", "in 3 days check", "fri 15:30 send", "10:00", "下周一 复访"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := dates.Parse(s, fuzzNow, dates.Options{Location: time.UTC})
		if err == nil && len(r.Text)+len(r.Rest) > len(s) {
			t.Fatalf("%q: read %q, rest %q", s, r.Text, r.Rest)
		}
	})
}

// Objections and contacts as typed: no panic, valid UTF-8 out of valid
// UTF-8 in.
func FuzzObjectionAndContacts(f *testing.F) {
	for _, s := range []string{`Acme; price; "too expensive"; answer: 12-month terms`, "met Li (buyer, user)", "见了王经理(决策者)", "Li (", "(((", "; ; ;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if o := quick.ParseObjection(s); o != nil && utf8.ValidString(s) && !utf8.ValidString(o.Client) {
			t.Fatalf("%q: client %q", s, o.Client)
		}
		if cs, ok := quick.ParseContacts(s); ok && utf8.ValidString(s) {
			for _, c := range cs {
				if !utf8.ValidString(c.Name) {
					t.Fatalf("%q: contact %q", s, c.Name)
				}
			}
		}
	})
}
