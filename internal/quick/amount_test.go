package quick

import (
	"testing"

	"salesbot/models"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in    string
		minor int64
		cur   string
		key   string // error key when refused
	}{
		{in: "3.2M", minor: 320_000_000},
		{in: "3.2M CNY", minor: 320_000_000, cur: "CNY"},
		{in: "3.2m rmb", minor: 320_000_000, cur: "CNY"},
		{in: "320万", minor: 320_000_000},
		{in: "320万元", minor: 320_000_000, cur: "CNY"},
		{in: "３２０万", minor: 320_000_000},
		{in: "1,200,000", minor: 120_000_000},
		{in: "1，200，000 元", minor: 120_000_000, cur: "CNY"},
		{in: "1.5亿", minor: 15_000_000_000},
		{in: "$20k", minor: 2_000_000, cur: "USD"},
		{in: "US$ 1,500.50", minor: 150_050, cur: "USD"},
		{in: "¥50万", minor: 50_000_000, cur: "CNY"},
		{in: "￥50万", minor: 50_000_000, cur: "CNY"},
		{in: "EUR 12,000", minor: 1_200_000, cur: "EUR"},
		{in: "12000 €", minor: 1_200_000, cur: "EUR"},
		{in: "2 million usd", minor: 200_000_000, cur: "USD"},
		{in: "5000美元", minor: 500_000, cur: "USD"},
		{in: "99.99", minor: 9999},
		{in: "1万亿", minor: 100_000_000_000_000},
		{in: "", key: "err_amount_empty"},
		{in: "-5", key: "err_amount_negative"},
		{in: "-3.2M", key: "err_amount_negative"},
		{in: "0", key: "err_amount_zero"},
		{in: "0.00 CNY", key: "err_amount_zero"},
		{in: "2万亿", key: "err_amount_absurd"},
		{in: "99999999999999999999", key: "err_amount_absurd"},
		{in: "0.001", key: "err_amount_unreadable"},
		{in: "lots", key: "err_amount_unreadable"},
		{in: "3.2X", key: "err_amount_unreadable"},
		{in: "1,20,000", key: "err_amount_unreadable"},
		{in: "$20 CNY", key: "err_amount_unreadable"},
		{in: "3.2 mcny", key: "err_amount_unreadable"},
		{in: "20台", key: "err_amount_unreadable"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseAmount(%q) = %+v, %v; want error %s", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || got.Minor != tt.minor || got.Currency != tt.cur {
			t.Errorf("ParseAmount(%q) = %+v, %v; want %d %q", tt.in, got, err, tt.minor, tt.cur)
		}
	}
}

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in    string
		units int64
		word  string
		key   string
	}{
		{in: "20", units: 20},
		{in: "20台", units: 20, word: "台"},
		{in: "20 units", units: 20, word: "units"},
		{in: "20 trucks", units: 20, word: "trucks"},
		{in: "1,200 pcs", units: 1200, word: "pcs"},
		{in: "2万台", units: 20_000, word: "台"},
		{in: "２０辆", units: 20, word: "辆"},
		{in: "-20", key: "err_quantity_negative"},
		{in: "0 units", key: "err_quantity_zero"},
		{in: "2.5 units", key: "err_quantity_fraction"},
		{in: "20000000 units", key: "err_quantity_absurd"},
		{in: "twenty", key: "err_quantity_unreadable"},
		{in: "20 CNY", key: "err_quantity_unreadable"},
		{in: "20 big trucks", key: "err_quantity_unreadable"},
		{in: "", key: "err_quantity_unreadable"},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.in)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseQuantity(%q) = %+v, %v; want error %s", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || got.Units != tt.units || got.Word != tt.word {
			t.Errorf("ParseQuantity(%q) = %+v, %v; want %d %q", tt.in, got, err, tt.units, tt.word)
		}
	}
}

func asErr(err error, e **models.Error) bool {
	me, ok := err.(*models.Error)
	*e = me
	return ok
}

// FuzzParseAmount: never panics; what it accepts is positive, within the
// limit, and reads back the same from its own rendering.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"3.2M", "320万", "1,200,000", "1.5亿", "$20k", "-5", "EUR 12,000", "0.001", "1万亿"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("ParseAmount(%q): error %v is not EINVALID", s, err)
			}
			return
		}
		if a.Minor <= 0 || a.Minor > MaxAmountMajor*100 {
			t.Fatalf("ParseAmount(%q) = %d out of range", s, a.Minor)
		}
		b, err := ParseAmount(FormatMinor(a.Minor) + " " + a.Currency)
		if err != nil || b.Minor != a.Minor {
			t.Fatalf("ParseAmount(%q) = %+v; its rendering reads %+v, %v", s, a, b, err)
		}
	})
}

// FuzzParseQuantity: never panics; what it accepts is a whole positive
// number within the limit.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"20", "20台", "20 trucks", "1,200 pcs", "2万台", "2.5", "-1", "二十台", "一千零五十件", "两万五", "一体机"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("ParseQuantity(%q): error %v is not EINVALID", s, err)
			}
			return
		}
		if q.Units <= 0 || q.Units > MaxQuantity {
			t.Fatalf("ParseQuantity(%q) = %d out of range", s, q.Units)
		}
	})
}
