package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"salesbot/internal/storage"
)

// Queue is the durable outbox: what the bot decides to say is stored as
// rows (storage.Outgoing) in the transaction that decided it, and the
// Queue sends them through the Outbox's pacing and retries, in id order
// per chat, marking each row sent as soon as Telegram accepts it.
//
// Guarantee: a message whose decision committed is sent at least once. It
// is sent twice only if the process stopped after Telegram accepted it and
// before its sent mark committed (BENCHMARKS.md measures that window). A
// send's start is committed just before its request goes out (after the
// rate limit's wait), so after a crash a row with a start (StartedAt) is
// known to be a possible repeat, and one without is not: only the former
// gets its RepeatNote. A long text split in parts resumes after the last
// part recorded; a report's parts are separate rows, sent in order. A row
// is claimed by the sending process in the same write as its start (its
// owner id, kept alive by a heartbeat), and only while it is its chat's
// oldest pending row — for a reply that is its chat's head as it is
// stored, by the insert itself (storage.EnqueueClaimed), so that its
// start commits with the update's handling: a crash between that commit
// and the request makes its copy carry the RepeatNote without a first
// one having reached the chat (a note too many, never one too few; a
// graceful stop takes such a start back). Another process takes over a
// row whose owner has not beaten for StaleAfter — on PostgreSQL sooner,
// once the owner's process lock is free (its session ended: it died) and
// it missed a beat and a half (storage.ReleaseDeadClaims) — and a
// restarted process with the same id resumes its own at once. Nothing
// waits out a lease.
//
// Speed: the commit of the transaction that stored rows hands their chats
// to free workers at once (Kick, through storage.AfterCommit), so a reply
// leaves as soon as its update's handling committed, without a read of the
// chat's head; the head loop (a read of every chat's oldest pending row)
// serves what no commit of this process announced: rows left by a stop,
// retries, other replicas' rows and backlogs when every worker is busy.
// Per message that is one write to start it and one to mark it, both
// group-committed on SQLite with the other writes of the moment; a reply
// stored claimed needs only the mark.
type Queue struct {
	db   *storage.DB
	out  *Outbox
	cfg  QueueConfig
	log  *slog.Logger
	wake chan struct{}

	mu       sync.Mutex
	inflight map[int64]bool          // chats with a send in progress here
	again    map[int64]*kicks        // chats kicked while in flight: look again
	queued   map[int64]*kicks        // chats kicked while every worker was busy
	kicked   [numPriorities][]int64  // those chats in order, by priority
	slots    chan struct{}           // a token per busy worker (while running)
	jobs     chan job                // chats handed to the workers
	starved  bool                    // the head loop found every worker busy
	backlog  []storage.Outgoing      // heads it read and could not hand out
	skip     map[int64]time.Time     // rows another live process holds, until
	waiters  map[int64]*updateWaiter // update id → who waits for its rows
	claimed  map[int64]bool          // rows stored claimed by this run (EnqueueClaimed), not yet sent
	changed  chan struct{}           // closed and replaced when a row finishes
	sources  map[string]SourceHooks
	running  bool
	lat      []time.Duration // HTTP answer → committed mark, for BENCHMARKS.md
	latCap   int
	runDone  chan struct{}
}

// SourceHooks let the producer of a row record its outcome in the same
// transaction as the row's mark (a follow-up's sent state with the
// message that delivered it). Either may be nil.
type SourceHooks struct {
	Sent   func(ctx context.Context, row storage.Outgoing, messageID int) error
	Failed func(ctx context.Context, row storage.Outgoing, err error) error
}

// Faults are test hooks at the send's step boundaries; each returns true
// to simulate a crash there (the row is left exactly as it is).
type Faults struct {
	// BeforeSend runs after the row's start committed (after pacing) and
	// before the request goes out.
	BeforeSend func(row storage.Outgoing) bool
	// AfterSend runs after Telegram accepted the message and before its
	// mark commits: the window in which a repeat is possible.
	AfterSend func(row storage.Outgoing) bool
	// AfterMark runs after the mark committed.
	AfterMark func(row storage.Outgoing) bool
}

// QueueConfig tunes a Queue.
type QueueConfig struct {
	// Owner identifies this process in claims (default "local"). A process
	// started again with the same Owner resumes its claims at once.
	Owner string
	// Workers is how many chats are sent to at once (default 16).
	Workers int
	// Beat is how often the heartbeat is written (default 2 s) and
	// StaleAfter how old another owner's may be before its rows are taken
	// over (default 5 × Beat).
	Beat, StaleAfter time.Duration
	// RetryBackoff is the first wait before a row that failed transiently
	// (after the Outbox's own retries) is tried again; it doubles per
	// attempt up to 15 min (default 30 s).
	RetryBackoff time.Duration
	Faults       Faults
	Log          *slog.Logger
	// TakenOver, when set, is told how many sends of a dead process this
	// one took over (metrics.ClaimTakenOver).
	TakenOver func(n int)
	// TrackUpdates counts each update's rows as its transaction stores
	// them, so that WhenSent knows without a read; for callers that wait
	// for every update (tests, the console).
	TrackUpdates bool
}

