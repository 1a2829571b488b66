package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Job is periodic work: a plain function the Scheduler triggers, and that a
// test or `salesbot job NAME` runs once.
type Job struct {
	Name string
	// Spec is a cron spec: "@every 10s", or five fields in UTC unless it
	// starts with CRON_TZ=Zone.
	Spec string
	Run  func(ctx context.Context) error
	// AtStart runs the job once when the scheduler starts (catch-up for
	// jobs whose state is in the database, like the dispatcher's queue).
	AtStart bool
}

// TeamJob runs for each team at times in the team's own zone (digests,
// plan reminders). Each run — job, team, scheduled time — is recorded in
// the database: it happens once even with several replicas, and a run
// missed while the bot was down is made at start if it is at most CatchUp
// old.
type TeamJob struct {
	Name string
	// Spec gives the team's five-field cron spec, read in the team's zone
	// ("30 18 * * 1-5"); "" means not for this team.
	Spec func(t *models.Team) string
	// Run does the work for one team; at is the scheduled time it serves.
	Run func(ctx context.Context, t *models.Team, at time.Time) error
	// CatchUp is how late a missed run may still be made (0: never).
	CatchUp time.Duration
}

// Scheduler runs Jobs and TeamJobs on robfig/cron.
//
// The traps of robfig/cron and what is done about them:
//   - A panic kills the process unless recovered: every job is wrapped in
//     cron.Recover.
//   - SkipIfStillRunning keeps a slow job from piling up, but placed inside
//     Recover it never gets its token back after a panic and the job is
//     skipped for good; so the chain is Skip(Recover(job)), Skip outermost.
//   - cron never runs what it missed while the process was down: the
//     dispatcher's queue is in the database and drained at start
//     (Job.AtStart); team jobs are recorded per scheduled time (job_runs)
//     and the newest one missed within TeamJob.CatchUp is made at start.
//   - Schedules without CRON_TZ are read in the cron's location, which
//     defaults to the machine's: the cron runs in UTC and every team entry
//     names its zone.
//   - A time inside a spring-forward gap does not exist, and cron skips
//     that day's run (checked: "30 2 * * *" in New York has no run on
//     8 March 2026). Team specs should avoid 02:00–03:00.
type Scheduler struct {
	store *storage.DB
	clock clock.Clock
	log   *slog.Logger
	cron  *cron.Cron
	chain cron.Chain

	parser cron.Parser

	mu       sync.Mutex
	jobs     []Job
	teamJobs []TeamJob
	// wrapped holds each job once wrapped in Skip(Recover(...)), so cron,
	// start-up runs and resyncs share its "still running" token.
	wrapped map[string]cron.Job
	entries map[string]teamEntry // by job name + team id
	ctx     context.Context
	started bool
	caught  chan struct{}
}

type teamEntry struct {
	id   cron.EntryID
	spec string
}

// NewScheduler returns a Scheduler; add jobs, then Start it.
func NewScheduler(store *storage.DB, clk clock.Clock, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cl := cronLogger{log}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	return &Scheduler{
		store: store, clock: clk, log: log, parser: parser,
		cron:    cron.New(cron.WithLocation(time.UTC), cron.WithParser(parser), cron.WithLogger(cl)),
		chain:   cron.NewChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)),
		wrapped: map[string]cron.Job{}, entries: map[string]teamEntry{},
		caught: make(chan struct{}),
	}
}

// Add registers a job. Its spec is checked at once.
func (s *Scheduler) Add(j Job) error {
	if _, err := s.parser.Parse(j.Spec); err != nil {
		return fmt.Errorf("job %s: bad spec %q: %w", j.Name, j.Spec, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, j)
	return nil
}

// AddTeamJob registers a per-team job.
func (s *Scheduler) AddTeamJob(j TeamJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teamJobs = append(s.teamJobs, j)
}

// Names lists the jobs by name, for `salesbot job`.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, j := range s.jobs {
		out = append(out, j.Name)
	}
	for _, j := range s.teamJobs {
		out = append(out, j.Name)
	}
	sort.Strings(out)
	return out
}

