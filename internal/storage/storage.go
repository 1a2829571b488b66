// Package storage keeps salesbot's data with gorm, on SQLite (the embedded
// default) or PostgreSQL (for teams that run several replicas). Methods take
// and return models types; the row types here are private to the package.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"salesbot/internal/clock"
	"salesbot/models"
)

// Dialect names the database behind a DB.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is salesbot's storage.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	clock   clock.Clock
	dialect Dialect
	killed  atomic.Bool
	// wmu queues this process's SQLite writers in Go. SQLite has one
	// writer; a second one waiting in its busy handler sleeps in steps of
	// up to 100 ms, which under load costs far more than the write itself.
	wmu writerLock
	// writes groups the outbox's small writes into shared commits.
	writes batcher[*groupWrite]
	// pgWrites are PostgreSQL's groups, taken in turn (pgNext).
	pgWrites [pgGroups]batcher[*groupWrite]
	pgNext   atomic.Uint32
	// ckpt runs SQLite's WAL checkpoints beside the writers (checkpointer).
	ckpt *checkpointer
	// statements counts the SQL statements run through gorm (not BEGIN,
	// COMMIT or savepoints): a test's budget for what one message costs,
	// steadier than a timing.
	statements atomic.Int64
}

// Statements is how many SQL statements this handle has run so far.
func (db *DB) Statements() int64 { return db.statements.Load() }

// countStatements registers a callback after each of gorm's statement
// kinds that counts one statement per call.
func (db *DB) countStatements() error {
	count := func(*gorm.DB) { db.statements.Add(1) }
	cb := db.gorm.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("salesbot:count", count),
		cb.Query().After("gorm:query").Register("salesbot:count", count),
		cb.Update().After("gorm:update").Register("salesbot:count", count),
		cb.Delete().After("gorm:delete").Register("salesbot:count", count),
		cb.Row().After("gorm:row").Register("salesbot:count", count),
		cb.Raw().After("gorm:raw").Register("salesbot:count", count),
	} {
		if err != nil {
			return fmt.Errorf("register statement counter: %w", err)
		}
	}
	return nil
}

// writeLockWait bounds the wait for the SQLite writer lock. A writer that
// waited that long goes on without it and leaves the waiting to SQLite's
// busy timeout (which fails with "database is locked" instead of hanging,
// should a transaction ever wait for itself).
const writeLockWait = 15 * time.Second

// writeLock takes the SQLite writer lock for a top-level write (a
// transaction or a statement outside one); the returned func releases it.
// Inside a transaction the lock is held already. PostgreSQL needs none.
func (db *DB) writeLock(ctx context.Context) func() {
	if db.dialect != SQLite || db.InTransaction(ctx) || ctx.Value(heldKey{db}) != nil {
		return func() {}
	}
	if db.wmu.lock(ctx, ctx.Value(urgentKey{db}) != nil, writeLockWait) {
		return db.writeUnlock
	}
	return func() {}
}

// writeUnlock releases the SQLite writer lock after a write, and has the
// WAL checkpointed every so many writes.
func (db *DB) writeUnlock() {
	db.wmu.unlock()
	db.ckpt.wrote()
}

// urgentKey marks the outbox's group commits (a message's start and sent
// mark): they take the SQLite writer lock before waiting handlers do, so a
// reply is not held up, nor its repeat window widened, behind a batch of
// updates.
type urgentKey struct{ db *DB }

// writerLock is a mutex whose waiters are served in order, urgent ones
// first, and that a waiter can give up on.
type writerLock struct {
	mu      sync.Mutex
	held    bool
	waiting [2][]chan struct{} // urgent, then the others
	// since is when the holder took it; heldNs sums the time it was held
	// (WriteLockHeld).
	since  time.Time
	heldNs atomic.Int64
}

// WriteLockHeld is how long, in all, this process's SQLite writers have
// held the writer lock so far (zero on PostgreSQL). Writes are serialised,
// so the time held a message bounds the messages a second whatever the
// cores; the closed-loop benchmarks report it a message (lock-µs/msg).
// The hand-over to a waiter counts as held: the lock is nobody else's
// while the waiter wakes.
func (db *DB) WriteLockHeld() time.Duration { return time.Duration(db.wmu.heldNs.Load()) }