// NewQueue returns a Queue storing into db and sending through out; Run
// starts sending.
func NewQueue(db *storage.DB, out *Outbox, cfg QueueConfig) *Queue {
	if cfg.Owner == "" {
		cfg.Owner = "local"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Beat <= 0 {
		cfg.Beat = 2 * time.Second
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = 5 * cfg.Beat
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.TakenOver == nil {
		cfg.TakenOver = func(int) {}
	}
	return &Queue{db: db, out: out, cfg: cfg, log: cfg.Log, wake: make(chan struct{}, 1),
		inflight: map[int64]bool{}, again: map[int64]*kicks{}, queued: map[int64]*kicks{}, skip: map[int64]time.Time{}, waiters: map[int64]*updateWaiter{},
		claimed: map[int64]bool{},
		changed: make(chan struct{}), sources: map[string]SourceHooks{}, latCap: 1 << 16}
}

// Owner is the id this queue claims rows with.
func (q *Queue) Owner() string { return q.cfg.Owner }

// Handle registers the hooks of a row source (before Run).
func (q *Queue) Handle(source string, h SourceHooks) { q.sources[source] = h }

// payload is a Message as stored; the file goes in its own columns.
type payload struct {
	Text           string     `json:"text,omitempty"`
	Buttons        [][]Button `json:"buttons,omitempty"`
	EditMessageID  int        `json:"edit,omitempty"`
	Document       bool       `json:"document,omitempty"`
	Photo          bool       `json:"photo,omitempty"`
	AnswerCallback string     `json:"answer,omitempty"`
	RepeatNote     string     `json:"repeat,omitempty"`
}

// Row encodes m as a row to store; source and sourceID name what it
// delivers (empty for a reply).
func Row(m Message, updateID int64, source string, sourceID int64) (storage.Outgoing, error) {
	if err := checkButtons(m.Buttons); err != nil {
		return storage.Outgoing{}, err
	}
	p := payload{Text: m.Text, Buttons: m.Buttons, EditMessageID: m.EditMessageID, AnswerCallback: m.AnswerCallback, RepeatNote: m.RepeatNote}
	row := storage.Outgoing{ChatID: m.ChatID, Priority: int(m.Priority), UpdateID: updateID, Source: source, SourceID: sourceID}
	switch {
	case m.Document != nil:
		p.Document, row.FileName, row.FileData = true, m.Document.Name, m.Document.Data
	case m.Photo != nil:
		p.Photo, row.FileName, row.FileData = true, m.Photo.Name, m.Photo.Data
	}
	b, err := json.Marshal(p)
	if err != nil {
		return storage.Outgoing{}, fmt.Errorf("encode message to %d: %w", m.ChatID, err)
	}
	row.Payload = b
	return row, nil
}

// MessageOf decodes a stored row.
func MessageOf(row storage.Outgoing) (Message, error) {
	var p payload
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return Message{}, fmt.Errorf("decode outgoing message %d: %w", row.ID, err)
	}
	m := Message{ChatID: row.ChatID, Text: p.Text, Buttons: p.Buttons, EditMessageID: p.EditMessageID,
		Priority: Priority(row.Priority), AnswerCallback: p.AnswerCallback, RepeatNote: p.RepeatNote}
	switch {
	case p.Document:
		m.Document = &File{Name: row.FileName, Data: row.FileData}
	case p.Photo:
		m.Photo = &File{Name: row.FileName, Data: row.FileData}
	}
	return m, nil
}

// Enqueue stores msgs, in order, as the replies to update updateID (0:
// none). Called with storage.InTx's context they commit with the caller's
// transaction; they are sent after it commits (Wake).
func (q *Queue) Enqueue(ctx context.Context, updateID int64, msgs ...Message) error {
	_, err := q.EnqueueFrom(ctx, updateID, "", 0, msgs...)
	return err
}

// EnqueueFrom is Enqueue for messages that deliver something (source and
// sourceID: its hooks run when they are sent); it returns the row ids.
func (q *Queue) EnqueueFrom(ctx context.Context, updateID int64, source string, sourceID int64, msgs ...Message) ([]int64, error) {
	rows := make([]storage.Outgoing, 0, len(msgs))
	for _, m := range msgs {
		row, err := Row(m, updateID, source, sourceID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if oneChat(rows) {
		// A reply (the common case): stored claimed by this process when
		// it is its chat's head, and sent without a claim write.
		if ids, ok, err := q.enqueueClaimed(ctx, rows, msgs[0].AnswerCallback == ""); ok {
			if err != nil {
				return nil, err
			}
			q.track(ctx, updateID, len(ids))
			return ids, nil
		}
	}
	return q.store(ctx, updateID, rows)
}

// store stores rows unclaimed (EnqueueOutgoing), counts them for updateID
// (track) and sends their chats once ctx's transaction has committed them
// (kickAfterCommit).
func (q *Queue) store(ctx context.Context, updateID int64, rows []storage.Outgoing) ([]int64, error) {
	ids, err := q.db.EnqueueOutgoing(ctx, rows)
	if err != nil {
		return nil, err
	}
	q.track(ctx, updateID, len(ids))
	q.kickAfterCommit(ctx, rows, ids)
	return ids, nil
}

// oneChat reports whether rows are messages to one chat, none a file (a
// file is read back when sent, not held in memory while it waits).
func oneChat(rows []storage.Outgoing) bool {
	for _, r := range rows {
		if r.ChatID != rows[0].ChatID || len(r.FileData) > 0 {
			return false
		}
	}
	return len(rows) > 0 && len(rows) <= maxKickedRows
}

// enqueueClaimed stores rows with storage.EnqueueClaimed: the first claimed
// by this process and (start) its send started, if it is its chat's head. The
// chat is held here from the insert until the transaction is decided, so
// that nothing else of this process hands it to a worker meanwhile; at
// the commit it goes to a worker at once (or, every worker busy, first in
// line), at a rollback it is let go. ok is false when the row was not
// stored here: the queue is not running, the chat is being sent to
// already, or ctx is a savepoint (whose rollback would tell nobody).
func (q *Queue) enqueueClaimed(ctx context.Context, rows []storage.Outgoing, start bool) (ids []int64, ok bool, err error) {
	chat := rows[0].ChatID
	q.mu.Lock()
	if q.slots == nil || q.inflight[chat] || q.queued[chat] != nil {
		q.mu.Unlock()
		return nil, false, nil
	}
	q.inflight[chat] = true
	q.mu.Unlock()
	var claimed, failed bool
	commit := func() {
		if failed {
			return
		}
		now := q.db.Now()
		for i := range rows {
			rows[i].ID, rows[i].NextAt, rows[i].State = ids[i], now, storage.OutgoingPending
		}
		if claimed {
			rows[0].Owner = q.cfg.Owner
			if start {
				rows[0].Attempts, rows[0].StartedAt = 1, now
			}
		}
		q.dispatchHeld(chat, Priority(rows[0].Priority), rows, claimed)
	}
	rollback := func() {
		if !failed {
			q.letGo(chat)
		}
	}
	if !q.db.OnOutcome(ctx, commit, rollback) {
		q.letGo(chat)
		return nil, false, nil
	}
	ids, claimed, err = q.db.EnqueueClaimed(ctx, rows, q.cfg.Owner, start)
	if err != nil {
		failed = true
		q.letGo(chat)
		return nil, true, err
	}
	if !q.db.InTransaction(ctx) {
		commit() // it committed by itself
	}
	return ids, true, nil
}

// dispatchHeld hands a chat held for rows (enqueueClaimed), now committed,
// to a free worker, or queues it first among the kicked chats; claimed
// says the first was stored claimed (and started) by this process.
func (q *Queue) dispatchHeld(chat int64, prio Priority, rows []storage.Outgoing, claimed bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if claimed {
		q.claimed[rows[0].ID] = true
	}
	if q.slots == nil {
		// Stopped meanwhile: the head loop of the next start sends it.
		delete(q.inflight, chat)
		delete(q.again, chat)
		q.Wake()
		return
	}
	select {
	case q.slots <- struct{}{}:
		q.jobs <- job{chat: chat, kicked: rows} // never blocks: a slot was free
	default:
		delete(q.inflight, chat)
		k := &kicks{rows: rows}
		if a := q.again[chat]; a != nil {
			delete(q.again, chat)
			k.rows, k.load = append(k.rows, a.rows...), a.load
		}
		q.queueLocked(chat, prio, k)
	}
}

// queueLocked puts chat, whose kicks are k, in line behind the chats
// kicked before at its priority, for the first worker that finishes
// (release); k past maxKickedRows is read from the table when its turn
// comes. Holds mu.
func (q *Queue) queueLocked(chat int64, prio Priority, k *kicks) {
	if k.load || len(k.rows) > maxKickedRows {
		k.rows, k.load = nil, true
	}
	if prio < 0 || prio >= numPriorities {
		prio = Bulk
	}
	q.queued[chat] = k
	q.kicked[prio] = append(q.kicked[prio], chat)
}

// letGo releases a chat held by enqueueClaimed whose row was never
// stored; what was kicked for it meanwhile is left to the head loop.
func (q *Queue) letGo(chat int64) {
	q.mu.Lock()
	_, again := q.again[chat]
	delete(q.inflight, chat)
	delete(q.again, chat)
	q.mu.Unlock()
	if again {
		q.Wake()
	}
}

// takeClaimed reports whether row id was stored claimed by this run and
// not sent since (forgetting it: its send begins).
func (q *Queue) takeClaimed(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	ok := q.claimed[id]
	delete(q.claimed, id)
	return ok
}

// track counts n rows stored for update updateID (TrackUpdates), taken
// back if the transaction rolls back; in a savepoint the count is not
// known, and WhenSent reads it.
func (q *Queue) track(ctx context.Context, updateID int64, n int) {
	if !q.cfg.TrackUpdates || updateID == 0 || n == 0 {
		return
	}
	q.mu.Lock()
	w := q.waiters[updateID]
	if w == nil {
		w = &updateWaiter{}
		q.waiters[updateID] = w
	}
	if w.remaining >= 0 {
		w.remaining += n
	}
	q.mu.Unlock()
	undo := func() {
		q.mu.Lock()
		if w.remaining >= 0 {
			w.remaining -= n
		}
		q.mu.Unlock()
	}
	if !q.db.OnOutcome(ctx, nil, undo) {
		q.mu.Lock()
		w.remaining, w.early = -1, 0
		q.mu.Unlock()
	}
}

// kickAfterCommit sends rows' chats (Kick) once ctx's transaction has
// committed them (at once outside one).
func (q *Queue) kickAfterCommit(ctx context.Context, rows []storage.Outgoing, ids []int64) {
	now := q.db.Now()
	for i := 0; i < len(rows); {
		// A chat's rows in a row go to one Kick, in order.
		j := i
		for j < len(rows) && rows[j].ChatID == rows[i].ChatID {
			rows[j].ID, rows[j].NextAt, rows[j].State = ids[j], now, storage.OutgoingPending
			j++
		}
		chat, prio, mine := rows[i].ChatID, Priority(rows[i].Priority), rows[i:j:j]
		for _, r := range mine {
			if len(r.FileData) > 0 {
				mine = nil // a file is read back when sent, not held while it waits
				break
			}
		}
		q.db.AfterCommit(ctx, func() { q.Kick(chat, prio, mine...) })
		i = j
	}
}

// Delivery is one message that delivers something (EnqueueDeliveries).
type Delivery struct {
	SourceID int64
	Message  Message
}

// EnqueueDeliveries stores one message per item of source (a claimed batch
// of follow-ups), in order, in one statement; it returns the row ids.
func (q *Queue) EnqueueDeliveries(ctx context.Context, source string, items []Delivery) ([]int64, error) {
	rows := make([]storage.Outgoing, 0, len(items))
	for _, it := range items {
		row, err := Row(it.Message, 0, source, it.SourceID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return q.store(ctx, 0, rows)
}

// Wake tells the queue new rows committed.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// WhenSent calls fn once every row of update updateID is sent or given up
// (at once if it has none left). It reads the update's rows once and then
// counts them down as they finish.
func (q *Queue) WhenSent(ctx context.Context, updateID int64, fn func()) {
	q.mu.Lock()
	w := q.waiters[updateID]
	if w == nil {
		w = &updateWaiter{remaining: -1}
		q.waiters[updateID] = w
	}
	w.fns = append(w.fns, fn)
	known := w.remaining >= 0 // counted as they were stored (track)
	q.mu.Unlock()
	if known {
		q.finished(updateID, 0)
		return
	}
	for {
		// A row finishing while the count is read may or may not be in
		// it: read again until none finished meanwhile.
		q.mu.Lock()
		w.early = 0
		q.mu.Unlock()
		n, err := q.db.UnsentOutgoing(context.WithoutCancel(ctx), updateID, nil)
		if err != nil {
			q.log.Warn("count an update's unsent messages", "update_id", updateID, "err", err)
			return
		}
		q.mu.Lock()
		if w.early == 0 {
			w.remaining = int(n)
			q.mu.Unlock()
			break
		}
		q.mu.Unlock()
	}
	q.finished(updateID, 0)
}

// updateWaiter is who waits for an update's rows (WhenSent).
type updateWaiter struct {
	remaining int // -1: not counted yet
	early     int // rows finished while the count was read
	fns       []func()
}

// finished counts n more rows of updateID done and calls the waiters when
// none is left.
func (q *Queue) finished(updateID int64, n int) {
	q.mu.Lock()
	w := q.waiters[updateID]
	if w == nil {
		q.mu.Unlock()
		return
	}
	if w.remaining < 0 {
		w.early += n
		q.mu.Unlock()
		return
	}
	w.remaining = max(0, w.remaining-n)
	if w.remaining > 0 || len(w.fns) == 0 {
		// More to come, or nobody asked yet: WhenSent, told of the
		// update as it committed (TrackUpdates), finds it done.
		q.mu.Unlock()
		return
	}
	delete(q.waiters, updateID)
	q.mu.Unlock()
	for _, fn := range w.fns {
		fn()
	}
}

// Wait returns when the rows ids are all sent or given up, or ctx ends.
// Jobs use it so that `salesbot job` exits only after its messages left.
func (q *Queue) Wait(ctx context.Context, ids []int64) error {
	return q.waitFor(ctx, func(ctx context.Context) (int64, error) { return q.db.UnsentOutgoing(ctx, 0, ids) })
}

// Flush returns when every row stored before the call is sent or given
// up, or ctx ends (jobs: `salesbot job` exits only after its messages left).
func (q *Queue) Flush(ctx context.Context) error {
	last, err := q.db.LastOutgoingID(ctx)
	if err != nil {
		return err
	}
	return q.waitFor(ctx, func(ctx context.Context) (int64, error) { return q.db.UnsentOutgoingUpTo(ctx, last) })
}

// Settle is Flush, except that rows waiting for a later try (a transient
// failure's back-off) are not waited for: it returns when nothing stored
// before the call can be sent now.
func (q *Queue) Settle(ctx context.Context) error {
	last, err := q.db.LastOutgoingID(ctx)
	if err != nil {
		return err
	}
	return q.waitFor(ctx, func(ctx context.Context) (int64, error) { return q.db.ReadyOutgoingUpTo(ctx, last) })
}

func (q *Queue) waitFor(ctx context.Context, unsent func(ctx context.Context) (int64, error)) error {
	for {
		q.mu.Lock()
		changed := q.changed
		q.mu.Unlock()
		n, err := unsent(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		q.Wake()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-time.After(time.Second):
		}
	}
}

// Changed is closed (and replaced) when a row finishes; a producer that
// keeps the queue short waits on it before adding more.
func (q *Queue) Changed() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

// MarkLatencies returns, sorted, the time from each accepted send's HTTP
// answer to its committed sent mark (the window of a possible repeat).
func (q *Queue) MarkLatencies() []time.Duration {
	q.mu.Lock()
	out := append([]time.Duration(nil), q.lat...)
	q.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Start runs the queue in the background until ctx ends (idempotent); Done
// is closed when it stopped.
func (q *Queue) Start(ctx context.Context) {
	q.mu.Lock()
	if q.running {
		q.mu.Unlock()
		return
	}
	q.running = true
	q.runDone = make(chan struct{})
	q.mu.Unlock()
	go func() {
		defer close(q.runDone)
		q.run(ctx)
	}()
}

// Done is closed when a started queue has stopped (nil before Start).
func (q *Queue) Done() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.runDone
}

func (q *Queue) run(ctx context.Context) {
	defer q.holdProcessLock(ctx)()
	q.startHeartbeat(ctx)
	// Sends under way when ctx ends get a few seconds to finish and be
	// marked, so a graceful stop repeats nothing.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	go func() {
		<-ctx.Done()
		select {
		case <-work.Done():
		case <-time.After(5 * time.Second):
			stopWork()
		}
	}()
	slots, jobs, stopWorkers := q.startWorkers(ctx, work)
	defer stopWorkers()
	q.headLoop(ctx, slots, jobs)
}

// holdProcessLock takes the process lock (PostgreSQL), which tells others
// at once when this process is gone; a predecessor under the same name is
// waited for. It returns the release.
func (q *Queue) holdProcessLock(ctx context.Context) func() {
	lockCtx, cancelLock := context.WithTimeout(ctx, 3*time.Second)
	defer cancelLock()
	release, err := q.db.HoldProcessLock(lockCtx, q.cfg.Owner)
	if err != nil {
		q.log.Warn("outbox: no process lock; others take over this process's sends by its heartbeat only", "err", err)
		return func() {}
	}
	return release
}

// startHeartbeat beats now and every Beat until ctx ends, freeing the
// sends of processes that stopped beating.
func (q *Queue) startHeartbeat(ctx context.Context) {
	q.beat(ctx)
	go func() {
		t := time.NewTicker(q.cfg.Beat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				q.beat(ctx)
			}
		}
	}()
}

func (q *Queue) beat(ctx context.Context) {
	if err := q.db.Beat(ctx, q.cfg.Owner); err != nil && ctx.Err() == nil {
		q.log.Error("outbox heartbeat", "err", err)
	}
	// A dead process's sends are freed once its lock is free and it has
	// missed a beat and a half.
	silent := q.db.Now().Add(-q.cfg.Beat * 3 / 2)
	n, err := q.db.ReleaseDeadClaims(ctx, q.cfg.Owner, silent)
	if err != nil && ctx.Err() == nil {
		q.log.Warn("outbox: free a dead process's sends", "err", err)
	}
	if n > 0 {
		q.log.Info("took over the sends of a process that stopped", "count", n)
		q.cfg.TakenOver(int(n))
		q.Wake()
	}
}

// startWorkers starts the workers, which send with work; stop lets them
// finish and waits for them. A slot per worker: a chat is handed out only
// when a worker is free, and handing it out never blocks.
func (q *Queue) startWorkers(ctx, work context.Context) (slots chan struct{}, jobs chan job, stop func()) {
	slots = make(chan struct{}, q.cfg.Workers)
	jobs = make(chan job, q.cfg.Workers)
	q.mu.Lock()
	q.slots, q.jobs = slots, jobs
	q.mu.Unlock()
	var wg sync.WaitGroup
	for i := 0; i < q.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				q.serve(ctx, work, j)
			}
		}()
	}
	return slots, jobs, func() {
		q.mu.Lock()
		q.slots, q.jobs = nil, nil // Kick hands out nothing more
		q.mu.Unlock()
		close(jobs)
		wg.Wait()
	}
}

