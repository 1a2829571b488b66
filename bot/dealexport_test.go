package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// csvOf finds the CSV file of a sheet among an export's messages.
func csvOf(t *testing.T, got []tgfake.Sent, sheet string) string {
	t.Helper()
	for _, s := range got {
		if strings.HasSuffix(s.FileName, "-"+sheet+".csv") {
			return string(s.File)
		}
	}
	t.Fatalf("no %s CSV in %q", sheet, apptest.Texts(got))
	return ""
}

// The export's Deals sheet: typed cells (units and value as numbers, the
// currency apart, the close month a month, dates as dates), the reader's
// language, and only the deals the reader may see: a rep's own, a
// manager's team's. The visits sheet names each visit's deal.
func TestExportDealsSheet(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { exportDealsSheet(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { exportDealsSheet(t, apptest.New(t, apptest.Postgres(t))) })
}

func exportDealsSheet(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(flowRep, "North", "rep")
	h.Member(flowRepZh, "North", "rep")
	h.Member(flowMgr, "North", "manager")
	h.Send(flowRep, "/visit Acme; phone")
	h.Send(flowRepZh, "/visit 华为; 面谈")
	h.Send(flowRep, "/deal Acme; 20 trucks; 3.2M CNY; close 2027-03; budget approved 3M; screening; vs Brand X (model X1, unhappy, rep Li), Brand Y; next demo 2027-01-15")
	h.Send(flowRep, "/visit Acme; demo")
	h.Send(flowRep, "/deal Acme; spare parts; 50k USD")
	h.Send(flowRep, "/deal won #2 1 unit 45k")
	h.Send(flowRep, "/cancel")
	h.Send(flowRepZh, "/deal 华为; 20台; 320万; 3月签")
	h.Send(flowRepZh, `/deal 丢单 华为 价格 "太贵"`)

	got := h.Send(flowRep, "/export")
	f := openWorkbook(t, got[0])
	if s := strings.Join(f.GetSheetList(), ","); !strings.Contains(s, ",Deals,") {
		t.Fatalf("sheets %s", s)
	}
	ds := rows(t, f, "Deals")
	if len(ds) != 3 {
		t.Fatalf("Rita's deals sheet %q (want her two deals only)", ds)
	}
	if h := strings.Join(ds[0], "|"); h != "Deal|Client|Title|Rep|Product/model|Units|Value|Currency|Expected close|Stage|Procurement step|Budget|Budget amount|Competitors|Next step|Next step on|State|Lost reason|Lost to|Why lost|Created|Closed" {
		t.Fatalf("headers %s", h)
	}
	r := ds[1]
	if r[0] != "1" || r[1] != "Acme" || r[2] != "20 trucks" || r[3] != "Rita" || r[5] != "20" || r[6] != "3,200,000.00" || r[7] != "CNY" ||
		r[8] != "2027-03" || r[9] != "demo / trial" || r[10] != "technical screening" || r[11] != "approved" || r[12] != "3,000,000.00" ||
		r[13] != "Brand X (X1, unhappy, rep Li); Brand Y" || r[14] != "demo" || r[15] != "2027-01-15 09:00" || r[16] != "open" {
		t.Fatalf("Rita's first deal %q", r)
	}
	if r := ds[2]; r[2] != "spare parts" || r[5] != "1" || r[6] != "45,000.00" || r[7] != "USD" || r[16] != "won" || r[21] != "2026-12-01 02:00" {
		t.Fatalf("Rita's won deal %q", r)
	}
	// Typed: numbers and dates are numbers, not text.
	for _, cell := range []string{"F2", "G2", "I2", "M2", "P2", "U2"} {
		if typ, _ := f.GetCellType("Deals", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Fatalf("Deals %s is of type %v, want a number", cell, typ)
		}
	}
	if v, _ := f.GetCellValue("Deals", "G2", excelize.Options{RawCellValue: true}); v != "3200000" {
		t.Fatalf("value cell raw %q", v)
	}
	if v, _ := f.GetCellValue("Deals", "I2", excelize.Options{RawCellValue: true}); v != "46447" {
		t.Fatalf("close month raw %q, want the serial of 2027-03-01", v)
	}
	// The visit's deal.
	vs := rows(t, f, "Visits")
	last := vs[len(vs)-1]
	if last[len(last)-1] != "20 trucks" {
		t.Fatalf("the visit's deal column %q", last)
	}
	csv := csvOf(t, got, "deals")
	if !strings.Contains(csv, "1,Acme,20 trucks,Rita,,20,3200000,CNY,2027-03,demo / trial,technical screening,approved,3000000,\"Brand X (X1, unhappy, rep Li); Brand Y\",demo,2027-01-15 09:00,open") {
		t.Fatalf("deals CSV:\n%s", csv)
	}

	// The manager: the team's deals, both reps'.
	got = h.Send(flowMgr, "/export")
	if ds := rows(t, openWorkbook(t, got[0]), "Deals"); len(ds) != 4 || ds[3][1] != "华为" || ds[3][3] != "张伟" {
		t.Fatalf("the team's deals %q", ds)
	}
	// Chinese: the sheet, headers and values in the reader's language.
	got = h.Send(flowRepZh, "/export")
	zf := openWorkbook(t, got[0])
	zs := rows(t, zf, "项目")
	if len(zs) != 2 || zs[0][0] != "编号" || zs[0][6] != "金额" || zs[1][6] != "3,200,000.00" || zs[1][7] != "" || zs[1][16] != "丢单" ||
		zs[1][17] != "价格" || zs[1][19] != "太贵" {
		t.Fatalf("张伟's deals %q", zs)
	}
}
