package reminders

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// ranAt records the scheduled times a team job served, per team.
type ranAt struct {
	mu  sync.Mutex
	got map[string][]time.Time
}

func (r *ranAt) job(spec string, catchUp time.Duration) TeamJob {
	return TeamJob{
		Name:    "digest",
		Spec:    func(*models.Team) string { return spec },
		CatchUp: catchUp,
		Run: func(_ context.Context, t *models.Team, at time.Time) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.got == nil {
				r.got = map[string][]time.Time{}
			}
			r.got[t.Name] = append(r.got[t.Name], at)
			return nil
		},
	}
}

func (r *ranAt) of(team string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.got[team]...)
}

// A team job runs at its time in each team's own zone, once per scheduled
// time, whoever (which replica) triggers it.
func TestTeamJobsRunInTheTeamsZoneOnce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 31, 0, 0, time.UTC)) // Monday: 18:31 in Shanghai, 05:31 in New York
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(time.Date(2026, 11, 23, 10, 31, 0, 0, time.UTC))
		ctx := context.Background()
		sh, _ := db.CreateTeam(ctx, "Shanghai", "Asia/Shanghai")
		ny, _ := db.CreateTeam(ctx, "New York", "America/New_York")
		var rec ranAt
		s := NewScheduler(db, clk, nil)
		s.AddTeamJob(rec.job("30 18 * * 1-5", 3*time.Hour))
		replica := NewScheduler(db, clk, nil)
		replica.AddTeamJob(rec.job("30 18 * * 1-5", 3*time.Hour))

		for _, sched := range []*Scheduler{s, replica, s} {
			for _, team := range []*models.Team{sh, ny} {
				if _, err := sched.RunTeamJob(ctx, "digest", team.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := rec.of("Shanghai"); len(got) != 1 || !got[0].Equal(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)) {
			t.Fatalf("Shanghai runs %v, want once for 18:30 local (10:30 UTC)", got)
		}
		if got := rec.of("New York"); len(got) != 0 {
			t.Fatalf("New York ran at 05:31 local: %v", got)
		}
		// 18:31 in New York (EST) is 23:31 UTC.
		clk.Set(time.Date(2026, 11, 23, 23, 31, 0, 0, time.UTC))
		for _, sched := range []*Scheduler{s, replica} {
			for _, team := range []*models.Team{sh, ny} {
				if _, err := sched.RunTeamJob(ctx, "digest", team.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := rec.of("New York"); len(got) != 1 || !got[0].Equal(time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)) {
			t.Fatalf("New York runs %v", got)
		}
		if got := rec.of("Shanghai"); len(got) != 1 {
			t.Fatalf("Shanghai ran again: %v", got)
		}
	})
}

// cron never catches up; the scheduler does at start, within CatchUp, once.
func TestMissedTeamRunIsCaughtUpAtStart(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 24, 11, 10, 0, 0, time.UTC)) // Tuesday 19:10 in Shanghai
	db := storagetest.SQLite(t, clk)
	ctx := context.Background()
	if _, err := db.CreateTeam(ctx, "Shanghai", "Asia/Shanghai"); err != nil {
		t.Fatal(err)
	}
	var rec ranAt
	start := func(catchUp time.Duration) {
		s := NewScheduler(db, clk, nil)
		s.AddTeamJob(rec.job("30 18 * * 1-5", catchUp))
		runCtx, cancel := context.WithCancel(ctx)
		if err := s.Start(runCtx, true); err != nil {
			t.Fatal(err)
		}
		<-s.CaughtUp()
		cancel()
		s.Stop(ctx)
	}
	start(0) // no catch-up: the 18:30 run 40 minutes ago is not made
	if got := rec.of("Shanghai"); len(got) != 0 {
		t.Fatalf("caught up without CatchUp: %v", got)
	}
	start(3 * time.Hour)
	if got := rec.of("Shanghai"); len(got) != 1 || !got[0].Equal(time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)) {
		t.Fatalf("catch-up runs %v, want Tuesday 18:30 local", got)
	}
	start(3 * time.Hour) // a second restart: done already
	if got := rec.of("Shanghai"); len(got) != 1 {
		t.Fatalf("caught up twice: %v", got)
	}
	// Beyond the window: on Wednesday at 23:31 local, that day's 18:30 run
	// is 5 hours old and a 3-hour window does not reach it.
	clk.Set(time.Date(2026, 11, 25, 15, 31, 0, 0, time.UTC)) // Wednesday 23:31: 18:30 was 5 h ago
	start(3 * time.Hour)
	if got := rec.of("Shanghai"); len(got) != 1 {
		t.Fatalf("caught up beyond the window: %v", got)
	}
}

