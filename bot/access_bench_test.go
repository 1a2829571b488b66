package bot_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// cpuTime is the process's user+system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// teamWithClients makes North with the rep bob and n clients of bob's
// ("Client 0 Trading", ...).
func teamWithClients(b testing.TB, h *apptest.Harness, n int) *models.Team {
	return teamWithNamedClients(b, h, n, "Client %d Trading")
}

// teamWithNamedClients is teamWithClients with the clients named by the
// format ("客户%d号").
func teamWithNamedClients(b testing.TB, h *apptest.Harness, n int, format string) *models.Team {
	h.Member(bob, "North", "rep")
	north, _ := h.App.DB.TeamByName(context.Background(), "North")
	u, _ := h.App.DB.UserByTelegramID(context.Background(), bob.ID)
	cs := make([]*models.Client, n)
	for i := range cs {
		cs[i] = &models.Client{TeamID: north.ID, Name: fmt.Sprintf(format, i), OwnerID: u.ID, Grade: models.GradeB}
	}
	if err := h.App.DB.InsertBulk(context.Background(), &storage.Bulk{Clients: cs}); err != nil {
		b.Fatal(err)
	}
	return north
}

// BenchmarkAccessVisitNewClient is /visit naming a client the team does not
// have yet, end to end, in teams of 100, 1,000 and 20,000 clients: the name
// lookup goes through the name index, so CPU per visit stays flat. The
// unseparated cases are a /visit typed without ";" ("/visit Client 5
// Trading demo warm", "/visit 客户5 见了张工 演示"): the client is the longest
// prefix of the line that is a client's name, looked up in the same index.
//
//	go test -run '^$' -bench AccessVisitNewClient -benchtime 200x ./bot/
func BenchmarkAccessVisitNewClient(b *testing.B) {
	for _, n := range []int{100, 1000, 20000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := apptest.New(b)
			teamWithClients(b, h, n)
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got := h.Send(bob, fmt.Sprintf("/visit Zeta Works %d; demo; warm", i))
				if !strings.Contains(apptest.Joined(got), "Zeta Works") {
					b.Fatalf("visit: %q", apptest.Texts(got))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/visit")
		})
	}
	for _, lang := range []string{"en", "zh"} {
		for _, n := range []int{100, 1000, 20000} {
			b.Run(fmt.Sprintf("unseparated/%s/clients=%d", lang, n), func(b *testing.B) {
				h := apptest.New(b)
				format := map[string]string{"en": "Client %d Trading", "zh": "客户%d号"}[lang]
				teamWithNamedClients(b, h, n, format)
				cpu0 := cpuTime()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					// Two hours apart: a later visit to the same client is
					// no repeat to ask about.
					h.Clock.Advance(2 * time.Hour)
					k := i * 97 % n
					text, want := fmt.Sprintf("/visit Client %d Trading demo warm", k), fmt.Sprintf(format, k)
					if lang == "zh" {
						text = fmt.Sprintf("/visit 客户%d号见了张工 演示", k)
					}
					got := apptest.Joined(h.Send(bob, text))
					if !strings.Contains(got, want) || !strings.Contains(got, "demo") && !strings.Contains(got, "演示") {
						b.Fatalf("%s: %q", text, got)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/visit")
			})
		}
	}
}

// BenchmarkAccessClientCard is /client NAME in a team of 20,000 clients.
//
//	go test -run '^$' -bench AccessClientCard -benchtime 200x ./bot/
func BenchmarkAccessClientCard(b *testing.B) {
	h := apptest.New(b)
	teamWithClients(b, h, 20000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := h.Send(bob, fmt.Sprintf("/client client %d trading", i*97%20000))
		if len(got) == 0 || !strings.Contains(got[0].Text, "Trading") {
			b.Fatalf("card: %q", apptest.Texts(got))
		}
	}
}

