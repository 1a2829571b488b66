package tgfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	tgmodels "github.com/go-telegram/bot/models"
)

// Webhook mode, as Telegram does it: after setWebhook the queued updates are
// POSTed to the URL as JSON, with the X-Telegram-Bot-Api-Secret-Token
// header when a secret_token was given. A delivery answered with anything
// but 2xx (or not answered) is repeated after a growing pause until it
// succeeds or the webhook is removed. One chat's updates go one at a time,
// the next only after the previous was answered with 2xx — Telegram's Bot
// API server keeps a queue per chat the same way —, and different chats in
// parallel, up to max_connections (default 40). getUpdates answers 409
// while a webhook is set.
//
// Unlike Telegram the fake accepts http:// URLs and any port, so tests can
// point it at a local listener, and it never gives up on an update.

// webhook is the registered webhook. Held under s.mu.
type webhook struct {
	url, secret string
	maxConn     int
	gen         uint64 // bumped by every setWebhook/deleteWebhook; stops older deliverers
	// inFlight are the update ids and chats being delivered now.
	inFlight     map[int64]bool
	inFlightChat map[int64]bool
	lastErrDate  int
	lastErrMsg   string
	deliveries   []Delivery
}

// Delivery is one webhook POST the fake made.
type Delivery struct {
	UpdateID int64
	ChatID   int64
	Attempt  int // 1 for the first try of this update
	// Status is the HTTP status answered, 0 when the request failed
	// (connection refused or reset, timeout); Err says why.
	Status int
	Err    string
	At     time.Time     // when the request was made
	Took   time.Duration // until the answer (or the failure), on the wall clock
}

// WithWebhookClient sets the HTTP client webhook deliveries use (for a TLS
// endpoint with a test certificate, or a shorter timeout). Default: a
// client with a 30 s timeout.
func WithWebhookClient(c *http.Client) Option {
	return func(s *Server) { s.hookClient = c }
}

// WithWebhookRetry sets the first and the longest pause between attempts
// to deliver one update (default 50 ms doubling up to 2 s).
func WithWebhookRetry(first, longest time.Duration) Option {
	return func(s *Server) { s.hookRetry = [2]time.Duration{first, longest} }
}

// Deliveries returns every webhook POST made so far, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hook.deliveries)
}

// WebhookURL is the URL registered with setWebhook, "" if none.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hook.url
}

// WaitWebhook blocks until a webhook is registered, ctx ends, or the server
// closes.
func (s *Server) WaitWebhook(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.hook.url != "" })
}

// WaitDelivered blocks until no update is queued (every one was delivered
// and answered 2xx), ctx ends, or the server closes.
func (s *Server) WaitDelivered(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return len(s.queue) == 0 })
}

// waitFor blocks until cond (called with s.mu held) holds.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
}

var secretTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func setWebhook(s *Server, ctx context.Context, p *params) (any, *apiError) {
	url := p.str("url")
	if url == "" { // Telegram: "an empty string to remove webhook integration"
		return deleteWebhook(s, ctx, p)
	}
	secret := p.str("secret_token")
	if secret != "" && !secretTokenPattern.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn := 40
	if v, ok := p.int("max_connections"); ok && v != 0 {
		if v < 1 || v > 100 {
			return nil, badRequest("invalid max_connections specified")
		}
		maxConn = v
	}
	var allowed []string
	if raw := p.str("allowed_updates"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates JSON array")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.dropAll()
	}
	if allowed != nil {
		s.allowedUpdates = allowed
	}
	old := s.hook
	if old.url == url && old.secret == secret && old.maxConn == maxConn {
		// The same registration again (every replica registers at start):
		// Telegram changes nothing, deliveries in flight go on.
		return true, nil
	}
	s.hook = webhook{
		url: url, secret: secret, maxConn: maxConn, gen: old.gen + 1,
		inFlight: map[int64]bool{}, inFlightChat: map[int64]bool{},
		deliveries: old.deliveries,
	}
	select {
	case <-s.closed:
		return true, nil
	default:
	}
	for range maxConn {
		s.deliverers.Add(1)
		go s.deliver(s.hook.gen, url, secret)
	}
	s.broadcast()
	return true, nil
}

