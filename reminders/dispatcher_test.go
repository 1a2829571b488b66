package reminders

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// Monday 23 Nov 2026 10:00 UTC: working hours in UTC.
var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// rig is a dispatcher on a real database, the real go-telegram client,
// outbox and queue, and the fake Bot API.
type rig struct {
	db    *storage.DB
	clk   *clock.Fake
	fake  *tgfake.Server
	out   *outbox.Outbox
	q     *outbox.Queue
	d     *Dispatcher
	team  *models.Team
	users []*models.User
	// outcomes counts what became of follow-ups (DispatchConfig.Observe).
	mu       sync.Mutex
	outcomes map[string]int
	stop     context.CancelFunc
}

type rigOpts struct {
	users    int
	limits   outbox.Limits
	virtual  bool // pace on virtual time (no real waits)
	dispatch DispatchConfig
	queue    outbox.QueueConfig
	fakeOpts []tgfake.Option
	fake     *tgfake.Server // share another rig's fake
	noStart  bool           // do not start the queue (a process that dies before sending)
}

func newRig(t testing.TB, db *storage.DB, clk *clock.Fake, o rigOpts) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{db: db, clk: clk, outcomes: map[string]int{}, fake: o.fake}
	if r.fake == nil {
		r.fake = tgfake.New(o.fakeOpts...)
		t.Cleanup(r.fake.Close)
	}
	tg, err := tgbot.New("1:token", tgbot.WithServerURL(r.fake.URL()), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Second, &http.Client{Timeout: 10 * time.Second, Transport: transport()}))
	if err != nil {
		t.Fatal(err)
	}
	cfg := outbox.Config{Limits: o.limits}
	if o.virtual {
		vt := outbox.NewVirtualTime(t0)
		cfg.Now, cfg.Sleep = vt.Now, vt.Sleep
	}
	r.out = outbox.New(tg, cfg)
	r.q = outbox.NewQueue(db, r.out, o.queue)
	o.dispatch.Observe = func(outcome string, n int) {
		r.mu.Lock()
		r.outcomes[outcome] += n
		r.mu.Unlock()
	}
	r.d = NewDispatcher(db, r.q, testRender, clk, o.dispatch, nil)
	if !o.noStart {
		r.start(t)
	}
	if o.fake != nil {
		return r // the world is the other rig's
	}
	r.team, err = db.CreateTeam(ctx, "Team", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < o.users; i++ {
		u, err := db.TouchUser(ctx, storage.Profile{TelegramID: int64(10_000 + i), ChatID: int64(10_000 + i), Name: fmt.Sprint("u", i)}, true)
		if err != nil {
			t.Fatal(err)
		}
		r.users = append(r.users, u)
	}
	return r
}

// testRender says which follow-up a message is, and how it was judged.
func testRender(f *models.FollowUp, to Recipient, now time.Time) outbox.Message {
	return outbox.Message{Text: fmt.Sprintf("r#%d %s late=%v maybe=%v", f.ID, f.Text, f.IsLate(now), f.MaybeSentBefore),
		Buttons:    [][]outbox.Button{{{Text: "Done", Data: fmt.Sprintf("fu:d:%d", f.ID)}}},
		RepeatNote: "(maybe a repeat)"}
}

// start runs the rig's queue until the test ends (or stop).
func (r *rig) start(t testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	r.q.Start(ctx)
	t.Cleanup(func() {
		cancel()
		<-r.q.Done()
	})
}

func (r *rig) outcome(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outcomes[name]
}

// transport keeps idle connections for concurrent sends, like the app's
// (reminders cannot import internal/app, which imports reminders).
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	return t
}

// due makes n follow-ups due at at, spread round-robin over the users.
func (r *rig) due(t testing.TB, n int, at time.Time, text string) []*models.FollowUp {
	t.Helper()
	fs := make([]*models.FollowUp, n)
	for i := range fs {
		u := r.users[i%len(r.users)]
		fs[i] = &models.FollowUp{TeamID: r.team.ID, OwnerID: u.ID, Kind: models.KindReminder, Text: fmt.Sprint(text, i), DueAt: at, Exact: true}
	}
	if err := r.db.CreateFollowUps(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	return fs
}

// tickStats is what became of follow-ups in one tick, their messages sent.
type tickStats struct {
	TickStats
	Sent, Late, Retried, Lost int
}

// tick runs the dispatcher once and waits until its queue has sent what
// can be sent now.
func (r *rig) tick(t testing.TB) tickStats {
	t.Helper()
	before := map[string]int{}
	for _, k := range []string{"sent", "late", "retried", "lost"} {
		before[k] = r.outcome(k)
	}
	st, err := r.d.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.settle(t)
	return tickStats{TickStats: st, Sent: r.outcome("sent") - before["sent"], Late: r.outcome("late") - before["late"],
		Retried: r.outcome("retried") - before["retried"], Lost: r.outcome("lost") - before["lost"]}
}

func (r *rig) settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.q.Settle(ctx); err != nil {
		t.Fatalf("queue not settled: %v", err)
	}
}

