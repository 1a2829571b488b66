package app_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"salesbot/internal/app"
	"salesbot/internal/apptest"
	"salesbot/internal/outbox"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// The crash test: a scenario of user actions runs once untouched (the
// reference), then again and again on fresh databases with the process
// killed (App.Kill: as SIGKILL, nothing after it runs) at the n-th time it
// reaches a step boundary, and restarted at once on the same database.
// Whatever the boundary, the rows the scenario leaves are the reference's,
// every message the reference sent is sent, and a message is sent more
// often than in the reference only if its send was started and not marked
// (its row's Attempts > 1).

var rep = tgfake.User{ID: 501, FirstName: "Ann", Username: "ann", LanguageCode: "en"}

// mgrTG is the manager's chat in the digest scenario.
const mgrTG = 502

// boundaries are the fault points, in pipeline order. after-claim is
// between a follow-up's claim (or a report's queueing) and its send;
// after-send and after-mark in a digest of several parts are mid-digest.
var boundaries = []string{"before-commit", "after-commit", "after-claim", "before-send", "after-send", "after-mark"}

// driver runs a scenario's steps against a harness that may be killed.
type driver struct {
	t    *testing.T
	h    *apptest.Harness
	rig  *faultRig
	last []tgfake.Sent // what the bot sent in the last step, to press its buttons
}

// faultRig counts boundary crossings and kills at the chosen one.
type faultRig struct {
	point  string
	at     int64 // kill at this crossing (0: never)
	counts sync.Map
	armed  atomic.Bool
	killed chan struct{}
	h      *apptest.Harness
	once   sync.Once
}

func (f *faultRig) hit(point string) bool {
	v, _ := f.counts.LoadOrStore(point, new(atomic.Int64))
	n := v.(*atomic.Int64).Add(1)
	if !f.armed.Load() || point != f.point || n != f.at {
		return false
	}
	f.once.Do(func() {
		f.armed.Store(false)
		f.h.App.Kill()
		close(f.killed)
	})
	return true
}

func (f *faultRig) count(point string) int64 {
	v, ok := f.counts.Load(point)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

func (f *faultRig) config(c *app.Config) {
	c.Faults = app.Faults{
		BeforeCommit: func(int64) { f.hit("before-commit") },
		AfterCommit:  func(int64) { f.hit("after-commit") },
		AfterClaim:   func() { f.hit("after-claim") },
		Outbox: outbox.Faults{
			BeforeSend: func(storage.Outgoing) bool { return f.hit("before-send") },
			AfterSend:  func(storage.Outgoing) bool { return f.hit("after-send") },
			AfterMark:  func(storage.Outgoing) bool { return f.hit("after-mark") },
		},
	}
}

// step injects an update and waits until it and everything it caused
// settled — through a crash and restart when the fault fired meanwhile.
func (d *driver) step(inject func() int64) {
	d.t.Helper()
	n := len(d.h.Fake.Sent())
	id := inject()
	d.settle(id)
	d.last = nil
	d.keep(n)
}

// keep remembers what the rep was sent since the n-th message.
func (d *driver) keep(n int) {
	d.last = nil
	for _, s := range d.h.Fake.SentSince(n) {
		if s.ChatID == rep.ID && s.Method != "answerCallbackQuery" {
			d.last = append(d.last, s)
		}
	}
}

// job moves the clock (once, whatever happens), runs a periodic job as
// cron would and waits until what it queued is sent — through a crash
// and restart, whose start-up runs of the jobs pick up what was left.
func (d *driver) job(advance time.Duration, name string) {
	d.t.Helper()
	n := len(d.h.Fake.Sent())
	d.h.Clock.Advance(advance)
	_ = d.h.App.RunJob(context.Background(), name) // fails when the fault killed the app
	last, _ := d.h.App.DB.LastUpdateID(context.Background())
	d.settle(last)
	d.keep(n)
}

// settle waits for update id, restarting the app if the fault killed it.
func (d *driver) settle(id int64) {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-d.rig.killed:
			d.h.Crash()
			d.rig.killed = make(chan struct{}) // the fault fires once per run
			d.h.Settle(id)
			return
		default:
		}
		if d.settled(id) {
			select {
			case <-d.rig.killed:
				continue // killed at the last moment: restart
			default:
				return
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("update %d not settled\nlog:\n%s", id, d.h.Log.String())
		}
		time.Sleep(2 * time.Millisecond) // polling a condition, not waiting for time to pass
	}
}

// finish restarts the app if the fault fired after the last step settled.
func (d *driver) finish() {
	d.t.Helper()
	select {
	case <-d.rig.killed:
		d.h.Crash()
		d.rig.killed = make(chan struct{})
		last, _ := d.h.App.DB.LastUpdateID(context.Background())
		d.h.Settle(last)
	default:
	}
}

func (d *driver) settled(id int64) bool {
	ctx := context.Background()
	last, err1 := d.h.App.DB.LastUpdateID(ctx)
	pending, err2 := d.h.App.DB.PendingUpdates(ctx, 1)
	out, err3 := d.h.App.DB.LastOutgoingID(ctx)
	unsent, err4 := d.h.App.DB.UnsentOutgoingUpTo(ctx, out)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return false // the killed handle refuses everything; the crash branch restarts
	}
	return last >= id && len(pending) == 0 && unsent == 0
}

