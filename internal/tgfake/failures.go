package tgfake

import (
	"fmt"
	"net/http"
	"time"
)

// Failure makes one request misbehave.
//
//   - Code != 0: respond with that error_code / HTTP status, Description and,
//     if RetryAfter > 0, parameters.retry_after. The request has no effect.
//   - Body != "" with Code: respond with that raw body instead (a proxy's
//     page), which the client cannot decode.
//   - Delay > 0: wait that long before responding (normally when Code is 0,
//     with the error otherwise). If the client gives up first the request
//     is dropped without effect — that is how client timeouts are
//     simulated; use a Delay longer than the client's deadline to hang.
//   - Applied: perform the request (the message goes out and is in Sent)
//     before the delay and/or error. Simulates Telegram acting but the
//     response getting lost, the case that makes naive retries send twice.
type Failure struct {
	Code        int
	Description string
	// Body, when set with Code, is sent as it is instead of the JSON
	// envelope, as a proxy's error page would be (text/html).
	Body       string
	RetryAfter int
	Delay      time.Duration
	Applied    bool
}

// TooManyRequests is Telegram's flood-control error.
func TooManyRequests(retryAfter int) Failure {
	return Failure{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// ServerError is a transient 500.
func ServerError() Failure {
	return Failure{Code: http.StatusInternalServerError, Description: "Internal Server Error"}
}

// Blocked is what sends to a user who blocked the bot get.
func Blocked() Failure {
	return Failure{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// Timeout delays the response by d; see Failure.
func Timeout(d time.Duration) Failure {
	return Failure{Delay: d}
}

// FailNext queues f for the next request of method. Failures are consumed
// in FIFO order per method. Method "*" matches any method except
// getUpdates (so a broad failure does not starve the poller); a queued
// failure for the specific method is used before any "*" one.
func (s *Server) FailNext(method string, f Failure) {
	s.FailNextN(method, 1, f)
}

// FailNextN queues f n times; see FailNext.
func (s *Server) FailNextN(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], f)
	}
}

// FailNextNTo queues f n times for requests of method addressed to
// chatID; they are used before the failures FailNextN queued for every
// chat. Tests whose messages go out concurrently use it to fail one
// chat's, whatever order the sends take.
func (s *Server) FailNextNTo(method string, chatID int64, n int, f Failure) {
	s.FailNextN(chatFailureKey(method, chatID), n, f)
}

func chatFailureKey(method string, chatID int64) string { return fmt.Sprintf("%s@%d", method, chatID) }

// takeFailure pops the failure due for a request of method to chatID, if
// any.
func (s *Server) takeFailure(method string, chatID int64) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{chatFailureKey(method, chatID), method, "*"} {
		if key == "*" && method == "getUpdates" {
			break
		}
		if q := s.failures[key]; len(q) > 0 {
			s.failures[key] = q[1:]
			return q[0], true
		}
	}
	return Failure{}, false
}

// Block makes every request addressed to chatID (sends, edits, deletes)
// fail with Blocked() until Unblock, as if the user blocked the bot.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	s.blocked[chatID] = true
	s.mu.Unlock()
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	delete(s.blocked, chatID)
	s.mu.Unlock()
}
