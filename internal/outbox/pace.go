package outbox

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are Telegram's flood limits as salesbot keeps them. A limit is a
// token bucket: Rate messages per second on average, at most Burst at once.
// Every message and edit counts; callback answers do not.
type Limits struct {
	// Global caps everything the bot sends (Telegram: about 30/s).
	// GlobalBurst defaults to 10 ms worth (at least 1).
	Global      float64
	GlobalBurst int
	// PerChat caps one private chat (Telegram: about 1/s, short bursts
	// tolerated).
	PerChat   float64
	ChatBurst int
	// PerGroup caps one group or channel (Telegram: 20 per minute).
	PerGroup   float64
	GroupBurst int
	// Shared, if set, is the budget of the whole deployment (replicas on
	// one PostgreSQL database): every send also reserves its slot there,
	// and a 429's pause is passed on so every replica waits it out.
	Shared SharedBudget
}

// DefaultLimits are Telegram's published limits: 30 messages per second in
// total, 1 per second per chat (a reply of three messages may go at once),
// 20 per minute per group.
func DefaultLimits() Limits {
	return Limits{Global: 30, GlobalBurst: 1, PerChat: 1, ChatBurst: 3, PerGroup: 20.0 / 60, GroupBurst: 3}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Global <= 0 {
		l.Global = d.Global
	}
	if l.GlobalBurst <= 0 {
		// 10 ms of sends (1 at Telegram's 30/s): enough that a sender the
		// scheduler wakes a little late does not lose its slot at high
		// rates, too little to be a burst Telegram notices.
		l.GlobalBurst = max(d.GlobalBurst, int(l.Global/100))
	}
	if l.PerChat <= 0 {
		l.PerChat = d.PerChat
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = d.ChatBurst
	}
	if l.PerGroup <= 0 {
		l.PerGroup = d.PerGroup
	}
	if l.GroupBurst <= 0 {
		l.GroupBurst = d.GroupBurst
	}
	return l
}

// SharedBudget is a send rate kept with other processes
// (storage.SendBudget).
type SharedBudget interface {
	// Reserve takes the next send slot and says how long to wait for it.
	Reserve(ctx context.Context) (time.Duration, error)
	// Pause holds everyone's sending for d from now.
	Pause(ctx context.Context, d time.Duration) error
}

// Priority orders sends that wait for the global limit.
type Priority int

// Priorities, first served first.
const (
	// Interactive is an answer to something a user just did (the zero
	// value: replies need not say so).
	Interactive Priority = iota
	// Bulk is what the bot sends on its own: follow-ups, digests.
	Bulk
	numPriorities
)

// pacer spaces sends: per chat, globally with priorities, and not at all
// while a 429 pause lasts. Its clock and sleep are injected so tests can run
// it on virtual time.
type pacer struct {
	limits Limits
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error

	global *rate.Limiter
	gate   gate

	mu          sync.Mutex
	chats       map[int64]*chatPace
	pausedUntil time.Time
	acquires    int
}

type chatPace struct {
	lock chan struct{} // a mutex a waiter can give up on
	lim  *rate.Limiter
	refs int
}

func newPacer(l Limits, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	l = l.withDefaults()
	return &pacer{
		limits: l, now: now, sleep: sleep,
		global: rate.NewLimiter(rate.Limit(l.Global), l.GlobalBurst),
		chats:  map[int64]*chatPace{},
	}
}

// pause stops all sending until now+d (a 429's retry_after), on every
// replica when the budget is shared.
func (p *pacer) pause(d time.Duration) {
	until := p.now().Add(d)
	p.mu.Lock()
	if until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
	p.mu.Unlock()
	if p.limits.Shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = p.limits.Shared.Pause(ctx, d) // this replica pauses either way
	}
}

func (p *pacer) pauseLeft(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pausedUntil.Sub(now)
}

// acquire waits until a message to chatID may go: the chat has a token,
// then, first come first served within its priority and interactive before
// bulk, the global limit has one and no pause is on. The chat's token is
// taken at the moment the global one is, so messages to one chat are
// spaced by when they are really sent, however long the global queue was.
// A chat's messages go in the order they asked (its lock is held
// throughout).
func (p *pacer) acquire(ctx context.Context, chatID int64, prio Priority) error {
	cp := p.chat(chatID)
	defer p.release(chatID, cp)
	select {
	case cp.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-cp.lock }()

	if err := p.waitTokens(ctx, cp.lim); err != nil {
		return err
	}
	if err := p.gate.enter(ctx, prio); err != nil {
		return err
	}
	err := p.takeGlobal(ctx, cp)
	p.gate.leave()
	if err != nil {
		return err
	}
	// The deployment's slot is asked for outside the gate (the chat's lock
	// still held, so its order stays): sends of other chats ask at the
	// same time, and storage takes their slots in one statement.
	return p.reserveShared(ctx)
}

