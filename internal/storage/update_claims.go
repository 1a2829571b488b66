package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// Chat claims let several replicas on one PostgreSQL database share the
// inbox: a worker takes a chat (a session-level advisory lock on its own
// connection), handles that chat's pending updates in update_id order and
// lets go. Two workers — on one replica or on several — never hold the same
// chat, so each chat's updates are handled one at a time and in order
// whichever replica received them, while different chats run in parallel.
//
// The lock is the heartbeat: it lives exactly as long as the worker's
// database session. A replica that is killed closes its sockets (the kernel
// does it), PostgreSQL ends the session and the lock is free at once; a
// machine that vanishes is noticed by TCP keepalive, set tight on these
// connections (ChatLockKeepalive). No claim row to expire, no lease to wait
// out, no clock to trust.

// chatLockClass is the first key of every chat lock (the two-key advisory
// lock space, which does not overlap the one-key space of the migration
// lock).
const chatLockClass = 74_653_110

// ChatLockKeepalive is how soon PostgreSQL notices a silent replica's
// connection is gone (idle 5 s, then 3 probes 2 s apart).
const ChatLockKeepalive = 11 * time.Second

// ErrChatClaimsUnsupported is returned on SQLite, where one process is the
// only replica.
var ErrChatClaimsUnsupported = errors.New("chat claims need PostgreSQL")

// ChatLocker is one worker's connection for taking chats.
type ChatLocker struct {
	db   *DB
	conn *sql.Conn
	held int64
	has  bool
}

// NewChatLocker opens a worker's own connection for chat claims.
func (db *DB) NewChatLocker(ctx context.Context) (*ChatLocker, error) {
	if db.dialect != Postgres {
		return nil, ErrChatClaimsUnsupported
	}
	conn, err := db.lockSession(ctx, "chat-claim")
	if err != nil {
		return nil, err
	}
	return &ChatLocker{db: db, conn: conn}, nil
}

// lockSession opens a connection of its own for session advisory locks,
// with server-side keepalive, so a lock of a machine that disappeared
// without closing its socket is freed within seconds, not the kernel
// default of two hours.
func (db *DB) lockSession(ctx context.Context, what string) (*sql.Conn, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open %s connection: %w", what, err)
	}
	if _, err := conn.ExecContext(ctx, "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("set keepalive on %s connection: %w", what, err)
	}
	return conn, nil
}

// Claim takes the chat with the oldest pending update that no other worker
// holds and returns its id; ok is false when there is none. A held chat
// must be released before the next Claim.
func (l *ChatLocker) Claim(ctx context.Context) (chatID int64, ok bool, err error) {
	if l.has {
		return 0, false, errors.New("claim: a chat is still held")
	}
	// Chats with pending updates, oldest first; then one lock attempt at
	// a time, so exactly one lock is taken. (A lock call in a WHERE clause
	// may run for more rows than the LIMIT returns.)
	rows, err := l.conn.QueryContext(ctx, `SELECT chat_id FROM updates WHERE state = $1
		GROUP BY chat_id ORDER BY MIN(update_id) LIMIT 200`, UpdatePending)
	if err != nil {
		l.broken()
		return 0, false, fmt.Errorf("list chats with pending updates: %w", err)
	}
	var chats []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("list chats with pending updates: %w", err)
		}
		chats = append(chats, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("list chats with pending updates: %w", err)
	}
	for _, c := range chats {
		var got bool
		if err := l.conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", chatLockClass, chatLockKey(c)).Scan(&got); err != nil {
			l.broken()
			return 0, false, fmt.Errorf("lock chat %d: %w", c, err)
		}
		if got {
			l.held, l.has = c, true
			return c, true, nil
		}
	}
	return 0, false, nil
}

// chatLockKey folds a chat id into the lock's 32-bit second key. Two chats
// folding alike only take turns; nothing else changes.
func chatLockKey(chat int64) int32 { return int32(uint64(chat) ^ uint64(chat)>>32) }

// Pending lists the held chat's pending updates, oldest first.
func (l *ChatLocker) Pending(ctx context.Context, limit int) ([]StoredUpdate, error) {
	if !l.has {
		return nil, errors.New("pending: no chat held")
	}
	var rows []updateRow
	err := l.db.conn(ctx).Where("state = ? AND chat_id = ?", UpdatePending, l.held).
		Order("update_id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load pending updates of chat %d: %w", l.held, err)
	}
	out := make([]StoredUpdate, len(rows))
	for i, r := range rows {
		out[i] = StoredUpdate{UpdateID: r.UpdateID, ChatID: r.ChatID, Payload: []byte(r.Payload), Attempts: r.Attempts, Crashes: r.Crashes}
	}
	return out, nil
}

// Release lets go of the held chat. If the lock cannot be released the
// connection is thrown away, which releases it too.
func (l *ChatLocker) Release(ctx context.Context) {
	if !l.has {
		return
	}
	l.has = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock_all()"); err != nil {
		l.broken()
	}
}

// Close releases everything and gives the connection back.
func (l *ChatLocker) Close() {
	l.Release(context.Background())
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
}

// Alive tells whether the session holding the locks still answers; a
// broken one means the locks may be gone.
func (l *ChatLocker) Alive() bool { return l.conn != nil }

// broken discards the connection (never back to the pool with a lock on
// it); Alive is false afterwards and the worker opens a new locker.
func (l *ChatLocker) broken() {
	if l.conn == nil {
		return
	}
	_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	l.conn.Close()
	l.conn = nil
	l.has = false
}
