package bot_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/apptest"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/tgfake"
)

func openWorkbook(t *testing.T, s tgfake.Sent) *excelize.File {
	t.Helper()
	if s.Method != "sendDocument" || !strings.HasSuffix(s.FileName, ".xlsx") {
		t.Fatalf("not a workbook: %s %q", s.Method, s.FileName)
	}
	f, err := excelize.OpenReader(bytes.NewReader(s.File))
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets: %v)", sheet, err, f.GetSheetList())
	}
	return rs
}

func TestExportWorkbookAndCSV(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "16:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)

	got := h.Send(miaTG, "/export 2026-11-23 2026-11-24")
	if len(got) != 7 { // the workbook, and a CSV per sheet (Targets: targets_test.go)
		t.Fatalf("got %d messages: %q", len(got), apptest.Texts(got))
	}
	if want := "North, 2026-11-23 – 2026-11-24: 5 visits, 2 objections, 5 clients, 2 follow-ups. The same data as CSV files follows."; got[0].Text != want {
		t.Fatalf("caption %q", got[0].Text)
	}
	if got[0].FileName != "salesbot-North-2026-11-23-2026-11-24.xlsx" {
		t.Fatalf("file name %q", got[0].FileName)
	}
	f := openWorkbook(t, got[0])
	if s := strings.Join(f.GetSheetList(), ","); s != "Visits,Objections,Clients,Follow-ups,Deals,Targets" {
		t.Fatalf("sheets %s", s)
	}
	// Visits on Monday and Tuesday in Shanghai, oldest first, times in the
	// team's zone: Mon 23:30 Beta, Tue 00:30 Gamma, 09:30 Acme, 10:00 Beta,
	// 14:00 华为 (Wednesday's and earlier weeks' are outside).
	vs := rows(t, f, "Visits")
	if len(vs) != 6 || vs[0][0] != "Date" || vs[0][5] != "Stage reached" || vs[0][6] != "Stage noted" {
		t.Fatalf("visits sheet %q", vs)
	}
	if r := vs[1]; r[0] != "2026-11-23 23:30" || r[1] != "Bob" || r[2] != "Beta" || r[3] != "in person" || r[4] != "contact" || r[7] != "neutral" {
		t.Fatalf("first visit row %q", r)
	}
	if r := vs[5]; r[0] != "2026-11-24 14:00" || r[1] != "Li Wei" || r[2] != "华为" || r[5] != "needs analysis" {
		t.Fatalf("last visit row %q", r)
	}
	// The date is a real date cell, the minutes a number.
	if typ, _ := f.GetCellType("Visits", "A2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("date cell type %v", typ)
	}
	if v, _ := f.GetCellValue("Visits", "A2", excelize.Options{RawCellValue: true}); !strings.HasPrefix(v, "46349.9") {
		t.Fatalf("date cell raw value %q, want the Excel serial of 2026-11-23 23:30", v)
	}
	if w, _ := f.GetColWidth("Visits", "C"); w != 24 {
		t.Fatalf("client column width %v", w)
	}
	os := rows(t, f, "Objections")
	if len(os) != 3 || os[1][3] != "busy / no time" || os[2][4] != "太贵了" || os[2][6] != "TRUE" || os[2][7] != "volume discount" {
		t.Fatalf("objections sheet %q", os)
	}
	cs := rows(t, f, "Clients")
	if len(cs) != 6 || cs[1][0] != "Acme" || cs[1][3] != "Li Wei" || cs[1][8] != "1" || cs[1][9] != "2026-11-25 00:30" {
		t.Fatalf("clients sheet %q", cs)
	}
	// Follow-ups due on those days: Carol's reminder, still open, and Bob's
	// revisit of Gamma, done by his visit at Tuesday 00:30.
	fs := rows(t, f, "Follow-ups")
	if len(fs) != 3 || fs[1][0] != "2026-11-23 09:00" || fs[1][1] != "Carol" || fs[1][3] != "send Delta the brochure" || fs[1][4] != "reminder" || fs[1][5] != "open" {
		t.Fatalf("follow-ups sheet %q", fs)
	}
	if r := fs[2]; r[0] != "2026-11-24 10:00" || r[1] != "Bob" || r[2] != "Gamma" || r[4] != "revisit" || r[5] != "done" || r[6] != "2026-11-24 00:30" {
		t.Fatalf("Bob's revisit row %q", r)
	}
	// CSV: UTF-8 with BOM, one file per sheet.
	csvVisits := got[1]
	if csvVisits.FileName != "salesbot-North-2026-11-23-2026-11-24-visits.csv" || !bytes.HasPrefix(csvVisits.File, []byte("\xEF\xBB\xBFDate,Rep,Client")) {
		t.Fatalf("visits CSV %q: %q", csvVisits.FileName, csvVisits.File[:min(40, len(csvVisits.File))])
	}
	if !strings.Contains(string(csvVisits.File), "2026-11-24 14:00,Li Wei,华为,in person,needs analysis,needs analysis,needs analysis,neutral,,0") {
		t.Fatalf("visits CSV:\n%s", csvVisits.File)
	}
	if !strings.Contains(string(got[2].File), ",yes,volume discount,") {
		t.Fatalf("objections CSV:\n%s", got[2].File)
	}
}

