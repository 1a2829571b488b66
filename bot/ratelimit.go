package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is the most messages and button presses one person may send in
// a period: a token bucket holding Burst, refilled over Per. The zero
// value is DefaultRateLimit; a negative Burst turns the limit off (tests
// that send many messages at one fake instant).
type RateLimit struct {
	Burst int
	Per   time.Duration
}

// DefaultRateLimit is 20 messages in 10 seconds: more than anyone types,
// less than a script that would delay everyone else's answers.
var DefaultRateLimit = RateLimit{Burst: 20, Per: 10 * time.Second}

// userLimiter keeps one bucket per Telegram user. When someone runs dry
// they are told once, and their updates are not handled until the
// cool-down (one Per) ends: the message says so and until when, so nothing
// is dropped without the sender knowing.
type userLimiter struct {
	cfg     RateLimit
	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	lim *rate.Limiter
	// coolUntil: refused until then (the sender was told).
	coolUntil time.Time
	seen      time.Time
}

func newUserLimiter(cfg RateLimit) *userLimiter {
	if cfg.Burst == 0 {
		cfg = DefaultRateLimit
	}
	if cfg.Per <= 0 {
		cfg.Per = DefaultRateLimit.Per
	}
	return &userLimiter{cfg: cfg, buckets: map[int64]*bucket{}}
}

// limitVerdict says what to do with one update.
type limitVerdict int

const (
	limitAllow limitVerdict = iota
	// limitTell: refuse it and say why (the first refusal of a cool-down).
	limitTell
	// limitQuiet: refuse it; the sender was told already.
	limitQuiet
)

// check takes a token for user at now.
func (l *userLimiter) check(user int64, now time.Time) (limitVerdict, time.Time) {
	if l == nil || l.cfg.Burst < 0 {
		return limitAllow, time.Time{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[user]
	if b == nil {
		l.prune(now)
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.cfg.Burst)/l.cfg.Per.Seconds()), l.cfg.Burst)}
		l.buckets[user] = b
	}
	b.seen = now
	if now.Before(b.coolUntil) {
		return limitQuiet, b.coolUntil
	}
	if b.lim.AllowN(now, 1) {
		return limitAllow, time.Time{}
	}
	b.coolUntil = now.Add(l.cfg.Per)
	return limitTell, b.coolUntil
}

// prune forgets people idle for longer than a period, so the map holds
// only those writing now.
func (l *userLimiter) prune(now time.Time) {
	if len(l.buckets) < 1024 {
		return
	}
	for id, b := range l.buckets {
		if now.Sub(b.seen) > l.cfg.Per && !now.Before(b.coolUntil) {
			delete(l.buckets, id)
		}
	}
}
