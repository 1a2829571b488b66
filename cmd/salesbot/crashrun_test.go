package main

// The crash harness: the real salesbot binary against the fake Bot API
// (internal/tgfake, served over HTTP by the test process, so it outlives
// every kill), users sending visits, objections, /remind, button presses
// and /digest at human pace, the process SIGKILLed at random points and
// restarted at once on the same database. At the end it counts, from the
// database and from what the fake recorded, what a user would notice: lost
// messages, rows stored twice, replies never sent or sent twice, and late
// replies.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
)

// crashConfig sizes one crash run.
type crashConfig struct {
	Reps, Managers int
	Kills          int
	// Each process lives a random time in [UpMin, UpMax] before its kill.
	UpMin, UpMax time.Duration
	// Each user acts every random [ActMin, ActMax].
	ActMin, ActMax time.Duration
	// DigestEvery is how often the admin asks for /digest.
	DigestEvery time.Duration
	// RateChat is --rate-chat (messages per second to one chat).
	RateChat float64
	// Settle bounds the wait, after the last restart, for every reply.
	Settle time.Duration
	// Window is how long after a message went out a kill may come for a
	// second copy of it to count as the one unavoidable duplicate
	// (Telegram accepted it; the process died before recording that).
	Window time.Duration
	// DB is the --db value; empty: a SQLite file in the test's temp dir.
	DB string
	// Seed makes the run's choices repeatable (the kill times are not).
	Seed uint64
	// FollowUps: wait in the settle for follow-up deliveries and the
	// scheduled digest too (the dispatcher's and reports' path).
	FollowUps bool
}

type actionKind string

const (
	actVisit     actionKind = "visit"
	actObjection actionKind = "objection"
	actRemind    actionKind = "remind"
	actDone      actionKind = "done press"
	actGrade     actionKind = "grade press"
	actDigest    actionKind = "digest"
)

// action is one thing a user did, with what identifies its effects.
type action struct {
	kind   actionKind
	chat   int64
	update int64
	at     time.Time
	key    string // client name, objection words or reminder text
	msgID  int    // the pressed message
	grade  string // the pressed grade
}

// crashRun is one run of the harness.
type crashRun struct {
	t    testing.TB
	cfg  crashConfig
	bin  string
	db   string
	logs *os.File
	fake *tgfake.Server

	admin    tgfake.User
	managers []tgfake.User
	reps     []tgfake.User
	seq      atomic.Int64 // numbers client names, words and texts apart

	mu      sync.Mutex
	actions []action
	pressed map[[2]int64]bool // chat, message id
	// pressedFU are the reminders' Done buttons pressed: a reminder
	// delivered twice (a send started again after a kill) is pressed once,
	// as a person would; Done on its other copy rightly says "done already".
	pressedFU map[string]bool
	kills     []time.Time
	exits     []string // the process ended on its own

	proc    *exec.Cmd
	procEnd chan error
	digest  time.Time // when the scheduled digest is due
	// setupSent is how many Sent records setup left (joins, help texts).
	setupSent int
}

