package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"salesbot/internal/apptest"
)

// BenchmarkAccessPlan is a /plan of two known clients, end to end, in
// teams of 100 and 20,000 clients, in English and Chinese: the items'
// names are looked up in the name index, so CPU per /plan stays flat.
// Each message plans other clients or another day (no "plan again?").
//
//	go test -run '^$' -bench AccessPlan -benchtime 100x ./bot/
func BenchmarkAccessPlan(b *testing.B) {
	days := map[string][]string{"en": {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "zh": {"周一", "周二", "周三", "周四", "周五", "周六", "周日"}}
	for _, lang := range []string{"en", "zh"} {
		for _, n := range []int{100, 20000} {
			b.Run(fmt.Sprintf("%s/clients=%d", lang, n), func(b *testing.B) {
				h := apptest.New(b)
				format := map[string]string{"en": "Client %d Trading", "zh": "客户%d号"}[lang]
				teamWithNamedClients(b, h, n, format)
				cpu0 := cpuTime()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					x, y, d := 2*i%n, (2*i+1)%n, days[lang][2*i/n%7]
					text := fmt.Sprintf("/plan next %s Client %d Trading demo; %s client %d trading quote", d, x, d, y)
					if lang == "zh" {
						text = fmt.Sprintf("/plan next %s客户%d号演示；%s 客户%d号 报价", d, x, d, y)
					}
					got := apptest.Joined(h.Send(bob, text))
					if !strings.Contains(got, fmt.Sprintf(format, x)) || !strings.Contains(got, fmt.Sprintf(format, y)) || strings.Contains(got, "New client") {
						b.Fatalf("%s: %q", text, got)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/plan")
			})
		}
	}
}
