package main

import (
	"os"
	"strconv"
	"testing"
	"time"

	"salesbot/internal/storage/storagetest"
)

// crashForceEnv runs the crash test although the exactly-once pipeline
// (issue 9) is not built yet; it is expected to fail until it is.
const crashForceEnv = "SALESBOT_CRASH_TEST"

// crashRunEnv asks for the long black-box run: its value is the number of
// kills (e.g. 100), with ten reps, two managers and a kill every 1–6 s.
const crashRunEnv = "SALESBOT_CRASH_RUN"

// ciCrash is the bounded run CI does: 30 kills in about a minute.
func ciCrash() crashConfig {
	kills := 30
	if n, err := strconv.Atoi(os.Getenv("SALESBOT_CRASH_KILLS")); err == nil && n > 0 {
		kills = n
	}
	return crashConfig{
		Reps: 4, Managers: 1, Kills: kills,
		UpMin: 300 * time.Millisecond, UpMax: 2500 * time.Millisecond,
		ActMin: 400 * time.Millisecond, ActMax: 1500 * time.Millisecond,
		DigestEvery: 7 * time.Second, RateChat: 5,
		Settle: 40 * time.Second, Window: 3 * time.Second,
		Seed:      uint64(time.Now().UnixNano()),
		FollowUps: checked().FollowUps,
	}
}

// The real binary, SIGKILLed at random points under load and restarted at
// once on the same database, never loses or doubles what users did, and
// every reply goes out, twice only when the kill came right after it went.
func TestCrashSIGKILL(t *testing.T) {
	crashGate(t)
	t.Parallel()
	cfg := ciCrash()
	checkCrash(t, newCrashRun(t, cfg).run(), checked())
}

// The same on PostgreSQL, when configured.
func TestCrashSIGKILLPostgres(t *testing.T) {
	crashGate(t)
	t.Parallel()
	cfg := ciCrash()
	cfg.DB = storagetest.PostgresDSN(t)
	checkCrash(t, newCrashRun(t, cfg).run(), checked())
}

// TestCrashRun is the issue's black-box measurement, not part of CI:
//
//	SALESBOT_CRASH_RUN=100 go test ./cmd/salesbot -run TestCrashRun -v -timeout 60m
//
// It prints what it found and fails like the CI test does.
func TestCrashRun(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(crashRunEnv))
	if err != nil || n <= 0 {
		t.Skipf("the long crash run is not part of CI: set %s=100 to run it", crashRunEnv)
	}
	cfg := crashConfig{
		Reps: 10, Managers: 2, Kills: n,
		UpMin: time.Second, UpMax: 6 * time.Second,
		ActMin: 2 * time.Second, ActMax: 6 * time.Second,
		DigestEvery: 15 * time.Second, RateChat: 1,
		Settle: 7 * time.Minute, Window: 3 * time.Second,
		Seed: uint64(time.Now().UnixNano()),
	}
	if os.Getenv("SALESBOT_CRASH_POSTGRES") != "" {
		cfg.DB = storagetest.PostgresDSN(t)
	}
	cfg.FollowUps = true // the long run waits for everything, and reports it
	checkCrash(t, newCrashRun(t, cfg).run(), guarantees{Updates: true, FollowUps: true})
}

// issue9 is which of issue 9's guarantees main has. The crash tests fail on
// those and report the others; SALESBOT_CRASH_TEST=1 fails on all of them.
var issue9 = guarantees{
	// Updates: an update's rows, its replies and its done mark commit
	// together; a replay sends what was not sent and runs nothing again.
	Updates: true,
	// FollowUps: due follow-ups and reports go out through the same path:
	// no lease to wait out after a kill, a digest resumes after its sent
	// parts, the reports check runs at start.
	FollowUps: true,
}

type guarantees struct{ Updates, FollowUps bool }

// checked is what a run fails on.
func checked() guarantees {
	if os.Getenv(crashForceEnv) != "" {
		return guarantees{Updates: true, FollowUps: true}
	}
	return issue9
}

func crashGate(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("the process crash test takes about a minute: skipped under -short")
	}
	if !checked().Updates {
		t.Skipf("skipped until the exactly-once pipeline of issue 9 is on main: today a replayed update runs its "+
			"handler again (visits and reminders stored twice) and a claimed follow-up or digest waits out a 5-minute "+
			"lease after a kill; set %s=1 to run it anyway", crashForceEnv)
	}
}

// checkCrash fails on anything a user would notice, of the guarantees g.
func checkCrash(t *testing.T, rep *crashReport, g guarantees) {
	t.Helper()
	t.Logf("crash run:\n%s", rep)
	if !g.FollowUps {
		t.Logf("follow-up deliveries and the scheduled digest are reported above, not checked: issue 9's " +
			"follow-up and report path is not on main yet")
	}
	if rep.LostUpdates > 0 {
		t.Errorf("%d updates lost", rep.LostUpdates)
	}
	if rep.GaveUp > 0 {
		t.Errorf("%d updates given up on after ordinary kills", rep.GaveUp)
	}
	if rep.VisitsTwice+rep.ObjectionsTwice+rep.RemindersTwice+rep.RevisitsTwice > 0 {
		t.Errorf("stored twice: %d visits, %d objections, %d reminders, %d revisit follow-ups",
			rep.VisitsTwice, rep.ObjectionsTwice, rep.RemindersTwice, rep.RevisitsTwice)
	}
	if rep.VisitsLost+rep.ObjectionsLost+rep.RemindersLost+rep.PressesLost > 0 {
		t.Errorf("not stored: %d visits, %d objections, %d reminders, %d button presses",
			rep.VisitsLost, rep.ObjectionsLost, rep.RemindersLost, rep.PressesLost)
	}
	count := func(fs []finding) (n int) {
		for _, f := range fs {
			if !f.fu || g.FollowUps {
				n++
			}
		}
		return n
	}
	if n := count(rep.Missing); n > 0 {
		t.Errorf("%d replies never sent", n)
	}
	if n := count(rep.Stalls); n > 0 {
		t.Errorf("%d replies more than 60 s late", n)
	}
	if rep.DigestHeadersTwice > 0 {
		t.Errorf("/digest answered more than once %d times", rep.DigestHeadersTwice)
	}
	unexplained := 0
	for _, d := range rep.Doubled {
		ok := d.inWin // judged by timing alone without the durable outbox
		if rep.Outbox {
			ok = d.started
		}
		if !ok && (!d.fu || g.FollowUps) {
			unexplained++
		}
	}
	if unexplained > 0 {
		t.Errorf("%d messages sent twice although no kill interrupted their send (see the list above)", unexplained)
	}
	if len(rep.Exits) > 0 {
		t.Errorf("the process ended on its own %d times: %v", len(rep.Exits), rep.Exits)
	}
	if !g.FollowUps {
		return
	}
	for i, h := range rep.ScheduledDigestHeaders {
		again := rep.ScheduledDigestPartsAgain[i] // parts whose send was started twice: the allowed repeat
		if h < 1 || h > 1+again {
			t.Errorf("manager %d got the scheduled digest %d times (%d part sends interrupted)", i, h, again)
		}
		if got, want := rep.ScheduledDigestParts[i], rep.ScheduledDigestRecordedParts[i]; got < want || got > want+again {
			t.Errorf("manager %d got %d digest messages for a digest of %d parts (%d part sends interrupted)", i, got, want, again)
		}
	}
	if rep.FalseMaybeRepeats > 0 {
		t.Errorf("%d follow-ups said \"you may have got this once already\" on their first copy", rep.FalseMaybeRepeats)
	}
}
