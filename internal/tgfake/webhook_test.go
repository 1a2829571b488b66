package tgfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/tgfake"
)

// endpoint is a bot's webhook: it records what arrives and answers with
// status(n) for the n-th request (1-based).
type endpoint struct {
	mu      sync.Mutex
	got     []tgmodels.Update
	secrets []string
	status  func(n int, u tgmodels.Update) int
	n       int
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var u tgmodels.Update
	if err := json.Unmarshal(body, &u); err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad delivery", http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.n++
	n := e.n
	e.secrets = append(e.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	code := http.StatusOK
	if e.status != nil {
		code = e.status(n, u)
	}
	if code == http.StatusOK {
		e.got = append(e.got, u)
	}
	e.mu.Unlock()
	w.WriteHeader(code)
}

func (e *endpoint) texts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, u := range e.got {
		out = append(out, u.Message.Text)
	}
	return out
}

func TestWebhookDeliversWithSecretAndRetriesUntil2xx(t *testing.T) {
	s := newServer(t, tgfake.WithWebhookRetry(time.Millisecond, 5*time.Millisecond))
	ep := &endpoint{status: func(n int, _ tgmodels.Update) int {
		// The first two attempts fail the way a bot's endpoint does:
		// not ready, then a wrong answer.
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			return http.StatusUnauthorized
		}
		return http.StatusOK
	}}
	hook := httptest.NewServer(ep)
	defer hook.Close()

	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "one") // queued before the webhook: delivered too
	ok, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: hook.URL + "/telegram", SecretToken: "abc_DEF-1", MaxConnections: 5})
	if err != nil || !ok {
		t.Fatalf("setWebhook: %v %v", ok, err)
	}
	s.SendText(alice, "two")
	if err := s.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ep.texts(); strings.Join(got, ",") != "one,two" {
		t.Fatalf("endpoint got %q, want one,two in order", got)
	}
	for _, sec := range ep.secrets {
		if sec != "abc_DEF-1" {
			t.Fatalf("secret header %q, want the secret_token", sec)
		}
	}
	var attempts []int
	for _, d := range s.Deliveries() {
		if d.UpdateID == 1 {
			attempts = append(attempts, d.Status)
		}
	}
	if len(attempts) != 3 || attempts[0] != 503 || attempts[1] != 401 || attempts[2] != 200 {
		t.Fatalf("update 1 delivery statuses %v, want 503, 401, 200", attempts)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.URL != hook.URL+"/telegram" || info.MaxConnections != 5 || !strings.Contains(info.LastErrorMessage, "401") || info.PendingUpdateCount != 0 {
		t.Fatalf("webhook info %+v", info)
	}

	// getUpdates is refused while a webhook is set, as Telegram does.
	env, _, err := postJSON(ctx, s, "getUpdates", map[string]any{"timeout": 0})
	if err != nil || env.OK || env.ErrorCode != http.StatusConflict {
		t.Fatalf("getUpdates with a webhook set: %+v, want 409", env)
	}

	// After deleteWebhook updates wait for getUpdates again.
	if _, err := b.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	s.SendText(alice, "three")
	env, _, err = postJSON(ctx, s, "getUpdates", map[string]any{"timeout": 0})
	var ups []tgmodels.Update
	if err == nil {
		err = json.Unmarshal(env.Result, &ups)
	}
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "three" {
		t.Fatalf("getUpdates after deleteWebhook: %+v %v", env, err)
	}
	if got := ep.texts(); len(got) != 2 {
		t.Fatalf("endpoint got %q after deleteWebhook", got)
	}
}

// Like Telegram, one chat's updates go one at a time (the next only after
// the previous was acknowledged) while other chats are delivered in
// parallel.
func TestWebhookOrdersPerChatAndParallelizesChats(t *testing.T) {
	s := newServer(t)
	release := make(chan struct{})
	bobArrived := make(chan struct{})
	var mu sync.Mutex
	var order []string
	inFlight := map[int64]int{}
	overlap := false
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u tgmodels.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		chat := u.Message.Chat.ID
		mu.Lock()
		inFlight[chat]++
		overlap = overlap || inFlight[chat] > 1
		mu.Unlock()
		switch u.Message.Text {
		case "a1":
			<-release // held until bob's update got through beside it
		case "b1":
			close(bobArrived)
		}
		mu.Lock()
		order = append(order, u.Message.Text)
		inFlight[chat]--
		mu.Unlock()
	}))
	defer hook.Close()

	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "a1")
	s.SendText(alice, "a2")
	s.SendText(bob, "b1")
	if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-bobArrived:
	case <-ctx.Done():
		t.Fatal("bob's update waited for alice's: chats are not delivered in parallel")
	}
	close(release)
	if err := s.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap {
		t.Fatal("two updates of one chat were in flight at once")
	}
	if strings.Join(order, ",") != "b1,a1,a2" {
		t.Fatalf("delivered %v, want b1 then a1, a2", order)
	}
}

func TestSetWebhookValidatesLikeTelegram(t *testing.T) {
	s := newServer(t)
	for _, p := range []map[string]any{
		{"url": "https://bot.example.com/x", "secret_token": "has space"},
		{"url": "https://bot.example.com/x", "max_connections": 101},
	} {
		env, _, err := postJSON(testCtx(t), s, "setWebhook", p)
		if err != nil || env.OK || env.ErrorCode != http.StatusBadRequest {
			t.Errorf("setWebhook %v: %+v, want 400", p, env)
		}
	}
	if s.WebhookURL() != "" {
		t.Fatalf("a refused setWebhook registered %q", s.WebhookURL())
	}
}
