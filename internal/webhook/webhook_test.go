package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/webhook"
)

const secret = "s3cret_token-for-tests"

func chatOf(u *tgmodels.Update) int64 {
	if u.Message != nil {
		return u.Message.Chat.ID
	}
	return 0
}

type harness struct {
	db    *storage.DB
	rc    *webhook.Receiver
	log   *bytes.Buffer
	wakes atomic.Int32
}

func newHarness(t *testing.T, db *storage.DB) *harness {
	h := &harness{db: db, log: &bytes.Buffer{}}
	rc, err := webhook.New(webhook.Config{
		Secret: secret, Store: db, ChatOf: chatOf, Wake: func() { h.wakes.Add(1) },
		Log: slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.rc = rc
	return h
}

func (h *harness) do(method, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/telegram", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(webhook.SecretHeader, token)
	}
	w := httptest.NewRecorder()
	h.rc.ServeHTTP(w, req)
	return w
}

const update7 = `{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":55,"type":"private"},"text":"/start"}}`

func pending(t *testing.T, db *storage.DB) []storage.StoredUpdate {
	t.Helper()
	ups, err := db.PendingUpdates(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ups
}

func TestStoresBeforeAnsweringAndIgnoresRepeats(t *testing.T) {
	storagetest.Each(t, nil, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		for range 2 { // Telegram repeating a delivery it thinks failed
			if w := h.do(http.MethodPost, secret, update7); w.Code != http.StatusOK {
				t.Fatalf("status %d %q, want 200", w.Code, w.Body.String())
			}
		}
		ups := pending(t, db)
		if len(ups) != 1 || ups[0].UpdateID != 7 || ups[0].ChatID != 55 || string(ups[0].Payload) != update7 {
			t.Fatalf("stored %+v, want update 7 of chat 55 once, as sent", ups)
		}
		if h.wakes.Load() != 2 {
			t.Fatalf("inbox woken %d times, want after each store (2)", h.wakes.Load())
		}
	})
}

func TestRefusals(t *testing.T) {
	db := storagetest.SQLite(t, nil)
	h := newHarness(t, db)
	huge := `{"update_id":8,"message":{"text":"` + strings.Repeat("x", webhook.MaxBody) + `"}}`
	for _, tc := range []struct {
		name, method, token, body string
		want                      int
	}{
		{"wrong secret", http.MethodPost, "guess-" + secret, update7, http.StatusUnauthorized},
		{"missing secret", http.MethodPost, "", update7, http.StatusUnauthorized},
		{"secret prefix", http.MethodPost, secret[:len(secret)-1], update7, http.StatusUnauthorized},
		{"GET", http.MethodGet, secret, "", http.StatusMethodNotAllowed},
		{"over 1 MB", http.MethodPost, secret, huge, http.StatusRequestEntityTooLarge},
		{"not JSON", http.MethodPost, secret, "update_id=7", http.StatusBadRequest},
		{"no update_id", http.MethodPost, secret, `{"message":{}}`, http.StatusBadRequest},
		{"JSON array", http.MethodPost, secret, `[` + update7 + `]`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if w := h.do(tc.method, tc.token, tc.body); w.Code != tc.want {
				t.Fatalf("status %d %q, want %d", w.Code, w.Body.String(), tc.want)
			}
		})
	}
	if ups := pending(t, db); len(ups) != 0 {
		t.Fatalf("refused requests stored %d updates", len(ups))
	}
	if h.wakes.Load() != 0 {
		t.Fatal("refused requests woke the inbox")
	}
	log := h.log.String()
	if !strings.Contains(log, "wrong or missing secret token refused") {
		t.Fatalf("refused secret not logged:\n%s", log)
	}
	if strings.Contains(log, "guess-") || strings.Contains(log, secret[:8]) {
		t.Fatalf("the log shows a secret value:\n%s", log)
	}
}

type failingStore struct{}

func (failingStore) StoreUpdates(context.Context, []storage.StoredUpdate) error {
	return errors.New("database is down")
}

// An update that cannot be stored is not acknowledged, so Telegram keeps it
// and delivers it again.
func TestStoreFailureIsNotAcknowledged(t *testing.T) {
	rc, err := webhook.New(webhook.Config{Secret: secret, Store: failingStore{}, ChatOf: chatOf})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(update7))
	req.Header.Set(webhook.SecretHeader, secret)
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, req)
	if w.Code/100 == 2 {
		t.Fatalf("status %d: an unstored update was acknowledged", w.Code)
	}
}

func TestSecretRules(t *testing.T) {
	for _, ok := range []string{"a", "A-z_09", strings.Repeat("x", 256)} {
		if err := webhook.CheckSecret(ok); err != nil {
			t.Errorf("CheckSecret(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "has space", "semi;colon", strings.Repeat("x", 257), "ünï"} {
		err := webhook.CheckSecret(bad)
		if err == nil || !strings.Contains(err.Error(), "openssl rand -hex 32") {
			t.Errorf("CheckSecret(%q) = %v, want a refusal with an example", bad, err)
		}
	}
	if _, err := webhook.New(webhook.Config{Secret: ""}); err == nil {
		t.Error("a receiver without a secret was made")
	}
}
