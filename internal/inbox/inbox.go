// Package inbox receives Telegram updates by long polling without losing
// any. go-telegram/bot's own poller confirms a batch to Telegram (by asking
// for the next offset) before its handlers run, keeps queued updates only in
// memory and drops them on shutdown. The inbox instead stores each update
// before the offset moves past it, then handles it in one transaction with
// its done mark.
//
// Guarantee: every update Telegram delivered is handled, in order within
// its chat, and its effects happen exactly once. The handler runs inside
// storage.InTx: the rows it writes, the replies it queues (the durable
// outbox, see outbox.Queue) and the update's done mark commit together. A
// stop or crash before that commit leaves nothing behind, and the update is
// handled again at the next start; after it, the update is never handled
// again and its replies are sent from the outbox. Updates that queued up
// behind each other share one transaction (group commit, processBatch):
// all of them commit, or none and each is handled again alone. An update
// whose handling the process crashed in MaxCrashes times (a panic that
// escaped or a fatal runtime error, told apart from kills from outside by
// package crashlog; a stop or a SIGKILL that merely cut a handling short
// does not count) is given up on: OnGiveUp tells the user, the log and the
// stored update say so. MaxAttempts deaths of any kind also give up, so
// that an update the OOM killer stops every time cannot stop the bot for
// good. Follow-ups and reports, which no update causes, keep the same
// promise through the same outbox (see reminders and reports.Scheduler).
package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/metrics"
	"salesbot/internal/redact"
	"salesbot/internal/storage"
)

