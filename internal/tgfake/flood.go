package tgfake

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FloodLimits make the fake enforce flood control the way Telegram does:
// a message (sendMessage, sendPhoto, sendDocument, an edit) over a limit
// is refused with 429 and retry_after 1 and has no effect. Each limit is a
// token bucket measured on the server's clock when the request arrives;
// Burst is the slack for requests that left evenly spaced but arrive
// bunched. Zero rates are not enforced.
type FloodLimits struct {
	Global, PerChat float64
	GlobalBurst     int
	ChatBurst       int
}

// WithFloodControl enforces limits (load tests and benchmarks).
func WithFloodControl(l FloodLimits) Option {
	return func(s *Server) {
		f := &flood{limits: l, chats: map[int64]*rate.Limiter{}}
		if l.Global > 0 {
			f.global = rate.NewLimiter(rate.Limit(l.Global), max(l.GlobalBurst, 1))
		}
		s.flood = f
	}
}

type flood struct {
	mu     sync.Mutex
	limits FloodLimits
	global *rate.Limiter
	chats  map[int64]*rate.Limiter
}

var floodMethods = map[string]bool{
	"sendMessage": true, "sendPhoto": true, "sendDocument": true,
	"editMessageText": true, "editMessageReplyMarkup": true,
}

// allow takes a token for a message to chatID at now, or refuses.
func (f *flood) allow(method string, chatID int64, now time.Time) *apiError {
	if f == nil || !floodMethods[method] {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var chat *rate.Limiter
	if f.limits.PerChat > 0 {
		chat = f.chats[chatID]
		if chat == nil {
			chat = rate.NewLimiter(rate.Limit(f.limits.PerChat), max(f.limits.ChatBurst, 1))
			f.chats[chatID] = chat
		}
	}
	okGlobal := f.global == nil || f.global.TokensAt(now) >= 1
	okChat := chat == nil || chat.TokensAt(now) >= 1
	if !okGlobal || !okChat {
		return &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after 1", retryAfter: 1}
	}
	if f.global != nil {
		f.global.ReserveN(now, 1)
	}
	if chat != nil {
		chat.ReserveN(now, 1)
	}
	return nil
}

// PeakRate returns the largest number of calls that arrived within any
// span of length window, and when that span began.
func PeakRate(calls []Call, window time.Duration) (int, time.Time) {
	at := make([]time.Time, len(calls))
	for i, c := range calls {
		at[i] = c.At
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	best, from, j := 0, time.Time{}, 0
	for i := range at {
		for j < len(at) && at[j].Sub(at[i]) < window {
			j++
		}
		if j-i > best {
			best, from = j-i, at[i]
		}
	}
	return best, from
}