func deleteWebhook(s *Server, _ context.Context, p *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = webhook{gen: s.hook.gen + 1, deliveries: s.hook.deliveries}
	if p.bool("drop_pending_updates") {
		s.dropAll()
	}
	s.broadcast()
	return true, nil
}

func getWebhookInfo(s *Server, _ context.Context, _ *params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := &tgmodels.WebhookInfo{URL: s.hook.url, PendingUpdateCount: len(s.queue)}
	if s.hook.url != "" {
		info.MaxConnections = s.hook.maxConn
		info.AllowedUpdates = slices.Clone(s.allowedUpdates)
		info.LastErrorDate = s.hook.lastErrDate
		info.LastErrorMessage = s.hook.lastErrMsg
	}
	return info, nil
}

// deliver is one of max_connections delivery loops of webhook generation
// gen; it ends when the webhook changes or the server closes.
func (s *Server) deliver(gen uint64, url, secret string) {
	defer s.deliverers.Done()
	for {
		u, chat, ok := s.nextDelivery(gen)
		if !ok {
			return
		}
		body, err := json.Marshal(u)
		if err != nil {
			panic("tgfake: marshal update: " + err.Error()) // our own types: a bug in the fake
		}
		wait := s.hookRetry[0]
		for attempt := 1; ; attempt++ {
			at, began := s.now(), time.Now()
			status, err := s.post(url, secret, body)
			d := Delivery{UpdateID: u.ID, ChatID: chat, Attempt: attempt, Status: status, At: at, Took: time.Since(began)}
			if err != nil {
				d.Err = err.Error()
			}
			s.mu.Lock()
			s.hook.deliveries = append(s.hook.deliveries, d)
			if s.hook.gen != gen {
				s.mu.Unlock()
				return // the webhook changed; the update stays queued
			}
			if err == nil && status/100 == 2 {
				delete(s.hook.inFlight, u.ID)
				delete(s.hook.inFlightChat, chat)
				s.queue = slices.DeleteFunc(s.queue, func(q tgmodels.Update) bool { return q.ID == u.ID })
				s.broadcast()
				s.mu.Unlock()
				break
			}
			if !slices.ContainsFunc(s.queue, func(q tgmodels.Update) bool { return q.ID == u.ID }) {
				// Dropped meanwhile (drop_pending_updates): nothing to repeat.
				delete(s.hook.inFlight, u.ID)
				delete(s.hook.inFlightChat, chat)
				s.broadcast()
				s.mu.Unlock()
				break
			}
			s.hook.lastErrDate = int(s.now().Unix())
			if err != nil {
				s.hook.lastErrMsg = "Connection failed: " + err.Error()
			} else {
				s.hook.lastErrMsg = "Wrong response from the webhook: " + strconv.Itoa(status) + " " + http.StatusText(status)
			}
			s.broadcast()
			s.mu.Unlock()

			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.closed:
				t.Stop()
				return
			}
			wait = min(2*wait, s.hookRetry[1])
		}
	}
}

// nextDelivery takes the oldest queued update whose chat has nothing in
// flight, waiting for one; false when generation gen is over.
func (s *Server) nextDelivery(gen uint64) (tgmodels.Update, int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.hook.gen != gen {
			return tgmodels.Update{}, 0, false
		}
		s.dropDisallowed()
		for _, u := range s.queue {
			chat := updateChat(&u)
			if s.hook.inFlight[u.ID] || s.hook.inFlightChat[chat] {
				continue
			}
			s.hook.inFlight[u.ID] = true
			s.hook.inFlightChat[chat] = true
			return u, chat, true
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
			s.mu.Lock()
		case <-s.closed:
			s.mu.Lock()
			return tgmodels.Update{}, 0, false
		}
	}
}

func (s *Server) post(url, secret string, body []byte) (int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// updateChat is the chat an update belongs to, the key of Telegram's
// per-chat delivery queue; 0 for updates without one.
func updateChat(u *tgmodels.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := u.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	}
	return 0
}
