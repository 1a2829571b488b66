package inbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	tgmodels "github.com/go-telegram/bot/models"
	_ "github.com/jackc/pgx/v5/stdlib" // a second session, to end A's

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
			db, func(_ context.Context, upd *tgmodels.Update) error {
				mu.Lock()
				byChat[upd.Message.Chat.ID] = append(byChat[upd.Message.Chat.ID], upd.ID)
				mu.Unlock()
				return nil
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

// Two replicas on one PostgreSQL database share the inbox: each update is
// handled once, each chat in order, and a chat whose holder dies (its
// database session ends) is taken over by the other replica.
func TestReplicasShareChatsAndTakeOver(t *testing.T) {
	dsn := storagetest.PostgresDSN(t)
	open := func() *storage.DB {
		db, err := storage.Open(dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	dbA, dbB := open(), open()

	var mu sync.Mutex
	byChat := map[int64][]int64{}
	count := map[int64]int{}
	h := newHandled()
	stuck := make(chan struct{})
	var stuckOnce sync.Once
	newReplica := func(db *storage.DB, name string) *inbox.Inbox {
		return inbox.New(inbox.Config{Webhook: true, Workers: 3, DrainTimeout: 2 * time.Second,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), OnDone: h.add,
			Claims: func(ctx context.Context) (inbox.ChatLocker, error) { return db.NewChatLocker(ctx) }},
			db, func(ctx context.Context, upd *tgmodels.Update) error {
				if name == "A" && upd.ID == 5 {
					// Replica A hangs on update 5 until it is "killed".
					stuckOnce.Do(func() { close(stuck) })
					<-ctx.Done()
					return nil
				}
				mu.Lock()
				byChat[upd.Message.Chat.ID] = append(byChat[upd.Message.Chat.ID], upd.ID)
				count[upd.ID]++
				mu.Unlock()
				return nil
			}, chatOf)
	}
	const total = 60
	for id := int64(1); id <= total; id++ {
		storeMessage(t, dbA, id, 100+id%6)
	}
	ctxA, killA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { doneA <- newReplica(dbA, "A").Run(ctxA) }()
	select {
	case <-stuck:
	case <-time.After(10 * time.Second):
		t.Fatal("replica A never reached update 5")
	}
	// B runs beside A for a while, then A dies while holding update 5's
	// chat: its sessions end.
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	doneB := make(chan error, 1)
	go func() { doneB <- newReplica(dbB, "B").Run(ctxB) }()
	<-h.wake
	// A stops taking chats, and its session holding chat 105 (update 5's)
	// dies, as when its machine vanishes; A's handler is still stuck and
	// never finishes (its drain ends it unmarked).
	killA()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = 74653110 AND objid = 105 AND granted`); err != nil {
		t.Fatal(err)
	}
	defer func() { <-doneA }()
	deadline := time.After(20 * time.Second)
	for {
		mu.Lock()
		n := len(count)
		mu.Unlock()
		if n == total {
			break
		}
		select {
		case <-h.wake:
		case <-deadline:
			t.Fatalf("handled %d of %d updates", n, total)
		}
	}
	stopB()
	<-doneB
	mu.Lock()
	defer mu.Unlock()
	for id, n := range count {
		if n != 1 {
			t.Errorf("update %d handled %d times", id, n)
		}
	}
	for chat, ids := range byChat {
		if !slices.IsSorted(ids) {
			t.Errorf("chat %d handled out of order: %v", chat, ids)
		}
	}
}
