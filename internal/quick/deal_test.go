package quick

import (
	"reflect"
	"testing"
	"time"

	"salesbot/models"
)

var dealNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func TestParseDeal(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		in   string
		want Deal
		key  string
	}{
		{in: "Acme; 20 trucks; 3.2M CNY; close 2027-03; vs Brand X", want: Deal{Client: "Acme", Units: 20, UnitWord: "trucks",
			Value: Amount{Minor: 320_000_000, Currency: "CNY"}, Close: models.Month{Year: 2027, Mon: 3}, Competitors: []models.Competitor{{Name: "Brand X"}}}},
		{in: "华为; 20台; 320万; 3月签; 竞品 某品牌", want: Deal{Client: "华为", Units: 20, UnitWord: "台",
			Value: Amount{Minor: 320_000_000}, Close: models.Month{Year: 2027, Mon: 3}, Competitors: []models.Competitor{{Name: "某品牌"}}}},
		{in: "华为；型号 X200；12月；预算 已批；技术筛选；下一步 送样", want: Deal{Client: "华为", Product: "X200",
			Close: models.Month{Year: 2026, Mon: 12}, Budget: models.BudgetApproved, Step: models.StepScreening, NextStep: "送样"}},
		{in: "Acme; fleet renewal; $1,200,000; close march; vs A, B; budget 1.5M USD; demo", want: Deal{Client: "Acme", Title: "fleet renewal",
			Value: Amount{Minor: 120_000_000, Currency: "USD"}, Close: models.Month{Year: 2027, Mon: 3}, Competitors: []models.Competitor{{Name: "A"}, {Name: "B"}},
			Budget: models.BudgetKnown, BudgetValue: Amount{Minor: 150_000_000, Currency: "USD"}, Stage: models.StageDemo}},
		{in: "Acme; no budget; 2027年5月", want: Deal{Client: "Acme", Budget: models.BudgetNone, Close: models.Month{Year: 2027, Mon: 5}}},
		{in: "Acme", want: Deal{Client: "Acme"}},
		// A currency word before the number starts an amount, as ParseAmount
		// reads it (it used to become the title).
		{in: "华为; 人民币 500万; 20台", want: Deal{Client: "华为", Units: 20, UnitWord: "台", Value: Amount{Minor: 500_000_000, Currency: "CNY"}}},
		{in: "Acme; 美元5000", want: Deal{Client: "Acme", Value: Amount{Minor: 500_000, Currency: "USD"}}},
		{in: "华为; 标签打印机; 产品演示; 签字笔", want: Deal{Client: "华为", Title: "标签打印机; 签字笔", Stage: models.StageDemo}},
		// Quantities in Chinese numerals, as digits are read; what follows
		// a measure word after a space is what is counted (the title).
		{in: "华东机电; 二十台 压缩机", want: Deal{Client: "华东机电", Title: "压缩机", Units: 20, UnitWord: "台"}},
		{in: "华东机电; 二十台; 压缩机; 320万", want: Deal{Client: "华东机电", Title: "压缩机", Units: 20, UnitWord: "台", Value: Amount{Minor: 320_000_000}}},
		{in: "华东机电; 20台 压缩机", want: Deal{Client: "华东机电", Title: "压缩机", Units: 20, UnitWord: "台"}},
		{in: "华东机电; 二十 台 压缩机", want: Deal{Client: "华东机电", Title: "压缩机", Units: 20, UnitWord: "台"}},
		{in: "华东机电; 两百套", want: Deal{Client: "华东机电", Units: 200, UnitWord: "套"}},
		{in: "华东机电; 一千零五十件; 一体机", want: Deal{Client: "华东机电", Title: "一体机", Units: 1050, UnitWord: "件"}},
		{in: "Acme; 十二 units; 3.2M CNY", want: Deal{Client: "Acme", Units: 12, UnitWord: "units", Value: Amount{Minor: 320_000_000, Currency: "CNY"}}},
		// Words that merely start with a numeral stay words.
		{in: "华东机电; 一体机; 万能表; 三件套", want: Deal{Client: "华东机电", Title: "一体机; 万能表; 三件套"}},
		{in: "Acme; 20 trucks of steel", key: "err_quantity_unreadable"},
		{in: "Acme; -3.2M", key: "err_amount_negative"},
		{in: "Acme; 3.2X", key: "err_amount_unreadable"},
		{in: "Acme; 2.5 units", key: "err_quantity_fraction"},
		{in: "Acme; 99999999 units", key: "err_quantity_absurd"},
		{in: "Acme; close someday", key: "err_deal_month"},
		{in: "Acme; close 13月", key: "err_deal_month"},
		{in: "Acme; vs", key: "err_deal_competitor_name"},
		{in: "Acme; trucks; vs Brand X (model X1, unhappy, rep Li), Brand Y; next demo 2027-01-15", want: Deal{Client: "Acme", Title: "trucks",
			Competitors: []models.Competitor{{Name: "Brand X", Product: "X1", Satisfaction: "unhappy", Rep: "Li"}, {Name: "Brand Y"}},
			NextStep:    "demo", NextStepAt: time.Date(2027, 1, 15, 1, 0, 0, 0, time.UTC)}},
		{in: "华为; 卡车; 竞品 某品牌(型号X1,不满意,销售 李); 下一步 演示 1月15日", want: Deal{Client: "华为", Title: "卡车",
			Competitors: []models.Competitor{{Name: "某品牌", Product: "X1", Satisfaction: "不满意", Rep: "李"}},
			NextStep:    "演示", NextStepAt: time.Date(2027, 1, 15, 1, 0, 0, 0, time.UTC)}},
		{in: "Acme; vs Brand X (old fleet, mixed feelings)", want: Deal{Client: "Acme",
			Competitors: []models.Competitor{{Name: "Brand X", Product: "old fleet", Satisfaction: "mixed feelings"}}}},
		{in: "Acme; next: send quote", want: Deal{Client: "Acme", NextStep: "send quote"}},
		{in: "Acme; vs Brand X (model X1", key: "err_deal_competitor_brackets"},
		{in: "Acme; vs (model X1)", key: "err_deal_competitor_name"},
		{in: "Acme; next demo 2026-11-01", key: "err_deal_next_past"},
		{in: "Acme; budget lots", key: "err_amount_unreadable"},
	}
	for _, tt := range tests {
		got, err := ParseDeal(tt.in, dealNow, sh)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseDeal(%q) = %+v, %v; want %s", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseDeal(%q) =\n %+v, %v; want\n %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMonth(t *testing.T) {
	for in, want := range map[string]models.Month{
		"2027-03": mo(2027, 3), "2027/3": mo(2027, 3), "03/2027": mo(2027, 3), "march": mo(2027, 3), "Mar 2028": mo(2028, 3),
		"3月": mo(2027, 3), "12月": mo(2026, 12), "2027年3月": mo(2027, 3), "明年3月": mo(2027, 3), "明年12月": mo(2027, 12),
	} {
		if got, ok := ParseMonth(in, dealNow, time.UTC); !ok || got != want {
			t.Errorf("ParseMonth(%q) = %v %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "13月", "2027-13", "2207-03", "someday", "3-4", "明年2027年3月"} {
		if got, ok := ParseMonth(in, dealNow, time.UTC); ok {
			t.Errorf("ParseMonth(%q) = %v; want refused", in, got)
		}
	}
}

func TestParseDealClose(t *testing.T) {
	tests := []struct {
		in   string
		want DealClose
		key  string
	}{
		{in: "won Acme", want: DealClose{Won: true, Client: "Acme"}},
		{in: "won Acme Corp 18 units 3M", want: DealClose{Won: true, Client: "Acme Corp", Units: 18, Value: Amount{Minor: 300_000_000}}},
		{in: "won 华为; 18台; 300万元", want: DealClose{Won: true, Client: "华为", Units: 18, Value: Amount{Minor: 300_000_000, Currency: "CNY"}}},
		{in: `lost Acme price "too expensive"`, want: DealClose{Client: "Acme", Reason: models.LostPrice, Words: "too expensive"}},
		{in: "lost Acme Corp no budget until next year", want: DealClose{Client: "Acme Corp", Reason: models.LostNoBudget, Words: "until next year"}},
		{in: "lost Acme competitor Brand X", want: DealClose{Client: "Acme", Reason: models.LostCompetitor, To: "Brand X"}},
		{in: "丢单 华为 价格 “太贵”", want: DealClose{Client: "华为", Reason: models.LostPrice, Words: "太贵"}},
		{in: "lost #12; timing; postponed to 2028", want: DealClose{Client: "#12", Reason: models.LostTiming, Words: "postponed to 2028"}},
		{in: "lost Acme", want: DealClose{Client: "Acme"}},
		{in: "赢单 华东机电 二十台 320万", want: DealClose{Won: true, Client: "华东机电", Units: 20, Value: Amount{Minor: 320_000_000}}},
		{in: "won Huadong Motors 二十台", want: DealClose{Won: true, Client: "Huadong Motors", Units: 20}},
		{in: "lost Acme; cheaper", key: "err_deal_lost_reason"},
		{in: "won Acme -5", key: "err_amount_negative"},
	}
	for _, tt := range tests {
		won, rest, ok := ParseDealVerb(tt.in)
		if !ok {
			t.Errorf("ParseDealVerb(%q): not a close", tt.in)
			continue
		}
		got, err := ParseDealClose(won, rest)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseDealClose(%q) = %+v, %v; want %s", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDealClose(%q) =\n %+v, %v; want\n %+v", tt.in, got, err, tt.want)
		}
	}
	if _, _, ok := ParseDealVerb("Acme; 20 trucks"); ok {
		t.Error("a new deal is not a close")
	}
}

