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

// rig is a dispatcher on a real database, the real go-telegram client and
// outbox, and the fake Bot API.
type rig struct {
	db    *storage.DB
	clk   *clock.Fake
	fake  *tgfake.Server
	out   *outbox.Outbox
	d     *Dispatcher
	team  *models.Team
	users []*models.User
}

type rigOpts struct {
	users    int
	limits   outbox.Limits
	virtual  bool // pace on virtual time (no real waits)
	dispatch DispatchConfig
	fakeOpts []tgfake.Option
}

func newRig(t testing.TB, db *storage.DB, clk *clock.Fake, o rigOpts) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{db: db, clk: clk}
	r.fake = tgfake.New(o.fakeOpts...)
	t.Cleanup(r.fake.Close)
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
	r.d = NewDispatcher(db, r.out, func(f *models.FollowUp, to Recipient, now time.Time) outbox.Message {
		return outbox.Message{Text: fmt.Sprintf("r#%d %s late=%v maybe=%v", f.ID, f.Text, f.IsLate(now), f.MaybeSentBefore),
			Buttons: [][]outbox.Button{{{Text: "Done", Data: fmt.Sprintf("fu:d:%d", f.ID)}}}}
	}, clk, o.dispatch, nil)
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

func (r *rig) tick(t testing.TB) TickStats {
	t.Helper()
	st, err := r.d.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
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

// A dispatcher died after claiming and before sending: the follow-up
// waits out the lease, then goes once, flagged as a possible repeat
// (the dispatcher cannot know the dead one sent nothing).
func TestCrashAfterClaimBeforeSend(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		r := newRig(t, db, clk, rigOpts{users: 1, virtual: true})
		f := r.due(t, 1, t0, "call")[0]
		claimed, err := db.ClaimFollowUps(context.Background(), []int64{f.ID}, "dead-process", t0, t0.Add(5*time.Minute))
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if st := r.tick(t); st.Sent != 0 {
			t.Fatalf("sent during someone else's lease: %+v", st)
		}
		clk.Set(t0.Add(5 * time.Minute))
		if st := r.tick(t); st.Sent != 1 {
			t.Fatalf("after the lease: %+v", st)
		}
		sent := r.fake.SentTo(r.users[0].ChatID)
		if len(sent) != 1 || sent[0].Text != fmt.Sprintf("r#%d call0 late=false maybe=true", f.ID) {
			t.Fatalf("delivered: %+v", sent)
		}
		got, _ := db.FollowUp(context.Background(), storage.System, f.ID)
		if got.State != models.FollowUpSent || got.Attempts != 2 || got.MaybeSentBefore {
			t.Fatalf("row: %+v", got)
		}
	})
}

// The documented gap: the process dies after Telegram accepted the
// message and before the row says sent. The follow-up is sent again after
// the lease, flagged — at least once, never lost.
func TestCrashAfterSendBeforeMarkIsAtLeastOnce(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		r := newRig(t, db, clk, rigOpts{users: 1, virtual: true})
		f := r.due(t, 1, t0, "call")[0]
		r.d.afterSend = func(*models.FollowUp) bool { return true } // "crash"
		r.tick(t)
		r.d.afterSend = nil // a new process
		if got, _ := db.FollowUp(context.Background(), storage.System, f.ID); got.State != models.FollowUpSending {
			t.Fatalf("after the crash the row is %s, want still sending", got.State)
		}
		clk.Set(t0.Add(4 * time.Minute))
		if st := r.tick(t); st.Sent != 0 {
			t.Fatalf("resent before the lease ended: %+v", st)
		}
		clk.Set(t0.Add(5 * time.Minute))
		if st := r.tick(t); st.Sent != 1 {
			t.Fatalf("after the lease: %+v", st)
		}
		sent := r.fake.SentTo(r.users[0].ChatID)
		if len(sent) != 2 || sent[0].Text != fmt.Sprintf("r#%d call0 late=false maybe=false", f.ID) ||
			sent[1].Text != fmt.Sprintf("r#%d call0 late=false maybe=true", f.ID) {
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
			r := newRig(t, one, clk, rigOpts{users: 50, virtual: true, limits: limits, dispatch: DispatchConfig{Workers: 8, Batch: 20}})
			// The second loop has its own outbox and connection, same fake.
			other := &rig{db: two, clk: clk, fake: r.fake}
			tg, _ := tgbot.New("1:token", tgbot.WithServerURL(r.fake.URL()), tgbot.WithSkipGetMe())
			vt := outbox.NewVirtualTime(t0)
			other.d = NewDispatcher(two, outbox.New(tg, outbox.Config{Limits: limits, Now: vt.Now, Sleep: vt.Sleep}), r.d.render, clk,
				DispatchConfig{Workers: 8, Batch: 20}, nil)
			fs := r.due(t, 500, t0, "x")
			var wg sync.WaitGroup
			var sent [2]int
			for i, d := range []*Dispatcher{r.d, other.d} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, err := d.Tick(context.Background())
					if err != nil {
						t.Error(err)
					}
					sent[i] = st.Sent
				}()
			}
			wg.Wait()
			got := r.deliveries()
			for _, f := range fs {
				if got[f.ID] != 1 {
					t.Fatalf("follow-up %d delivered %d times", f.ID, got[f.ID])
				}
			}
			if sent[0]+sent[1] != 500 || sent[0] == 0 || sent[1] == 0 {
				t.Fatalf("sent %v: both loops should have worked and together sent 500", sent)
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
		dispatch: DispatchConfig{Workers: 64, Batch: 500},
		fakeOpts: []tgfake.Option{tgfake.WithFloodControl(tgfake.FloodLimits{
			Global: global, GlobalBurst: int(global / 10), PerChat: perChat, ChatBurst: 2})},
	})
	fs := r.due(t, n, t0, "due")
	st := r.tick(t)
	if st.Sent != n || st.Retried != 0 || st.Lost != 0 {
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

// Transient failures go back to the queue with a back-off; nothing is
// dropped.
func TestTransientFailureIsRetriedLater(t *testing.T) {
	clk := clock.NewFake(t0)
	db := storagetest.SQLite(t, clk)
	r := newRig(t, db, clk, rigOpts{users: 1, virtual: true, dispatch: DispatchConfig{RetryBackoff: time.Minute}})
	f := r.due(t, 1, t0, "x")[0]
	r.fake.FailNextN("sendMessage", 5, tgfake.ServerError()) // the outbox's five tries
	if st := r.tick(t); st.Retried != 1 || st.Sent != 0 {
		t.Fatalf("tick: %+v", st)
	}
	got, _ := db.FollowUp(context.Background(), storage.System, f.ID)
	if got.State != models.FollowUpPending {
		t.Fatalf("state %s", got.State)
	}
	clk.Advance(59 * time.Second)
	if st := r.tick(t); st.Sent != 0 {
		t.Fatal("retried before the back-off")
	}
	clk.Advance(time.Second)
	if st := r.tick(t); st.Sent != 1 {
		t.Fatalf("after the back-off: %+v", st)
	}
}
