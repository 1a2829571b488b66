package inbox_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/clock"
	"salesbot/internal/inbox"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

func storeMessage(t *testing.T, db *storage.DB, id, chat int64) {
	t.Helper()
	payload := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"text":"m"}}`, id, id, chat)
	if err := db.StoreUpdates(context.Background(), []storage.StoredUpdate{{UpdateID: id, ChatID: chat, Payload: []byte(payload)}}); err != nil {
		t.Fatal(err)
	}
}

// In webhook mode the inbox handles what was left pending and what a
// receiver stores and announces with Wake: each update once, each chat in
// update_id order.
func TestWebhookModeHandlesStoredUpdatesOnceInOrder(t *testing.T) {
	storagetest.Each(t, clock.Real{}, func(t *testing.T, db *storage.DB) {
		storeMessage(t, db, 1, 11) // left by an earlier run
		storeMessage(t, db, 2, 12)
		h := newHandled()
		var mu sync.Mutex
		byChat := map[int64][]int64{}
		in := inbox.New(inbox.Config{Webhook: true, Workers: 2, DrainTimeout: time.Second,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), OnDone: h.add},
			db, func(_ context.Context, upd *tgmodels.Update) {
				mu.Lock()
				byChat[upd.Message.Chat.ID] = append(byChat[upd.Message.Chat.ID], upd.ID)
				mu.Unlock()
			}, chatOf)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- in.Run(ctx) }()
		waitN := func(n int) {
			t.Helper()
			deadline := time.After(10 * time.Second)
			for len(h.ids()) < n {
				select {
				case <-h.wake:
				case <-deadline:
					t.Fatalf("handled %v, want %d updates", h.ids(), n)
				}
			}
		}
		waitN(2)
		for id := int64(3); id <= 20; id++ {
			storeMessage(t, db, id, 11+id%3)
			in.Wake()
		}
		waitN(20)
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := h.ids()
		slices.Sort(got)
		if len(got) != 20 || slices.Compact(got)[19] != 20 || len(slices.Compact(got)) != 20 {
			t.Fatalf("handled %v, want 1..20 once each", h.ids())
		}
		for chat, ids := range byChat {
			if !slices.IsSorted(ids) {
				t.Fatalf("chat %d handled out of order: %v", chat, ids)
			}
		}
		if n, _, _ := db.InboxBacklog(context.Background()); n != 0 {
			t.Fatalf("%d updates still pending", n)
		}
	})
}