// lock takes the lock, or reports false when ctx ended or wait passed.
func (l *writerLock) lock(ctx context.Context, urgent bool, wait time.Duration) bool {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.since = time.Now()
		l.mu.Unlock()
		return true
	}
	q := 1
	if urgent {
		q = 0
	}
	ch := make(chan struct{})
	l.waiting[q] = append(l.waiting[q], ch)
	l.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	l.mu.Lock()
	for i, c := range l.waiting[q] {
		if c == ch {
			l.waiting[q] = append(l.waiting[q][:i:i], l.waiting[q][i+1:]...)
			l.mu.Unlock()
			return false
		}
	}
	l.mu.Unlock()
	// Handed over as it gave up: pass it on.
	l.unlock()
	return false
}

// unlock hands the lock to the first waiter, urgent ones first.
func (l *writerLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.heldNs.Add(int64(now.Sub(l.since)))
	l.since = now // the next holder's, if there is one
	for q := range l.waiting {
		if w := l.waiting[q]; len(w) > 0 {
			l.waiting[q] = w[1:]
			close(w[0])
			return
		}
	}
	l.held = false
}

// heldKey marks a context whose caller holds the SQLite writer lock.
type heldKey struct{ db *DB }

// holdingWriteLock takes the SQLite writer lock for several writes in a
// row; calls with the returned context do not take it again.
func (db *DB) holdingWriteLock(ctx context.Context) (context.Context, func()) {
	unlock := db.writeLock(ctx)
	return context.WithValue(ctx, heldKey{db}, true), unlock
}

// write runs one writing statement (fn) under the SQLite writer lock.
func (db *DB) write(ctx context.Context, fn func(g *gorm.DB) *gorm.DB) *gorm.DB {
	defer db.writeLock(ctx)()
	return fn(db.conn(ctx))
}

// upsert inserts row or, when a row with the same key columns is there,
// sets its update columns from row instead: one statement either way.
func upsert(g *gorm.DB, row any, key []string, update ...string) *gorm.DB {
	cols := make([]clause.Column, len(key))
	for i, k := range key {
		cols[i] = clause.Column{Name: k}
	}
	return g.Clauses(clause.OnConflict{Columns: cols, DoUpdates: clause.AssignmentColumns(update)}).Create(row)
}

// ErrKilled is what every call returns after Kill.
var ErrKilled = errors.New("database handle killed (simulated crash)")

// Kill makes every later call fail with ErrKilled, the way a process killed
// at this instant would never run them; what committed stays. Crash tests
// use it; nothing else should.
func (db *DB) Kill() { db.killed.Store(true) }

// Killed reports whether Kill was called: a sender about to make a request
// no database write precedes (a row claimed as it was stored) asks it, so
// a killed process sends nothing more, as a dead one would not.
func (db *DB) Killed() bool { return db.killed.Load() }

// IsPostgresDSN reports whether dsn selects PostgreSQL rather than a SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN adds the settings salesbot needs to a SQLite file path:
//   - WAL lets readers run beside the one writer;
//   - the busy timeout makes a second writer wait instead of failing;
//   - _txlock=immediate takes the write lock at BEGIN. A deferred transaction
//     that reads and then writes fails at once with "database is locked"
//     whatever the busy timeout, because SQLite cannot upgrade its read lock
//     while another connection writes.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	// Each connection keeps its last prepared statements: salesbot runs
	// the same few dozen statements over and over, and preparing one
	// costs as much as running it (measured: /visit +17 %).
	q.Set("_stmt_cache_size", "128")
	// A URI filename: '%', '?' and '#' in the path are escaped, or SQLite
	// would read them as an escape, the query or a fragment and open
	// another file ("/data/run#2/salesbot.db" would be "/data/run").
	path = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	return "file:" + path + "?" + q.Encode()
}

// sqliteDriver is mattn/go-sqlite3 with the connection settings its DSN
// cannot carry (sqliteSetup).
const sqliteDriver = "sqlite3-salesbot"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: sqliteSetup})
}