func (d *driver) send(text string) { d.step(func() int64 { return d.h.Fake.SendText(rep, text) }) }

func (d *driver) tap(label string) {
	d.t.Helper()
	id, data := apptest.Button(d.t, d.last, label)
	d.step(func() int64 { return d.h.Fake.PressButton(rep, id, data) })
}

type scenario struct {
	name string
	run  func(d *driver)
}

var scenarios = []scenario{
	{"quick visit", func(d *driver) {
		d.send("/visit Acme; met Li (buyer); demo; warm; next: send quote")
	}},
	{"grade button", func(d *driver) {
		d.send("/visit Acme; met Li (buyer); demo")
		d.tap("B — possible client")
	}},
	{"form visit", func(d *driver) {
		d.send("/visit")
		d.send("Globex")
		d.send("2")
		d.send("Zhou (buyer)")
		d.tap("✓ Done")
		d.tap("5. proposal / quote")
		d.tap("warm")
		d.tap("Skip")
		d.tap("Skip")
		d.tap("Skip")
		d.tap("No follow-up")
	}},
	{"objection", func(d *driver) {
		d.send(`/objection Acme; price; "too expensive"; answer: 12-month payment terms`)
	}},
	{"remind", func(d *driver) {
		d.send("/remind tomorrow 10:00 call Li about the quote")
	}},
	{"follow-up dispatch", func(d *driver) {
		d.send("/remind in 1 hour call Li about the quote")
		d.job(time.Hour, app.JobFollowUps)
		d.tap("✅ Done")
	}},
	{"digest", func(d *driver) {
		// Enough reps for a digest of several messages, written through
		// storage (no update, no boundary), then the day's digest.
		ctx := context.Background()
		db := d.h.App.DB
		team, err := db.TeamByName(ctx, "North")
		if err != nil {
			d.t.Fatal(err)
		}
		reportstest.Member(d.t, db, team.ID, mgrTG, "Mia", "en", models.RoleManager)
		at := d.h.Clock.Now().Add(30 * time.Minute)
		for i := range 45 {
			r := reportstest.Member(d.t, db, team.ID, int64(600+i), fmt.Sprintf("Rep %02d", i), "en", models.RoleRep)
			c := reportstest.Client(d.t, db, team.ID, r, fmt.Sprintf("Client %02d", i), models.StageContact)
			reportstest.Visit(d.t, db, models.Visit{TeamID: team.ID, RepID: r, ClientID: c, At: at,
				StageBefore: models.StageContact, Stage: models.StageNeeds, Attitude: models.AttitudeWarm})
		}
		due := models.DefaultReportSettings().DigestTime.On(models.CivilDate(at, time.UTC), time.UTC)
		d.job(due.Sub(d.h.Clock.Now())+time.Minute, app.JobReports)
	}},
}

// outcome is what a run left: the rows and what the rep saw.
type outcome struct {
	rows  map[string]int64
	texts map[string]int
	// repeatable counts, per text, the sends that may repeat: rows sent
	// again after an interrupted send.
	repeatable map[string]int
}

// repeatNote starts the line the outbox adds to a copy sent after an
// interrupted send (the English catalogue's followup_maybe_repeat).
const repeatNote = "\n(You may have got this once already"

func observe(t *testing.T, h *apptest.Harness) outcome {
	t.Helper()
	o := outcome{rows: map[string]int64{}, texts: map[string]int{}, repeatable: map[string]int{}}
	ctx := context.Background()
	counts, err := h.App.DB.RowCounts(ctx, "visits", "objections", "follow_ups", "clients", "contacts", "report_sends")
	if err != nil {
		t.Fatal(err)
	}
	o.rows = counts
	team, err := h.App.DB.TeamByName(ctx, "North")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Acme", "Globex"} {
		if c, err := h.App.DB.ClientByName(ctx, team.ID, name); err == nil {
			o.rows["grade of "+name+": "+string(c.Grade)] = 1
		}
	}
	states, err := h.App.DB.FollowUpStateCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for st, n := range states {
		o.rows["follow-ups "+string(st)] = n
	}
	noted := map[string]int{}
	for _, chat := range []int64{rep.ID, mgrTG} {
		for _, s := range h.Fake.SentTo(chat) {
			if s.Method == "answerCallbackQuery" {
				continue
			}
			text := s.Text
			if i := strings.Index(text, repeatNote); i >= 0 {
				text = text[:i]
				noted[text]++
			}
			o.texts[text]++
		}
	}
	rows, err := h.App.DB.OutgoingByID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ChatID != rep.ID && r.ChatID != mgrTG || r.Attempts < 2 {
			continue
		}
		m, err := outbox.MessageOf(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range outboxParts(m) {
			o.repeatable[part] += r.Attempts - 1
		}
	}
	// "You may have got this once already" only on a copy whose send had
	// started before.
	for text, n := range noted {
		if n > o.repeatable[text] {
			t.Errorf("%d copies say they may be a repeat, but %d send(s) of it were interrupted: %q", n, o.repeatable[text], text)
		}
	}
	return o
}