// headLoop reads the chats' heads and hands them to free workers until ctx
// ends: what no commit of this process announced (Kick).
func (q *Queue) headLoop(ctx context.Context, slots chan struct{}, jobs chan job) {
	resumed := false
	for ctx.Err() == nil {
		q.mu.Lock()
		waiting := len(q.backlog) > 0 || len(q.queued) > 0
		q.mu.Unlock()
		if waiting {
			// Every worker is busy and takes its next chat from the
			// backlog: a read of the heads would hand out nothing.
			select {
			case <-ctx.Done():
			case <-q.wake:
			case <-time.After(time.Second):
				q.mu.Lock()
				q.backlog = nil // a second old: read the heads again
				q.mu.Unlock()
			}
			continue
		}
		now := q.db.Now()
		heads, err := q.db.OutgoingHeads(ctx, 4*q.cfg.Workers, q.cfg.Owner, now.Add(-q.cfg.StaleAfter))
		if err != nil {
			if ctx.Err() == nil {
				q.log.Error("load outgoing messages", "err", err)
			}
			q.sleep(ctx, time.Second)
			continue
		}
		if !resumed {
			resumed = true
			q.warnResumed(heads)
		}
		next := q.dispatchHeads(heads, now, slots, jobs)
		select {
		case <-ctx.Done():
		case <-q.wake:
			q.gather(ctx, slots)
		case <-time.After(next):
		}
	}
}

