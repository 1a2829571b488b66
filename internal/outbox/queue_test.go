package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
)

// newQueue runs a Queue with workers on a fresh SQLite database and the
// fake Bot API; the storage clock stands still.
func newQueue(t *testing.T, workers int) (*outbox.Queue, *storage.DB, *tgfake.Server) {
	return newQueueWith(t, outbox.QueueConfig{Workers: workers, RetryBackoff: time.Hour})
}

func newQueueWith(t *testing.T, cfg outbox.QueueConfig) (*outbox.Queue, *storage.DB, *tgfake.Server) {
	t.Helper()
	vt := outbox.NewVirtualTime(start)
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep, MaxAttempts: 1}, 0)
	db := storagetest.SQLite(t, clock.NewFake(start))
	q := outbox.NewQueue(db, o, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	q.Start(ctx)
	t.Cleanup(func() { cancel(); <-q.Done() })
	return q, db, fake
}

func settle(t *testing.T, q *outbox.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Settle(ctx); err != nil {
		t.Fatalf("queue not settled: %v", err)
	}
}

// waitSent waits until chat got n messages.
func waitSent(t *testing.T, fake *tgfake.Server, chat int64, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(fake.SentTo(chat)) < n {
		select {
		case <-fake.Notify():
		case <-deadline:
			t.Fatalf("chat %d got %d messages, want %d", chat, len(fake.SentTo(chat)), n)
		}
	}
}

// A reply is sent as its transaction commits, without a read of its
// chat's head — but never before an older row of the same chat: here the
// older one failed and waits for a later try, so the new one waits too,
// while another chat's reply goes out. (One worker: it tries chat 1's
// reply first, then chat 2's, so chat 2's arrival means chat 1's try is
// over.)
func TestKickedReplyWaitsForItsChatsOlderRow(t *testing.T) {
	q, db, fake := newQueue(t, 1)
	ctx := context.Background()
	fake.FailNextNTo("sendMessage", 1, 1, tgfake.Failure{Code: http.StatusBadGateway, Description: "Bad Gateway"})
	if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "first"}); err != nil {
		t.Fatal(err)
	}
	settle(t, q) // the first failed: due again in an hour
	if n := len(fake.SentTo(1)); n != 0 {
		t.Fatalf("%d messages to chat 1 after a failed send", n)
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "second"}); err != nil {
			return err
		}
		return q.Enqueue(ctx, 0, outbox.Message{ChatID: 2, Text: "other chat"})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, fake, 2, 1)
	if got := fake.SentTo(2); len(got) != 1 || got[0].Text != "other chat" {
		t.Fatalf("chat 2 got %+v", got)
	}
	if got := fake.SentTo(1); len(got) != 0 {
		t.Fatalf("chat 1 got %+v before its older message", got)
	}
	rows, err := db.OutgoingByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ChatID == 1 && (r.State != storage.OutgoingPending || r.Attempts != map[bool]int{true: 1, false: 0}[string(r.Payload) == `{"text":"first"}`]) {
			t.Fatalf("chat 1's row %d: state %s, %d attempts", r.ID, r.State, r.Attempts)
		}
	}
}