var idRE = regexp.MustCompile(`^r#(\d+) `)

// deliveries counts the messages the fake shows per follow-up id.
func (r *rig) deliveries() map[int64]int {
	out := map[int64]int{}
	for _, s := range r.fake.Sent() {
		if s.Method != "sendMessage" {
			continue
		}
		if m := idRE.FindStringSubmatch(s.Text); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			out[id]++
		}
	}
	return out
}

// A process died after claiming a follow-up and before sending it: the
// claim is its queued message, which the restarted process (same owner)
// sends at once — once, and without "maybe a repeat", since no send of it
// had started. No lease to wait out.
func TestCrashAfterClaimBeforeSend(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		dead := newRig(t, db, clk, rigOpts{users: 1, virtual: true, noStart: true})
		f := dead.due(t, 1, t0, "call")[0]
		if st, err := dead.d.Tick(context.Background()); err != nil || st.Queued != 1 {
			t.Fatalf("claim: %+v %v", st, err)
		}
		if n := len(dead.fake.Sent()); n != 0 {
			t.Fatalf("%d sent by a queue that never ran", n)
		}
		if got, _ := db.FollowUp(context.Background(), storage.System, f.ID); got.State != models.FollowUpSending {
			t.Fatalf("claimed row is %s", got.State)
		}
		// The restart: same owner, same fake, the clock not moved.
		r := newRig(t, db, clk, rigOpts{virtual: true, fake: dead.fake})
		r.users = dead.users
		if st := r.tick(t); st.Queued != 0 || st.Sent != 1 {
			t.Fatalf("after the restart: %+v", st)
		}
		sent := r.fake.SentTo(r.users[0].ChatID)
		if len(sent) != 1 || sent[0].Text != fmt.Sprintf("r#%d call0 late=false maybe=false", f.ID) {
			t.Fatalf("delivered: %+v", sent)
		}
		got, _ := db.FollowUp(context.Background(), storage.System, f.ID)
		if got.State != models.FollowUpSent || got.Attempts != 1 || got.MessageID != sent[0].MessageID {
			t.Fatalf("row: %+v", got)
		}
	})
}

// The documented gap: the process dies after Telegram accepted the
// message and before its mark committed. The restarted process sends it
// again at once, saying it may be a repeat — at least once, never lost.
func TestCrashAfterSendBeforeMarkIsAtLeastOnce(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		// The fault holds the send until the process is gone, so nothing
		// runs after the "kill".
		crashed, gone := make(chan struct{}), make(chan struct{})
		var once sync.Once
		dead := newRig(t, db, clk, rigOpts{users: 1, virtual: true, queue: outbox.QueueConfig{Faults: outbox.Faults{
			AfterSend: func(storage.Outgoing) bool { once.Do(func() { close(crashed) }); <-gone; return true },
		}}})
		f := dead.due(t, 1, t0, "call")[0]
		if _, err := dead.d.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		dead.q.Wake()
		<-crashed
		dead.stop()
		close(gone)
		<-dead.q.Done()
		if got, _ := db.FollowUp(context.Background(), storage.System, f.ID); got.State != models.FollowUpSending {
			t.Fatalf("after the crash the row is %s, want still sending", got.State)
		}
		r := newRig(t, db, clk, rigOpts{virtual: true, fake: dead.fake})
		r.users = dead.users
		if st := r.tick(t); st.Sent != 1 {
			t.Fatalf("after the restart: %+v", st)
		}
		sent := r.fake.SentTo(r.users[0].ChatID)
		if len(sent) != 2 || sent[0].Text != fmt.Sprintf("r#%d call0 late=false maybe=false", f.ID) ||
			sent[1].Text != fmt.Sprintf("r#%d call0 late=false maybe=false\n(maybe a repeat)", f.ID) {
			t.Fatalf("messages: %+v", sent)
		}
		if got, _ := db.FollowUp(context.Background(), storage.System, f.ID); got.State != models.FollowUpSent || got.MessageID != sent[1].MessageID {
			t.Fatalf("row: %+v", got)
		}
		r.tick(t)
		if n := len(r.fake.SentTo(r.users[0].ChatID)); n != 2 {
			t.Fatalf("%d messages after one more tick", n)
		}
	})
}