func TestRepExportsOwnDataOnly(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "16:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	if _, err := h.App.DB.CreateTeam(t.Context(), "West", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	// The last 30 days by default; Li's own visits and clients, in Chinese.
	got := h.Send(liTG, "/export")
	if len(got) != 7 { // the workbook and a CSV per sheet
		t.Fatalf("got %q", apptest.Texts(got))
	}
	apptest.MustContain(t, got[:1], "North — Li Wei,2026-10-26 – 2026-11-24:拜访 2 次,异议 1 个,客户 3 个,跟进 0 个。")
	f := openWorkbook(t, got[0])
	vs := rows(t, f, "拜访")
	if len(vs) != 3 || vs[1][1] != "Li Wei" || vs[2][1] != "Li Wei" || vs[0][0] != "时间" || vs[1][5] != "建议书/报价" {
		t.Fatalf("Li's visits %q", vs)
	}
	if cs := rows(t, f, "客户"); len(cs) != 4 {
		t.Fatalf("Li's clients %q", cs)
	}
	// A client a manager shares with Li is one he sees, so his export
	// lists it (the one visibility rule, not "the ones he owns").
	apptest.MustContain(t, h.Send(miaTG, "/client Gamma share Li Wei"), "Gamma is now shared with Li Wei.")
	got = h.Send(liTG, "/export")
	apptest.MustContain(t, got[:1], "客户 4 个")
	cs := rows(t, openWorkbook(t, got[0]), "客户")
	if len(cs) != 5 || !slices.ContainsFunc(cs, func(r []string) bool { return r[0] == "Gamma" }) {
		t.Fatalf("Li's clients with Gamma shared %q", cs)
	}
	if vs := rows(t, openWorkbook(t, got[0]), "拜访"); len(vs) != 3 {
		t.Fatalf("Li's visits with Gamma shared: Bob's visits leaked %q", vs)
	}
	// Not another team: neither a rep nor a manager of North.
	for _, u := range []tgfake.User{liTG, miaTG} {
		got := h.Send(u, "/export West")
		if len(got) != 1 || got[0].Method != "sendMessage" {
			t.Fatalf("%s exported West: %q", u.FirstName, apptest.Texts(got))
		}
	}
	// Another team's name is not a team to them: it reads as a period
	// that cannot be read, the same answer as for any word, so it reveals
	// nothing about which teams exist.
	apptest.MustContain(t, h.Send(liTG, "/export West 2026-11-01"), "无法把“West 2026-11-01”识别为时间段")
	apptest.MustContain(t, h.Send(miaTG, "/export West"), "I can't read “West” as a period.")
	apptest.MustContain(t, h.Send(miaTG, "/export Westeros"), "I can't read “Westeros” as a period.")
	apptest.MustContain(t, h.Send(miaTG, "/export whenever"), "I can't read “whenever” as a period.")
	apptest.MustContain(t, h.Send(miaTG, "/export 2026-11-20 2026-11-01"), "The period ends before it starts (2026-11-20 – 2026-11-01)")
}
