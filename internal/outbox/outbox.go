// Package outbox is the one path by which salesbot talks to users: every
// message, edit, file and callback answer goes through an Outbox.
//
// Everything the bot says is durable (Queue): a handler's replies are
// stored as rows in the update's transaction, a due follow-up's message in
// the transaction that claims it (reminders), a report's parts in the one
// that records it (reports); all are sent from the table, each marked sent
// as soon as Telegram accepts it, with what it delivered recorded in the
// same transaction (SourceHooks). So a message the bot decided on is sent
// at least once, and twice only when the process died between Telegram's
// answer and the mark; such a copy carries Message.RepeatNote, if it has
// one (see Queue for the exact guarantee).
//
// The Outbox keeps Telegram's flood limits so the bot never draws a 429 in
// normal operation: at most Limits.Global messages per second in total,
// Limits.PerChat per private chat and Limits.PerGroup per group (token
// buckets, see Limits). Interactive replies wait ahead of bulk sends
// (follow-ups, digests), so a burst of thousands of due follow-ups does
// not delay the answer to a button. go-telegram/bot retries nothing; the
// Outbox does: a 429 pauses all sending for its retry_after and the message
// is tried again; 5xx, network errors and timeouts are retried with
// exponential back-off up to Config.MaxAttempts; texts longer than 4096
// characters are split at line boundaries; callback data longer than 64
// bytes is refused before anything is sent.
package outbox

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/redact"
)

// Button is an inline keyboard button: it carries callback Data, or opens URL.
type Button struct {
	Text string
	Data string
	URL  string
}

// File is an upload.
type File struct {
	Name string
	Data []byte
}

// Message is something to show in a chat: a new message, or an edit of one
// the bot sent before (EditMessageID).
type Message struct {
	ChatID        int64
	Text          string
	Buttons       [][]Button
	EditMessageID int
	// Document or Photo send a file with Text as its caption.
	Document *File
	Photo    *File
	// Priority is Interactive (the default) for replies, Bulk for what the
	// bot sends on its own.
	Priority Priority
	// AnswerCallback, when set, makes this not a message but the answer to
	// that callback query (it stops the button's spinner; Text, if any, is
	// shown as a toast). Answers are not paced.
	AnswerCallback string
	// RepeatNote, when set, is added as the text's last line if the
	// message is sent again after a send of it was started and not
	// recorded (the Queue's one window of a possible repeat): "you may
	// have got this once already", said only then.
	RepeatNote string
}

// Config tunes an Outbox. The zero value is Telegram's limits on the wall
// clock.
type Config struct {
	Limits Limits
	// MaxAttempts bounds the tries of one message on transient failures
	// and 429s (default 5).
	MaxAttempts int
	// Backoff is the first wait after a transient failure; it doubles up
	// to MaxBackoff (defaults 1 s and 30 s).
	Backoff, MaxBackoff time.Duration
	// Now and Sleep are the pacing clock (default the wall clock); tests
	// pass a VirtualTime's.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
}

// Outbox sends Messages through the Telegram Bot API.
type Outbox struct {
	tg    *tgbot.Bot
	cfg   Config
	pace  *pacer
	stats stats
	// secrets masks the bot token in every error the outbox returns or
	// logs, so nothing that stores an error (a follow-up's last_error)
	// can keep it, whatever the API or a proxy answered.
	secrets *redact.Secrets
}

type stats struct {
	sent, retries, tooMany, failed atomic.Int64
}

// Stats count what the outbox did since it started.
type Stats struct {
	Sent        int64 // API calls that succeeded (message parts, edits, files)
	Retries     int64 // calls tried again after a failure
	TooMany     int64 // 429 answers received
	Failed      int64 // sends given up on
	TrackedChat int   // chats whose pacing state is held now
}

// New returns an Outbox sending through tg.
func New(tg *tgbot.Bot, cfg Config) *Outbox {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepReal
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{tg: tg, cfg: cfg, pace: newPacer(cfg.Limits, cfg.Now, cfg.Sleep)}
	if tg != nil {
		o.secrets = redact.New(tg.Token())
	}
	return o
}

