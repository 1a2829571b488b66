// Package tgfake is an in-process fake of the Telegram Bot API served over
// real HTTP (net/http/httptest).
//
// End-to-end tests and the bot's console mode point the real
// go-telegram/bot client (tgbot.WithServerURL(srv.URL())) and our own
// getUpdates poller at it. Test code then plays the user side — SendText,
// PressButton, SendLocation, ... queue updates that the bot receives through
// getUpdates — and inspects what the bot did through Sent, Messages, Calls
// and Commands. FailNext, Block and friends inject the failures real
// Telegram produces (429 with retry_after, 403 for blocked users, 5xx, slow
// or hanging responses) so retry and back-off paths can be exercised
// deterministically.
//
// The fake is strict where real Telegram is strict and bots commonly trip
// over it: editing a message without changing it is an error ("message is
// not modified"), callback queries can be answered once, over-long texts and
// callback_data are rejected, and HTML / MarkdownV2 texts with markup
// Telegram would refuse to parse get the same 400 "can't parse entities".
//
// Message ids: every chat has its own counter starting at 1, shared by the
// user's injected messages and the bot's messages, like a private chat in
// real Telegram. So after SendText(user, "/start") the bot's reply is
// message 2. Update ids are global and start at 1.
//
// All methods are safe for concurrent use.
package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	tgmodels "github.com/go-telegram/bot/models"
)

// BotID is the user id of the fake's bot account, returned by getMe and
// used as the sender of every message the bot sends.
const BotID int64 = 1000

// DefaultBotUsername is the bot's username unless WithBotUsername is given.
const DefaultBotUsername = "salesbot_test_bot"

// ErrClosed is returned by waits that end because the server was closed.
var ErrClosed = errors.New("tgfake: server closed")

// Server is a fake Telegram Bot API server. Create it with New and Close it
// when done.
type Server struct {
	http *httptest.Server
	now  func() time.Time
	bot  tgmodels.User

	closeOnce sync.Once
	closed    chan struct{}
	// deliverers are the webhook delivery goroutines (webhook.go).
	deliverers sync.WaitGroup
	hookClient *http.Client
	hookRetry  [2]time.Duration // first and longest wait between attempts
	// notify is handed out by Notify; it is signalled (without blocking)
	// after each Sent record so single consumers can wait cheaply.
	notify chan struct{}

	mu sync.Mutex
	// changed is closed and replaced whenever observable state changes
	// (updates queued or confirmed, Sent recorded, pollers come and go).
	// Waiters grab it under mu, re-check their condition after it fires —
	// a condition variable that can also be selected on with a context.
	changed chan struct{}

	nextUpdateID   int64
	queue          []tgmodels.Update
	allowedUpdates []string
	pollSeq        uint64  // id of the newest getUpdates request
	polling        int     // getUpdates requests currently blocked waiting
	hook           webhook // the registered webhook; url "" while none

	chats          map[int64]*chat
	users          map[int64]User
	callbacks      map[string]*callback
	nextCallbackID int64
	nextFileID     int64

	sent     []Sent
	sentTo   map[int64]int // how many of sent went to each chat (CountTo)
	calls    []Call
	failures map[string][]Failure
	blocked  map[int64]bool
	flood    *flood // nil: no flood control
	commands map[commandKey][]tgmodels.BotCommand
}

// Option configures a Server.
type Option func(*Server)

// WithBotUsername sets the bot's username reported by getMe and used as the
// author of the bot's messages.
func WithBotUsername(name string) Option {
	return func(s *Server) { s.bot.Username = name }
}

// WithClock sets the time source stamped on updates, messages, Sent and
// Call records, and used for the 48-hour deleteMessage limit. It is called
// from many goroutines, so it must be safe for concurrent use. Default
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithLastUpdateID makes the first injected update get id last+1, as
// Telegram's ids keep growing across restarts of a bot that keeps its own
// position (the console reopening a database does).
func WithLastUpdateID(last int64) Option {
	return func(s *Server) { s.nextUpdateID = last }
}

// New starts a fake server listening on a local port.
func New(opts ...Option) *Server {
	s := &Server{
		now: time.Now,
		bot: tgmodels.User{
			ID:        BotID,
			IsBot:     true,
			FirstName: "Salesbot",
			Username:  DefaultBotUsername,
		},
		closed:     make(chan struct{}),
		notify:     make(chan struct{}, 1),
		changed:    make(chan struct{}),
		chats:      map[int64]*chat{},
		users:      map[int64]User{},
		callbacks:  map[string]*callback{},
		failures:   map[string][]Failure{},
		blocked:    map[int64]bool{},
		commands:   map[commandKey][]tgmodels.BotCommand{},
		hookClient: &http.Client{Timeout: 30 * time.Second},
		hookRetry:  [2]time.Duration{50 * time.Millisecond, 2 * time.Second},
	}
	for _, o := range opts {
		o(s)
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the base URL to pass to tgbot.WithServerURL; requests go to
// URL()+"/bot<token>/<method>". Any token is accepted.
func (s *Server) URL() string { return s.http.URL }

// Close releases pending long polls and delayed requests, then shuts the
// HTTP server down. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// Handlers blocked in long polls or injected delays select on
		// closed; they must be released first because httptest's Close
		// waits for every outstanding request.
		// Under mu, so setWebhook either sees closed or has started its
		// deliverers before Wait.
		s.mu.Lock()
		close(s.closed)
		s.mu.Unlock()
		s.deliverers.Wait()
		s.http.Close()
	})
}

