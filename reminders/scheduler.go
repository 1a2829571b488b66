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

// Scheduler runs Jobs on robfig/cron. (Per-team work in each team's zone —
// the reports — is a Job that looks each minute for what is due and keeps
// its own once-only record; see reports.Scheduler.)
//
// The traps of robfig/cron and what is done about them:
//   - A panic kills the process unless recovered: every job is wrapped in
//     cron.Recover.
//   - SkipIfStillRunning keeps a slow job from piling up, but placed inside
//     Recover it never gets its token back after a panic and the job is
//     skipped for good; so the chain is Skip(Recover(job)), Skip outermost.
//   - cron never runs what it missed while the process was down: the
//     dispatcher's queue is in the database and drained at start
//     (Job.AtStart); the reports job finds what fell due at its first tick.
//   - Schedules without CRON_TZ are read in the cron's location, which
//     defaults to the machine's: the cron runs in UTC.
type Scheduler struct {
	log   *slog.Logger
	cron  *cron.Cron
	chain cron.Chain

	parser cron.Parser

	mu   sync.Mutex
	jobs []Job
	// wrapped holds each job once wrapped in Skip(Recover(...)), so cron
	// and the start-up run share its "still running" token.
	wrapped map[string]cron.Job
	ctx     context.Context
	started bool
	caught  chan struct{}
}

// NewScheduler returns a Scheduler; add jobs, then Start it.
func NewScheduler(log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cl := cronLogger{log}
	parser := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	return &Scheduler{
		log: log, parser: parser,
		cron:    cron.New(cron.WithLocation(time.UTC), cron.WithParser(parser), cron.WithLogger(cl)),
		chain:   cron.NewChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)),
		wrapped: map[string]cron.Job{}, caught: make(chan struct{}),
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

// Names lists the jobs by name, for `salesbot job`.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, j := range s.jobs {
		out = append(out, j.Name)
	}
	sort.Strings(out)
	return out
}

// ErrNoJob is returned by RunOnce for an unknown name.
var ErrNoJob = errors.New("no such job")

// RunOnce runs a job now and returns its error.
func (s *Scheduler) RunOnce(ctx context.Context, name string) error {
	s.mu.Lock()
	var job *Job
	for i := range s.jobs {
		if s.jobs[i].Name == name {
			job = &s.jobs[i]
		}
	}
	s.mu.Unlock()
	if job == nil {
		return fmt.Errorf("%w %q (jobs: %s)", ErrNoJob, name, strings.Join(s.Names(), ", "))
	}
	return job.Run(ctx)
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
	go func() {
		defer close(s.caught)
		for _, w := range atStart {
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

// cronLogger puts cron's own messages (skips, recovered panics) in slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
