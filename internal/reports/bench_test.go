package reports_test

import (
	"os"
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/reports"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// Benchmarks of building every team's daily digest and weekly summary on
// generated data. The full size (200 reps in 20 teams, 1,000,000 visits,
// 200,000 objections, 300,000 follow-ups over two years) is generated only when
// SALESBOT_BENCH_FULL=1; otherwise a small set keeps a run quick:
//
//	SALESBOT_BENCH_FULL=1 go test ./internal/reports/ -run '^$' -bench . -benchtime 10x -timeout 60m
//
// PostgreSQL runs too when SALESBOT_TEST_POSTGRES_DSN is set.

// benchEnd is "now" for the generated history: Friday 27 Nov 2026, 20:00 UTC.
var benchEnd = time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)

type benchData struct {
	db  *storage.DB
	gen *reportstest.Generated
}

var (
	benchMu   sync.Mutex
	benchSets = map[string]*benchData{}
)

func benchSize() reportstest.Size {
	if os.Getenv("SALESBOT_BENCH_FULL") == "1" {
		return reportstest.FullSize
	}
	return reportstest.SmallSize
}

// benchDB generates the data once per database kind and process.
func benchDB(b *testing.B, kind string) *benchData {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchSets[kind]; ok {
		return d
	}
	clk := clock.NewFake(benchEnd)
	var dsn string
	if kind == "postgres" {
		dsn = storagetest.PostgresDSN(&keep{b})
	} else {
		dir, err := os.MkdirTemp("", "salesbot-bench-")
		if err != nil {
			b.Fatal(err)
		}
		atExit = append(atExit, func() { _ = os.RemoveAll(dir) })
		dsn = dir + "/bench.db"
	}
	db, err := storage.Open(dsn, clk)
	if err != nil {
		b.Fatal(err)
	}
	atExit = append(atExit, func() { _ = db.Close() })
	if err := db.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	gen := reportstest.Generate(b, db, benchSize(), benchEnd)
	b.Logf("%s: generated %+v in %v", kind, benchSize(), time.Since(start).Round(time.Second))
	d := &benchData{db: db, gen: gen}
	benchSets[kind] = d
	return d
}

// keep is a testing.TB whose cleanups run when the process ends (TestMain),
// so data generated once serves every benchmark of the process.
type keep struct{ testing.TB }

func (keep) Cleanup(fn func()) { atExit = append(atExit, fn) }

var atExit []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(atExit) - 1; i >= 0; i-- {
		atExit[i]()
	}
	os.Exit(code)
}

func eachDB(b *testing.B, fn func(b *testing.B, d *benchData)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, benchDB(b, "sqlite")) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storagetest.PostgresEnv) == "" {
			b.Skipf("set %s to run on PostgreSQL", storagetest.PostgresEnv)
		}
		fn(b, benchDB(b, "postgres"))
	})
}

// BenchmarkAllDailyDigests builds the digest of every team for the last
// day of the history (one op = all teams).
func BenchmarkAllDailyDigests(b *testing.B) {
	eachDB(b, func(b *testing.B, d *benchData) {
		bl := reports.NewBuilder(d.db, clock.NewFake(benchEnd))
		visits := 0
		b.ResetTimer()
		for b.Loop() {
			visits = 0
			for _, t := range d.gen.Teams {
				dg, err := bl.DailyDigest(b.Context(), storage.System, t, models.CivilDate(benchEnd, t.Location()))
				if err != nil {
					b.Fatal(err)
				}
				visits += dg.Totals.Visits
			}
		}
		b.ReportMetric(float64(len(d.gen.Teams)), "teams")
		b.ReportMetric(float64(visits), "visits/op")
	})
}

// BenchmarkAllWeeklySummaries builds the summary of every team for the
// last full week (one op = all teams).
func BenchmarkAllWeeklySummaries(b *testing.B) {
	eachDB(b, func(b *testing.B, d *benchData) {
		bl := reports.NewBuilder(d.db, clock.NewFake(benchEnd))
		visits := 0
		b.ResetTimer()
		for b.Loop() {
			visits = 0
			for _, t := range d.gen.Teams {
				s, err := bl.WeeklySummary(b.Context(), storage.System, t, models.WeekOf(benchEnd, t.Location()).Prev())
				if err != nil {
					b.Fatal(err)
				}
				visits += s.Visits
			}
		}
		b.ReportMetric(float64(visits), "visits/op")
	})
}

// BenchmarkPipelineOneTeam builds /pipeline's report for the first team
// (10 reps, every one of its deals open: 5,000 of the full size's 100,000)
// for the month of the history's end.
func BenchmarkPipelineOneTeam(b *testing.B) {
	eachDB(b, func(b *testing.B, d *benchData) {
		bl := reports.NewBuilder(d.db, clock.NewFake(benchEnd))
		team := d.gen.Teams[0]
		month := models.MonthOf(benchEnd, team.Location())
		open := 0
		b.ResetTimer()
		for b.Loop() {
			p, err := bl.Pipeline(b.Context(), storage.System, team, 0, month)
			if err != nil {
				b.Fatal(err)
			}
			open = p.Open.Deals
		}
		b.ReportMetric(float64(open), "open-deals")
	})
}

// BenchmarkAllMonthReviews builds the month's review of the month before
// the history's end for every member of every team, each read as that
// member, as the 1st's job does (one op = all teams).
func BenchmarkAllMonthReviews(b *testing.B) {
	eachDB(b, func(b *testing.B, d *benchData) {
		bl := reports.NewBuilder(d.db, clock.NewFake(benchEnd))
		members, err := d.db.ActiveMembers(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		closed := 0
		b.ResetTimer()
		for b.Loop() {
			closed = 0
			for _, t := range d.gen.Teams {
				month := models.AddMonths(models.MonthOf(benchEnd, t.Location()), -1)
				counted := false
				for _, m := range members {
					if m.TeamID != t.ID {
						continue
					}
					viewer, err := d.db.User(b.Context(), m.User.ID)
					if err != nil {
						b.Fatal(err)
					}
					repID := m.User.ID
					if m.Role == models.RoleManager {
						repID = 0
					}
					review, err := bl.MonthReview(b.Context(), viewer, t, repID, month)
					if err != nil {
						b.Fatal(err)
					}
					if repID == 0 && !counted {
						closed, counted = closed+len(review.Won)+len(review.Lost), true
					}
				}
			}
		}
		b.ReportMetric(float64(closed), "closed-deals/op")
	})
}