// broadcast wakes every waiter on s.changed. Callers hold s.mu.
func (s *Server) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is a Telegram error envelope in the making.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// envelope is Telegram's response wrapper.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// handlerFunc implements one Bot API method. It runs without s.mu held.
type handlerFunc func(s *Server, ctx context.Context, p *params) (any, *apiError)

// methods maps lower-cased method names (Telegram matches them
// case-insensitively) to their canonical spelling and implementation.
var methods = map[string]struct {
	name string
	fn   handlerFunc
}{}

func register(name string, fn handlerFunc) {
	methods[strings.ToLower(name)] = struct {
		name string
		fn   handlerFunc
	}{name, fn}
}

// registerLocked registers a method that runs start to end with s.mu held:
// every method but the long poll, whose wait must let others in.
func registerLocked(name string, fn func(s *Server, p *params) (any, *apiError)) {
	register(name, func(s *Server, _ context.Context, p *params) (any, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return fn(s, p)
	})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	call := Call{At: s.now(), token: tokenFromPath(r.URL.Path)}
	rawMethod, ok := methodFromPath(r.URL.Path)
	if !ok {
		// Real Telegram answers malformed paths with a bare 404 envelope.
		s.respond(w, r, call, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	m, known := methods[strings.ToLower(rawMethod)]
	if !known {
		call.Method = rawMethod
		s.respond(w, r, call, nil, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	call.Method = m.name

	p, err := parseParams(r)
	if err != nil {
		s.respond(w, r, call, nil, badRequest(err.Error()))
		return
	}
	call.ChatID, _ = p.int64("chat_id")

	if apiErr := s.flood.allow(m.name, call.ChatID, call.At); apiErr != nil {
		s.respond(w, r, call, nil, apiErr)
		return
	}
	f, failing := s.takeFailure(m.name, call.ChatID)
	if !failing {
		res, apiErr := m.fn(s, r.Context(), p)
		s.respond(w, r, call, res, apiErr)
		return
	}

	var (
		res    any
		apiErr *apiError
	)
	if f.Applied {
		res, apiErr = m.fn(s, r.Context(), p)
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up: nobody reads a response. Status 0 in
			// Calls tells tests the request was abandoned.
			s.record(call)
			return
		case <-s.closed:
			s.record(call)
			panic(http.ErrAbortHandler) // drop the connection, as a dying server would
		}
	}
	switch {
	case f.Code != 0 && f.Body != "":
		call.Status = f.Code
		s.record(call)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		_, _ = w.Write([]byte(f.Body))
	case f.Code != 0:
		s.respond(w, r, call, nil, &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter})
	case f.Applied:
		s.respond(w, r, call, res, apiErr)
	default:
		res, apiErr = m.fn(s, r.Context(), p)
		s.respond(w, r, call, res, apiErr)
	}
}

// tokenFromPath extracts <token> from /bot<token>/<method>.
func tokenFromPath(path string) string {
	rest, _ := strings.CutPrefix(path, "/bot")
	token, _, _ := strings.Cut(rest, "/")
	return token
}

// methodFromPath extracts <method> from /bot<token>/<method>.
func methodFromPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		return "", false
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || token == "" || method == "" || strings.Contains(method, "/") {
		return "", false
	}
	return method, true
}

// respond writes the envelope with the HTTP status Telegram uses (equal to
// error_code) and records the call — with status 0 if the client has
// already gone, since nobody will see the response.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, call Call, result any, apiErr *apiError) {
	if r.Context().Err() != nil {
		s.record(call)
		return
	}
	env := envelope{OK: true, Result: result}
	call.Status = http.StatusOK
	if apiErr != nil {
		env = envelope{ErrorCode: apiErr.code, Description: apiErr.desc}
		if apiErr.retryAfter > 0 {
			env.Parameters = &responseParams{RetryAfter: apiErr.retryAfter}
		}
		call.Status = apiErr.code
	}
	s.record(call)

	body, err := json.Marshal(env)
	if err != nil {
		// Only our own result types are marshalled, so this is a bug in
		// the fake; surface it loudly to whoever is reading the response.
		http.Error(w, "tgfake: marshal response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	status := call.Status
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError // net/http rejects codes it can't put on the wire
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) record(call Call) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}