// buildBinary compiles salesbot into dir, as a user would run it.
func buildBinary(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "salesbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func newCrashRun(t testing.TB, cfg crashConfig) *crashRun {
	t.Helper()
	dir := t.TempDir()
	r := &crashRun{t: t, cfg: cfg, bin: buildBinary(t, dir), db: cfg.DB, pressed: map[[2]int64]bool{}, pressedFU: map[string]bool{}}
	if r.db == "" {
		r.db = filepath.Join(dir, "salesbot.db")
	}
	var err error
	if r.logs, err = os.Create(filepath.Join(dir, "salesbot.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.logs.Close() })
	r.fake = tgfake.New()
	t.Cleanup(r.fake.Close)
	t.Cleanup(func() {
		if r.proc != nil {
			_ = r.proc.Process.Signal(syscall.SIGKILL)
			<-r.procEnd
		}
		if t.Failed() {
			t.Logf("the binary's log (last 60 lines):\n%s", tail(r.logs.Name(), 60))
			if keep := os.Getenv("SALESBOT_CRASH_KEEP"); keep != "" {
				data, _ := os.ReadFile(r.logs.Name())
				if err := os.WriteFile(keep, data, 0o644); err == nil {
					t.Logf("the whole log is in %s", keep)
				}
			}
		}
	})
	r.admin = tgfake.User{ID: 100, FirstName: "Ada", Username: "ada", LanguageCode: "en"}
	for i := range cfg.Managers {
		r.managers = append(r.managers, tgfake.User{ID: int64(200 + i), FirstName: fmt.Sprintf("Mia%d", i), Username: fmt.Sprintf("mia%d", i), LanguageCode: "en"})
	}
	for i := range cfg.Reps {
		r.reps = append(r.reps, tgfake.User{ID: int64(300 + i), FirstName: fmt.Sprintf("Rex%d", i), Username: fmt.Sprintf("rex%d", i), LanguageCode: "en"})
	}
	return r
}

// start runs `salesbot run` on the run's database.
func (r *crashRun) start() {
	cmd := exec.Command(r.bin, "run",
		"--api-url", r.fake.URL(), "--db", r.db, "--admins", fmt.Sprint(r.admin.ID), "--tz", "UTC",
		"--dispatch-every", "1s", "--rate-chat", fmt.Sprint(r.cfg.RateChat), "--log-level", "info")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "SALESBOT_") || strings.HasPrefix(kv, "TELEGRAM_")
	})
	cmd.Env = append(env, "TELEGRAM_BOT_TOKEN=4242:crash-test")
	cmd.Stdout, cmd.Stderr = r.logs, r.logs
	fmt.Fprintf(r.logs, "=== start %s\n", time.Now().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("start salesbot: %v", err)
	}
	end := make(chan error, 1)
	go func() { end <- cmd.Wait() }()
	r.proc, r.procEnd = cmd, end
}

// kill SIGKILLs the process and waits for it to be gone.
func (r *crashRun) kill() {
	r.mu.Lock()
	r.kills = append(r.kills, time.Now())
	r.mu.Unlock()
	_ = r.proc.Process.Signal(syscall.SIGKILL)
	<-r.procEnd
	r.proc = nil
}

// stop ends the process with SIGTERM, as an operator would.
func (r *crashRun) stop() {
	_ = r.proc.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.procEnd:
		if err != nil {
			r.t.Errorf("salesbot after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		r.t.Errorf("salesbot did not stop within 30 s of SIGTERM")
		_ = r.proc.Process.Signal(syscall.SIGKILL)
		<-r.procEnd
	}
	r.proc = nil
}

// live waits d, restarting the process if it ended on its own.
func (r *crashRun) live(d time.Duration) {
	deadline := time.After(d)
	for {
		select {
		case <-deadline:
			return
		case err := <-r.procEnd:
			r.mu.Lock()
			r.exits = append(r.exits, fmt.Sprint(err))
			r.mu.Unlock()
			r.start()
		}
	}
}

func (r *crashRun) record(a action) {
	r.mu.Lock()
	r.actions = append(r.actions, a)
	r.mu.Unlock()
}

// sendText makes u send text and records it as an action of kind.
func (r *crashRun) sendText(u tgfake.User, kind actionKind, key, text string) {
	at := time.Now()
	id := r.fake.SendText(u, text)
	r.record(action{kind: kind, chat: u.ID, update: id, at: at, key: key})
}

// waitFor polls what the fake recorded until cond holds or d passes.
func (r *crashRun) waitFor(d time.Duration, cond func(sent []tgfake.Sent) bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond(r.fake.Sent()) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(25 * time.Millisecond) // polling a condition, not waiting for time to pass
	}
}

// countSent counts messages sent to chat that contain sub.
func countSent(sent []tgfake.Sent, chat int64, sub string) int {
	n := 0
	for _, s := range sent {
		if s.ChatID == chat && s.Method == "sendMessage" && strings.Contains(s.Text, sub) {
			n++
		}
	}
	return n
}

