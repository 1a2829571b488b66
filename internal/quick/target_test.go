package quick

import (
	"testing"
	"time"

	"salesbot/models"
)

func TestParseTargetArgs(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, sh)
	nov, mar := models.Month{Year: 2026, Mon: time.November}, models.Month{Year: 2027, Mon: time.March}
	tests := []struct {
		in   string
		want TargetArgs
		key  string // error key when refused
	}{
		{in: "", want: TargetArgs{}},
		{in: "@rita", want: TargetArgs{Who: "@rita"}},
		{in: "Rita Li", want: TargetArgs{Who: "Rita Li"}},
		{in: "team", want: TargetArgs{Team: true}},
		{in: "2027-03", want: TargetArgs{Month: mar}},
		{in: "team march", want: TargetArgs{Team: true, Month: mar}},
		{in: "@rita units 42", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42}},
		{in: "@rita units 42 2027-03", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42, Month: mar}},
		{in: "@rita units 42 mar", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42, Month: mar}},
		{in: "@rita units 42台 nov 2026", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42, Month: nov}},
		{in: "team value 5M", want: TargetArgs{Team: true, Metric: models.MetricValue, Amount: 500_000_000}},
		{in: "team value 5M CNY", want: TargetArgs{Team: true, Metric: models.MetricValue, Amount: 500_000_000, Currency: "CNY"}},
		{in: "团队 金额 500万 2027年3月", want: TargetArgs{Team: true, Metric: models.MetricValue, Amount: 500_000_000, Month: mar}},
		{in: "@rita 台数42", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42}},
		{in: "团队 金额500万", want: TargetArgs{Team: true, Metric: models.MetricValue, Amount: 500_000_000}},
		{in: "@rita 拜访 44 3月", want: TargetArgs{Who: "@rita", Metric: models.MetricVisits, Amount: 44, Month: mar}},
		{in: "@rita existing visits 6", want: TargetArgs{Who: "@rita", Metric: models.MetricExistingVisits, Amount: 6}},
		{in: "@rita new clients 3", want: TargetArgs{Who: "@rita", Metric: models.MetricNewClients, Amount: 3}},
		{in: "@rita 新客户 3", want: TargetArgs{Who: "@rita", Metric: models.MetricNewClients, Amount: 3}},
		{in: "＠ｒｉｔａ　ｕｎｉｔｓ　４２", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Amount: 42}},
		{in: "@rita units off", want: TargetArgs{Who: "@rita", Metric: models.MetricUnits, Clear: true}},
		{in: "team value 清除", want: TargetArgs{Team: true, Metric: models.MetricValue, Clear: true}},
		{in: "units 42", want: TargetArgs{Metric: models.MetricUnits, Amount: 42}},
		{in: "42", key: "err_target_no_metric"},
		{in: "@rita boxes 42", key: "err_target_no_metric"},
		{in: "@rita units", key: "err_target_no_amount"},
		{in: "@rita units -5", key: "err_target_amount_positive"},
		{in: "@rita units 0", key: "err_target_amount_positive"},
		{in: "@rita units 4.5", key: "err_target_amount_unreadable"},
		{in: "@rita units lots", key: "err_target_amount_unreadable"},
		{in: "@rita units 99999999999", key: "err_target_absurd"},
		{in: "team value -5M", key: "err_target_amount_positive"},
		{in: "team value 5X", key: "err_target_amount_unreadable"},
		{in: "team value 2万亿", key: "err_target_absurd"},
	}
	for _, tt := range tests {
		got, err := ParseTargetArgs(tt.in, now, sh)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key || e.Data["Example"] != TargetExample {
				t.Errorf("ParseTargetArgs(%q) = %+v, %v; want error %s with the example", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTargetArgs(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseTargetArgs: never panics; refusals are EINVALID with the
// example; what it accepts is a show request or a target within bounds.
func FuzzParseTargetArgs(f *testing.F) {
	for _, s := range []string{"", "@rita units 42", "team value 5M", "团队 金额500万 3月", "@rita units off", "42", "@rita units -5 2027-03", "mar 2027"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseTargetArgs(s, now, time.UTC)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("ParseTargetArgs(%q): error %v is not EINVALID", s, err)
			}
			return
		}
		if a.Who != "" && a.Team {
			t.Fatalf("ParseTargetArgs(%q) = %+v: both a rep and the team", s, a)
		}
		if !a.Set() {
			if a.Amount != 0 || a.Clear {
				t.Fatalf("ParseTargetArgs(%q) = %+v: an amount without a metric", s, a)
			}
			return
		}
		tg := models.Target{Scope: models.ScopeTeam, Metric: a.Metric, Amount: a.Amount, Currency: a.Currency}
		if err := tg.Validate(); !a.Clear && err != nil {
			t.Fatalf("ParseTargetArgs(%q) = %+v, which is not a valid target: %v", s, a, err)
		}
	})
}