// warnResumed logs the sends a stop interrupted, found at start.
func (q *Queue) warnResumed(heads []storage.Outgoing) {
	n := 0
	for _, h := range heads {
		if !h.StartedAt.IsZero() {
			n++
		}
	}
	if n > 0 {
		q.log.Warn("resuming sends a stop interrupted; these may reach their chats twice", "count", n)
	}
}

// dispatchHeads hands the heads that are due to free workers; with every
// worker busy the rest wait in the backlog, in order. It returns how long
// until the next head not due yet is (at most a second).
func (q *Queue) dispatchHeads(heads []storage.Outgoing, now time.Time, slots chan struct{}, jobs chan job) time.Duration {
	next := time.Second
	q.mu.Lock()
	defer q.mu.Unlock()
	q.starved = false
	for i, h := range heads {
		if h.NextAt.After(now) {
			next = min(next, h.NextAt.Sub(now))
			continue
		}
		if q.inflight[h.ChatID] || q.queued[h.ChatID] != nil || q.skippedLocked(h.ID, now) {
			continue
		}
		select {
		case slots <- struct{}{}:
		default:
			// All workers busy: each that finishes takes the next of the
			// rest, in order; the last wakes the loop.
			q.starved = true
			for _, r := range heads[i:] {
				if !r.NextAt.After(now) {
					q.backlog = append(q.backlog, r)
				}
			}
			return next
		}
		q.inflight[h.ChatID] = true
		jobs <- job{chat: h.ChatID, row: h} // never blocks: a slot was free
	}
	return next
}