func outboxParts(m outbox.Message) []string {
	if m.AnswerCallback != "" {
		return nil
	}
	return outbox.SplitText(m.Text, outbox.MaxTextLen)
}

func runScenario(t *testing.T, pg bool, sc scenario, rig *faultRig) (outcome, *faultRig) {
	t.Helper()
	opts := []apptest.Option{apptest.WithConfig(rig.config)}
	if pg {
		opts = append(opts, apptest.Postgres(t))
	}
	h := apptest.New(t, opts...)
	rig.h = h
	h.Member(rep, "North", "rep")
	rig.counts = sync.Map{}
	rig.armed.Store(rig.at > 0)
	d := &driver{t: t, h: h, rig: rig}
	sc.run(d)
	rig.armed.Store(false)
	d.finish()
	return observe(t, h), rig
}

func TestCrashAtEveryBoundary(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			pg := db == "postgres"
			if pg {
				apptest.Postgres(t) // skips visibly without PostgreSQL
			}
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					want, ref := runScenario(t, pg, sc, &faultRig{killed: make(chan struct{})})
					if len(want.texts) == 0 {
						t.Fatal("the scenario made the bot say nothing")
					}
					for _, point := range boundaries {
						for _, n := range crossings(ref.count(point), pg) {
							t.Run(fmt.Sprintf("%s#%d", point, n), func(t *testing.T) {
								got, _ := runScenario(t, pg, sc, &faultRig{point: point, at: n, killed: make(chan struct{})})
								compare(t, want, got)
							})
						}
					}
				})
			}
		})
	}
}

func compare(t *testing.T, want, got outcome) {
	t.Helper()
	for k, n := range want.rows {
		if got.rows[k] != n {
			t.Errorf("rows %s = %d after the crash, want %d (as without one)", k, got.rows[k], n)
		}
	}
	for k := range got.rows {
		if _, ok := want.rows[k]; !ok {
			t.Errorf("rows %s after the crash; without one: %v", k, keys(want.rows))
		}
	}
	for text, n := range want.texts {
		if got.texts[text] < n {
			t.Errorf("sent %d× after the crash, want at least %d×: %q", got.texts[text], n, text)
		}
	}
	for text, n := range got.texts {
		if extra := n - want.texts[text]; extra > got.repeatable[text] {
			t.Errorf("sent %d× after the crash (%d× without one), but only %d send(s) of it were interrupted: %q",
				n, want.texts[text], got.repeatable[text], text)
		}
	}
}

func keys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// crossings picks which crossings of a boundary to crash at: every one of
// short scenarios; of long ones (and on PostgreSQL, where each run
// migrates a fresh schema) a spread, first and last included.
func crossings(total int64, pg bool) []int64 {
	want := int64(6)
	if pg {
		want = 2
	}
	if total <= want {
		out := make([]int64, total)
		for i := range out {
			out[i] = int64(i) + 1
		}
		return out
	}
	out := make([]int64, 0, want)
	for i := int64(0); i < want; i++ {
		out = append(out, 1+i*(total-1)/(want-1))
	}
	return out
}

// An update the process dies in while handling it, every time, is given
// up after three such crashes: its sender is told, quoting it, and the
// admin sees it in /team. Restarts that merely find it pending (killed
// elsewhere) do not count.
func TestGiveUpAfterRepeatedCrashes(t *testing.T) {
	var poison atomic.Int64
	var h *apptest.Harness
	killed := make(chan struct{}, 10)
	h = apptest.New(t, apptest.WithConfig(func(c *app.Config) {
		c.Faults.BeforeCommit = func(id int64) {
			if id == poison.Load() {
				h.App.Kill()
				killed <- struct{}{}
			}
		}
	}))
	h.Member(rep, "North", "rep")
	// A stop while nothing is being handled does not count.
	h.Crash()
	h.Crash()
	id := h.Fake.SendText(rep, "/visit Acme; demo")
	poison.Store(id)
	for i := 0; i < 3; i++ {
		<-killed
		h.Crash()
	}
	h.Settle(id)
	got := h.Fake.SentTo(rep.ID)
	apptest.MustContain(t, got[len(got)-1:], "Sorry, I could not process your message “/visit Acme; demo”", "nothing of it was saved")
	if n, err := h.App.DB.RowCounts(context.Background(), "visits"); err != nil || n["visits"] != 0 {
		t.Fatalf("visits after giving up: %v (%v), want 0", n, err)
	}
	apptest.MustContain(t, h.Send(apptest.Admin, "/team North"), "1 message could not be processed in the last 7 days",
		fmt.Sprintf("chat %d: the process stopped 3 times while handling it", rep.ID))
	if !strings.Contains(h.Log.String(), "giving up on an update") {
		t.Fatalf("giving up not logged:\n%s", h.Log.String())
	}
	// The bot goes on.
	apptest.MustContain(t, h.Send(rep, "/help"), "What you can do")
}
