package reminders

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/robfig/cron/v3"
)

// Skip outermost, Recover inside: a job that panicked once runs again. The
// other order (Skip inside Recover) never gives the token back: shown on
// the bare cron chain.
func TestPanickingJobRunsAgain(t *testing.T) {
	var runs atomic.Int32
	s := NewScheduler(nil)
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

func TestRunOnce(t *testing.T) {
	s := NewScheduler(nil)
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