// job is a chat handed to a worker: with its head row as the head loop
// read it, or (load) to be read by the worker (Kick).
type job struct {
	chat int64
	row  storage.Outgoing
	load bool
	// kicked: the rows a committed transaction stored for the chat, in
	// order (Kick); sent without reading the head first, since the claim
	// takes a row only while it is its chat's oldest pending one.
	kicked []storage.Outgoing
}

// Kick sends chat's ready rows now, on a free worker, without waiting for
// the head loop: the queue calls it when the transaction that stored a
// row commits (storage.AfterCommit), so a reply leaves the moment its
// update's handling committed. A chat being sent to already is looked at
// again by its worker; with every worker busy the head loop takes it.
func (q *Queue) Kick(chat int64, prio Priority, rows ...storage.Outgoing) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.slots == nil {
		q.Wake()
		return
	}
	add := func(m map[int64]*kicks) {
		k := m[chat]
		if k == nil {
			k = &kicks{}
			m[chat] = k
		}
		k.rows = append(k.rows, rows...)
		k.load = k.load || len(rows) == 0 || len(k.rows) > maxKickedRows
		if k.load {
			k.rows = nil // read from the table when its turn comes
		}
	}
	switch {
	case q.inflight[chat]:
		add(q.again)
		return
	case q.queued[chat] != nil:
		add(q.queued)
		return
	}
	select {
	case q.slots <- struct{}{}:
	default:
		// Every worker busy: the first to finish takes it, before the
		// heads the loop read (interactive chats before bulk ones).
		q.queueLocked(chat, prio, &kicks{rows: append([]storage.Outgoing(nil), rows...), load: len(rows) == 0})
		return
	}
	q.inflight[chat] = true
	q.jobs <- job{chat: chat, load: len(rows) == 0, kicked: rows} // never blocks: a slot was free
}