// Store is the part of storage the inbox uses.
type Store interface {
	StoreUpdates(ctx context.Context, ups []storage.StoredUpdate) error
	PendingUpdates(ctx context.Context, limit int) ([]storage.StoredUpdate, error)
	HandleUpdate(ctx context.Context, updateIDs, count []int64, fn func(ctx context.Context) error) error
	EndAttempt(ctx context.Context, updateIDs ...int64) error
	MarkUpdateDone(ctx context.Context, updateIDs ...int64) error
	GiveUpUpdate(ctx context.Context, updateID int64, why string) error
	LastUpdateID(ctx context.Context) (int64, error)
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Handler handles one update. It runs synchronously inside the update's
// transaction (ctx carries it): when it returns nil, what it wrote commits
// with the done mark; an error rolls it all back and the update is handled
// again.
type Handler func(ctx context.Context, upd *tgmodels.Update) error

// ErrPanicked wraps a handler's error when it panicked: its transaction is
// rolled back and OnPanic answers in a new one; it is not tried again.
var ErrPanicked = errors.New("handler panicked")

// ChatFunc tells which chat an update belongs to (0: none).
type ChatFunc func(upd *tgmodels.Update) int64

// Config tunes the inbox.
type Config struct {
	APIURL string // Bot API base URL, e.g. https://api.telegram.org
	Token  string
	// PollTimeout is the long-poll time asked of Telegram.
	PollTimeout time.Duration
	// Workers bounds how many chats are handled at once.
	Workers int
	// DrainTimeout is how long Run lets queued updates finish after its
	// context ends. Zero abandons them at once (they stay pending).
	DrainTimeout time.Duration
	// Owner names this run in the attempts it records, so that the next
	// start can tell which updates a crash of this run interrupted.
	Owner string
	// MaxCrashes gives up on an update whose handling the process crashed
	// in (an unhandled panic, a fatal runtime error: see crashlog) this
	// many times; MaxAttempts on one it died in, however, this many times
	// — kills from outside included, so that one the OOM killer stops
	// every time does not loop forever either.
	MaxCrashes  int
	MaxAttempts int
	HTTPClient  *http.Client
	Log         *slog.Logger
	// OnDone, if set, is called after an update's transaction committed
	// (the outbox then sends its replies).
	OnDone func(updateID int64)
	// OnGiveUp, if set, runs in the transaction that gives an update up
	// (it queues the notice to the user).
	OnGiveUp func(ctx context.Context, upd *tgmodels.Update) error
	// OnPanic, if set, runs in the transaction that marks done an update
	// whose handler panicked (it queues the apology).
	OnPanic func(ctx context.Context, upd *tgmodels.Update) error
	// BeforeCommit and AfterCommit, if set (crash tests), run inside the
	// update's transaction after the handler, and right after the commit.
	BeforeCommit, AfterCommit func(updateID int64)
	// Webhook: updates are stored by a webhook receiver, which calls Wake;
	// the inbox does not poll (see follow).
	Webhook bool
	// OnPoll, if set, is told how each getUpdates went (for /readyz).
	OnPoll func(err error)
	// Claims, if set (webhook mode on PostgreSQL), opens a worker's
	// chat-claim session: workers on every replica take chats from the
	// database instead of being fed (see runClaims).
	Claims func(ctx context.Context) (ChatLocker, error)
	// Metrics counts updates resumed after an unfinished attempt.
	Metrics *metrics.Metrics
}

// Inbox polls, stores and dispatches updates.
type Inbox struct {
	cfg    Config
	store  Store
	handle Handler
	chatOf ChatFunc
	log    *slog.Logger
	wake   notifier
}

// New returns an inbox; Run starts it.
func New(cfg Config, store Store, handle Handler, chatOf ChatFunc) *Inbox {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxCrashes <= 0 {
		cfg.MaxCrashes = 3
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 20
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Inbox{cfg: cfg, store: store, handle: handle, chatOf: chatOf, log: cfg.Log, wake: newNotifier()}
}

// Run handles what a previous run left pending, then polls until ctx ends,
// then drains in-flight work within DrainTimeout. It returns nil on a normal
// stop and an error only when polling cannot go on (a bad token).
func (in *Inbox) Run(ctx context.Context) error {
	if in.cfg.Webhook && in.cfg.Claims != nil {
		return in.runClaims(ctx)
	}
	// Handlers get their own context so that stopping the poll does not cut
	// off a reply half-way; it ends when draining does.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	queues := make([]chan storage.StoredUpdate, in.cfg.Workers)
	var wg sync.WaitGroup
	for i := range queues {
		queues[i] = make(chan storage.StoredUpdate, 64)
		wg.Add(1)
		go func(q <-chan storage.StoredUpdate) {
			defer wg.Done()
			var abandoned []storage.StoredUpdate
			defer func() { in.abandon(abandoned) }()
			for u := range q {
				if work.Err() != nil {
					// Abandoned: stays pending for the next start.
					abandoned = append(abandoned, u)
					continue
				}
				// What queued up behind it meanwhile is handled with it,
				// in one transaction (group commit).
				batch := []storage.StoredUpdate{u}
			more:
				for len(batch) < maxBatch {
					select {
					case v, ok := <-q:
						if !ok {
							break more
						}
						batch = append(batch, v)
					default:
						break more
					}
				}
				in.processBatch(work, batch)
			}
		}(queues[i])
	}
	dispatch := func(u storage.StoredUpdate) bool {
		q := queues[uint64(u.ChatID)%uint64(len(queues))]
		select {
		case q <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}

	receive := in.poll
	if in.cfg.Webhook {
		receive = in.follow
	}
	err := receive(ctx, dispatch)

	for _, q := range queues {
		close(q)
	}
	in.drain(&wg, stopWork, "drain timed out; unfinished updates stay pending for the next start")
	return err
}

// drain lets the workers finish within DrainTimeout, then cancels their
// handlers (what they had not committed stays pending) and waits for them.
func (in *Inbox) drain(wg *sync.WaitGroup, stopWork context.CancelFunc, timedOut string) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	if in.cfg.DrainTimeout > 0 {
		select {
		case <-done:
		case <-time.After(in.cfg.DrainTimeout):
			in.log.Warn(timedOut)
		}
	}
	stopWork()
	<-done
}

func (in *Inbox) poll(ctx context.Context, dispatch func(storage.StoredUpdate) bool) error {
	// First what a crash or a hard stop left behind, in order.
	last, err := in.store.LastUpdateID(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before it began
		}
		return fmt.Errorf("read inbox position: %w", err)
	}
	pending, err := in.store.PendingUpdates(ctx, 1_000_000)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("load pending updates: %w", err)
	}
	if len(pending) > 0 {
		in.log.Info("handling updates left pending by the last run", "count", len(pending))
	}
	for _, u := range pending {
		if !dispatch(u) {
			return nil
		}
	}

	var backoff time.Duration
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
		}
		ups, err := in.getUpdates(ctx, last+1)
		if in.cfg.OnPoll != nil && ctx.Err() == nil {
			in.cfg.OnPoll(err)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, errUnauthorized) {
				return err
			}
			backoff = nextBackoff(backoff)
			in.log.Warn("get updates", "err", err, "retry_in", backoff)
			continue
		}
		backoff = 0
		var fresh []storage.StoredUpdate
		for _, raw := range ups {
			var head struct {
				UpdateID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(raw, &head); err != nil || head.UpdateID <= last {
				continue // a repeat of something stored already
			}
			var upd tgmodels.Update
			_ = json.Unmarshal(raw, &upd) // unknown shapes still get stored
			fresh = append(fresh, storage.StoredUpdate{UpdateID: head.UpdateID, ChatID: in.chatOf(&upd), Payload: raw})
		}
		if len(fresh) == 0 {
			continue
		}
		// Stored before the next getUpdates confirms them to Telegram,
		// each with its attempt counted: a worker takes it next.
		for i := range fresh {
			fresh[i].Begun = true
		}
		if err := in.store.StoreUpdates(storage.WithAttemptOwner(ctx, in.cfg.Owner), fresh); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = nextBackoff(backoff)
			in.log.Error("store updates; Telegram will send them again", "err", err)
			continue
		}
		last = fresh[len(fresh)-1].UpdateID
		for i, u := range fresh {
			if !dispatch(u) {
				in.abandon(fresh[i:])
				return nil
			}
		}
	}
	return nil
}