// With every worker busy, replies committed meanwhile wait in memory and
// are all sent, each chat's in the order they were stored.
func TestKicksWhileWorkersBusyKeepEachChatsOrder(t *testing.T) {
	q, db, fake := newQueue(t, 1)
	ctx := context.Background()
	const chats, each = 5, 6
	for i := 0; i < each; i++ {
		for c := int64(1); c <= chats; c++ {
			err := db.InTx(ctx, func(ctx context.Context) error {
				return q.Enqueue(ctx, 0, outbox.Message{ChatID: c, Text: fmt.Sprintf("%d-%d", c, i)})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	settle(t, q)
	for c := int64(1); c <= chats; c++ {
		got := fake.SentTo(c)
		if len(got) != each {
			t.Fatalf("chat %d got %d messages, want %d", c, len(got), each)
		}
		for i, s := range got {
			if want := fmt.Sprintf("%d-%d", c, i); s.Text != want {
				t.Fatalf("chat %d message %d is %q, want %q", c, i, s.Text, want)
			}
		}
	}
}

// A reply whose chat has nothing waiting is stored claimed and started by
// the sending process, in its transaction: its send makes no claim write
// (its one start is the insert's). Here it waits for the only worker,
// busy with another chat, and is already claimed while it waits.
func TestReplyIsStoredClaimed(t *testing.T) {
	block, blocked := make(chan struct{}), make(chan struct{}, 1)
	q, db, fake := newQueueWith(t, outbox.QueueConfig{Workers: 1, Faults: outbox.Faults{
		BeforeSend: func(r storage.Outgoing) bool {
			if r.ChatID == 9 {
				blocked <- struct{}{}
				<-block
			}
			return false
		},
	}})
	ctx := context.Background()
	if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 9, Text: "busy"}); err != nil {
		t.Fatal(err)
	}
	<-blocked
	err := db.InTx(ctx, func(ctx context.Context) error {
		return q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "hello"})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.OutgoingByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[1]; r.ChatID != 1 || r.Owner != q.Owner() || r.Attempts != 1 || r.StartedAt.IsZero() {
		t.Fatalf("reply as stored: chat %d, owner %q, %d attempts, started %v; want claimed and started by %q",
			r.ChatID, r.Owner, r.Attempts, r.StartedAt, q.Owner())
	}
	close(block)
	waitSent(t, fake, 1, 1)
	settle(t, q)
	rows, err = db.OutgoingByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.State != storage.OutgoingSent || r.Attempts != 1 {
			t.Fatalf("row %d: %s after %d attempts, want sent after one", r.ID, r.State, r.Attempts)
		}
	}
}

// A reply stored in a transaction that rolls back is never sent, and its
// chat, held for it meanwhile, is free again for the next one — also when
// only the savepoint around it rolls back while the transaction commits.
func TestRolledBackReplyIsNotSentAndFreesItsChat(t *testing.T) {
	q, db, fake := newQueue(t, 2)
	ctx := context.Background()
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "rolled back"}); err != nil {
			return err
		}
		return errors.New("the handling failed")
	})
	if err == nil {
		t.Fatal("want the transaction's error")
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		_ = db.InTx(ctx, func(ctx context.Context) error {
			if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "savepoint rolled back"}); err != nil {
				return err
			}
			return errors.New("the handler failed")
		})
		return q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "kept"})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, fake, 1, 1)
	settle(t, q)
	if got := fake.SentTo(1); len(got) != 1 || got[0].Text != "kept" {
		t.Fatalf("chat 1 got %+v, want only the kept reply", got)
	}
}

// A reply stored claimed and started whose send a stop interrupts while it
// waits for its turn (pacing) is left as if no send had started: no
// attempt counted, no start (its send after a restart carries no repeat
// note), no owner.
func TestStopBeforeRequestTakesBackStoredStart(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	pacing := make(chan struct{}, 1)
	sleep := func(ctx context.Context, d time.Duration) error {
		select {
		case pacing <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	}
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: sleep, MaxAttempts: 1,
		Limits: outbox.Limits{Global: 1, GlobalBurst: 1, PerChat: 1000, ChatBurst: 10, PerGroup: 1000, GroupBurst: 10}}, 0)
	db := storagetest.SQLite(t, clock.NewFake(start))
	q := outbox.NewQueue(db, o, outbox.QueueConfig{Workers: 1, RetryBackoff: time.Hour})
	qctx, stop := context.WithCancel(context.Background())
	q.Start(qctx)
	t.Cleanup(func() { stop(); <-q.Done() })
	ctx := context.Background()
	// Another chat's message takes the only global slot of the moment
	// (a chat of its own: chat 1 is its own head, free to be stored
	// claimed, whenever that one's worker lets its chat go).
	if err := q.Enqueue(ctx, 0, outbox.Message{ChatID: 2, Text: "first"}); err != nil {
		t.Fatal(err)
	}
	waitSent(t, fake, 2, 1)
	settle(t, q)
	err := db.InTx(ctx, func(ctx context.Context) error {
		return q.Enqueue(ctx, 0, outbox.Message{ChatID: 1, Text: "second"})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.OutgoingByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[1]; r.Attempts != 1 || r.StartedAt.IsZero() || r.Owner != q.Owner() {
		t.Fatalf("second as stored: %d attempts, started %v, owner %q; want stored claimed and started", r.Attempts, r.StartedAt, r.Owner)
	}
	select {
	case <-pacing:
	case <-time.After(10 * time.Second):
		t.Fatal("the second message never waited for its turn")
	}
	stop()
	<-q.Done()
	rows, err = db.OutgoingByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows[1]; r.State != storage.OutgoingPending || r.Attempts != 0 || !r.StartedAt.IsZero() || r.Owner != "" {
		t.Fatalf("second after the stop: %s, %d attempts, started %v, owner %q; want pending, unstarted, unclaimed",
			r.State, r.Attempts, r.StartedAt, r.Owner)
	}
	if n := len(fake.SentTo(1)); n != 0 {
		t.Fatalf("chat 1 got %d messages, want none", n)
	}
}