// maxKickedRows bounds the rows one chat's kicks hold in memory; past it
// the chat's rows are read from the table when its turn comes.
const maxKickedRows = 64

// kicks are what Kick was told of a chat while a worker held it: the rows
// committed for it, or (load) that its head is to be read.
type kicks struct {
	rows []storage.Outgoing
	load bool
}

// skippedLocked reports whether row id is one another live process held
// when this one tried it; holds mu.
func (q *Queue) skippedLocked(id int64, now time.Time) bool {
	until, ok := q.skip[id]
	if ok && now.After(until) {
		delete(q.skip, id)
		return false
	}
	return ok
}

// serve sends a chat's rows in order while they are ready, up to
// maxServe, holding the chat (inflight) and a worker's slot; then lets the
// chat go and takes the next from the backlog, if any.
func (q *Queue) serve(ctx, work context.Context, j job) {
	for {
		next, ok := q.serveChat(ctx, work, j)
		if !ok {
			return
		}
		j = next
	}
}

// serveChat is serve for one chat; it returns the job the slot goes to
// next (release).
func (q *Queue) serveChat(ctx, work context.Context, j job) (job, bool) {
	chat, row, have := j.chat, j.row, !j.load && len(j.kicked) == 0
	kicked := j.kicked
	var after int64
	for n := 0; ; n++ {
		fromKick := false
		if len(kicked) > 0 {
			row, kicked, have, fromKick = kicked[0], kicked[1:], true, true
		}
		if !have {
			next, ok, err := q.db.NextOutgoingInChat(work, chat, after)
			now := q.db.Now()
			ready := err == nil && ok && !next.NextAt.After(now)
			if ready {
				q.mu.Lock()
				ready = !q.skippedLocked(next.ID, now)
				q.mu.Unlock()
			}
			if !ready {
				return q.release(chat, err != nil || ok)
			}
			row = next
		}
		have = false
		done, claimed := q.deliver(work, row, fromKick)
		if fromKick && !claimed {
			// Not the chat's head (an older row waits, maybe for a later
			// try), or sent by another process: go by the chat's head.
			kicked, after = nil, 0
			if n+1 < maxServe && ctx.Err() == nil {
				continue
			}
			return q.release(chat, true)
		}
		q.mu.Lock()
		close(q.changed)
		q.changed = make(chan struct{})
		q.mu.Unlock()
		if done && row.UpdateID != 0 {
			q.finished(row.UpdateID, 1)
		}
		if !done || n+1 >= maxServe || ctx.Err() != nil {
			// The chat may have more: the kicked rows left go back to
			// the queue of kicks, anything else to the head loop.
			return q.release(chat, true, kicked...)
		}
		after = row.ID
		if fromKick && len(kicked) == 0 {
			// The kicked rows are out. Rows stored for the chat since
			// were kicked too (and found it held: again), so the chat
			// is done unless release says it was.
			return q.release(chat, false)
		}
	}
}

