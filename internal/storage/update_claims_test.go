package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver, for a second session

	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// Two workers never hold one chat; a worker's chat is free the moment its
// session ends (a killed replica), with no lease to wait out.
func TestChatClaims(t *testing.T) {
	ctx := context.Background()
	if _, err := storagetest.SQLite(t, nil).NewChatLocker(ctx); !errors.Is(err, storage.ErrChatClaimsUnsupported) {
		t.Fatalf("SQLite chat locker: %v", err)
	}
	dsn := storagetest.PostgresDSN(t)
	db, err := storage.Open(dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for i, chat := range []int64{7, 8, 7, 9} {
		if err := db.StoreUpdates(ctx, []storage.StoredUpdate{{UpdateID: int64(i + 1), ChatID: chat, Payload: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	locker := func() *storage.ChatLocker {
		l, err := db.NewChatLocker(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Close)
		return l
	}
	claim := func(l *storage.ChatLocker) int64 {
		t.Helper()
		c, ok, err := l.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return 0
		}
		return c
	}
	a, b, c := locker(), locker(), locker()
	if got := claim(a); got != 7 {
		t.Fatalf("first claim took chat %d, want 7 (oldest pending)", got)
	}
	ups, err := a.Pending(ctx, 10)
	if err != nil || len(ups) != 2 || ups[0].UpdateID != 1 || ups[1].UpdateID != 3 {
		t.Fatalf("chat 7 pending %+v %v, want updates 1 and 3", ups, err)
	}
	if got := claim(b); got != 8 {
		t.Fatalf("second worker took chat %d, want 8 (7 is held)", got)
	}
	b.Release(ctx)
	if got := claim(b); got != 8 {
		t.Fatalf("after release chat %d, want 8 again", got)
	}
	if got := claim(c); got != 9 {
		t.Fatalf("third worker took chat %d, want 9", got)
	}
	c.Release(ctx)

	// The holder of chat 7 dies: its session is terminated by the server.
	if _, err := raw.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = 74653110 AND objid IN (7, 8) AND granted`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 74653110 AND objid = 7`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the terminated session's lock stayed")
		}
	}
	d := locker()
	if got := claim(d); got != 7 {
		t.Fatalf("after the holder's session ended, claim took %d, want 7", got)
	}
}