// setup creates the team and its people through chat, with the process
// running undisturbed, and schedules the daily digest.
func (r *crashRun) setup() {
	t := r.t
	t.Helper()
	r.start()
	say := func(u tgfake.User, text, want string, n int) {
		t.Helper()
		r.fake.SendText(u, text)
		if !r.waitFor(60*time.Second, func(s []tgfake.Sent) bool { return countSent(s, u.ID, want) >= n }) {
			t.Fatalf("%s sent %q and got no %q; their chat: %s", u.FirstName, text, want, texts(r.fake.SentTo(u.ID)))
		}
	}
	say(r.admin, "/newteam North", "Team North created", 1)
	say(r.admin, "/schedule North summary off", "Reports for North", 1)
	say(r.admin, "/schedule North deadline off", "Reports for North", 2)
	say(r.admin, "/schedule North days mon-sun", "Reports for North", 3)

	people := append(slices.Clone(r.managers), r.reps...)
	for i := range people {
		role := "rep"
		if i < len(r.managers) {
			role = "manager"
		}
		say(r.admin, "/invite "+role+" North", "Code: ", i+1)
	}
	codeRE := regexp.MustCompile(`Code: ([A-Z0-9]+)`)
	var codes []string
	for _, s := range r.fake.SentTo(r.admin.ID) {
		if m := codeRE.FindStringSubmatch(s.Text); m != nil {
			codes = append(codes, m[1])
		}
	}
	for i, u := range people {
		r.fake.SendText(u, "/join "+codes[i])
	}
	for _, u := range people {
		// The welcome, then the help for their role.
		joined := func(s []tgfake.Sent) bool {
			return countSent(s, u.ID, "Welcome to North") == 1 && countSent(s, u.ID, "") >= 2
		}
		if !r.waitFor(60*time.Second, joined) {
			t.Fatalf("%s could not join: %s", u.FirstName, texts(r.fake.SentTo(u.ID)))
		}
	}

	// The digest falls due while the kills go on, so it is sent by a
	// process that may well be killed half-way through it: the kills are
	// spread out to last until 15 s after it.
	est := time.Duration(r.cfg.Kills) * (r.cfg.UpMin + r.cfg.UpMax) / 2
	r.digest = time.Now().UTC().Add(est * 2 / 5).Truncate(time.Minute).Add(time.Minute)
	if need := time.Until(r.digest) + 15*time.Second; need > est {
		r.cfg.UpMin = time.Duration(float64(r.cfg.UpMin) * float64(need) / float64(est))
		r.cfg.UpMax = time.Duration(float64(r.cfg.UpMax) * float64(need) / float64(est))
	}
	say(r.admin, "/schedule North digest "+r.digest.Format("15:04"), "daily digest: "+r.digest.Format("15:04"), 1)
	r.setupSent = len(r.fake.Sent())
}

// load plays every user until ctx ends.
func (r *crashRun) load(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	play := func(u tgfake.User, i int, act func(rng *rand.Rand)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(r.cfg.Seed, uint64(i)))
			for {
				d := r.cfg.ActMin + time.Duration(rng.Int64N(int64(r.cfg.ActMax-r.cfg.ActMin)+1))
				select {
				case <-ctx.Done():
					return
				case <-time.After(d):
				}
				act(rng)
			}
		}()
	}
	for i, u := range r.reps {
		var visited []string
		play(u, i, func(rng *rand.Rand) {
			n := r.seq.Add(1)
			switch p := rng.Float64(); {
			case p < 0.40 || len(visited) == 0:
				client := fmt.Sprintf("Acme %d", n)
				visited = append(visited, client)
				r.sendText(u, actVisit, client, "/visit "+client+"; met Li (buyer); demo; warm")
			case p < 0.55:
				client := visited[rng.IntN(len(visited))]
				words := fmt.Sprintf("too expensive %d", n)
				r.sendText(u, actObjection, words, fmt.Sprintf("/objection %s; price; \"%s\"; answer: terms", client, words))
			case p < 0.75:
				r.remind(u, rng, n)
			default:
				if !r.press(u, rng) {
					r.remind(u, rng, n)
				}
			}
		})
	}
	for i, u := range r.managers {
		play(u, 100+i, func(rng *rand.Rand) {
			if rng.Float64() < 0.5 || !r.press(u, rng) {
				r.remind(u, rng, r.seq.Add(1))
			}
		})
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.cfg.DigestEvery):
			}
			r.sendText(r.admin, actDigest, "", "/digest North")
		}
	}()
	return &wg
}

func (r *crashRun) remind(u tgfake.User, rng *rand.Rand, n int64) {
	text := fmt.Sprintf("call Li #%d now", n)
	r.sendText(u, actRemind, text, fmt.Sprintf("/remind in %d seconds %s", 3+rng.IntN(8), text))
}