// release lets go of chat, waking the head loop when more (the chat may
// have rows left). When the chat was kicked while held (and !more) the
// worker keeps it and looks again; otherwise its slot goes to the next
// chat of the backlog, or is freed (waking the head loop, if it found
// every worker busy).
func (q *Queue) release(chat int64, more bool, rest ...storage.Outgoing) (job, bool) {
	q.mu.Lock()
	k := q.again[chat]
	again := k != nil
	delete(q.again, chat)
	if again && !more {
		q.mu.Unlock()
		if k.load {
			return job{chat: chat, load: true}, true
		}
		return job{chat: chat, kicked: k.rows}, true
	}
	delete(q.inflight, chat)
	if (again || len(rest) > 0) && q.slots != nil {
		// Its kicked rows wait their turn behind the chats kicked
		// before (fairness), known without a read.
		r := &kicks{rows: rest}
		if again {
			r.rows = append(r.rows, k.rows...)
			r.load = k.load
		}
		q.queueLocked(chat, Interactive, r)
		more, again = false, false
	}
	if q.slots != nil {
		for p := range q.kicked {
			for len(q.kicked[p]) > 0 {
				c := q.kicked[p][0]
				q.kicked[p] = q.kicked[p][1:]
				k := q.queued[c]
				delete(q.queued, c)
				if k == nil {
					continue
				}
				if q.inflight[c] {
					q.again[c] = &kicks{load: true} // its worker reads on
					continue
				}
				q.inflight[c] = true
				q.mu.Unlock()
				if more || again {
					q.Wake()
				}
				if k.load {
					return job{chat: c, load: true}, true
				}
				return job{chat: c, kicked: k.rows}, true
			}
		}
		now := q.db.Now()
		for len(q.backlog) > 0 {
			h := q.backlog[0]
			q.backlog = q.backlog[1:]
			if q.inflight[h.ChatID] || q.queued[h.ChatID] != nil || q.skippedLocked(h.ID, now) {
				continue
			}
			q.inflight[h.ChatID] = true
			q.mu.Unlock()
			if more || again {
				q.Wake()
			}
			return job{chat: h.ChatID, row: h}, true
		}
	}
	starved := q.starved
	slots := q.slots
	q.mu.Unlock()
	if slots != nil {
		<-slots
	}
	if more || again || starved {
		q.Wake()
	}
	return job{}, false
}

// maxServe is how many rows of one chat a worker sends before handing the
// chat back to the head loop (which serves the chats waiting longest).
const maxServe = 8