// takeGlobal waits, inside the gate, for the global limit and any pause,
// then takes the global and the chat's token.
func (p *pacer) takeGlobal(ctx context.Context, cp *chatPace) error {
	for {
		now := p.now()
		if left := p.pauseLeft(now); left > 0 {
			if err := p.sleep(ctx, left); err != nil {
				return err
			}
			continue
		}
		if p.global.TokensAt(now) < 1 {
			if err := p.waitTokens(ctx, p.global); err != nil {
				return err
			}
			continue
		}
		p.global.ReserveN(now, 1)
		cp.lim.ReserveN(now, 1)
		return nil
	}
}

// reserveShared waits for this send's slot in the deployment's budget. If
// the database cannot be asked, the local limit alone holds: sending goes
// on, the replica's own pace capped at the global rate.
func (p *pacer) reserveShared(ctx context.Context) error {
	if p.limits.Shared == nil {
		return nil
	}
	wait, err := p.limits.Shared.Reserve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return nil
	}
	if wait > 0 {
		return p.sleep(ctx, wait)
	}
	return nil
}

// waitTokens sleeps until lim has a token (without taking it).
func (p *pacer) waitTokens(ctx context.Context, lim *rate.Limiter) error {
	for {
		tk := lim.TokensAt(p.now())
		if tk >= 1 {
			return nil
		}
		secs := (1 - tk) / float64(lim.Limit())
		// Round up, plus a microsecond, so one sleep is always enough
		// despite float rounding.
		d := time.Duration(math.Ceil(secs*float64(time.Second))) + time.Microsecond
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (p *pacer) chat(chatID int64) *chatPace {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.acquires++
	if p.acquires%4096 == 0 {
		p.sweep()
	}
	cp := p.chats[chatID]
	if cp == nil {
		r, b := p.limits.PerChat, p.limits.ChatBurst
		if chatID < 0 { // groups and channels have negative ids
			r, b = p.limits.PerGroup, p.limits.GroupBurst
		}
		cp = &chatPace{lock: make(chan struct{}, 1), lim: rate.NewLimiter(rate.Limit(r), b)}
		p.chats[chatID] = cp
	}
	cp.refs++
	return cp
}

// release forgets a chat nobody waits for once its bucket is full again,
// so memory follows the chats active in the last few seconds.
func (p *pacer) release(chatID int64, cp *chatPace) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp.refs--
	if cp.refs == 0 && cp.lim.TokensAt(p.now()) >= float64(cp.lim.Burst()) {
		delete(p.chats, chatID)
	}
}

// sweep drops idle chats whose buckets have refilled. Holds mu.
func (p *pacer) sweep() {
	now := p.now()
	for id, cp := range p.chats {
		if cp.refs == 0 && cp.lim.TokensAt(now) >= float64(cp.lim.Burst()) {
			delete(p.chats, id)
		}
	}
}

// trackedChats is how many chats the pacer remembers (tests).
func (p *pacer) trackedChats() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.chats)
}

// gate lets one waiter at a time take the global token, interactive
// waiters before bulk ones, each priority in arrival order.
type gate struct {
	mu     sync.Mutex
	queues [numPriorities][]*waiter
	busy   bool
}

type waiter struct {
	ready   chan struct{}
	granted bool
}

func (g *gate) enter(ctx context.Context, prio Priority) error {
	if prio < 0 || prio >= numPriorities {
		prio = Bulk
	}
	w := &waiter{ready: make(chan struct{})}
	g.mu.Lock()
	g.queues[prio] = append(g.queues[prio], w)
	g.next()
	g.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		if w.granted {
			g.busy = false
			g.next()
		} else {
			q := g.queues[prio]
			for i, x := range q {
				if x == w {
					g.queues[prio] = append(q[:i:i], q[i+1:]...)
					break
				}
			}
		}
		g.mu.Unlock()
		return ctx.Err()
	}
}

func (g *gate) leave() {
	g.mu.Lock()
	g.busy = false
	g.next()
	g.mu.Unlock()
}

// next hands the gate to the first waiter. Holds mu.
func (g *gate) next() {
	if g.busy {
		return
	}
	for p := range g.queues {
		if q := g.queues[p]; len(q) > 0 {
			w := q[0]
			g.queues[p] = q[1:]
			w.granted, g.busy = true, true
			close(w.ready)
			return
		}
	}
}

// sleepReal waits d or until ctx ends.
func sleepReal(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// VirtualTime is a clock for the outbox's pacing that moves only when the
// outbox sleeps: every wait returns at once, adding its length to the
// clock. Tests use it to see the waits (a 429's pause, back-off) without
// spending them. Safe for concurrent use; concurrent sleeps add up, so the
// clock runs ahead of any real schedule, never behind it.
type VirtualTime struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

// NewVirtualTime starts a virtual clock at start.
func NewVirtualTime(start time.Time) *VirtualTime { return &VirtualTime{now: start} }

// Now is the virtual time.
func (v *VirtualTime) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep records d and moves the clock by it.
func (v *VirtualTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if d > 0 {
		v.now = v.now.Add(d)
		v.slept = append(v.slept, d)
	}
	return nil
}

// Slept returns the waits so far, in order.
func (v *VirtualTime) Slept() []time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]time.Duration(nil), v.slept...)
}