// press taps Done on a delivered reminder or a grade on a new client's
// question, each message once; false when there is nothing to press.
func (r *crashRun) press(u tgfake.User, rng *rand.Rand) bool {
	for _, m := range r.fake.Messages(u.ID) {
		if m.Deleted || len(m.Buttons) == 0 {
			continue
		}
		r.mu.Lock()
		done := r.pressed[[2]int64{u.ID, int64(m.ID)}]
		r.mu.Unlock()
		if done {
			continue
		}
		var a action
		switch {
		case strings.HasPrefix(m.Text, "🔔 Reminder: ") && strings.HasPrefix(m.Buttons[0][0].Data, "fu:d:"):
			data := fmt.Sprint(u.ID, " ", m.Buttons[0][0].Data)
			r.mu.Lock()
			again := r.pressedFU[data]
			r.pressedFU[data] = true
			r.mu.Unlock()
			if again {
				continue
			}
			a = action{kind: actDone, key: reminderText(m.Text)}
			a.update = r.fake.PressButton(u, m.ID, m.Buttons[0][0].Data)
		case strings.Contains(m.Text, "is a new client. Which grade is it?"):
			b := m.Buttons[rng.IntN(2)][rng.IntN(2)]
			a = action{kind: actGrade, key: strings.TrimSuffix(m.Text, " is a new client. Which grade is it?"), grade: b.Data[strings.LastIndex(b.Data, ":")+1:]}
			a.update = r.fake.PressButton(u, m.ID, b.Data)
		default:
			continue
		}
		a.chat, a.msgID, a.at = u.ID, m.ID, time.Now()
		r.mu.Lock()
		r.pressed[[2]int64{u.ID, int64(m.ID)}] = true
		r.mu.Unlock()
		r.record(a)
		return true
	}
	return false
}

