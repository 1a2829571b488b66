package bot

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"salesbot/models"
)

// BenchmarkPipelineRender renders /pipeline's answer for a 10-rep team
// with open deals at every stage: the text and the chart's PNG (the
// reports benchmark BenchmarkPipelineOneTeam measures reading and
// weighing the deals).
//
//	go test ./bot/ -run '^$' -bench PipelineRender -benchtime 20x
func BenchmarkPipelineRender(b *testing.B) {
	cat, err := NewCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	bot := &Bot{cat: cat}
	dec := models.Month{Year: 2026, Mon: time.December}
	var reps []models.RepRef
	names := map[int64]string{}
	var open []models.DealGroup
	goals := map[int64]models.Goal{}
	for i := range 10 {
		id := int64(i + 1)
		reps = append(reps, models.RepRef{ID: id, Name: fmt.Sprintf("Rep %02d", i+1)})
		names[id] = reps[i].Name
		goals[id] = models.Goal{Units: 42, Value: models.Money{Minor: 5_000_000_00, Currency: "CNY"}}
		for j, s := range models.Stages {
			for k := range 6 {
				open = append(open, models.DealGroup{OwnerID: id, Stage: s, CloseMonth: models.AddMonths(dec, k), Currency: "CNY",
					Deals: 12 + j, Units: int64(100 + j*10), ValueMinor: int64(1_000_000_00 * (j + 1))})
			}
		}
	}
	p := models.BuildPipeline(dec, models.DefaultStageProbabilities(), reps, names, open, nil, goals)
	p.TeamName, p.Loc = "Team 01", time.UTC
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := bot.PipelineMessages("en", p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(p.Open.Deals), "open-deals")
}

// processCPU is the CPU time this process has used (user and system): on
// a machine shared with other work, wall time per op moves with the load,
// CPU time much less.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