// abandon takes back the attempts counted when these updates were stored
// (Begun), which a stop leaves unhandled: no run died in them.
func (in *Inbox) abandon(ups []storage.StoredUpdate) {
	var ids []int64
	for _, u := range ups {
		if u.Begun {
			ids = append(ids, u.UpdateID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := in.store.EndAttempt(context.Background(), ids...); err != nil {
		in.log.Warn("uncount attempts of updates left pending", "err", err)
	}
}

// counted lists the updates whose attempt is not counted yet (not stored
// Begun, not counted by a batch that failed).
func counted(ups []storage.StoredUpdate) []int64 {
	var ids []int64
	for _, u := range ups {
		if !u.Begun {
			ids = append(ids, u.UpdateID)
		}
	}
	return ids
}

// maxBatch bounds how many updates one transaction handles: enough that
// the commit (an fsync on PostgreSQL, the writer lock on SQLite) is shared
// by many, few enough that a worker holding SQLite's writer lock does not
// keep the others waiting long.
const maxBatch = 16

// processBatch handles updates (in order; of this worker's chats) in one
// transaction: their rows, replies and done marks commit together. An
// update an earlier run did not finish (Attempts > 0) is handled alone, so
// that one which crashes the process is counted, and given up on, by
// itself, not with its neighbours. When any of a batch fails, nothing of
// it stayed, and each is handled again alone (process), its attempt
// counted already.
func (in *Inbox) processBatch(ctx context.Context, batch []storage.StoredUpdate) {
	ctx = storage.WithAttemptOwner(ctx, in.cfg.Owner)
	for len(batch) > 0 {
		n := 0
		for n < len(batch) && batch[n].Attempts == 0 {
			n++
		}
		if n <= 1 {
			in.process(ctx, batch[0])
			batch = batch[1:]
			continue
		}
		in.processTogether(ctx, batch[:n])
		batch = batch[n:]
	}
}

func (in *Inbox) processTogether(ctx context.Context, batch []storage.StoredUpdate) {
	ids := make([]int64, len(batch))
	upds := make([]tgmodels.Update, len(batch))
	for i, u := range batch {
		ids[i] = u.UpdateID
		if err := json.Unmarshal(u.Payload, &upds[i]); err != nil {
			// Undecodable: process gives it up; the rest go on together.
			in.processBatch(ctx, batch[:i])
			in.process(ctx, u)
			in.processBatch(ctx, batch[i+1:])
			return
		}
	}
	err := in.store.HandleUpdate(ctx, ids, counted(batch), func(ctx context.Context) error {
		for i := range upds {
			if err := in.handle(ctx, &upds[i]); err != nil {
				return err
			}
			if in.cfg.BeforeCommit != nil {
				in.cfg.BeforeCommit(ids[i])
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return in.store.MarkUpdateDone(ctx, ids...)
	})
	switch {
	case err == nil:
		for _, id := range ids {
			if in.cfg.AfterCommit != nil {
				in.cfg.AfterCommit(id)
			}
			in.done(id)
		}
	case ctx.Err() != nil:
		// Stopped, not crashed: these attempts do not count.
		if err := in.store.EndAttempt(context.WithoutCancel(ctx), ids...); err != nil {
			in.log.Warn("uncount attempts", "err", err)
		}
	default:
		for _, u := range batch {
			u.Begun = true // counted by the batch
			in.process(ctx, u)
		}
	}
}

// process handles one update in its own transaction; u.Begun says its
// attempt was counted already (as it was stored, or by a batch that
// failed).
func (in *Inbox) process(ctx context.Context, u storage.StoredUpdate) {
	ctx = storage.WithAttemptOwner(ctx, in.cfg.Owner)
	log := in.log.With("update_id", u.UpdateID, "chat_id", u.ChatID)
	var upd tgmodels.Update
	decodeErr := json.Unmarshal(u.Payload, &upd)
	if u.Crashes >= in.cfg.MaxCrashes || u.Attempts >= in.cfg.MaxAttempts || decodeErr != nil {
		why := fmt.Sprintf("the bot crashed %d times while handling it", u.Crashes)
		switch {
		case decodeErr != nil:
			why = "undecodable: " + decodeErr.Error()
		case u.Crashes < in.cfg.MaxCrashes:
			why = fmt.Sprintf("the process stopped %d times while handling it", u.Attempts)
		}
		log.Error("giving up on an update; its sender is told it could not be processed", "why", why)
		if in.cfg.Metrics != nil {
			kind := "other"
			switch {
			case upd.Message != nil:
				kind = "message"
			case upd.CallbackQuery != nil:
				kind = "callback_query"
			}
			in.cfg.Metrics.UpdateGivenUp(kind)
		}
		err := in.store.InTx(ctx, func(ctx context.Context) error {
			if in.cfg.OnGiveUp != nil && decodeErr == nil {
				if err := in.cfg.OnGiveUp(ctx, &upd); err != nil {
					return err
				}
			}
			return in.store.GiveUpUpdate(ctx, u.UpdateID, why)
		})
		if err != nil {
			log.Error("give up update", "err", err)
			return
		}
		in.done(u.UpdateID)
		return
	}
	for try := 1; ; try++ {
		// The first try counts the attempt (committed before the handler
		// runs): if the process dies in the handler, the count stays.
		var count []int64
		if try == 1 && !u.Begun {
			count = []int64{u.UpdateID}
		}
		err := in.store.HandleUpdate(ctx, []int64{u.UpdateID}, count, func(ctx context.Context) error {
			if err := in.handle(ctx, &upd); err != nil {
				return err
			}
			if in.cfg.BeforeCommit != nil {
				in.cfg.BeforeCommit(u.UpdateID)
			}
			if err := ctx.Err(); err != nil {
				return err // cut off mid-way: roll back, handle it again next start
			}
			return in.store.MarkUpdateDone(ctx, u.UpdateID)
		})
		if err == nil {
			break
		}
		if errors.Is(err, ErrPanicked) && ctx.Err() == nil {
			// Its writes are rolled back; answer and move on.
			err := in.store.InTx(ctx, func(ctx context.Context) error {
				if in.cfg.OnPanic != nil {
					if err := in.cfg.OnPanic(ctx, &upd); err != nil {
						return err
					}
				}
				return in.store.MarkUpdateDone(ctx, u.UpdateID)
			})
			if err != nil {
				log.Error("mark a panicked update done", "err", err)
				return
			}
			break
		}
		if ctx.Err() != nil {
			// Stopped, not crashed: this attempt does not count.
			if err := in.store.EndAttempt(context.WithoutCancel(ctx), u.UpdateID); err != nil {
				log.Warn("uncount attempt", "err", err)
			}
			return
		}
		if try == 3 {
			log.Error("handle update; it stays pending for the next start", "err", err)
			return
		}
		// A lost commit (PostgreSQL serialization, a dropped connection):
		// nothing of it stayed, so running it again is safe.
		log.Warn("handle update; trying again", "err", err, "try", try)
	}
	if in.cfg.AfterCommit != nil {
		in.cfg.AfterCommit(u.UpdateID)
	}
	in.done(u.UpdateID)
}

func (in *Inbox) done(id int64) {
	if in.cfg.OnDone != nil {
		in.cfg.OnDone(id)
	}
}

var errUnauthorized = errors.New("the Bot API refused the token (401): check TELEGRAM_BOT_TOKEN")

// getUpdates asks for updates after offset-1, returning each raw.
func (in *Inbox) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(in.cfg.PollTimeout / time.Second),
		"allowed_updates": []string{"message", "callback_query"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.cfg.APIURL+"/bot"+in.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, in.redact(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := in.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, in.redact(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, in.redact(err)
	}
	var env struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decode getUpdates answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if !env.OK {
		if env.ErrorCode == http.StatusUnauthorized || env.ErrorCode == http.StatusNotFound {
			return nil, errUnauthorized
		}
		return nil, in.redact(fmt.Errorf("getUpdates: %d %s", env.ErrorCode, env.Description))
	}
	return env.Result, nil
}

// redact keeps the token out of errors (and so out of logs), wherever the
// answer put it.
func (in *Inbox) redact(err error) error { return redact.New(in.cfg.Token).Error(err) }

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 100 * time.Millisecond
	}
	d *= 2
	if d > 5*time.Second {
		d = 5 * time.Second
	}
	return d
}
