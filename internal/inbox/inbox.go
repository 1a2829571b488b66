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
// again and its replies are sent from the outbox. An update whose handling
// the process died in MaxAttempts times (a stop that merely cut a handling
// short does not count) is given up on: OnGiveUp tells the user, the log
// and the stored update say so. Follow-ups and reports, which no update
// causes, keep the same promise through the same outbox (see reminders and
// reports.Scheduler).
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
	HandleUpdate(ctx context.Context, updateID int64, count bool, fn func(ctx context.Context) error) error
	EndAttempt(ctx context.Context, updateID int64) error
	MarkUpdateDone(ctx context.Context, updateID int64) error
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
	// MaxAttempts gives up on an update whose handling the process died
	// in this many times.
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
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
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
			for u := range q {
				if work.Err() != nil {
					continue // abandoned: stays pending for the next start
				}
				in.process(work, u)
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
		// Stored before the next getUpdates confirms them to Telegram.
		if err := in.store.StoreUpdates(ctx, fresh); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = nextBackoff(backoff)
			in.log.Error("store updates; Telegram will send them again", "err", err)
			continue
		}
		last = fresh[len(fresh)-1].UpdateID
		for _, u := range fresh {
			if !dispatch(u) {
				return nil
			}
		}
	}
	return nil
}

func (in *Inbox) process(ctx context.Context, u storage.StoredUpdate) {
	log := in.log.With("update_id", u.UpdateID, "chat_id", u.ChatID)
	var upd tgmodels.Update
	decodeErr := json.Unmarshal(u.Payload, &upd)
	if u.Attempts >= in.cfg.MaxAttempts || decodeErr != nil {
		why := fmt.Sprintf("the process stopped %d times while handling it", u.Attempts)
		if decodeErr != nil {
			why = "undecodable: " + decodeErr.Error()
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
		err := in.store.HandleUpdate(ctx, u.UpdateID, try == 1, func(ctx context.Context) error {
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
