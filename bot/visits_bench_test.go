package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
)

// BenchmarkQuickVisitEndToEnd is the bot's share of "a visit logged in
// under 15 seconds": one /visit message from the fake Bot API through the
// inbox, parser, matching, the save transaction and the confirmation back,
// one after another for one rep.
//
//	go test -run '^$' -bench QuickVisitEndToEnd ./bot/
func BenchmarkQuickVisitEndToEnd(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchQuickVisit(b, apptest.New(b)) })
	b.Run("postgres", func(b *testing.B) { benchQuickVisit(b, apptest.New(b, apptest.Postgres(b))) })
}

func benchQuickVisit(b *testing.B, h *apptest.Harness) {
	h.Member(ann, "North", "rep")
	h.Send(ann, "/visit Acme Corp; demo")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := h.Send(ann, "/visit acme corp; met Li (buyer); demo; warm; next: send quote")
		if len(got) == 0 {
			b.Fatal("no confirmation")
		}
	}
}