// ErrNoJob is returned by RunOnce for an unknown name.
var ErrNoJob = errors.New("no such job")

// RunOnce runs a job now and returns its error: a Job's function, or a
// TeamJob for every team it applies to (at now, not recorded).
func (s *Scheduler) RunOnce(ctx context.Context, name string) error {
	s.mu.Lock()
	var (
		job  *Job
		tjob *TeamJob
	)
	for i := range s.jobs {
		if s.jobs[i].Name == name {
			job = &s.jobs[i]
		}
	}
	for i := range s.teamJobs {
		if s.teamJobs[i].Name == name {
			tjob = &s.teamJobs[i]
		}
	}
	s.mu.Unlock()
	switch {
	case job != nil:
		return job.Run(ctx)
	case tjob != nil:
		teams, err := s.store.Teams(ctx)
		if err != nil {
			return err
		}
		var errs []error
		for _, t := range teams {
			if tjob.Spec(t) == "" {
				continue
			}
			if err := tjob.Run(ctx, t, s.clock.Now()); err != nil {
				errs = append(errs, fmt.Errorf("team %s: %w", t.Name, err))
			}
		}
		return errors.Join(errs...)
	}
	return fmt.Errorf("%w %q (jobs: %s)", ErrNoJob, name, strings.Join(s.Names(), ", "))
}

// Start registers the jobs with cron, makes the start-up runs and catch-ups
// in the background (CaughtUp closes when they are done) and, unless
// manual, starts cron. Jobs run with ctx; Stop waits for them.
func (s *Scheduler) Start(ctx context.Context, manual bool) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("scheduler already started")
	}
	s.started, s.ctx = true, ctx
	jobs := append([]Job(nil), s.jobs...)
	s.mu.Unlock()

	var atStart []cron.Job
	for _, j := range jobs {
		w := s.wrap(j.Name, func(ctx context.Context) error { return j.Run(ctx) })
		if _, err := s.cron.AddJob(j.Spec, w); err != nil {
			return fmt.Errorf("schedule %s: %w", j.Name, err)
		}
		if j.AtStart {
			atStart = append(atStart, w)
		}
	}
	// Teams come and go and change zones: look again every minute.
	syncJob := s.wrap("scheduler:sync-teams", s.SyncTeams)
	if _, err := s.cron.AddJob("@every 1m", syncJob); err != nil {
		return err
	}
	if err := s.SyncTeams(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	var teamRuns []cron.Job
	for name, w := range s.wrapped {
		if strings.Contains(name, "@team:") {
			teamRuns = append(teamRuns, w)
		}
	}
	s.mu.Unlock()
	go func() {
		defer close(s.caught)
		// Each wrapped team job serves the newest scheduled time within its
		// catch-up window that is not done yet.
		for _, w := range append(atStart, teamRuns...) {
			if ctx.Err() != nil {
				return
			}
			w.Run()
		}
	}()
	if !manual {
		s.cron.Start()
	}
	return nil
}

// CaughtUp is closed when the start-up runs are done.
func (s *Scheduler) CaughtUp() <-chan struct{} { return s.caught }

// Stop stops triggering jobs and waits for running ones (they see the
// context given to Start end) until ctx ends.
func (s *Scheduler) Stop(ctx context.Context) {
	done := s.cron.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
	}
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if started {
		select {
		case <-s.caught:
		case <-ctx.Done():
		}
	}
}

// wrap makes a cron.Job of fn with the chain, once per name. Errors are
// logged; the job runs with the scheduler's context.
func (s *Scheduler) wrap(name string, fn func(ctx context.Context) error) cron.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.wrapped[name]; ok {
		return w
	}
	w := s.chain.Then(cron.FuncJob(func() {
		ctx := s.ctx
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("periodic job failed", "job", name, "err", err)
		}
	}))
	s.wrapped[name] = w
	return w
}