// sqliteSetup sets up each new SQLite connection.
//
// temp_store = MEMORY: SQLite's temporary files live in memory. The one
// that matters is the handler's savepoint (every update's handling runs
// in one, inside the update's transaction): the first change of a page
// after it copies the page to the savepoint's sub-journal, which SQLite
// keeps in memory only up to 64 KiB and then spills to a temporary file
// in /var/tmp. A /visit changes more pages than that, so with the default
// each /visit opened a temporary file and wrote ~37 pages into it (strace:
// 0.83 temp-file opens and 98 → 61 pwrite calls a message), all under
// the writer lock. Measured (BENCHMARKS.md "SQLite connection and cache
// (session 5)", 6 interleaved rounds): writer lock held per /visit
// 976 → 785 µs (−20 %), CPU per /visit −17 %, /visit msgs/s +23 %; /help
// (no page changed in its savepoint) unchanged. What else goes there (a sort or a temporary index the planner
// builds) is small for salesbot's sizes; memory is the better place.
//
// wal_autocheckpoint = walAutoCheckpoint: no commit checkpoints in the
// normal run; the checkpointer does it beside the writers (checkpoint.go).
//
// Tried and left at SQLite's defaults, no effect measured (same section):
// mmap_size 256 MiB and cache_size 32 MiB (SQLite reads ~2 pages a message
// with pread: its page cache is warm, whichever connection wrote last — a
// commit by another connection did not make the next transaction's first
// read slower: 28 µs either way), _mutex=no.
func sqliteSetup(c *sqlite3.SQLiteConn) error {
	for _, p := range []string{
		"PRAGMA temp_store = MEMORY",
		// The checkpointer's fallback: see checkpointer.
		fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walAutoCheckpoint),
	} {
		if _, err := c.Exec(p, nil); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// privateFile makes the SQLite file exist readable by its owner only
// (0600), before SQLite opens it: SQLite creates the -wal and -shm files
// with the database file's permissions, so they are private too. A file
// that existed with wider permissions (an older salesbot made it 0644) is
// narrowed, with its -wal and -shm.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open database file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close database file %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check permissions of %s: %w", p, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// Open connects to dsn (a SQLite file path or a postgres:// URL). It does not
// migrate; call Migrate.
func Open(dsn string, clk clock.Clock) (*DB, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	cfg := &gorm.Config{
		// Every stored time is UTC, at the precision both databases keep.
		NowFunc:        func() time.Time { return clk.Now().UTC().Truncate(time.Microsecond) },
		Logger:         logger.Discard,
		TranslateError: true,
	}
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	if IsPostgresDSN(dsn) {
		dialector, dialect = postgres.Open(dsn), Postgres
	} else {
		if dsn == "" {
			return nil, errors.New("empty database path")
		}
		if err := privateFile(dsn); err != nil {
			return nil, err
		}
		dialector, dialect = sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: sqliteDSN(dsn)}), SQLite
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("get sql.DB: %w", err)
	}
	if dialect == SQLite {
		// Writers queue on the file lock anyway; a few connections serve the
		// concurrent readers WAL allows without piling up waiting writers.
		sqlDB.SetMaxOpenConns(8)
		// Keep the connections the workers use open between statements
		// (database/sql keeps 2 by default): a new one costs the file's
		// open and pragmas.
		sqlDB.SetMaxIdleConns(8)
	}
	db := &DB{gorm: g, sql: sqlDB, clock: clk, dialect: dialect}
	if dialect == SQLite {
		db.ckpt = startCheckpointer(db)
	}
	if dialect == Postgres {
		db.SizePool(DefaultWorkers)
	}
	if err := sqlDB.Ping(); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	if err := db.countStatements(); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// DefaultWorkers is the inbox's workers unless configured (salesbot run
// --workers); SizePool is told the number in use.
const DefaultWorkers = 8

// pgShared is the part of PostgreSQL's pool that no worker holds for
// long: the outbox's group commits (pgGroups), its reads and the shared
// send budget (batched, one connection), the head loop and heartbeat, the
// jobs, the webhook receiver's stores and the metrics' reads. Past it they
// wait a moment for a connection instead of opening more.
const pgShared = pgGroups + 8