// reminderText is the reminder's own text in its delivery message.
func reminderText(msg string) string {
	s := strings.TrimPrefix(msg, "🔔 Reminder: ")
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// run is the whole harness: setup, load with kills, settle, the count.
func (r *crashRun) run() *crashReport {
	r.setup()
	ctx, stopLoad := context.WithCancel(context.Background())
	load := r.load(ctx)
	rng := rand.New(rand.NewPCG(r.cfg.Seed, 999))
	began := time.Now()
	for range r.cfg.Kills {
		r.live(r.cfg.UpMin + time.Duration(rng.Int64N(int64(r.cfg.UpMax-r.cfg.UpMin)+1)))
		r.kill()
		r.start()
	}
	killing := time.Since(began)
	stopLoad()
	load.Wait()

	// The last process is left alone until everything users asked for
	// has arrived (bounded), then stopped as an operator would.
	settleFrom := time.Now()
	settled := r.waitFor(r.cfg.Settle, func(sent []tgfake.Sent) bool {
		return r.fake.PendingUpdates() == 0 && len(r.missing(sent)) == 0
	})
	if !r.cfg.FollowUps {
		// Not checked, but given a little time so that the report shows
		// what stays undelivered rather than what is merely not due yet.
		r.cfg.FollowUps = true
		r.waitFor(15*time.Second, func(sent []tgfake.Sent) bool { return len(r.missing(sent)) == 0 })
		r.cfg.FollowUps = false
	}
	settling := time.Since(settleFrom)
	r.live(2 * time.Second) // room for late copies to show
	r.stop()

	rep := r.count()
	rep.Kills, rep.Killing, rep.Settling, rep.Settled = len(r.kills), killing, settling, settled
	rep.Exits = r.exits
	return rep
}

// missing lists the replies not yet seen at all.
func (r *crashRun) missing(sent []tgfake.Sent) []string {
	r.mu.Lock()
	acts := slices.Clone(r.actions)
	r.mu.Unlock()
	var out []string
	for _, a := range acts {
		for _, e := range expectations(a) {
			if (!e.fu || r.cfg.FollowUps) && countSent(sent, a.chat, e.sub) == 0 && !edited(r.fake, a, e.sub) {
				out = append(out, fmt.Sprintf("%s %q: no %q", a.kind, a.key, e.sub))
			}
		}
	}
	digests := 0
	for _, a := range acts {
		if a.kind == actDigest {
			digests++
		}
	}
	if n := countSent(sent, r.admin.ID, "— daily digest"); n < digests {
		out = append(out, fmt.Sprintf("/digest: %d asked, %d answered", digests, n))
	}
	for _, m := range r.managers {
		if r.cfg.FollowUps && countSent(sent, m.ID, "— daily digest") == 0 {
			out = append(out, fmt.Sprintf("scheduled digest due %s: not sent to %s", r.digest.Format("15:04"), m.FirstName))
		}
	}
	return out
}

// expect is a text one of the bot's answers to an action must contain;
// fu marks a follow-up's delivery (the dispatcher's path, not a reply).
type expect struct {
	sub string
	fu  bool
}

// expectations are what the bot's answers to a must contain; a press's
// answer is an edit of the pressed message (see edited).
func expectations(a action) []expect {
	switch a.kind {
	case actVisit:
		return []expect{{sub: "✅ Visit saved — " + a.key + ","}, {sub: a.key + " is a new client."}}
	case actObjection:
		return []expect{{sub: "client's words: " + a.key + "\n"}}
	case actRemind:
		return []expect{{sub: "\n" + a.key}, {sub: "🔔 Reminder: " + a.key, fu: true}}
	case actDone:
		return []expect{{sub: "✅ Done"}}
	case actGrade:
		return []expect{{sub: "Grade of " + a.key + ":"}}
	}
	return nil
}

// edited tells whether the message a pressed shows want now.
func edited(fake *tgfake.Server, a action, want string) bool {
	if a.kind != actDone && a.kind != actGrade {
		return false
	}
	for _, m := range fake.Messages(a.chat) {
		if m.ID == a.msgID {
			return strings.Contains(m.Text, want)
		}
	}
	return false
}

// crashReport is what a run found.
type crashReport struct {
	Kills             int
	Window            time.Duration
	Killing, Settling time.Duration
	Settled           bool
	Exits             []string

	Updates, LostUpdates, GaveUp int
	// Outbox: the database has the durable outbox's table, so doubled
	// deliveries are judged by its send counts, not by timing.
	Outbox                       bool
	Visits, VisitsTwice          int
	VisitsLost                   int
	Objections, ObjectionsTwice  int
	ObjectionsLost               int
	Reminders, RemindersTwice    int
	RemindersLost                int
	RevisitsTwice                int
	Presses, PressesLost         int
	Digests, DigestHeadersTwice  int
	ScheduledDigestHeaders       []int // per manager
	ScheduledDigestParts         []int // parts received, per manager
	ScheduledDigestRecordedParts []int // parts the database recorded
	ScheduledDigestPartsAgain    []int // parts whose send was started more than once
	Stalls                       []finding
	MaxLatency                   time.Duration
	FalseMaybeRepeats            int // "you may have got this" on a first copy
	Missing                      []finding
	Doubled                      []doubled
}

// finding is one thing a user would notice; fu marks the follow-up and
// report path (the dispatcher and the scheduled digest), not a reply.
type finding struct {
	what string
	fu   bool
}

// doubled is a message the user got more than once.
type doubled struct {
	what  string
	gap   time.Duration // from the previous copy to the next kill (-1: no kill)
	inWin bool
	fu    bool
	// started: the database shows the message's send was started more
	// than once (outgoing.attempts > 1), the one way a copy may repeat.
	started bool
}

func (d doubled) String() string {
	switch {
	case d.started:
		return fmt.Sprintf("%s (its send was started again after a kill %v after the earlier copy)", d.what, d.gap.Round(time.Millisecond))
	case d.gap < 0:
		return fmt.Sprintf("%s (no kill after the earlier copy: outside the window)", d.what)
	case d.inWin:
		return fmt.Sprintf("%s (kill %v after the earlier copy: inside the window)", d.what, d.gap.Round(time.Millisecond))
	}
	return fmt.Sprintf("%s (kill %v after the earlier copy: outside the window)", d.what, d.gap.Round(time.Millisecond))
}

// DoubledInWindow and DoubledOutside split the doubled deliveries.
func (rep *crashReport) DoubledInWindow() (in, out int) {
	for _, d := range rep.Doubled {
		if d.inWin {
			in++
		} else {
			out++
		}
	}
	return in, out
}

// count reads the database and the fake's record after the run.
func (r *crashRun) count() *crashReport {
	t := r.t
	t.Helper()
	g := storagetest.Raw(t, r.db)
	q := func(dst any, sql string, args ...any) {
		t.Helper()
		if err := g.Raw(sql, args...).Scan(dst).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	rep := &crashReport{Window: r.cfg.Window}
	sent := r.fake.Sent()
	acts := slices.Clone(r.actions)

	// Updates: every one the users sent is stored and handled.
	var ups []struct {
		UpdateID int64
		State    string
	}
	q(&ups, "SELECT update_id, state FROM updates")
	stored := map[int64]string{}
	for _, u := range ups {
		stored[u.UpdateID] = u.State
	}
	rep.Updates = len(acts)
	for _, a := range acts {
		if st, ok := stored[a.update]; !ok || st == storage.UpdatePending {
			rep.LostUpdates++
		}
	}
	// Given up on (the user is told, but what they sent has no effect);
	// the column exists once the inbox gives up visibly (issue 9).
	if g.Migrator().HasColumn("updates", "gave_up") {
		q(&rep.GaveUp, "SELECT COUNT(*) FROM updates WHERE gave_up")
	}

	type keyCount struct {
		Key string
		N   int
	}
	counts := func(sql string) map[string]int {
		var rows []keyCount
		q(&rows, sql)
		m := map[string]int{}
		for _, row := range rows {
			m[row.Key] = row.N
		}
		return m
	}
	visits := counts(`SELECT c.name AS key, COUNT(*) AS n FROM visits v JOIN clients c ON c.id = v.client_id WHERE v.deleted_at IS NULL GROUP BY c.name`)
	objections := counts(`SELECT words AS key, COUNT(*) AS n FROM objections WHERE deleted_at IS NULL GROUP BY words`)
	reminders := counts(`SELECT text AS key, COUNT(*) AS n FROM follow_ups WHERE kind = 'reminder' GROUP BY text`)
	revisits := counts(`SELECT CAST(visit_id AS TEXT) AS key, COUNT(*) AS n FROM follow_ups WHERE kind = 'revisit' GROUP BY visit_id`)
	for _, n := range revisits {
		if n > 1 {
			rep.RevisitsTwice += n - 1
		}
	}
	tally := func(m map[string]int, key string, total, twice, lost *int) {
		*total++
		switch n := m[key]; {
		case n == 0:
			*lost++
		case n > 1:
			*twice += n - 1
		}
	}
	var doneTexts, grades []keyCount
	q(&doneTexts, `SELECT text AS key, COUNT(*) AS n FROM follow_ups WHERE kind = 'reminder' AND state = 'done' GROUP BY text`)
	q(&grades, `SELECT name AS key, COUNT(*) AS n FROM clients WHERE grade <> '' GROUP BY name`)
	doneSet, gradeSet := map[string]bool{}, map[string]bool{}
	for _, d := range doneTexts {
		doneSet[d.Key] = true
	}
	for _, d := range grades {
		gradeSet[d.Key] = true
	}
	for _, a := range acts {
		switch a.kind {
		case actVisit:
			tally(visits, a.key, &rep.Visits, &rep.VisitsTwice, &rep.VisitsLost)
		case actObjection:
			tally(objections, a.key, &rep.Objections, &rep.ObjectionsTwice, &rep.ObjectionsLost)
		case actRemind:
			tally(reminders, a.key, &rep.Reminders, &rep.RemindersTwice, &rep.RemindersLost)
		case actDone:
			rep.Presses++
			if !doneSet[a.key] {
				rep.PressesLost++
			}
		case actGrade:
			rep.Presses++
			if !gradeSet[a.key] {
				rep.PressesLost++
			}
		case actDigest:
			rep.Digests++
		}
	}

	// Replies: each at least once, how late, and every extra copy.
	var due []struct {
		Text  string
		DueAt time.Time
	}
	q(&due, `SELECT text, due_at FROM follow_ups WHERE kind = 'reminder'`)
	dueAt := map[string]time.Time{}
	for _, d := range due {
		if old, ok := dueAt[d.Text]; !ok || d.DueAt.Before(old) {
			dueAt[d.Text] = d.DueAt
		}
	}
	// The durable outbox (issue 9) counts the sends it started per message:
	// only one started more than once may have reached the user twice.
	var again []struct {
		ChatID  int64
		Payload string
	}
	if g.Migrator().HasTable("outgoing") {
		rep.Outbox = true
		q(&again, "SELECT chat_id, payload FROM outgoing WHERE attempts > 1")
	}
	restarted := func(chat int64, sub string) bool {
		for _, o := range again {
			if o.ChatID == chat && jsonHas([]byte(o.Payload), sub) {
				return true
			}
		}
		return false
	}
	for _, a := range acts {
		for _, e := range expectations(a) {
			what := fmt.Sprintf("%s %q: %q", a.kind, a.key, strings.TrimSpace(e.sub))
			copies := sentAt(sent, a.chat, e.sub)
			if len(copies) == 0 {
				if !edited(r.fake, a, e.sub) {
					rep.Missing = append(rep.Missing, finding{what, e.fu})
				}
				continue
			}
			from := a.at
			if e.fu {
				if d, ok := dueAt[a.key]; ok {
					from = d
				}
				// The note is false only when no send of it had started
				// before: a start committed just before a kill that came
				// ahead of the request is a start the bot rightly counts.
				if strings.Contains(sentText(sent, a.chat, e.sub, 0), "may have got this once already") && !restarted(a.chat, e.sub) {
					rep.FalseMaybeRepeats++
				}
			}
			lat := copies[0].Sub(from)
			rep.MaxLatency = max(rep.MaxLatency, lat)
			if lat > 60*time.Second {
				rep.Stalls = append(rep.Stalls, finding{fmt.Sprintf("%s after %v", what, lat.Round(time.Second)), e.fu})
			}
			for i := 1; i < len(copies); i++ {
				d := r.classify(what, copies[i-1])
				d.fu = e.fu
				d.started = restarted(a.chat, e.sub)
				rep.Doubled = append(rep.Doubled, d)
			}
		}
	}
	digestHeaders := sentAt(sent, r.admin.ID, "— daily digest")
	// A digest whose first part's send was started again (outgoing.attempts
	// > 1) is the one allowed repeat, like any other message.
	again2 := 0
	for _, o := range again {
		if o.ChatID == r.admin.ID && jsonHas([]byte(o.Payload), "— daily digest") {
			again2++
		}
	}
	rep.DigestHeadersTwice = max(0, len(digestHeaders)-rep.Digests-again2)

	// The scheduled digest: once per manager, each part once.
	var parts []struct {
		UserID int64
		Parts  int
	}
	q(&parts, `SELECT u.telegram_id AS user_id, r.parts FROM report_sends r JOIN users u ON u.id = r.user_id WHERE r.kind = 'digest'`)
	if len(digestHeaders) < rep.Digests {
		rep.Missing = append(rep.Missing, finding{fmt.Sprintf("/digest: %d asked, %d answered", rep.Digests, len(digestHeaders)), false})
	}
	for _, m := range r.managers {
		headers := sentAt(sent, m.ID, "— daily digest")
		if len(headers) == 0 {
			rep.Missing = append(rep.Missing, finding{fmt.Sprintf("scheduled digest due %s: not sent to %s", r.digest.Format("15:04"), m.FirstName), true})
		} else if lat := headers[0].Sub(r.digest); lat > 60*time.Second {
			rep.Stalls = append(rep.Stalls, finding{fmt.Sprintf("scheduled digest due %s: sent to %s after %v", r.digest.Format("15:04"), m.FirstName, lat.Round(time.Second)), true})
		}
		rep.ScheduledDigestHeaders = append(rep.ScheduledDigestHeaders, len(headers))
		n := 0
		for _, s := range sent[r.setupSent:] {
			if s.ChatID == m.ID && s.Method == "sendMessage" && digestPart(s.Text) {
				n++
			}
		}
		rep.ScheduledDigestParts = append(rep.ScheduledDigestParts, n)
		recorded := 0
		for _, p := range parts {
			if p.UserID == m.ID {
				recorded = p.Parts
			}
		}
		rep.ScheduledDigestRecordedParts = append(rep.ScheduledDigestRecordedParts, recorded)
		var partsAgain int
		if rep.Outbox {
			q(&partsAgain, `SELECT COALESCE(SUM(o.attempts - 1), 0) FROM outgoing o JOIN report_sends r ON r.id = o.source_id
				JOIN users u ON u.id = r.user_id WHERE o.source = 'report' AND r.kind = 'digest' AND o.attempts > 1 AND u.telegram_id = ?`, m.ID)
		}
		rep.ScheduledDigestPartsAgain = append(rep.ScheduledDigestPartsAgain, partsAgain)
	}
	return rep
}

// digestPart tells a digest's message in a manager's chat from the rest
// they get (join, reminders).
func digestPart(text string) bool {
	for _, p := range []string{"Welcome", "⏰", "🔔", "Grade of", "This follow-up"} {
		if strings.HasPrefix(text, p) {
			return false
		}
	}
	return true
}

// classify says whether a second copy is the unavoidable one: the kill
// came within the window after the earlier copy went out.
func (r *crashRun) classify(what string, prev time.Time) doubled {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := sort.Search(len(r.kills), func(i int) bool { return !r.kills[i].Before(prev) })
	if i == len(r.kills) {
		return doubled{what: what, gap: -1}
	}
	gap := r.kills[i].Sub(prev)
	return doubled{what: what, gap: gap, inWin: gap <= r.cfg.Window}
}

// jsonHas tells whether some string in a JSON document contains sub.
func jsonHas(doc []byte, sub string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return strings.Contains(v, sub)
		case []any:
			return slices.ContainsFunc(v, walk)
		case map[string]any:
			for _, x := range v {
				if walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// sentAt returns when each message to chat containing sub went out.
func sentAt(sent []tgfake.Sent, chat int64, sub string) []time.Time {
	var out []time.Time
	for _, s := range sent {
		if s.ChatID == chat && s.Method == "sendMessage" && strings.Contains(s.Text, sub) {
			out = append(out, s.At)
		}
	}
	return out
}

func sentText(sent []tgfake.Sent, chat int64, sub string, i int) string {
	for _, s := range sent {
		if s.ChatID == chat && s.Method == "sendMessage" && strings.Contains(s.Text, sub) {
			if i == 0 {
				return s.Text
			}
			i--
		}
	}
	return ""
}

// String is the report as the issue measures it.
func (rep *crashReport) String() string {
	var b strings.Builder
	in, out := rep.DoubledInWindow()
	fmt.Fprintf(&b, "kills: %d in %v; settled: %v after %v; the process ended on its own %d times\n",
		rep.Kills, rep.Killing.Round(time.Second), rep.Settled, rep.Settling.Round(time.Second), len(rep.Exits))
	fmt.Fprintf(&b, "updates sent: %d, lost: %d, given up on: %d\n", rep.Updates, rep.LostUpdates, rep.GaveUp)
	fmt.Fprintf(&b, "visits: %d, stored twice: %d, not stored: %d (revisit follow-ups doubled: %d)\n", rep.Visits, rep.VisitsTwice, rep.VisitsLost, rep.RevisitsTwice)
	fmt.Fprintf(&b, "objections: %d, stored twice: %d, not stored: %d\n", rep.Objections, rep.ObjectionsTwice, rep.ObjectionsLost)
	fmt.Fprintf(&b, "reminders: %d, created twice: %d, not created: %d\n", rep.Reminders, rep.RemindersTwice, rep.RemindersLost)
	fmt.Fprintf(&b, "button presses: %d, without effect: %d\n", rep.Presses, rep.PressesLost)
	fmt.Fprintf(&b, "/digest: %d asked, answered more than once: %d\n", rep.Digests, rep.DigestHeadersTwice)
	fmt.Fprintf(&b, "scheduled digest per manager: headers %v, parts received %v, parts recorded %v, part sends interrupted %v\n",
		rep.ScheduledDigestHeaders, rep.ScheduledDigestParts, rep.ScheduledDigestRecordedParts, rep.ScheduledDigestPartsAgain)
	fmt.Fprintf(&b, "replies never sent: %d; stalls > 60 s: %d; slowest first reply: %v\n", len(rep.Missing), len(rep.Stalls), rep.MaxLatency.Round(time.Millisecond))
	fmt.Fprintf(&b, "\"may have got this once already\" on a first copy: %d\n", rep.FalseMaybeRepeats)
	fmt.Fprintf(&b, "doubled deliveries: %d (inside the %v window: %d, outside: %d)\n", len(rep.Doubled), rep.Window, in, out)
	if rep.Outbox {
		started := 0
		for _, d := range rep.Doubled {
			if d.started {
				started++
			}
		}
		fmt.Fprintf(&b, "doubled deliveries whose send the outbox had started again: %d of %d\n", started, len(rep.Doubled))
	}
	var gaps []time.Duration
	for _, d := range rep.Doubled {
		if d.inWin {
			gaps = append(gaps, d.gap)
		}
	}
	if len(gaps) > 0 {
		slices.Sort(gaps)
		fmt.Fprintf(&b, "inside the window, earlier copy to kill: p50 %v, max %v\n",
			gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond))
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for i, s := range items {
			if i == 15 {
				fmt.Fprintf(&b, "  … and %d more\n", len(items)-15)
				break
			}
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	whats := func(fs []finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.what)
		}
		return out
	}
	list("never sent", whats(rep.Missing))
	list("stalls", whats(rep.Stalls))
	var ds []string
	for _, d := range rep.Doubled {
		ds = append(ds, d.String())
	}
	list("doubled", ds)
	list("exits", rep.Exits)
	return b.String()
}

func texts(sent []tgfake.Sent) string {
	var b strings.Builder
	for _, s := range sent {
		fmt.Fprintf(&b, "\n  %s: %q", s.Method, s.Text)
	}
	return b.String()
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