// Stats returns the counters.
func (o *Outbox) Stats() Stats {
	return Stats{Sent: o.stats.sent.Load(), Retries: o.stats.retries.Load(), TooMany: o.stats.tooMany.Load(),
		Failed: o.stats.failed.Load(), TrackedChat: o.pace.trackedChats()}
}

// Send shows m and returns the id of the message sent or edited — the one
// carrying the buttons when a long text went out in several parts. A
// failure is an *Error saying what kind it was.
func (o *Outbox) Send(ctx context.Context, m Message) (int, error) {
	return o.SendFrom(ctx, m, 0, nil)
}

// Parts is how many API calls m takes: a long text goes in several parts.
func Parts(m Message) int {
	if m.AnswerCallback != "" {
		return 1
	}
	return len(split(m))
}

func split(m Message) []string {
	switch {
	case m.Document != nil || m.Photo != nil:
		parts := SplitText(m.Text, MaxCaptionLen)
		if len(parts) > 1 {
			// The caption takes the first part; the rest follows as text.
			parts = append(parts[:1], SplitText(strings.Join(parts[1:], "\n"), MaxTextLen)...)
		}
		return parts
	default:
		return SplitText(m.Text, MaxTextLen)
	}
}

// SendFrom is Send resuming after the first from parts, which went out
// before; onPart, if set, is told of each part Telegram accepted (its
// count so far and message id) before the next is sent, so a caller that
// records it never repeats a part it knows of.
func (o *Outbox) SendFrom(ctx context.Context, m Message, from int, onPart func(parts, messageID int) error) (int, error) {
	if m.AnswerCallback != "" {
		if err := o.AnswerCallback(ctx, m.AnswerCallback, m.Text); err != nil {
			return 0, err
		}
		if onPart != nil {
			return 0, onPart(1, 0)
		}
		return 0, nil
	}
	if err := checkButtons(m.Buttons); err != nil {
		return 0, err
	}
	parts := split(m)
	id := 0
	for i, text := range parts {
		if i < from {
			continue
		}
		part := m
		part.Text = text
		if i > 0 {
			part.Document, part.Photo, part.EditMessageID = nil, nil, 0
		}
		if i < len(parts)-1 {
			part.Buttons = nil
		}
		got, err := o.sendOne(ctx, part)
		if err != nil {
			return id, err
		}
		id = got
		if onPart != nil {
			if err := onPart(i+1, id); err != nil {
				return id, err
			}
		}
	}
	return id, nil
}

func checkButtons(rows [][]Button) error {
	for _, row := range rows {
		for _, b := range row {
			if len(b.Data) > MaxCallbackData {
				return fmt.Errorf("button %q: %w", b.Text, ErrCallbackData)
			}
		}
	}
	return nil
}

type beforeCallKey struct{}

// WithBeforeCall returns ctx under which every request of a send first
// runs fn, after pacing, when the request is about to go out: the Queue
// records the send's start there, so waiting for the rate limit is not a
// start. An error from fn stops the send and is returned as it is.
func WithBeforeCall(ctx context.Context, fn func() error) context.Context {
	return context.WithValue(ctx, beforeCallKey{}, fn)
}