// SizePool caps PostgreSQL's connections for an inbox of workers workers.
// Without a cap a burst (webhook deliveries, follow-ups being sent) opens a
// backend per caller, and a few replicas exhaust the server's
// max_connections (100 by default) — failing where waiting a millisecond
// would do. The cap must leave room for what is held for good, or workers
// would wait for each other forever: each worker's chat-claim session
// (webhook mode) and its handling transaction, and the process lock;
// pgShared serves the rest. Three replicas of 4 workers (the replica test)
// take at most 3 × 25; one of the default 8, 33. All of them are kept
// open while idle (a backend's start costs more than its idle memory),
// closing after a quiet while.
func (db *DB) SizePool(workers int) {
	if db.dialect != Postgres {
		return
	}
	if workers <= 0 {
		workers = DefaultWorkers
	}
	n := 2*workers + 1 + pgShared
	db.sql.SetMaxOpenConns(n)
	db.sql.SetMaxIdleConns(n)
	db.sql.SetConnMaxIdleTime(5 * time.Minute)
}

// Close closes the database.
func (db *DB) Close() error {
	db.ckpt.stop()
	return db.sql.Close()
}

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Now is the storage clock's time, UTC, at stored precision.
func (db *DB) Now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// txKey keys the transaction InTx puts in a context; it names the DB so
// a context carrying one database's transaction never leaks into another's.
type txKey struct{ db *DB }

// InTx runs fn in one transaction: every storage call made with the
// context fn receives joins it, so what fn writes commits together or not
// at all (the inbox commits an update's rows, its replies and its done
// mark this way). fn's error rolls everything back and is returned. Called
// inside another InTx it nests as a savepoint.
//
// Everything fn does with the database must use the context it gets: on
// SQLite a call with another context waits for the transaction's write
// lock, which fn holds.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.killed.Load() {
		return ErrKilled
	}
	var hooks *commitHooks
	if !db.InTransaction(ctx) {
		hooks = &commitHooks{}
		ctx = context.WithValue(ctx, hooksKey{db}, hooks)
	} else {
		ctx = context.WithValue(ctx, savepointKey{db}, true)
	}
	committed := false
	defer func() {
		// Rolled back (an error, or a panic on its way up): undo what was
		// done in memory for it.
		if hooks != nil && !committed {
			hooks.rollBack()
		}
	}()
	err := func() error {
		defer db.writeLock(ctx)() // released even if fn panics
		return db.conn(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, txKey{db}, tx))
		})
	}()
	if err == nil && hooks != nil {
		committed = true
		hooks.run()
	}
	return err
}

// savepointKey marks the context of an InTx nested in another (a
// savepoint): its rollback takes back its writes but runs no hooks.
type savepointKey struct{ db *DB }

// OnOutcome registers what to do once ctx's transaction is decided:
// commit after it committed (as AfterCommit), rollback after it rolled
// back. It registers nothing and reports false in a savepoint (InTx inside
// InTx), whose rollback would undo its writes and tell nobody. Outside a
// transaction each statement commits by itself: it reports true and
// registers nothing; the caller knows the outcome from the statement's
// error. The outbox uses it to take in memory what a row it stores will
// need (its chat, held for it) and to give it back if the row never was.
func (db *DB) OnOutcome(ctx context.Context, commit, rollback func()) bool {
	if !db.InTransaction(ctx) {
		return true
	}
	h, ok := ctx.Value(hooksKey{db}).(*commitHooks)
	if !ok || ctx.Value(savepointKey{db}) != nil {
		return false
	}
	h.mu.Lock()
	if commit != nil {
		h.fns = append(h.fns, commit)
	}
	if rollback != nil {
		h.undo = append(h.undo, rollback)
	}
	h.mu.Unlock()
	return true
}

// hooksKey keys the functions to run once the outermost InTx committed.
type hooksKey struct{ db *DB }

type commitHooks struct {
	mu   sync.Mutex
	fns  []func()
	undo []func() // run instead if it rolls back (OnOutcome)
}

// take empties the hooks and returns what they held: a transaction ends
// once, by a commit (fns run) or a rollback (undo runs), never both.
func (h *commitHooks) take() (fns, undo []func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fns, undo = h.fns, h.undo
	h.fns, h.undo = nil, nil
	return fns, undo
}

func (h *commitHooks) rollBack() {
	_, undo := h.take()
	for _, fn := range undo {
		fn()
	}
}

func (h *commitHooks) add(fn func()) {
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
}

func (h *commitHooks) run() {
	fns, _ := h.take()
	for _, fn := range fns {
		fn()
	}
}

