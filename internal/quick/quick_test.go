package quick

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"salesbot/internal/dates"
	"salesbot/models"
)

func isTimeError(err error) bool {
	var te *dates.TimeError
	return errors.As(err, &te)
}

// Monday 23 Nov 2026, 17:00 in Shanghai.
var (
	shanghai, _ = time.LoadLocation("Asia/Shanghai")
	now         = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
)

func local(y int, m time.Month, d, h, min int) *time.Time {
	t := time.Date(y, m, d, h, min, 0, 0, shanghai).UTC()
	return &t
}

func TestParseVisit(t *testing.T) {
	cases := []struct {
		in   string
		want Visit // Parts are checked separately
	}{
		{"Acme; met Li (buyer); demo; warm; next: send quote", Visit{Visit: models.Visit{Stage: models.StageDemo, Attitude: models.AttitudeWarm, NextStep: "send quote"}, Client: "Acme", Contacts: []Contact{{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer}}}}},
		{"华为; 见了王经理(决策者); 报价; 热心; 下一步: 发合同", Visit{Visit: models.Visit{Stage: models.StageProposal, Attitude: models.AttitudeWarm, NextStep: "发合同"}, Client: "华为", Contacts: []Contact{{Name: "王经理", Roles: []models.DecisionRole{models.RoleDecisionMaker}}}}},
		// Full-width separators and colon, parts in any order.
		{"华为；热心；下一步：发合同；报价", Visit{Visit: models.Visit{Stage: models.StageProposal, Attitude: models.AttitudeWarm, NextStep: "发合同"}, Client: "华为"}},
		{"Acme; revisit friday; phone", Visit{Visit: models.Visit{Method: models.MethodPhone, NextVisitAt: local(2026, 11, 27, 9, 0)}, Client: "Acme"}},
		{"华为; 复访 下周三", Visit{Visit: models.Visit{NextVisitAt: local(2026, 12, 2, 9, 0)}, Client: "华为"}},
		{"华为; 下周三复访", Visit{Visit: models.Visit{NextVisitAt: local(2026, 12, 2, 9, 0)}, Client: "华为"}},
		{"Acme; revisit: in 2 weeks", Visit{Visit: models.Visit{NextVisitAt: local(2026, 12, 7, 17, 0)}, Client: "Acme"}},
		{"Acme; friday", Visit{Visit: models.Visit{NextVisitAt: local(2026, 11, 27, 9, 0)}, Client: "Acme"}},
		// A day of today or before is when the visit took place (logged in
		// the evening); a later day is the next visit.
		{"Acme; today 10:30; demo", Visit{Visit: models.Visit{At: *local(2026, 11, 23, 10, 30), Stage: models.StageDemo}, Client: "Acme"}},
		{"华为; 昨天下午3点; 报价", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 15, 0), Stage: models.StageProposal}, Client: "华为"}},
		{"Acme; when: 10:30", Visit{Visit: models.Visit{At: *local(2026, 11, 23, 10, 30)}, Client: "Acme"}},
		{"Acme; 时间: 昨天 9:00; tomorrow", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 9, 0), NextVisitAt: local(2026, 11, 24, 9, 0)}, Client: "Acme"}},
		// Still ahead today: read as the visit's time, for the bot to refuse.
		{"Acme; today 18:00", Visit{Visit: models.Visit{At: *local(2026, 11, 23, 18, 0)}, Client: "Acme"}},
		{"Acme; when: soon", Visit{Client: "Acme", Notes: []string{"when: soon"}}},
		// A clock time that does not exist is named for the refusal, not
		// read as the morning with the time kept as a note.
		{"Acme; tomorrow 26:00", Visit{Client: "Acme", BadTime: "26:00"}},
		{"Acme; today 25:61; demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme", BadTime: "25:61"}},
		{"华为; 明天88点", Visit{Client: "华为", BadTime: "88点"}},
		{"Acme; when: 26:00", Visit{Client: "Acme", BadTime: "26:00"}},
		{"Acme; revisit tomorrow 26:00", Visit{Client: "Acme", BadTime: "26:00"}},
		{"华为; 明天88点复访", Visit{Client: "华为", BadTime: "88点"}},
		{"Acme; no revisit", Visit{Visit: models.Visit{NoFollowUp: true}, Client: "Acme"}},
		{"Acme; 不用回访", Visit{Visit: models.Visit{NoFollowUp: true}, Client: "Acme"}},
		{"Acme; met Li (buyer, user) and Wang (decision maker)", Visit{Client: "Acme", Contacts: []Contact{
			{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer, models.RoleUser}}, {Name: "Wang", Roles: []models.DecisionRole{models.RoleDecisionMaker}}}}},
		{"华为; 见了王经理（决策者）和李工（使用者）", Visit{Client: "华为", Contacts: []Contact{
			{Name: "王经理", Roles: []models.DecisionRole{models.RoleDecisionMaker}}, {Name: "李工", Roles: []models.DecisionRole{models.RoleUser}}}}},
		{"华为; 李工(采购、使用者)", Visit{Client: "华为", Contacts: []Contact{{Name: "李工", Roles: []models.DecisionRole{models.RoleBuyer, models.RoleUser}}}}},
		{"Acme; met Li", Visit{Client: "Acme", Contacts: []Contact{{Name: "Li", Roles: nil}}}},
		{"Acme; 45 min; points: pricing, delivery; view: likes the demo; place: HQ", Visit{Visit: models.Visit{DurationMin: 45, TalkingPoints: "pricing, delivery", ClientView: "likes the demo", Place: "HQ"}, Client: "Acme"}},
		{"Acme; 1.5h", Visit{Visit: models.Visit{DurationMin: 90}, Client: "Acme"}},
		{"Acme; 半小时", Visit{Visit: models.Visit{DurationMin: 30}, Client: "Acme"}},
		{"Acme; stage: quote; attitude: so so; via wechat", Visit{Visit: models.Visit{Stage: models.StageProposal, Attitude: models.AttitudeNeutral}, Client: "Acme", Notes: []string{"via wechat"}}},
		{"Acme; method: wechat", Visit{Visit: models.Visit{Method: models.MethodWeChat}, Client: "Acme"}},
		{"Acme; 微信; 报价", Visit{Visit: models.Visit{Method: models.MethodWeChat, Stage: models.StageProposal}, Client: "Acme"}},
		// Unknown parts are notes; nothing is dropped.
		{"Acme; brought cake; demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme", Notes: []string{"brought cake"}}},
		{"Acme; note: parking is hard", Visit{Client: "Acme", Notes: []string{"parking is hard"}}},
		// A second stage is kept as a note, not silently replacing the first.
		{"Acme; demo; quote", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme", Notes: []string{"quote"}}},
		// Words in brackets that are not roles are the contact's title.
		{"Acme; met Li (chef)", Visit{Client: "Acme", Contacts: []Contact{{Name: "Li", Title: "chef"}}}},
		{"Acme; met Wu (Head of IT)", Visit{Client: "Acme", Contacts: []Contact{{Name: "Wu", Title: "Head of IT"}}}},
		{"华为; 见了李总(总经理, 决策者)", Visit{Client: "华为", Contacts: []Contact{{Name: "李总", Title: "总经理", Roles: []models.DecisionRole{models.RoleDecisionMaker}}}}},
		{"Acme; met Li (chef", Visit{Client: "Acme", Notes: []string{"met Li (chef"}}},
		{"Acme; revisit soon", Visit{Client: "Acme", Notes: []string{"revisit soon"}}},
		{"Acme; stage: bogus", Visit{Client: "Acme", Notes: []string{"stage: bogus"}}},
		// The client is missing when the first part is plainly something else.
		{"demo; warm", Visit{Visit: models.Visit{Stage: models.StageDemo, Attitude: models.AttitudeWarm}}},
		{"met Li (buyer); demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Contacts: []Contact{{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer}}}}},
		{"next: call back", Visit{Visit: models.Visit{NextStep: "call back"}}},
		{"", Visit{}},
		{" ; ; ", Visit{}},
		// ...but names that look like other things first are clients.
		{"3M; demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "3M"}},
		{"Met Office; warm", Visit{Visit: models.Visit{Attitude: models.AttitudeWarm}, Client: "Met Office"}},
		{"Friday Foods", Visit{Client: "Friday Foods"}},
		// A time typed after the name without its ";" is the visit's time
		// (or the next visit, or refused), not part of a new client's name.
		{"Acme yesterday 15:00; demo", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 15, 0), Stage: models.StageDemo}, Client: "Acme"}},
		{"小米昨天下午3点; 报价", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 15, 0), Stage: models.StageProposal}, Client: "小米"}},
		{"华为 昨天", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 9, 0)}, Client: "华为"}},
		{"Acme 10:30", Visit{Visit: models.Visit{At: *local(2026, 11, 23, 10, 30)}, Client: "Acme"}},
		{"Friday Foods yesterday", Visit{Visit: models.Visit{At: *local(2026, 11, 22, 9, 0)}, Client: "Friday Foods"}},
		{"Acme tomorrow 10:00; demo", Visit{Visit: models.Visit{Stage: models.StageDemo, NextVisitAt: local(2026, 11, 24, 10, 0)}, Client: "Acme"}},
		{"Acme yesterday 26:00; demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme yesterday", BadTime: "26:00"}},
		// ...but a name that ends in a day word stays the name, and a part
		// that is all date is not split.
		{"Ruby Tuesday; demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Ruby Tuesday"}},
		{"USA Today", Visit{Client: "USA Today"}},
		{"今天集团; 报价", Visit{Visit: models.Visit{Stage: models.StageProposal}, Client: "今天集团"}},
		{"Acme3pm", Visit{Client: "Acme3pm"}},
		{"Plant 3; Studio 54", Visit{Client: "Plant 3", Notes: []string{"Studio 54"}}},
		{"Acme (Shanghai); demo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme (Shanghai)"}},
		{"Acme\nmet Li (buyer)\ndemo", Visit{Visit: models.Visit{Stage: models.StageDemo}, Client: "Acme", Contacts: []Contact{{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer}}}}},
	}
	for _, c := range cases {
		got := ParseVisit(c.in, now, shanghai)
		parts := got.Parts
		got.Parts = nil
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("ParseVisit(%q)\n got %+v\nwant %+v", c.in, *got, c.want)
		}
		checkParts(t, c.in, parts)
	}
}

