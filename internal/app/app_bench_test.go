package app_test

import (
	"context"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// BenchmarkUpdateThroughput measures whole-pipeline handling: getUpdates,
// storing in the inbox, the handler (user lookup, rendering), sendMessage
// to the fake Bot API and marking done — 50 chats, SQLite and PostgreSQL.
//
//	go test -run '^$' -bench UpdateThroughput -benchtime 2000x ./internal/app/
func BenchmarkUpdateThroughput(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchUpdates(b, apptest.New(b)) })
	b.Run("postgres", func(b *testing.B) { benchUpdates(b, apptest.New(b, apptest.Postgres(b))) })
}

func benchUpdates(b *testing.B, h *apptest.Harness) {
	users := make([]tgfake.User, 50)
	for i := range users {
		users[i] = tgfake.User{ID: int64(1000 + i), FirstName: "U"}
	}
	// Everyone is the admin's stranger: the cheapest real answer (a read and
	// a reply), so this measures the pipeline, not a feature.
	b.ResetTimer()
	var last int64
	for i := 0; i < b.N; i++ {
		last = h.Fake.SendText(users[i%len(users)], "/help")
	}
	h.Wait(last)
	// Updates of other chats may still be in flight; wait for all.
	ctx := context.Background()
	for {
		p, err := h.App.DB.PendingUpdates(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(p) == 0 {
			break
		}
		h.Wait(p[0].UpdateID)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	// The window in which a crash repeats a message: from Telegram's
	// answer to the committed sent mark.
	if lat := h.App.Queue.MarkLatencies(); len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "mark-p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "mark-p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "mark-max-µs")
	}
}
