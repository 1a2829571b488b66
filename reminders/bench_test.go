package reminders

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
)

// BenchmarkDispatch: 100,000 pending follow-ups of which 10,000 are due
// (300 at 30/s: ten seconds' worth), for 2,000 reps, sent through the real outbox and go-telegram client to
// the fake Bot API with Telegram's limits scaled up (3,000/s in total,
// 100/s per chat). The fake enforces the same limits (with 100 ms of slack)
// and answers 429 beyond them. Reported: the achieved send rate and its
// fraction of the limit, 429s seen, and the Go heap with 100,000 pending
// (before the tick, and the peak while it runs).
//
//	go test -run '^$' -bench Dispatch -benchtime 1x ./reminders/
//
// (PostgreSQL too when SALESBOT_TEST_POSTGRES_DSN is set.)
func BenchmarkDispatch(b *testing.B) {
	for _, global := range []float64{3000, 1000, 30} {
		b.Run(fmt.Sprintf("sqlite/%.0f-per-s", global), func(b *testing.B) { benchDispatch(b, storagetest.SQLite, global) })
		b.Run(fmt.Sprintf("postgres/%.0f-per-s", global), func(b *testing.B) { benchDispatch(b, storagetest.Postgres, global) })
	}
}

func benchDispatch(b *testing.B, open func(testing.TB, clock.Clock) *storage.DB, global float64) {
	const (
		pending = 100_000
		reps    = 2_000
		perChat = 100.0
	)
	// Ten seconds' worth at the limit (10,000 at 1,000/s; 300 at
	// Telegram's 30/s), at most 10,000.
	due := min(10_000, int(10*global))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		clk := clock.NewFake(t0)
		db := open(b, clk)
		r := newRig(b, db, clk, rigOpts{
			users:    reps,
			limits:   outbox.Limits{Global: global, PerChat: perChat, ChatBurst: 1},
			dispatch: DispatchConfig{Batch: 1000, PerOwner: 2},
			queue:    outbox.QueueConfig{Workers: 128},
			fakeOpts: []tgfake.Option{tgfake.WithFloodControl(tgfake.FloodLimits{
				Global: global, GlobalBurst: int(global / 10), PerChat: perChat, ChatBurst: int(perChat / 10)})},
		})
		r.due(b, pending-due, t0.Add(30*24*time.Hour), "later")
		r.due(b, due, t0, "due")

		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.HeapInuse
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()

		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		st, err := r.d.Tick(context.Background())
		if err == nil {
			r.settle(b)
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu0
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if sent := r.outcome("sent"); st.Queued != due || sent != due {
			b.Fatalf("queued %d, sent %d of %d: %+v", st.Queued, sent, due, st)
		}
		tooMany := 0
		for _, c := range r.fake.Calls("sendMessage") {
			if c.Status == http.StatusTooManyRequests {
				tooMany++
			}
		}
		rate := float64(due) / elapsed.Seconds()
		b.ReportMetric(rate, "sent/s")
		b.ReportMetric(rate/global, "of-limit")
		b.ReportMetric(float64(tooMany), "429s")
		b.ReportMetric(float64(before)/(1<<20), "heap-MB-100k-pending")
		b.ReportMetric(float64(peak.Load())/(1<<20), "heap-MB-peak")
		// CPU of the whole process (dispatcher, SQLite, client and the fake
		// server) per message: the rate one free core could sustain is
		// 1e6 / this.
		b.ReportMetric(float64(cpu.Microseconds())/float64(due), "cpu-µs/msg")
		b.StartTimer()
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
