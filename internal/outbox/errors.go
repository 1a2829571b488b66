package outbox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
)

// Kind says what a failed send means for whoever wants it delivered.
type Kind int

// Failure kinds.
const (
	// Transient failures (5xx, network errors, timeouts, unreadable
	// responses) may succeed when tried again.
	Transient Kind = iota + 1
	// RateLimited is a 429: Telegram asks to wait RetryAfter.
	RateLimited
	// Unreachable is a 403 (the user blocked the bot, or the account is
	// gone) or an unknown chat: no retry will help until the user writes.
	Unreachable
	// Rejected is any other 4xx: the request itself is wrong.
	Rejected
	// Canceled: the caller's context ended first.
	Canceled
)

func (k Kind) String() string {
	switch k {
	case Transient:
		return "transient"
	case RateLimited:
		return "rate limited"
	case Unreachable:
		return "unreachable"
	case Rejected:
		return "rejected"
	case Canceled:
		return "canceled"
	}
	return "unknown"
}

// Error is a send that failed after the outbox's own retries.
type Error struct {
	Kind       Kind
	RetryAfter time.Duration
	// MaybeDelivered is set when the request may have reached Telegram
	// and been acted on although no success came back (network error,
	// timeout, garbled response): a retry may show the message twice.
	MaybeDelivered bool
	Err            error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Kind, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of a failed send's error, 0 for nil or an error
// that did not come from the outbox.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// MaybeDelivered reports whether a failed send may have reached the user.
func MaybeDelivered(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.MaybeDelivered
}

// ErrCallbackData is returned for a button whose callback data exceeds
// Telegram's 64 bytes; nothing is sent.
var ErrCallbackData = errors.New("callback data longer than 64 bytes")

// MaxCallbackData is Telegram's limit for a button's data, in bytes.
const MaxCallbackData = 64

var statusRE = regexp.MustCompile(`error response from telegram for method \w+, (\d{3}) `)

// classify reads go-telegram/bot's errors. The library wraps some of them
// (fmt.Errorf with %w) and returns others bare, so matching is by
// errors.As / errors.Is, never by type assertion (the library's own
// IsTooManyRequestsError misses a wrapped 429).
// A context error counts as Canceled only when the caller's ctx ended; an
// HTTP client timeout is Transient.
func classify(ctx context.Context, err error) *Error {
	if err == nil {
		return nil
	}
	var tooMany *tgbot.TooManyRequestsError
	var migrate *tgbot.MigrateError
	msg := err.Error()
	switch {
	case errors.As(err, &tooMany):
		return &Error{Kind: RateLimited, RetryAfter: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second, Err: err}
	case ctx.Err() != nil:
		// The request may have left before the context ended.
		return &Error{Kind: Canceled, MaybeDelivered: true, Err: err}
	case errors.Is(err, tgbot.ErrorForbidden):
		return &Error{Kind: Unreachable, Err: err}
	case errors.As(err, &migrate):
		return &Error{Kind: Rejected, Err: err}
	case errors.Is(err, tgbot.ErrorBadRequest):
		if strings.Contains(msg, "chat not found") || strings.Contains(msg, "user is deactivated") {
			return &Error{Kind: Unreachable, Err: err}
		}
		return &Error{Kind: Rejected, Err: err}
	case errors.Is(err, tgbot.ErrorNotFound), errors.Is(err, tgbot.ErrorConflict):
		return &Error{Kind: Rejected, Err: err}
	case errors.Is(err, tgbot.ErrorUnauthorized):
		// A revoked token: nothing is delivered until an operator fixes it,
		// but nothing must be dropped either.
		return &Error{Kind: Transient, Err: err}
	}
	if m := statusRE.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.Atoi(m[1])
		if code >= 500 {
			return &Error{Kind: Transient, Err: err}
		}
		return &Error{Kind: Rejected, Err: err}
	}
	// "error do request" (network, client timeout), "error read response
	// body", "error decode response body" (a proxy's HTML page): the
	// request may have been processed.
	return &Error{Kind: Transient, MaybeDelivered: true, Err: err}
}