// sendOne makes one API call with pacing and retries.
func (o *Outbox) sendOne(ctx context.Context, m Message) (int, error) {
	for attempt := 1; ; attempt++ {
		if err := o.pace.acquire(ctx, m.ChatID, m.Priority); err != nil {
			o.stats.failed.Add(1)
			return 0, &Error{Kind: Canceled, Err: err}
		}
		if fn, ok := ctx.Value(beforeCallKey{}).(func() error); ok {
			if err := fn(); err != nil {
				return 0, err
			}
		}
		id, err := o.call(ctx, m)
		err = o.secrets.Error(err)
		if err == nil {
			o.stats.sent.Add(1)
			return id, nil
		}
		e := classify(ctx, err)
		if e.Kind == RateLimited {
			o.stats.tooMany.Add(1)
			// Everyone waits: Telegram counts the whole bot.
			o.pace.pause(e.RetryAfter)
			o.cfg.Log.Warn("telegram asked to slow down; all sending paused", "retry_after", e.RetryAfter, "chat_id", m.ChatID)
		}
		retry := (e.Kind == RateLimited || e.Kind == Transient) && attempt < o.cfg.MaxAttempts
		if !retry {
			o.stats.failed.Add(1)
			return 0, e
		}
		o.stats.retries.Add(1)
		if e.Kind == Transient {
			wait := o.backoff(attempt)
			o.cfg.Log.Warn("send failed; retrying", "chat_id", m.ChatID, "attempt", attempt, "wait", wait, "err", err)
			if err := o.cfg.Sleep(ctx, wait); err != nil {
				o.stats.failed.Add(1)
				return 0, &Error{Kind: Canceled, MaybeDelivered: e.MaybeDelivered, Err: err}
			}
		}
	}
}

func (o *Outbox) backoff(attempt int) time.Duration {
	d := o.cfg.Backoff << (attempt - 1)
	if d > o.cfg.MaxBackoff || d <= 0 {
		d = o.cfg.MaxBackoff
	}
	return d
}

// call is one Bot API request.
func (o *Outbox) call(ctx context.Context, m Message) (int, error) {
	markup := keyboard(m.Buttons)
	switch {
	case m.Document != nil:
		msg, err := o.tg.SendDocument(ctx, &tgbot.SendDocumentParams{
			ChatID:      m.ChatID,
			Document:    &tgmodels.InputFileUpload{Filename: m.Document.Name, Data: bytes.NewReader(m.Document.Data)},
			Caption:     m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send document to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	case m.Photo != nil:
		msg, err := o.tg.SendPhoto(ctx, &tgbot.SendPhotoParams{
			ChatID:      m.ChatID,
			Photo:       &tgmodels.InputFileUpload{Filename: m.Photo.Name, Data: bytes.NewReader(m.Photo.Data)},
			Caption:     m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send photo to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	case m.EditMessageID != 0:
		msg, err := o.tg.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID:      m.ChatID,
			MessageID:   m.EditMessageID,
			Text:        m.Text,
			ReplyMarkup: markup, // nil markup removes the buttons
		})
		if err != nil {
			if strings.Contains(err.Error(), "message is not modified") {
				return m.EditMessageID, nil
			}
			return 0, fmt.Errorf("edit message %d in %d: %w", m.EditMessageID, m.ChatID, err)
		}
		if msg != nil {
			return msg.ID, nil
		}
		return m.EditMessageID, nil
	default:
		msg, err := o.tg.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID:      m.ChatID,
			Text:        m.Text,
			ReplyMarkup: markupOrNil(markup),
		})
		if err != nil {
			return 0, fmt.Errorf("send message to %d: %w", m.ChatID, err)
		}
		return msg.ID, nil
	}
}

// AnswerCallback stops the button's spinner, showing text as a toast if set.
// It is not a message: flood limits and pauses do not hold it back.
func (o *Outbox) AnswerCallback(ctx context.Context, callbackID, text string) error {
	_, err := o.tg.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: callbackID, Text: text})
	if err = o.secrets.Error(err); err != nil {
		return classify(ctx, fmt.Errorf("answer callback: %w", err))
	}
	return nil
}

func keyboard(rows [][]Button) *tgmodels.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: [][]tgmodels.InlineKeyboardButton{}}
	}
	kb := make([][]tgmodels.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		r := make([]tgmodels.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			r = append(r, tgmodels.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
		kb = append(kb, r)
	}
	return &tgmodels.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// markupOrNil leaves the markup out of new messages without buttons.
func markupOrNil(m *tgmodels.InlineKeyboardMarkup) tgmodels.ReplyMarkup {
	if m == nil || len(m.InlineKeyboard) == 0 {
		return nil
	}
	return m
}
