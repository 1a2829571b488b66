package tgfake

import (
	"context"
	"slices"
	"sort"
	"time"

	tgmodels "github.com/go-telegram/bot/models"
)

// Button is one inline keyboard button as the user sees it.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// Sent is one successful bot action visible to a user. Requests that failed
// (injected failures, blocks, validation errors) are not recorded here —
// the message did not go out — but they are in Calls.
type Sent struct {
	// Method is "sendMessage", "editMessageText", "editMessageReplyMarkup",
	// "sendDocument", "sendPhoto", "deleteMessage" or "answerCallbackQuery".
	Method string
	ChatID int64
	// MessageID is the message created, edited or deleted; for
	// answerCallbackQuery the message whose button was pressed.
	MessageID int
	// Text is the message text, the caption for photos and documents, or
	// the notification text for answerCallbackQuery. It is kept exactly as
	// sent, markup included (see ParseMode).
	Text string
	// Buttons is the inline keyboard row by row, nil if none.
	Buttons   [][]Button
	ParseMode string
	// ReplyMarkup is the raw reply_markup JSON as sent, of any kind — also
	// reply keyboards (e.g. a request_location button), which have no
	// Buttons representation.
	ReplyMarkup string
	// FileName and File hold an uploaded file for sendDocument/sendPhoto.
	// When the file was sent by file_id or URL, File is nil and FileID
	// holds that string instead.
	FileName        string
	File            []byte
	FileID          string
	CallbackQueryID string
	At              time.Time
}

// Call is one HTTP request to the API, successful or not, in order of
// completion.
type Call struct {
	Method string
	At     time.Time // when the request arrived
	ChatID int64     // the chat_id parameter, 0 if absent or not numeric
	// Status is the HTTP status / error_code returned, or 0 when the client
	// went away before a response (a simulated timeout).
	Status int
	token  string // kept out of sight: only CalledWithToken reads it
}

// Message is a bot message as the user currently sees it.
type Message struct {
	ID      int
	ChatID  int64
	Text    string // text, or caption for media; markup as sent
	Buttons [][]Button
	Deleted bool
}

// User is a person talking to the bot. Their private chat id equals ID.
type User struct {
	ID                                          int64
	FirstName, LastName, Username, LanguageCode string
}

func (u User) model() tgmodels.User {
	return tgmodels.User{
		ID:           u.ID,
		FirstName:    u.FirstName,
		LastName:     u.LastName,
		Username:     u.Username,
		LanguageCode: u.LanguageCode,
	}
}

// chat is the server-side state of one chat.
type chat struct {
	lastID int
	msgs   map[int]*storedMessage
}

// storedMessage is a message in a chat. msg is what Telegram would return
// for it now. Values reachable through msg's pointers are never mutated —
// edits install fresh ones — so a shallow copy of msg is a safe snapshot
// to hand out or marshal without holding s.mu.
type storedMessage struct {
	msg       tgmodels.Message
	fromBot   bool
	parseMode string
	deleted   bool
}

// callback remembers an injected callback query until it is answered.
type callback struct {
	chatID    int64
	messageID int
	answered  bool
}

// commandKey identifies one setMyCommands list.
type commandKey struct {
	scope string // scope "type" plus chat/user ids, "default" when absent
	lang  string
}

// Sent returns everything the bot did, in the order the server received it.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// SentTo returns what the bot did in one chat.
func (s *Server) SentTo(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.sent), func(r Sent) bool { return r.ChatID != chatID })
}

// CountTo is len(SentTo(chatID)) without copying the records: load
// tests poll it after every signal, and a copy per poll made them
// quadratic in what was sent.
func (s *Server) CountTo(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentTo[chatID]
}

// SentSince returns Sent()[n:]: take n := len(s.Sent()) before an action to
// see what the bot did in response.
func (s *Server) SentSince(n int) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	n = max(n, 0)
	if n >= len(s.sent) {
		return nil
	}
	return slices.Clone(s.sent[n:])
}

// WaitSent blocks until at least n Sent records exist in total and returns
// them all. When ctx ends (or the server closes) first it returns what has
// been recorded so far with ctx.Err() (or ErrClosed), which makes for
// informative test failures.
func (s *Server) WaitSent(ctx context.Context, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		if len(s.sent) >= n {
			out := slices.Clone(s.sent)
			s.mu.Unlock()
			return out, nil
		}
		changed := s.changed
		s.mu.Unlock()

		select {
		case <-changed:
		case <-ctx.Done():
			return s.Sent(), ctx.Err()
		case <-s.closed:
			return s.Sent(), ErrClosed
		}
	}
}

// Notify returns a channel (the same one every call, buffered 1) that
// receives after each new Sent record. Sends never block, so several
// records may collapse into one signal: re-check Sent after each receive.
func (s *Server) Notify() <-chan struct{} { return s.notify }

// recordSent appends a Sent and signals waiters. Callers hold s.mu.
func (s *Server) recordSent(r Sent) {
	r.At = s.now()
	s.sent = append(s.sent, r)
	if s.sentTo == nil {
		s.sentTo = map[int64]int{}
	}
	s.sentTo[r.ChatID]++
	s.broadcast()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Messages returns the bot's messages in a chat as the user sees them now,
// oldest first: edits applied, deleted ones flagged Deleted.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if !m.fromBot {
			continue
		}
		text := m.msg.Text
		if text == "" {
			text = m.msg.Caption
		}
		out = append(out, Message{
			ID:      m.msg.ID,
			ChatID:  chatID,
			Text:    text,
			Buttons: buttonsOf(m.msg.ReplyMarkup),
			Deleted: m.deleted,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Calls returns every request of a method (canonical spelling, e.g.
// "sendMessage"), including failed ones and getUpdates polls.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(s.calls), func(c Call) bool { return c.Method != method })
}

// CalledWithToken reports whether any request used the bot token token
// (to test which of several configured tokens a process picked).
func (s *Server) CalledWithToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.token == token {
			return true
		}
	}
	return false
}

// Commands returns the last command list set with setMyCommands for the
// default scope and no language code.
func (s *Server) Commands() []tgmodels.BotCommand {
	return s.CommandsFor("")
}

// CommandsFor returns the command list set for the default scope and
// exactly this language_code (no fallback to the language-less list, so
// tests can tell whether a localized list was set).
func (s *Server) CommandsFor(languageCode string) []tgmodels.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: "default", lang: languageCode}])
}

// CommandsScoped returns the command list for a scope given by its
// Telegram type ("default", "all_private_chats", ...; chat-specific scopes
// as "chat:<chat_id>" or "chat_member:<chat_id>:<user_id>") and language.
func (s *Server) CommandsScoped(scope, languageCode string) []tgmodels.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: scope, lang: languageCode}])
}

// PendingUpdates reports how many injected updates have not yet been
// confirmed by a getUpdates offset.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitPolling blocks until some getUpdates request is waiting for updates
// (the bot is up and polling), ctx ends, or the server closes.
func (s *Server) WaitPolling(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.polling > 0 })
}

func buttonsOf(kb *tgmodels.InlineKeyboardMarkup) [][]Button {
	if kb == nil || len(kb.InlineKeyboard) == 0 {
		return nil
	}
	rows := make([][]Button, len(kb.InlineKeyboard))
	for i, row := range kb.InlineKeyboard {
		rows[i] = make([]Button, len(row))
		for j, b := range row {
			rows[i][j] = Button{Text: b.Text, Data: b.CallbackData, URL: b.URL}
		}
	}
	return rows
}