// Two dispatch loops (two processes on one database) at once: each
// follow-up is delivered exactly once.
func TestTwoDispatchersSendOnce(t *testing.T) {
	clk := clock.NewFake(t0)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := storagetest.SQLitePath(t)
			if dialect == "postgres" {
				dsn = storagetest.PostgresDSN(t)
			}
			open := func() *storage.DB {
				db, err := storage.Open(dsn, clk)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				return db
			}
			one, two := open(), open()
			limits := outbox.Limits{Global: 100000, GlobalBurst: 100, PerChat: 1000, ChatBurst: 100}
			r := newRig(t, one, clk, rigOpts{users: 50, virtual: true, limits: limits, dispatch: DispatchConfig{Batch: 20},
				queue: outbox.QueueConfig{Owner: "one", Workers: 8}})
			// The second process has its own outbox, queue and connection,
			// same fake.
			other := newRig(t, two, clk, rigOpts{virtual: true, limits: limits, dispatch: DispatchConfig{Batch: 20},
				queue: outbox.QueueConfig{Owner: "two", Workers: 8}, fake: r.fake})
			// Which loop gets SQLite's write lock first is the OS's call:
			// one may claim everything before the other's first turn. That
			// burst is tried again (at most three times) until both loops
			// worked; every burst must be delivered exactly once.
			for round := 1; ; round++ {
				fs := r.due(t, 500, t0, fmt.Sprint("x", round))
				var wg sync.WaitGroup
				var queued [2]int
				for i, d := range []*Dispatcher{r.d, other.d} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						st, err := d.Tick(context.Background())
						if err != nil {
							t.Error(err)
						}
						queued[i] = st.Queued
					}()
				}
				wg.Wait()
				r.settle(t)
				other.settle(t)
				got := r.deliveries()
				for _, f := range fs {
					if got[f.ID] != 1 {
						t.Fatalf("follow-up %d delivered %d times", f.ID, got[f.ID])
					}
				}
				if queued[0]+queued[1] != 500 {
					t.Fatalf("queued %v: together they should have queued 500", queued)
				}
				if sent := r.outcome("sent") + other.outcome("sent"); sent != 500*round {
					t.Fatalf("%d recorded sent, want %d", sent, 500*round)
				}
				if queued[0] > 0 && queued[1] > 0 {
					break
				}
				if round == 3 {
					t.Fatalf("queued %v in the third burst: both loops should have worked", queued)
				}
			}
		})
	}
}