// SyncTeams (re)registers every team job for every team whose spec or
// zone changed, and drops those of teams that no longer apply.
func (s *Scheduler) SyncTeams(ctx context.Context) error {
	s.mu.Lock()
	tjobs := append([]TeamJob(nil), s.teamJobs...)
	s.mu.Unlock()
	if len(tjobs) == 0 {
		return nil
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, tj := range tjobs {
		for _, t := range teams {
			spec := tj.Spec(t)
			if spec == "" {
				continue
			}
			full := "CRON_TZ=" + t.Location().String() + " " + spec
			sched, err := s.parser.Parse(full)
			if err != nil {
				s.log.Error("bad team job spec", "job", tj.Name, "team", t.Name, "spec", full, "err", err)
				continue
			}
			key := teamKey(tj.Name, t.ID)
			want[key] = true
			s.mu.Lock()
			old, ok := s.entries[key]
			s.mu.Unlock()
			if ok && old.spec == full {
				continue
			}
			if ok {
				s.cron.Remove(old.id)
			}
			w := s.wrapTeam(tj, t.ID)
			id := s.cron.Schedule(sched, w)
			s.mu.Lock()
			s.entries[key] = teamEntry{id: id, spec: full}
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	for key, e := range s.entries {
		if !want[key] {
			s.cron.Remove(e.id)
			delete(s.entries, key)
		}
	}
	s.mu.Unlock()
	return nil
}

func teamKey(job string, teamID int64) string { return fmt.Sprintf("%s@team:%d", job, teamID) }

// wrapTeam makes the cron.Job of a team job for one team: it serves the
// newest scheduled time not after now (within the catch-up window), once.
func (s *Scheduler) wrapTeam(tj TeamJob, teamID int64) cron.Job {
	return s.wrap(teamKey(tj.Name, teamID), func(ctx context.Context) error {
		_, err := s.RunTeamJob(ctx, tj.Name, teamID)
		return err
	})
}

// RunTeamJob makes the run of a team job for one team that is due now:
// the newest scheduled time at or before now, if it is within the job's
// catch-up window (or just passed) and not done yet. It reports whether it
// ran. Cron calls it at the scheduled times; start-up calls it to catch up.
func (s *Scheduler) RunTeamJob(ctx context.Context, name string, teamID int64) (bool, error) {
	s.mu.Lock()
	var tj *TeamJob
	for i := range s.teamJobs {
		if s.teamJobs[i].Name == name {
			tj = &s.teamJobs[i]
		}
	}
	s.mu.Unlock()
	if tj == nil {
		return false, fmt.Errorf("%w %q", ErrNoJob, name)
	}
	team, err := s.store.Team(ctx, teamID)
	if err != nil {
		return false, err
	}
	spec := tj.Spec(team)
	if spec == "" {
		return false, nil
	}
	sched, err := s.parser.Parse("CRON_TZ=" + team.Location().String() + " " + spec)
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	at, ok := latestScheduled(sched, now, max(tj.CatchUp, 2*time.Minute))
	if !ok {
		return false, nil
	}
	claimed, err := s.store.ClaimJobRun(ctx, tj.Name, teamID, at, now.Add(time.Hour))
	if err != nil || !claimed {
		return false, err
	}
	if err := tj.Run(ctx, team, at); err != nil {
		if rerr := s.store.ReleaseJobRun(context.WithoutCancel(ctx), tj.Name, teamID, at); rerr != nil {
			s.log.Error("release failed job run", "job", tj.Name, "team_id", teamID, "err", rerr)
		}
		return false, fmt.Errorf("%s for team %s at %v: %w", tj.Name, team.Name, at, err)
	}
	return true, s.store.FinishJobRun(context.WithoutCancel(ctx), tj.Name, teamID, at)
}

// latestScheduled is the newest time of sched in (now-window, now].
func latestScheduled(sched cron.Schedule, now time.Time, window time.Duration) (time.Time, bool) {
	t := sched.Next(now.Add(-window))
	if t.IsZero() || t.After(now) {
		return time.Time{}, false
	}
	for {
		n := sched.Next(t)
		if n.IsZero() || n.After(now) {
			return t.UTC(), true
		}
		t = n
	}
}

// cronLogger puts cron's own messages (skips, recovered panics) in slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
