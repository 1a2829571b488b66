// Package webhook receives Telegram updates that Telegram pushes to an
// HTTPS endpoint (setWebhook), the way several replicas behind one URL can
// share a bot: Telegram allows one getUpdates poller per bot, but any number
// of servers behind a webhook.
//
// Guarantee: the endpoint answers 200 only after the update is stored in the
// inbox (unique by update_id), so an update Telegram delivered is never lost
// — an unanswered or failed delivery is repeated by Telegram, and a repeat of
// a stored update is ignored by the store. Handling happens afterwards, from
// the database, exactly as for polled updates.
//
// Order: Telegram's Bot API server delivers one chat's updates one at a
// time, the next only after the previous one was answered with 2xx, and
// different chats in parallel (up to max_connections). Since an update is
// stored before it is answered, a chat's stored updates are complete up to
// the newest one, and handling them in update_id order keeps the chat's
// order whichever replica received which.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/metrics"
	"salesbot/internal/storage"
)

// SecretHeader carries the secret_token given to setWebhook on every
// delivery.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// MaxBody is the largest update accepted. Telegram's updates are a few
// kilobytes (files are sent by id); anything near a megabyte is not from
// Telegram.
const MaxBody = 1 << 20

// AllowedUpdates are the update kinds salesbot handles, asked of Telegram by
// setWebhook as by getUpdates.
var AllowedUpdates = []string{"message", "callback_query"}

// secretPattern is Telegram's rule for secret_token: 1–256 characters
// A-Z, a-z, 0-9, _ and -.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// CheckSecret tells whether s is a secret_token Telegram accepts, with an
// example of one when it is not.
func CheckSecret(s string) error {
	if secretPattern.MatchString(s) {
		return nil
	}
	return errors.New("the webhook secret must be 1–256 characters of A-Z, a-z, 0-9, _ and - (make one with: openssl rand -hex 32)")
}

// Store is the part of the inbox's storage the receiver writes to.
type Store interface {
	StoreUpdates(ctx context.Context, ups []storage.StoredUpdate) error
}

// Receiver is the webhook endpoint, an http.Handler.
type Receiver struct {
	secret [sha256.Size]byte
	store  Store
	chatOf func(*tgmodels.Update) int64
	// wake tells the inbox that something was stored.
	wake    func()
	log     *slog.Logger
	metrics *metrics.Metrics
}

// Config is what a Receiver needs.
type Config struct {
	// Secret is the secret_token given to setWebhook; requests without it
	// are refused.
	Secret string
	Store  Store
	// ChatOf tells which chat an update belongs to (the inbox's order key).
	ChatOf func(*tgmodels.Update) int64
	// Wake is called after each stored update (nil: nobody to tell).
	Wake    func()
	Log     *slog.Logger
	Metrics *metrics.Metrics
}

// New returns the endpoint. The secret must pass CheckSecret.
func New(cfg Config) (*Receiver, error) {
	if err := CheckSecret(cfg.Secret); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Wake == nil {
		cfg.Wake = func() {}
	}
	return &Receiver{
		secret: sha256.Sum256([]byte(cfg.Secret)),
		store:  cfg.Store, chatOf: cfg.ChatOf, wake: cfg.Wake, log: cfg.Log, metrics: cfg.Metrics,
	}, nil
}

// ServeHTTP stores one update and answers 200, or refuses the request.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, "method", http.StatusMethodNotAllowed, "POST only")
		return
	}
	// Both sides are hashed first so the comparison takes the same time
	// whatever the length or content of what was sent.
	got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
	if subtle.ConstantTimeCompare(got[:], rc.secret[:]) != 1 {
		// The value is never logged: a near-miss would leak the secret.
		rc.log.Warn("webhook request with a wrong or missing secret token refused",
			"remote", r.RemoteAddr, "header_present", r.Header.Get(SecretHeader) != "")
		rc.refuse(w, r, "secret", http.StatusUnauthorized, "wrong secret token")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rc.refuse(w, r, "size", http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", MaxBody))
			return
		}
		rc.refuse(w, r, "read", http.StatusBadRequest, "can't read the body")
		return
	}
	var head struct {
		UpdateID int64 `json:"update_id"`
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		rc.refuse(w, r, "json", http.StatusUnsupportedMediaType, "application/json only")
		return
	}
	if err := json.Unmarshal(body, &head); err != nil || head.UpdateID <= 0 {
		rc.refuse(w, r, "json", http.StatusBadRequest, "not a Telegram update (a JSON object with update_id)")
		return
	}
	var upd tgmodels.Update
	_ = json.Unmarshal(body, &upd) // unknown shapes are stored all the same
	kind := metrics.UpdateKind(&upd)
	if err := rc.store.StoreUpdates(r.Context(), []storage.StoredUpdate{{
		UpdateID: head.UpdateID, ChatID: rc.chatOf(&upd), Payload: body,
	}}); err != nil {
		// Not answered 200: Telegram delivers it again later.
		rc.log.Error("webhook: store update; Telegram will deliver it again", "update_id", head.UpdateID, "err", err)
		rc.refuse(w, r, "store", http.StatusServiceUnavailable, "can't store the update now")
		return
	}
	rc.metrics.UpdateReceived(kind)
	rc.wake()
	w.WriteHeader(http.StatusOK)
}

func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, reason string, code int, msg string) {
	rc.metrics.WebhookRejected(reason)
	if code != http.StatusUnauthorized {
		rc.log.Debug("webhook request refused", "reason", reason, "status", code, "remote", r.RemoteAddr)
	}
	http.Error(w, msg, code)
}

// Registration is what setWebhook is told.
type Registration struct {
	URL    string
	Secret string
	// MaxConnections is how many deliveries Telegram makes at once (1–100,
	// Telegram's default 40).
	MaxConnections int
}

// Register points Telegram at the webhook. Every replica registers the same
// URL and secret at start, so whichever starts last leaves it as it was.
// Pending updates are kept (drop_pending_updates false): those Telegram
// holds are delivered to the new endpoint.
func Register(ctx context.Context, tg *tgbot.Bot, reg Registration) error {
	_, err := tg.SetWebhook(ctx, &tgbot.SetWebhookParams{
		URL:            reg.URL,
		SecretToken:    reg.Secret,
		AllowedUpdates: AllowedUpdates,
		MaxConnections: reg.MaxConnections,
	})
	if err != nil {
		return fmt.Errorf("setWebhook %s: %w", reg.URL, err)
	}
	return nil
}
