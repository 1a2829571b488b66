package bot_test

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/apptest"
	"salesbot/internal/chart"
	"salesbot/internal/tgfake"
)

var (
	tgtMgr   = tgfake.User{ID: 1101, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	tgtRita  = tgfake.User{ID: 1102, FirstName: "Rita", Username: "rita", LanguageCode: "en"}
	tgtWang  = tgfake.User{ID: 1103, FirstName: "王芳", LanguageCode: "zh"}
	tgtLi    = tgfake.User{ID: 1104, FirstName: "李经理", LanguageCode: "zh"}
	tgtOther = tgfake.User{ID: 1105, FirstName: "Sam", Username: "sam", LanguageCode: "en"}
)

// A month with targets, built by hand and checked against numbers worked
// out by hand (not read back from the bot):
//
// North runs in Shanghai with Saturday and Sunday off. November 2026 has
// 21 working days (2–6, 9–13, 16–20, 23–27, 30); on Tuesday the 24th, 17
// of them have come, today included, so pace is target × 17/21, rounded.
//
//   - October 20: Rita's first visit to Acme and 王芳's to 华为 make those
//     cards existing clients for November.
//   - Managers set Rita's units to 42 for November, each rep's default to
//     30 units, and the team's value to 5M CNY.
//   - On the 24th Rita visits Acme twice and Beta once (a new card), wins
//     her Acme deal with 18 units and 3.2M CNY; 王芳 visits 华为 once and
//     wins 5 units for 1,000,000 (no currency: counts toward CNY).
//
// So: Rita 18/42 units, pace 34 (714/21) — behind; 3/42 visits (two a
// working day), pace 34 — behind; 2/5 visits to existing clients, pace 4
// (85/21 = 4.05) — behind. 王芳 5/30 units, pace 24 (510/21 = 24.3) —
// behind; 1/42 visits, pace 34; 1/5 existing, pace 4. The team: 23/72
// units (42 + 30), pace 58 (1224/21 = 58.3) — behind; value 4,200,000 of
// 5,000,000 CNY, pace 4,047,619 (85M/21) — on pace (4.2M is within 10 % of
// it); 4/84 visits, pace 68; 3/10 existing, pace 8 (170/21 = 8.1).
func TestTargetsEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { targetsEndToEnd(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { targetsEndToEnd(t, apptest.New(t, apptest.Postgres(t))) })
}

func targetsEndToEnd(t *testing.T, h *apptest.Harness) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour int) { h.Clock.Set(time.Date(2026, month, day, hour, 0, 0, 0, sh)) }
	at(time.October, 19, 9)
	h.Member(tgtMgr, "North", "manager")
	h.Member(tgtLi, "North", "manager")
	h.Member(tgtRita, "North", "rep")
	h.Member(tgtWang, "North", "rep")
	h.Member(tgtOther, "South", "manager")
	apptest.MustContain(t, h.Send(tgtMgr, "/settings tz Asia/Shanghai"), "Asia/Shanghai")

	at(time.October, 20, 10)
	apptest.MustContain(t, h.Send(tgtRita, "/visit Acme; phone"), "Acme")
	apptest.MustContain(t, h.Send(tgtWang, "/visit 华为; 面谈"), "华为")

	at(time.November, 24, 9)
	// The manager sets targets; bad input is answered with an example and
	// stores nothing.
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita units 42"),
		"🎯 Target saved: Rita, units 42 in Nov 2026.",
		"Rita: 0/42 units, pace 34 — behind · 0/42* visits, pace 34 — behind · 0/5* visits to existing clients, pace 4 — behind")
	apptest.MustContain(t, h.Send(tgtMgr, "/target team value 5M CNY"), "🎯 Target saved: team North, value 5,000,000 CNY in Nov 2026.")
	apptest.MustContain(t, h.Send(tgtMgr, "/settings target units 30"), "Monthly targets — each rep: units 30 · visits 2 a working day · visits to existing clients 5; the team: none (")
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita units -5"), "“-5”: a target must be more than zero. Example: /target @rita units 42")
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita boxes 5"), "names none of units, value, visits", "/target team value 5M")
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita units"), "How much? Example: /target @rita units 42")
	apptest.MustContain(t, h.Send(tgtMgr, "/target units 5"), "Whose target?")
	// A rep may not set one, and another team's manager finds no Rita.
	apptest.MustContain(t, h.Send(tgtRita, "/target @rita units 50"), "Only a manager of the team sets targets")
	apptest.MustContain(t, h.Send(tgtOther, "/target @rita units 50"), "No member “rita” in South")
	apptest.MustContain(t, h.Send(tgtLi, "/target @王芳 拜访 44 2027-03"), "🎯 目标已保存:王芳,2027年3月拜访 44。")

	// The month's work.
	apptest.MustContain(t, h.Send(tgtRita, "/visit Acme; demo"), "Acme")
	apptest.MustContain(t, h.Send(tgtRita, "/visit Acme; quote"), "Acme")
	apptest.MustContain(t, h.Send(tgtRita, "/visit Beta; phone"), "Beta")
	apptest.MustContain(t, h.Send(tgtRita, "/deal Acme; 20 trucks; 3.2M CNY; close 2026-11"), "New deal for Acme")
	apptest.MustContain(t, h.Send(tgtRita, "/deal won Acme 18 units"), "Won: Acme")
	apptest.MustContain(t, h.Send(tgtWang, "/visit 华为; 面谈; 热心"), "华为")
	apptest.MustContain(t, h.Send(tgtWang, "/deal 华为; 5台; 100万; 11月签"), "华为")
	apptest.MustContain(t, h.Send(tgtWang, "/deal 赢单 华为"), "华为")

	at(time.November, 24, 18)
	rita := "Rita: 18/42 units, pace 34 — behind · 3/42 visits, pace 34 — behind · 2/5 visits to existing clients, pace 4 — behind"
	wang := "王芳: 5/30 units, pace 24 — behind · 1/42 visits, pace 34 — behind · 1/5 visits to existing clients, pace 4 — behind"
	team := "Team: 23/72 units, pace 58 — behind · value 4,200,000/5,000,000 CNY, pace 4,047,619 — on pace · 4/84 visits, pace 68 — behind · 3/10 visits to existing clients, pace 8 — behind"
	apptest.MustContain(t, h.Send(tgtMgr, "/digest"), "🎯 Month to date (Nov 2026, working day 17 of 21):\n"+team+"\n"+rita+"\n"+wang)
	apptest.MustContain(t, h.Send(tgtRita, "/me"), "🎯 Your month (Nov 2026, working day 17 of 21):\n"+
		"• 18/42 units, pace 34 — behind\n• 3/42 visits, pace 34 — behind\n• 2/5 visits to existing clients, pace 4 — behind")
	// A rep's /target is her own line only; the manager's marks defaults.
	own := apptest.Joined(h.Send(tgtRita, "/target"))
	if !strings.Contains(own, "🎯 Your targets for Nov 2026, working day 17 of 21:\nRita: 18/42 units") || strings.Contains(own, "王芳") || strings.Contains(own, "Team") {
		t.Errorf("Rita's /target:\n%s", own)
	}
	apptest.MustContain(t, h.Send(tgtMgr, "/target"), "🎯 North — targets for Nov 2026, working day 17 of 21:",
		"Team: 23/72* units, pace 58 — behind · value 4,200,000/5,000,000 CNY, pace 4,047,619 — on pace",
		"王芳: 5/30* units, pace 24 — behind")

	// In Chinese: the other manager's digest and 王芳's /me.
	apptest.MustContain(t, h.Send(tgtLi, "/digest"), "🎯 本月至今(2026年11月,第 17/21 个工作日):\n"+
		"团队:23/72台,应达 58(落后) · 金额 4,200,000/5,000,000 CNY,应达 4,047,619(符合进度) · 拜访 4/84次,应达 68(落后) · 老客户拜访 3/10次,应达 8(落后)\n"+
		"Rita:18/42台,应达 34(落后)",
		"王芳:5/30台,应达 24(落后) · 拜访 1/42次,应达 34(落后) · 老客户拜访 1/5次,应达 4(落后)")
	apptest.MustContain(t, h.Send(tgtWang, "/me"), "🎯 你的本月(2026年11月,第 17/21 个工作日):\n"+
		"• 5/30台,应达 24(落后)\n• 拜访 1/42次,应达 34(落后)\n• 老客户拜访 1/5次,应达 4(落后)")
	apptest.MustContain(t, h.Send(tgtWang, "/target @rita 台数 1"), "只有团队经理可以设置目标")

	// The week's summary: the caption carries the units per rep.
	got := h.Send(tgtMgr, "/week today")
	if c := got[len(got)-1]; c.Method != "sendPhoto" || !strings.Contains(c.Text, "\nunits Nov 2026: Rita 18/42 (pace 34), 王芳 5/30 (pace 24)") {
		t.Fatalf("summary caption %q", c.Text)
	}
	if img, err := png.Decode(bytes.NewReader(got[len(got)-1].File)); err != nil || img.Bounds().Dy() != chart.HeightWithTargets {
		t.Fatalf("the chart has no targets panel: %v", err)
	}
	apptest.MustContain(t, got, "🎯 Nov 2026 to the end of the week (working day 17 of 21):\n"+team)

	// The export's Targets sheet (and its CSV): typed numbers, the team's
	// lines first, in the reader's language.
	got = h.Send(tgtMgr, "/export 2026-11-01 2026-11-24")
	f := openWorkbook(t, got[0])
	rs := rows(t, f, "Targets")
	if len(rs) != 11 || strings.Join(rs[0], "|") != "Month|Rep|Target|Goal|Currency|Done|Pace|% of goal|Status|Default|Working days gone|Working days" {
		t.Fatalf("Targets sheet: %q", rs)
	}
	for i, want := range map[int]string{
		1:  "2026-11|Team|units|72||23|58|31|behind|TRUE|17|21",
		2:  "2026-11|Team|value|5,000,000.00|CNY|4,200,000.00|4,047,619.05|84|on pace|FALSE|17|21", // money cells show two decimals, as on the Deals sheet
		5:  "2026-11|Rita|units|42||18|34|42|behind|FALSE|17|21",
		8:  "2026-11|王芳|units|30||5|24|16|behind|TRUE|17|21",
		10: "2026-11|王芳|visits to existing clients|5||1|4|20|behind|TRUE|17|21",
	} {
		if got := strings.Join(rs[i], "|"); got != want {
			t.Errorf("Targets row %d = %s; want %s", i, got, want)
		}
	}
	if typ, err := f.GetCellType("Targets", "D3"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("goal cell is not a number: %v %v", typ, err)
	}
	var targetsCSV []byte
	for _, s := range got {
		if strings.HasSuffix(s.FileName, "-targets.csv") {
			targetsCSV = s.File
		}
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(targetsCSV, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || len(recs) != 11 || strings.Join(recs[2], "|") != "2026-11|Team|value|5000000|CNY|4200000|4047619.05|84|on pace|no|17|21" {
		t.Fatalf("targets CSV %q %v", recs, err)
	}
	// In Chinese: sheet and headers in the reader's language.
	fz := openWorkbook(t, h.Send(tgtLi, "/export 2026-11-01 2026-11-24")[0])
	if rz := rows(t, fz, "目标"); len(rz) != 11 || rz[0][0] != "月份" || rz[1][1] != "团队" || rz[1][2] != "台数" || rz[1][8] != "落后" {
		t.Fatalf("目标 sheet: %q", rz)
	}
	// A rep's export has her own lines only.
	fr := openWorkbook(t, h.Send(tgtRita, "/export 2026-11-01 2026-11-24")[0])
	if rr := rows(t, fr, "Targets"); len(rr) != 4 || rr[1][1] != "Rita" || rr[3][1] != "Rita" {
		t.Fatalf("Rita's Targets sheet: %q", rr)
	}

	// Clearing Rita's own target brings back each rep's default of 30:
	// pace 24, as for 王芳.
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita units off"), "🎯 Target cleared: Rita, units in Nov 2026 — the default applies again.",
		"Rita: 18/30* units, pace 24 — behind")
	apptest.MustContain(t, h.Send(tgtMgr, "/target @rita units off"), "Rita had no units target of their own in Nov 2026.")
}