// closedLoop has each person send a message and wait for the answer
// before the next, all at once, until n messages were answered, and
// reports msgs/s: how people use a chat bot, and what a backlog-free
// pipeline sustains. It also reports the process's CPU a message
// (cpu-µs/msg, the fake Bot API's included) and, given the bot's db, how
// long the SQLite writer lock was held a message (lock-µs/msg): writes
// are serialised, so that bounds msgs/s whatever the cores.
func closedLoop(b *testing.B, fake *tgfake.Server, db *storage.DB, users []tgfake.User, n int, text func(i int) string) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-fake.Notify():
				mu.Lock()
				cond.Broadcast()
				mu.Unlock()
			case <-stop:
				return
			}
		}
	}()
	defer close(stop)
	var next sync.Mutex
	i := 0
	take := func() (int, bool) {
		next.Lock()
		defer next.Unlock()
		if i >= n {
			return 0, false
		}
		i++
		return i - 1, true
	}
	var wg sync.WaitGroup
	var held0 time.Duration
	if db != nil {
		held0 = db.WriteLockHeld()
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, ok := take()
				if !ok {
					return
				}
				before := fake.CountTo(u.ID)
				fake.SendText(u, text(k))
				mu.Lock()
				for fake.CountTo(u.ID) <= before {
					cond.Wait()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/msg")
	if db != nil {
		b.ReportMetric(float64((db.WriteLockHeld()-held0).Microseconds())/float64(n), "lock-µs/msg")
	}
}

// BenchmarkAccessVisitVsEcho runs, in one benchmark, the whole /visit
// (inbox, parser, name index, save transaction, confirmation) and a bare
// go-telegram/bot handler that echoes each message, both against the same
// fake Bot API over local HTTP, 8 people writing at once, each waiting for
// the answer before the next message (closedLoop). The ratio of their
// msgs/s is the bot's cost over the bare library.
//
//	go test -run '^$' -bench AccessVisitVsEcho -benchtime 400x ./bot/
//
// (At most 1,000x: a second visit to the same client the same day asks
// whether it is a repeat, and the benchmark fails on it.)
func BenchmarkAccessVisitVsEcho(b *testing.B) {
	people := 8
	if n, err := strconv.Atoi(os.Getenv("BENCH_PEOPLE")); err == nil {
		people = n
	}
	users := make([]tgfake.User, people)
	for i := range users {
		users[i] = tgfake.User{ID: int64(5000 + i), FirstName: fmt.Sprintf("R%d", i), Username: fmt.Sprintf("r%d", i), LanguageCode: "en"}
	}
	b.Run("echo", func(b *testing.B) {
		fake := tgfake.New()
		defer fake.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tg, err := tgbot.New("1:echo", tgbot.WithServerURL(fake.URL()), tgbot.WithSkipGetMe(),
			tgbot.WithDefaultHandler(func(ctx context.Context, tg *tgbot.Bot, u *tgmodels.Update) {
				if u.Message != nil {
					_, _ = tg.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: u.Message.Text})
				}
			}))
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); tg.Start(ctx) }()
		closedLoop(b, fake, nil, users, b.N, func(i int) string { return fmt.Sprintf("/visit Client %d Trading; demo; warm; next: call", i%1000) })
		cancel()
		wg.Wait()
	})
	b.Run("visit", func(b *testing.B) {
		h := apptest.New(b)
		north := teamWithClients(b, h, 1000)
		// Every rep sees (and logs visits on) the team's clients: the
		// benchmark is the visit, not the refusal of a teammate's client.
		shared := true
		if _, err := h.App.DB.UpdateTeamSettings(context.Background(), storage.System, north.ID, storage.TeamSettings{SharedClients: &shared}); err != nil {
			b.Fatal(err)
		}
		for _, u := range users {
			h.Member(u, "North", "rep")
			h.Send(u, "/visit Client 1 Trading; demo") // the first visit may ask for a grade
		}
		closedLoop(b, h.Fake, h.App.DB, users, b.N, func(i int) string { return fmt.Sprintf("/visit Client %d Trading; demo; warm; next: call", i%1000) })
		b.StopTimer()
		// Each answer was a saved visit.
		visits, err := h.App.DB.RowCounts(context.Background(), "visits")
		if err != nil {
			b.Fatal(err)
		}
		if got := visits["visits"]; got < int64(b.N) {
			b.Fatalf("%d visits stored for %d messages: the answers were not saved visits", got, b.N)
		}
	})
}

// BenchmarkAccessHelpVsEcho is BenchmarkAccessVisitVsEcho's pipeline
// alone: the same people send /help (a read and a reply), so the ratio to
// the echo bot is what the inbox and the durable outbox cost, and what
// /visit costs beyond it is its handler's.
//
//	go test -run '^$' -bench 'Access(Visit|Help)VsEcho' -benchtime 300x ./bot/
func BenchmarkAccessHelpVsEcho(b *testing.B) {
	users := make([]tgfake.User, 8)
	for i := range users {
		users[i] = tgfake.User{ID: int64(5000 + i), FirstName: fmt.Sprintf("R%d", i), Username: fmt.Sprintf("r%d", i), LanguageCode: "en"}
	}
	h := apptest.New(b)
	teamWithClients(b, h, 1000)
	for _, u := range users {
		h.Member(u, "North", "rep")
	}
	closedLoop(b, h.Fake, h.App.DB, users, b.N, func(int) string { return "/help" })
}

// BenchmarkAccessRepTeammatesClients is the visibility rule's worst case:
// a rep who owns none of the team's 20,000 clients types a name close to
// all of them (/client), so every candidate is probed for shares and own
// entries; and a new client's /visit in that team.
//
//	go test -run '^$' -bench AccessRepTeammates -benchtime 50x ./bot/
func BenchmarkAccessRepTeammatesClients(b *testing.B) {
	h := apptest.New(b)
	north := teamWithClients(b, h, 20000) // all bob's
	h.Member(ann, "North", "rep")
	_ = north
	b.Run("client-near-name", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			got := h.Send(ann, fmt.Sprintf("/client client %d tradin", i*97%20000))
			if len(got) == 0 || !strings.Contains(got[0].Text, "client") {
				b.Fatalf("card: %q", apptest.Texts(got))
			}
		}
	})
	b.Run("visit-new-client", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			got := h.Send(ann, fmt.Sprintf("/visit Zeta Works %d; demo; warm", i))
			if !strings.Contains(apptest.Joined(got), "Zeta Works") {
				b.Fatalf("visit: %q", apptest.Texts(got))
			}
		}
	})
}