// gather waits briefly, while most workers are busy, for more of them to
// finish, so a busy queue reads its heads once per few sends rather than
// once per send (each read visits every pending row).
func (q *Queue) gather(ctx context.Context, slots chan struct{}) {
	deadline := time.NewTimer(gatherWait)
	defer deadline.Stop()
	for len(slots) > cap(slots)*3/4 {
		select {
		case <-q.wake:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// gatherWait bounds what gather adds to a send's wait: only when most
// workers are busy, i.e. under load.
const gatherWait = 10 * time.Millisecond

func (q *Queue) sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// deliver claims, sends and marks one row. It reports whether the row is
// finished (sent or given up), so the chat's next may follow.
func (q *Queue) deliver(ctx context.Context, row storage.Outgoing, kicked bool) (done, claimed bool) {
	done, claimed = q.send(ctx, row)
	if !claimed && !kicked {
		// Sent meanwhile, or another live process holds it: not again
		// for a while. (A kicked row may simply not be its chat's head
		// yet: the worker reads the head instead.)
		q.mu.Lock()
		q.skip[row.ID] = q.db.Now().Add(q.cfg.StaleAfter)
		q.mu.Unlock()
	}
	return done, claimed
}

// send is deliver's work; claimed is false when the row could not be
// claimed (sent meanwhile, held by another live process, or not its
// chat's head).
func (q *Queue) send(ctx context.Context, row storage.Outgoing) (done, claimed bool) {
	log := q.log.With("outgoing_id", row.ID, "chat_id", row.ChatID)
	now := q.db.Now()
	stale := now.Add(-q.cfg.StaleAfter)
	// fresh: stored claimed (and started) by this run, which has not
	// sent it yet (EnqueueClaimed): its claim and start are made.
	fresh := q.takeClaimed(row.ID)
	// Whether a send of this row started before (and may have reached
	// the chat) is as the row was read, before this send counts one.
	again := !row.StartedAt.IsZero() && !fresh
	notOurs := func() (bool, bool) { return false, false }
	m, err := MessageOf(row)
	if fresh && q.db.Killed() {
		return false, true // a dead process sends nothing (crash tests)
	}
	if (err != nil || m.AnswerCallback != "") && !fresh {
		// Nothing paced to wait for: claim it first (a callback answer
		// records no start, an undecodable row is given up).
		ok, cerr := q.db.ClaimOutgoing(ctx, row, q.cfg.Owner, stale, false)
		if cerr != nil {
			if ctx.Err() == nil {
				log.Error("claim outgoing message", "err", cerr)
			}
			return false, true
		}
		if !ok {
			return notOurs()
		}
	}
	if err != nil {
		log.Error("undecodable outgoing message; giving it up", "err", err)
		q.fail(ctx, row, err)
		return true, true
	}
	if again {
		log.Info("sending again a message whose send was interrupted", "attempt", row.Attempts, "parts_sent", row.PartsSent)
		if m.RepeatNote != "" {
			m.Text += "\n" + m.RepeatNote
		}
	}
	parts := Parts(m)
	var answered time.Time
	// The claim and the start are one write, made when the first request
	// is about to go out, after pacing: a stop while waiting for the rate
	// limit leaves the row unclaimed and unstarted, so its send after a
	// restart is no possible repeat. A fresh row was claimed and started
	// as it was stored, which a stop before its request takes back (see
	// Canceled below).
	started := false
	sendCtx := WithBeforeCall(ctx, func() error {
		if started {
			return nil
		}
		if fresh {
			if q.db.Killed() {
				return errCrashed
			}
		} else {
			ok, err := q.db.ClaimOutgoing(context.WithoutCancel(ctx), row, q.cfg.Owner, stale, true)
			if err != nil {
				return err
			}
			if !ok {
				return errNotOurs
			}
			row.Attempts++
		}
		started = true
		if f := q.cfg.Faults.BeforeSend; f != nil && f(row) {
			return errCrashed
		}
		return nil
	})
	id, err := q.out.SendFrom(sendCtx, m, row.PartsSent, func(n, msgID int) error {
		answered = time.Now()
		if n == parts {
			return nil // the last part is recorded with the sent mark
		}
		if f := q.cfg.Faults.AfterSend; f != nil && f(row) {
			return errCrashed
		}
		row.PartsSent = n
		return q.db.MarkOutgoingPart(context.WithoutCancel(ctx), row.ID, n, msgID)
	})
	if errors.Is(err, errCrashed) {
		return false, true
	}
	if errors.Is(err, errNotOurs) {
		return notOurs()
	}
	if err == nil {
		if f := q.cfg.Faults.AfterSend; f != nil && f(row) {
			return false, true
		}
		if err := q.markSent(ctx, row, parts, id); err != nil {
			log.Error("mark outgoing message sent; it may be sent again", "err", err)
			return false, true
		}
		q.record(time.Since(answered))
		if f := q.cfg.Faults.AfterMark; f != nil && f(row) {
			return false, true
		}
		return true, true
	}
	// A fresh row whose request never went out is no possible repeat.
	unrequested := fresh && !started && m.AnswerCallback == ""
	return q.notSent(ctx, log, row, err, unrequested), true
}

// notSent records a send that failed with err: a refusal gives the row
// up (done), a transient failure puts it back for a later try, a stop
// leaves it as it is (claimed by this owner if its send started) to be
// resumed — except that the start of an unrequested row (stored claimed,
// its request never made) is taken back.
func (q *Queue) notSent(ctx context.Context, log *slog.Logger, row storage.Outgoing, err error, unrequested bool) (done bool) {
	switch KindOf(err) {
	case Unreachable, Rejected:
		log.Warn("Telegram refused a message; giving it up", "err", err)
		q.fail(ctx, row, err)
		return true
	case Canceled:
		if unrequested {
			if err := q.db.UnstartOutgoing(context.WithoutCancel(ctx), row.ID); err != nil {
				log.Warn("take back the start of a message not sent", "err", err)
			}
		}
	default:
		if ctx.Err() != nil {
			return false
		}
		wait := q.cfg.RetryBackoff << min(max(row.Attempts-1, 0), 5)
		wait = min(wait, 15*time.Minute)
		log.Warn("message not sent; trying again later", "attempt", row.Attempts, "wait", wait, "err", err)
		if err := q.db.RetryOutgoing(context.WithoutCancel(ctx), row.ID, q.db.Now().Add(wait), err.Error(), MaybeDelivered(err)); err != nil {
			log.Error("requeue outgoing message", "err", err)
		}
	}
	return false
}

// errNotOurs stops a send whose row was sent meanwhile or is held by
// another live process.
var errNotOurs = errors.New("outgoing message taken by another process")

var errCrashed = errors.New("simulated crash")

func (q *Queue) record(d time.Duration) {
	q.mu.Lock()
	if len(q.lat) < q.latCap {
		q.lat = append(q.lat, d)
	}
	q.mu.Unlock()
}

func (q *Queue) markSent(ctx context.Context, row storage.Outgoing, parts, id int) error {
	ctx = context.WithoutCancel(ctx) // the message is out: record it even when stopping
	h := q.sources[row.Source]
	if h.Sent == nil {
		return q.db.MarkOutgoingSent(ctx, row.ID, parts, id)
	}
	// With what it delivered, in a commit shared with other marks.
	return q.db.Grouped(ctx, func(ctx context.Context) error {
		if err := q.db.MarkOutgoingSent(ctx, row.ID, parts, id); err != nil {
			return err
		}
		return h.Sent(ctx, row, id)
	})
}

func (q *Queue) fail(ctx context.Context, row storage.Outgoing, cause error) {
	ctx = context.WithoutCancel(ctx)
	h := q.sources[row.Source]
	err := q.db.Grouped(ctx, func(ctx context.Context) error {
		if err := q.db.FailOutgoing(ctx, row.ID, cause.Error()); err != nil {
			return err
		}
		if h.Failed != nil {
			return h.Failed(ctx, row, cause)
		}
		return nil
	})
	if err != nil {
		q.log.Error("give up outgoing message", "outgoing_id", row.ID, "err", err)
	}
}