// 10,000 follow-ups fall due at once for 1,000 reps: all are delivered,
// none twice, and the fake Bot API — enforcing the same limits as flood
// control, with 100 ms of slack for scheduling jitter — never answers 429
// and sees no more than the configured rates.
func TestTenThousandDueAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 10,000 messages in real time")
	}
	const (
		n       = 10_000
		users   = 1_000
		global  = 2_000.0
		perChat = 10.0
	)
	clk := clock.NewFake(t0)
	db := storagetest.SQLite(t, clk)
	r := newRig(t, db, clk, rigOpts{
		users:    users,
		limits:   outbox.Limits{Global: global, PerChat: perChat, ChatBurst: 1},
		dispatch: DispatchConfig{Batch: 500, InFlight: 256},
		queue:    outbox.QueueConfig{Workers: 64},
		fakeOpts: []tgfake.Option{tgfake.WithFloodControl(tgfake.FloodLimits{
			Global: global, GlobalBurst: int(global / 10), PerChat: perChat, ChatBurst: 2})},
	})
	fs := r.due(t, n, t0, "due")
	st := r.tick(t)
	if st.Queued != n || st.Sent != n || st.Retried != 0 || st.Lost != 0 {
		t.Fatalf("tick: %+v", st)
	}
	got := r.deliveries()
	if len(got) != n {
		t.Fatalf("%d follow-ups delivered, want %d", len(got), n)
	}
	for _, f := range fs {
		if got[f.ID] != 1 {
			t.Fatalf("follow-up %d delivered %d times", f.ID, got[f.ID])
		}
	}
	counts, _ := db.FollowUpStateCounts(context.Background())
	if counts[models.FollowUpSent] != n {
		t.Fatalf("states %v", counts)
	}
	calls := r.fake.Calls("sendMessage")
	tooMany := 0
	byChat := map[int64][]tgfake.Call{}
	for _, c := range calls {
		if c.Status == http.StatusTooManyRequests {
			tooMany++
		}
		byChat[c.ChatID] = append(byChat[c.ChatID], c)
	}
	if tooMany != 0 || len(calls) != n {
		t.Fatalf("%d calls, %d answered 429", len(calls), tooMany)
	}
	const jitter = 0.1 // seconds: see CheckRates in the outbox tests
	if peak, at := tgfake.PeakRate(calls, time.Second); peak > int(global*(1+jitter))+1 {
		t.Fatalf("%d messages in the second from %v; limit %.0f/s", peak, at, global)
	}
	for chat, cs := range byChat {
		if peak, at := tgfake.PeakRate(cs, time.Second); peak > int(perChat*(1+jitter))+1 {
			t.Fatalf("chat %d: %d messages in the second from %v; limit %.0f/s", chat, peak, at, perChat)
		}
	}
}

// Transient failures are the queue's to retry, after its back-off; the
// follow-up stays claimed meanwhile (not queued twice) and is delivered
// once, without "maybe a repeat": no try reached the chat.
func TestTransientFailureIsRetriedLater(t *testing.T) {
	clk := clock.NewFake(t0)
	db := storagetest.SQLite(t, clk)
	r := newRig(t, db, clk, rigOpts{users: 1, virtual: true, queue: outbox.QueueConfig{RetryBackoff: time.Minute}})
	f := r.due(t, 1, t0, "x")[0]
	r.fake.FailNextN("sendMessage", 5, tgfake.ServerError()) // the outbox's five tries
	if st := r.tick(t); st.Queued != 1 || st.Sent != 0 {
		t.Fatalf("tick: %+v", st)
	}
	got, _ := db.FollowUp(context.Background(), storage.System, f.ID)
	if got.State != models.FollowUpSending {
		t.Fatalf("state %s", got.State)
	}
	clk.Advance(59 * time.Second)
	if st := r.tick(t); st.Queued != 0 || st.Sent != 0 {
		t.Fatalf("queued again or retried before the back-off: %+v", st)
	}
	clk.Advance(time.Second)
	r.q.Wake()
	if st := r.tick(t); st.Sent != 1 {
		t.Fatalf("after the back-off: %+v", st)
	}
	sent := r.fake.SentTo(r.users[0].ChatID)
	if len(sent) != 1 || sent[0].Text != fmt.Sprintf("r#%d x0 late=false maybe=false", f.ID) {
		t.Fatalf("delivered: %+v", sent)
	}
}

// Telegram refuses the message (400): the queue gives it up and the
// follow-up is due again after the dispatcher's back-off, as a new message.
func TestRefusedIsDueAgainLater(t *testing.T) {
	clk := clock.NewFake(t0)
	db := storagetest.SQLite(t, clk)
	r := newRig(t, db, clk, rigOpts{users: 1, virtual: true, dispatch: DispatchConfig{RetryBackoff: time.Minute}})
	f := r.due(t, 1, t0, "x")[0]
	r.fake.FailNext("sendMessage", tgfake.Failure{Code: 400, Description: "Bad Request: message is too long"})
	if st := r.tick(t); st.Retried != 1 || st.Sent != 0 {
		t.Fatalf("tick: %+v", st)
	}
	if got, _ := db.FollowUp(context.Background(), storage.System, f.ID); got.State != models.FollowUpPending {
		t.Fatalf("state %s", got.State)
	}
	clk.Advance(59 * time.Second)
	if st := r.tick(t); st.Queued != 0 {
		t.Fatalf("queued before the back-off: %+v", st)
	}
	clk.Advance(time.Second)
	if st := r.tick(t); st.Queued != 1 || st.Sent != 1 {
		t.Fatalf("after the back-off: %+v", st)
	}
}