// Every typed part is reported, in order, with its text as typed; the
// client's part may be reported as the name and the time after it.
func checkParts(t *testing.T, in string, parts []Part) {
	t.Helper()
	var want []string
	for _, p := range strings.FieldsFunc(in, func(r rune) bool { return r == ';' || r == '；' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			want = append(want, p)
		}
	}
	var got []string
	for i, p := range parts {
		got = append(got, p.Text)
		// The name and the time cut from its end are one typed part.
		if i == 1 && parts[0].Kind == KindClient && len(want) > 0 && got[0] != want[0] &&
			(p.Kind == KindWhen || p.Kind == KindNextVisit || p.Kind == KindBadTime) &&
			strings.HasPrefix(want[0], got[0]) && strings.HasSuffix(want[0], p.Text) &&
			strings.TrimSpace(want[0][len(got[0]):len(want[0])-len(p.Text)]) == "" {
			got = []string{want[0]}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parts of %q: %q, want %q", in, got, want)
	}
}

func TestPartReadings(t *testing.T) {
	v := ParseVisit("Acme; demo; quote; brought cake; revisit soon; met Li (chef) ok", now, shanghai)
	want := []struct {
		kind   Kind
		reason string
	}{{KindClient, ""}, {KindStage, ""}, {KindNote, ReasonTwice}, {KindNote, ReasonUnknown}, {KindNote, ReasonNoDate}, {KindNote, ReasonBadRole}}
	for i, w := range want {
		if p := v.Parts[i]; p.Kind != w.kind || p.Reason != w.reason {
			t.Errorf("part %d %q read as %s/%s, want %s/%s", i, p.Text, p.Kind, p.Reason, w.kind, w.reason)
		}
	}
	if v.Parts[1].Value != "demo" {
		t.Errorf("stage part value %q", v.Parts[1].Value)
	}
}

func TestParseObjection(t *testing.T) {
	cases := []struct {
		in   string
		want Objection
	}{
		{`Acme; price; "too expensive"; answer: 12-month payment terms`, Objection{Client: "Acme", Category: models.ObjPrice,
			Words: "too expensive", Answer: "12-month payment terms"}},
		{`华为; 没预算; “明年之前不打算买”; 回答：可以先试用`, Objection{Client: "华为", Category: models.ObjNoBudget,
			Words: "明年之前不打算买", Answer: "可以先试用"}},
		{`Acme; we are happy with our supplier; happy`, Objection{Client: "Acme", Category: models.ObjHappy, Words: "we are happy with our supplier"}},
		{`Acme; said: "no time now"; busy; price`, Objection{Client: "Acme", Category: models.ObjBusy, Words: "no time now; price"}},
		{`Acme`, Objection{Client: "Acme"}},
		{`price; "too expensive"`, Objection{Category: models.ObjPrice, Words: "too expensive"}},
		{`"too expensive"`, Objection{Words: "too expensive"}},
		{`Acme; category: weather`, Objection{Client: "Acme", Words: "category: weather"}},
	}
	for _, c := range cases {
		got := ParseObjection(c.in)
		parts := got.Parts
		got.Parts = nil
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("ParseObjection(%q)\n got %+v\nwant %+v", c.in, *got, c.want)
		}
		checkParts(t, c.in, parts)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]int{"30 min": 30, "30min": 30, "1h": 60, "2 hours": 120, "45分钟": 45, "2小时": 120, "１０ｍｉｎ": 10} {
		if got, ok := parseDuration(in); !ok || got != want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "min", "0 min", "99999 h", "3 days", "-5 min", "1.2.3h"} {
		if got, ok := parseDuration(bad); ok {
			t.Errorf("parseDuration(%q) = %d, want refusal", bad, got)
		}
	}
}

