package bot

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/quick"
	"salesbot/models"
)

// worstInputs are 4 KB messages of the shapes that make parsers work
// hardest: one-letter words, numbers, date words, separators, brackets,
// Chinese without spaces.
func worstInputs() map[string]string {
	fill := func(unit string) string {
		s := strings.Repeat(unit, 4096/len(unit)+1)
		for len(s) > 4096 {
			_, size := lastRune(s)
			s = s[:len(s)-size]
		}
		return s
	}
	return map[string]string{
		"letters": fill("a "), "digits": fill("1 "), "weekdays": fill("mon "), "dates": fill("dec 20 "),
		"ranges": fill("1 - "), "semicolons": fill("a; "), "brackets": fill("Li (buyer, "), "zh": fill("下周一"),
		"zhdates": fill("12月20日到"), "nospace": fill("x"),
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return []rune(s[i:])[0], len(s) - i
		}
	}
	return 0, 1
}

// BenchmarkParserWorst4KB times every parser of user text on each 4 KB
// shape; BENCHMARKS.md lists the worst shape per parser.
//
//	go test -run '^$' -bench ParserWorst4KB -benchtime 20x ./bot/
func BenchmarkParserWorst4KB(b *testing.B) {
	c, err := NewCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	loc := time.UTC
	opts := dates.Options{Location: loc}
	clients := make([]*models.Client, 1000)
	for i := range clients {
		clients[i] = &models.Client{ID: int64(i + 1), Name: fmt.Sprintf("Client %d Trading", i)}
	}
	cands := clients[:40]
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.Name
	}
	parsers := map[string]func(s string){
		"export-range":  func(s string) { _, _, _ = exportRange(s, fuzzNow, loc) },
		"digest-day":    func(s string) { _, _ = reportDay(s, fuzzNow, loc) },
		"away-range":    func(s string) { parseDayRange(s, fuzzNow, opts) },
		"remind-split":  func(s string) { _, _ = dates.Parse(s, fuzzNow, opts) },
		"date-find":     func(s string) { _, _ = dates.Find(s, fuzzNow, opts) },
		"visit":         func(s string) { quick.ParseVisit(s, fuzzNow, loc) },
		"unseparated":   func(s string) { quick.ParseUnseparated(s, names, fuzzNow, loc) },
		"objection":     func(s string) { quick.ParseObjection(s) },
		"contacts":      func(s string) { quick.ParseContacts(s) },
		"plan-items":    func(s string) { quick.PlanNamePrefixes(s); quick.ParsePlanItems(s, clients) },
		"match-client":  func(s string) { models.MatchClient(s, cands, 3) },
		"closeness":     func(s string) { models.Closeness(s, "Client 17 Trading") },
		"corekey":       func(s string) { models.CoreKey(s) },
		"schedule":      func(s string) { set := models.DefaultReportSettings(); applySchedule(c, &set, strings.Fields(s)) },
		"settings-days": func(s string) { parseWeekdays(c, s) },
		"callback":      func(s string) { cbID(s); parseID(s); parseReassign(s) },
	}
	for pname, parse := range parsers {
		for iname, in := range worstInputs() {
			b.Run(pname+"/"+iname, func(b *testing.B) {
				start := cpuTime()
				for range b.N {
					parse(in)
				}
				// Under load wall time is mostly waiting for a core; the
				// process's CPU time is what the parse costs.
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
