package quick

import "testing"

// go test -run '^$' -bench ParseVisit ./internal/quick/
func BenchmarkParseVisit(b *testing.B) {
	for name, in := range map[string]string{
		"en": "Acme; met Li (buyer) and Wang (decision maker); demo; warm; next: send quote; revisit friday; brought cake",
		"zh": "华为; 见了王经理(决策者); 报价; 热心; 下一步: 发合同; 复访 下周三",
	} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ParseVisit(in, now, shanghai)
			}
		})
	}
}