func FuzzParseVisit(f *testing.F) {
	for _, s := range []string{
		"Acme; met Li (buyer); demo; warm; next: send quote",
		"华为; 见了王经理(决策者); 报价; 热心; 下一步: 发合同",
		"Acme; revisit friday; 复访 下周三; 45 min; met Li (buyer, user) and Wang (dm)",
		"a;(;)；（）;met (;met );:;：;\"", "Acme; met Li ((buyer))", "x; 1e9h", "x; revisit 2026-02-30",
		"\xff; \xfe(buyer)", "Acme; met 和）和（", "Acme; \"", "“”", "revisit",
		"Acme; today 10:30; demo", "华为; 昨天下午3点; 报价", "x; when: 26:00", "x; 时间: 明天88点",
		"Acme; tomorrow 26:00", "Acme; today 25:61; demo", "华为; 明天88点复访", "x; revisit fri 13pm",
		"Acme yesterday 15:00; demo", "小米昨天下午3点; 报价", "Acme yesterday 26:00", "Friday Foods yesterday", "Ruby Tuesday 3pm",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v := ParseVisit(in, now, shanghai)
		o := ParseObjection(in)
		split := 0 // a time cut from the end of the client's part
		if len(v.Parts) > 1 && len(o.Parts) > 0 && v.Parts[0].Kind == KindClient && v.Parts[0].Text != o.Parts[0].Text {
			split = 1
			if p := v.Parts[1]; !strings.HasPrefix(o.Parts[0].Text, v.Parts[0].Text) || !strings.HasSuffix(o.Parts[0].Text, p.Text) ||
				p.Kind != KindWhen && p.Kind != KindNextVisit && p.Kind != KindBadTime {
				t.Fatalf("%q: client part %q and %+v, objection's %q", in, v.Parts[0].Text, p, o.Parts[0].Text)
			}
		}
		if len(v.Parts) != len(o.Parts)+split {
			t.Fatalf("%q: %d visit parts, %d objection parts", in, len(v.Parts), len(o.Parts))
		}
		bad := ""
		for _, p := range v.Parts {
			if p.Kind == KindBadTime && bad == "" {
				bad = p.Value
			}
			if p.Kind == KindBadTime && (p.Value == "" || !strings.Contains(p.Text, p.Value)) {
				t.Fatalf("%q: bad-time part %+v does not name its time", in, p)
			}
			if p.Kind == KindNote && utf8.ValidString(p.Text) {
				// An impossible time is refused, never kept as a note
				// ("tomorrow 26:00", "when: 26:00", "revisit 26:00").
				if _, err := dates.Parse(p.Text, now, dates.Options{Location: shanghai}); isTimeError(err) {
					t.Fatalf("%q: note %q holds an impossible time", in, p.Text)
				}
			}
			if p.Text == "" || !strings.Contains(in, strings.TrimSpace(p.Text)) && utf8.ValidString(in) {
				t.Fatalf("%q: part %+v not from the input", in, p)
			}
			if p.Kind == KindNextVisit && v.NextVisitAt == nil {
				t.Fatalf("%q: next-visit part without a date", in)
			}
			if p.Kind == KindWhen && (v.At.IsZero() || p.At.After(now.AddDate(0, 0, 1))) {
				t.Fatalf("%q: when part %+v, visit at %v", in, p, v.At)
			}
		}
		if v.BadTime != bad {
			t.Fatalf("%q: BadTime %q, first bad-time part %q", in, v.BadTime, bad)
		}
		if v.DurationMin < 0 || v.DurationMin > 24*60 {
			t.Fatalf("%q: duration %d", in, v.DurationMin)
		}
		for _, c := range v.Contacts {
			if models.Fold(c.Name) == "" {
				t.Fatalf("%q: contact without a name", in)
			}
		}
	})
}