// FuzzParseDeal: never panics; a read deal has a client from the input, and
// its numbers are in range.
func FuzzParseDeal(f *testing.F) {
	for _, s := range []string{"Acme; 20 trucks; 3.2M CNY; close 2027-03; vs Brand X", "华为; 20台; 320万; 3月签; 竞品 某品牌",
		"Acme; budget approved 3M; next: demo", "x; -1", "x;;;close", "won Acme 18 units", `lost Acme price "too expensive"`,
		"华东机电; 二十台 压缩机; 320万", "华东机电; 两百套", "赢单 华东机电 二十台 320万", "x; 一体机; 十 units"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDeal(s, dealNow, time.UTC)
		if err == nil {
			if d.Units < 0 || d.Units > MaxQuantity || d.Value.Minor < 0 || d.BudgetValue.Minor < 0 {
				t.Fatalf("ParseDeal(%q) = %+v out of range", s, d)
			}
			if !d.Close.IsZero() && (d.Close.Mon < 1 || d.Close.Mon > 12) {
				t.Fatalf("ParseDeal(%q) month %v", s, d.Close)
			}
		} else if models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("ParseDeal(%q): %v", s, err)
		}
		if won, rest, ok := ParseDealVerb(s); ok {
			c, err := ParseDealClose(won, rest)
			if err == nil && (c.Units < 0 || c.Value.Minor < 0 || (!won && c.Reason != "" && !validReason(c.Reason))) {
				t.Fatalf("ParseDealClose(%q) = %+v", s, c)
			}
		}
	})
}

func validReason(r models.LostReason) bool {
	for _, l := range models.LostReasons {
		if l == r {
			return true
		}
	}
	return false
}

func mo(y int, m time.Month) models.Month { return models.Month{Year: y, Mon: m} }