// A failed run is released and may be tried again; a successful one not.
func TestFailedTeamRunIsRetried(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 31, 0, 0, time.UTC))
	db := storagetest.SQLite(t, clk)
	ctx := context.Background()
	team, _ := db.CreateTeam(ctx, "Shanghai", "Asia/Shanghai")
	var calls atomic.Int32
	s := NewScheduler(db, clk, nil)
	s.AddTeamJob(TeamJob{Name: "flaky", Spec: func(*models.Team) string { return "30 18 * * *" }, CatchUp: time.Hour,
		Run: func(context.Context, *models.Team, time.Time) error {
			if calls.Add(1) == 1 {
				return errors.New("smtp down")
			}
			return nil
		}})
	if ran, err := s.RunTeamJob(ctx, "flaky", team.ID); err == nil || ran {
		t.Fatalf("first run: ran=%v err=%v", ran, err)
	}
	if ran, err := s.RunTeamJob(ctx, "flaky", team.ID); err != nil || !ran {
		t.Fatalf("second run: ran=%v err=%v", ran, err)
	}
	if ran, _ := s.RunTeamJob(ctx, "flaky", team.ID); ran {
		t.Fatal("ran a third time")
	}
}

// robfig/cron skips a time inside a spring-forward gap: "30 2 * * *" in
// New York has no run on Sunday 8 March 2026, and catch-up cannot find one
// either. (Documented on Scheduler; team specs should avoid 02:00–03:00.)
func TestSpringForwardGapHasNoRun(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)) // 05:00 EDT
	db := storagetest.SQLite(t, clk)
	ctx := context.Background()
	team, _ := db.CreateTeam(ctx, "New York", "America/New_York")
	var rec ranAt
	s := NewScheduler(db, clk, nil)
	s.AddTeamJob(rec.job("30 2 * * *", 6*time.Hour))
	if ran, err := s.RunTeamJob(ctx, "digest", team.ID); err != nil || ran {
		t.Fatalf("ran=%v err=%v: cron has no 02:30 on the spring-forward day", ran, err)
	}
	clk.Set(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	if ran, _ := s.RunTeamJob(ctx, "digest", team.ID); !ran {
		t.Fatal("the next day's 02:30 EDT must run")
	}
	if got := rec.of("New York"); len(got) != 1 || !got[0].Equal(time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC)) {
		t.Fatalf("runs %v", got)
	}
}

// Skip outermost, Recover inside: a job that panicked once runs again. The
// other order (Skip inside Recover) never gives the token back: shown on
// the bare cron chain.
func TestPanickingJobRunsAgain(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	db := storagetest.SQLite(t, clk)
	var runs atomic.Int32
	s := NewScheduler(db, clk, nil)
	if err := s.Add(Job{Name: "boom", Spec: "@every 1m", AtStart: true, Run: func(context.Context) error {
		if runs.Add(1) == 1 {
			panic("first run explodes")
		}
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx, true); err != nil {
		t.Fatal(err)
	}
	<-s.CaughtUp() // the start-up run panicked and was recovered
	s.wrapped["boom"].Run()
	if n := runs.Load(); n != 2 {
		t.Fatalf("runs = %d, want 2: the job must survive its panic", n)
	}

	// The trap, for the record.
	var bad atomic.Int32
	l := cronLogger{s.log}
	wrong := cron.NewChain(cron.Recover(l), cron.SkipIfStillRunning(l)).Then(cron.FuncJob(func() {
		if bad.Add(1) == 1 {
			panic("x")
		}
	}))
	wrong.Run()
	wrong.Run()
	if bad.Load() != 1 {
		t.Fatal("expected the wrong order to disable the job after a panic")
	}
}

func TestSyncTeamsUsesEachZoneAndFollowsChanges(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	db := storagetest.SQLite(t, clk)
	ctx := context.Background()
	team, _ := db.CreateTeam(ctx, "North", "Asia/Shanghai")
	s := NewScheduler(db, clk, nil)
	var rec ranAt
	s.AddTeamJob(rec.job("30 18 * * 1-5", 0))
	if err := s.SyncTeams(ctx); err != nil {
		t.Fatal(err)
	}
	spec := func() string { return s.entries[teamKey("digest", team.ID)].spec }
	if got := spec(); got != "CRON_TZ=Asia/Shanghai 30 18 * * 1-5" {
		t.Fatalf("entry spec %q", got)
	}
	tz := "Europe/Berlin"
	if _, err := db.UpdateTeamSettings(ctx, team.ID, storage.TeamSettings{TZ: &tz}); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncTeams(ctx); err != nil {
		t.Fatal(err)
	}
	if got := spec(); got != "CRON_TZ=Europe/Berlin 30 18 * * 1-5" {
		t.Fatalf("after the zone changed: %q", got)
	}
	if n := len(s.cron.Entries()); n != 1 {
		t.Fatalf("%d cron entries, want 1 (the old one removed)", n)
	}
}

func TestRunOnce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	db := storagetest.SQLite(t, clk)
	s := NewScheduler(db, clk, nil)
	var n atomic.Int32
	if err := s.Add(Job{Name: "count", Spec: "@every 10s", Run: func(context.Context) error { n.Add(1); return nil }}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Job{Name: "bad", Spec: "every ten seconds"}); err == nil {
		t.Fatal("a bad spec must be refused when added")
	}
	if err := s.RunOnce(context.Background(), "count"); err != nil || n.Load() != 1 {
		t.Fatalf("run once: %v, n=%d", err, n.Load())
	}
	err := s.RunOnce(context.Background(), "nope")
	if !errors.Is(err, ErrNoJob) || !strings.Contains(err.Error(), "count") {
		t.Fatalf("unknown job: %v", err)
	}
}