// AfterCommit runs fn once what ctx's transaction wrote has committed
// (after the writer lock is released), and never if it rolls back; outside
// a transaction it runs fn at once. The outbox uses it to send a row the
// moment the transaction that stored it commits. A savepoint that rolls
// back inside a transaction that commits does not take its hooks back:
// fn must be harmless then (the outbox's looks for rows and finds none).
func (db *DB) AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(hooksKey{db}).(*commitHooks); ok && db.InTransaction(ctx) {
		h.add(fn)
		return
	}
	if !db.InTransaction(ctx) {
		fn()
	}
	// A transaction without hooks is not one of InTx's: none is made
	// elsewhere, so nothing is left out here.
}

// InTransaction reports whether ctx carries one of this DB's transactions.
func (db *DB) InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{db}).(*gorm.DB)
	return ok
}

// conn is the handle a storage method works with: the transaction ctx
// carries (InTx), or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if db.killed.Load() {
		// gorm runs no statement on a handle with an error — except that
		// Begin still opens a transaction, which Transaction then leaves
		// open (it returns the handle's error without a rollback): on
		// SQLite a write lock held until the process ends, so a restart
		// on the same file waited out the busy timeout. The killed
		// handle's pool can begin nothing.
		g := db.gorm.Session(&gorm.Session{NewDB: true, Context: ctx})
		g.Statement.ConnPool = killedPool{}
		_ = g.AddError(ErrKilled)
		return g
	}
	if tx, ok := ctx.Value(txKey{db}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// killedPool is the connection pool of a killed DB's handles: every call
// fails, and it cannot begin a transaction.
type killedPool struct{}

func (killedPool) PrepareContext(context.Context, string) (*sql.Stmt, error) { return nil, ErrKilled }
func (killedPool) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, ErrKilled
}
func (killedPool) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, ErrKilled
}
func (killedPool) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

// tx runs fn in a transaction of its own, or in a savepoint of the one ctx
// carries, so a method's writes are all-or-nothing either way and an
// expected failure (a duplicate name) does not spoil the caller's
// transaction on PostgreSQL.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if db.killed.Load() {
		return ErrKilled
	}
	defer db.writeLock(ctx)()
	return db.conn(ctx).Transaction(fn)
}

// forUpdate makes q's reads lock their rows until the transaction ends,
// on PostgreSQL, so two changes at once do not both start from the same
// row. (SQLite transactions here take the write lock at BEGIN.)
func (db *DB) forUpdate(q *gorm.DB) *gorm.DB {
	if db.dialect == Postgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// takeRow reads row id of R's table through q (which may narrow it);
// gone is the error key when there is none, what names the read in an
// error.
func takeRow[R any](q *gorm.DB, id int64, what, gone string) (*R, error) {
	var row R
	if err := q.Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("%s %d: %w", what, id, translate(err, gone, ""))
	}
	return &row, nil
}

// translate turns driver errors into domain errors where one fits.
func translate(err error, notFoundKey, conflictKey string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound) && notFoundKey != "":
		return models.Errorf(models.ENOTFOUND, notFoundKey, nil)
	case errors.Is(err, gorm.ErrDuplicatedKey) && conflictKey != "":
		return models.Errorf(models.ECONFLICT, conflictKey, nil)
	}
	return err
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// listOf runs a list query into rows of R and converts each to what the
// method returns; what names the list in the error.
func listOf[R, M any](q *gorm.DB, model func(*R) M, what string) ([]M, error) {
	var rows []R
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	out := make([]M, len(rows))
	for i := range rows {
		out[i] = model(&rows[i])
	}
	return out, nil
}

// page is one page of a list: offset rows skipped, at most limit (0: all).
func page(q *gorm.DB, offset, limit int) *gorm.DB {
	q = q.Offset(offset)
	if limit > 0 {
		q = q.Limit(limit)
	}
	return q
}

// maxOf is the largest value of an integer column, 0 when there are no
// rows; what names it in the error.
func maxOf(q *gorm.DB, column, what string) (int64, error) {
	var n *int64
	if err := q.Select("MAX(" + column + ")").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("read %s: %w", what, err)
	}
	if n == nil {
		return 0, nil
	}
	return *n, nil
}

// countOf counts what a query matches; what names it in the error.
func countOf(q *gorm.DB, what string) (int, error) {
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count %s: %w", what, err)
	}
	return int(n), nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := utc(t)
	return &u
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