func TestParseContacts(t *testing.T) {
	cs, ok := ParseContacts("王经理(决策者)、李工")
	if !ok || len(cs) != 2 || cs[0].Name != "王经理" || cs[0].Roles[0] != models.RoleDecisionMaker || cs[1].Name != "李工" || cs[1].Roles != nil {
		t.Fatalf("%+v %v", cs, ok)
	}
	if cs, ok := ParseContacts("met Li (buyer)"); !ok || len(cs) != 1 || cs[0].Name != "Li" {
		t.Fatalf("%+v %v", cs, ok)
	}
	if cs, ok := ParseContacts("Wu (CFO)"); !ok || len(cs) != 1 || cs[0].Name != "Wu" || cs[0].Title != "CFO" || cs[0].Roles != nil {
		t.Fatalf("%+v %v", cs, ok)
	}
	for _, bad := range []string{"Li (chef) ok", "Li (chef", "", "()", "  "} {
		if cs, ok := ParseContacts(bad); ok {
			t.Errorf("ParseContacts(%q) = %+v", bad, cs)
		}
	}
}

func TestParseMinutes(t *testing.T) {
	for in, want := range map[string]string{"45": "45", " 90 ": "90", "45 min": "45", "1.5 h": "90", "半小时": "30", "2小时": "120", "１５": "15"} {
		if got, ok := ParseMinutes(in); !ok || got != want {
			t.Errorf("ParseMinutes(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "1441", "25 h", "soon", "45 apples"} {
		if got, ok := ParseMinutes(in); ok {
			t.Errorf("ParseMinutes(%q) = %q, want refused", in, got)
		}
	}
}

func FuzzParseMinutes(f *testing.F) {
	for _, s := range []string{"45", "45 min", "1.5h", "半小时", "0", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseMinutes(s)
		if !ok {
			return
		}
		n, err := strconv.Atoi(got)
		if err != nil || n < 1 || n > 24*60 {
			t.Fatalf("%q: %q out of range", s, got)
		}
	})
}

// FuzzReadWhen: never panics; a time read is not ahead of now by more than
// a day's reading ("today 20:00" is returned for the caller to refuse), and
// an impossible time is named as typed.
func FuzzReadWhen(f *testing.F) {
	for _, s := range []string{"today 10:30", "昨天下午3点", "26:00", "tomorrow 26:00", "14:00", "soon", "2026-11-20 14:00", "明天88点"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, text, err := ReadWhen(s, now, shanghai)
		var te *dates.TimeError
		switch {
		case errors.As(err, &te):
			if te.Text == "" || !strings.Contains(s, strings.TrimSpace(te.Text)) && utf8.ValidString(s) {
				t.Fatalf("%q: impossible time %q not from the input", s, te.Text)
			}
		case err == nil:
			if at.IsZero() || text == "" || at.Location() != time.UTC {
				t.Fatalf("%q: read %v %q", s, at, text)
			}
		case !errors.Is(err, dates.ErrNoDate):
			t.Fatalf("%q: error %v is not ErrNoDate", s, err)
		}
	})
}
