package tgfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/tgfake"
)

const token = "123:abc"

var (
	alice = tgfake.User{ID: 501, FirstName: "Alice", Username: "alice", LanguageCode: "en"}
	bob   = tgfake.User{ID: 502, FirstName: "Bob", LanguageCode: "ru"}
)

func newServer(t *testing.T, opts ...tgfake.Option) *tgfake.Server {
	t.Helper()
	s := tgfake.New(opts...)
	t.Cleanup(s.Close)
	return s
}

// newClient creates the real go-telegram client against s; tgbot.New
// itself calls getMe.
func newClient(t *testing.T, s *tgfake.Server, opts ...tgbot.Option) *tgbot.Bot {
	t.Helper()
	opts = append([]tgbot.Option{
		tgbot.WithServerURL(s.URL()),
		// The default handler logs via the log package; keep test output clean.
		tgbot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := tgbot.New(token, opts...)
	if err != nil {
		t.Fatalf("tgbot.New: %v", err)
	}
	return b
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// envelope is Telegram's response wrapper as a raw HTTP client sees it.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// postJSON calls method with a JSON body, the way our own poller does. It
// returns errors instead of failing so goroutines can use it.
func postJSON(ctx context.Context, s *tgfake.Server, method string, body any) (envelope, int, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return envelope{}, 0, err
	}
	return post(ctx, s, method, "application/json", data)
}

func post(ctx context.Context, s *tgfake.Server, method, contentType string, body []byte) (envelope, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return envelope{}, 0, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return envelope{}, 0, err
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return envelope{}, resp.StatusCode, fmt.Errorf("decode %s response: %w", method, err)
	}
	return env, resp.StatusCode, nil
}

func mustPostJSON(t *testing.T, s *tgfake.Server, method string, body any) envelope {
	t.Helper()
	env, _, err := postJSON(testCtx(t), s, method, body)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return env
}

// getUpdates polls once with a JSON body and decodes the result.
func getUpdates(t *testing.T, s *tgfake.Server, body map[string]any) []tgmodels.Update {
	t.Helper()
	env := mustPostJSON(t, s, "getUpdates", body)
	if !env.OK {
		t.Fatalf("getUpdates: %d %s", env.ErrorCode, env.Description)
	}
	var ups []tgmodels.Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatalf("decode updates %s: %v", env.Result, err)
	}
	return ups
}

func send(t *testing.T, b *tgbot.Bot, chatID int64, text string, kb *tgmodels.InlineKeyboardMarkup) *tgmodels.Message {
	t.Helper()
	p := &tgbot.SendMessageParams{ChatID: chatID, Text: text}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	m, err := b.SendMessage(testCtx(t), p)
	if err != nil {
		t.Fatalf("SendMessage(%q): %v", text, err)
	}
	return m
}

func keyboard(rows ...[]tgmodels.InlineKeyboardButton) *tgmodels.InlineKeyboardMarkup {
	return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func cb(text, data string) tgmodels.InlineKeyboardButton {
	return tgmodels.InlineKeyboardButton{Text: text, CallbackData: data}
}
