package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TelegramBudget is the budget of everything sent to the Bot API.
const TelegramBudget = "telegram"

// SendBudget is a send rate shared by every replica on one PostgreSQL
// database: a ledger of when the next message may go (the generic cell
// rate algorithm on one row). Each send moves next_at one interval on and
// waits for its slot, so the deployment as a whole never sends faster than
// one message per interval, however many replicas share it; a 429's
// retry_after moves next_at past the pause, which every replica then waits
// out. Times are the database server's, so replicas' clocks do not matter.
//
// Reservations made at the same time are taken with one statement (the
// leader moves next_at on by as many intervals as there are callers, and
// each gets its own slot in turn): the ledger row is one hot row, whose
// lock every send would otherwise wait for in a queue of commits.
type SendBudget struct {
	db       *DB
	name     string
	interval time.Duration

	reservations batcher[*reservation]
}

type reservation struct {
	wait time.Duration
	err  error
}

// ErrSharedBudgetUnsupported is returned on SQLite, whose one replica keeps
// its budget in memory.
var ErrSharedBudgetUnsupported = errors.New("a shared send budget needs PostgreSQL")

// SendBudget returns the named budget at perSecond messages a second.
func (db *DB) SendBudget(name string, perSecond float64) (*SendBudget, error) {
	if db.dialect != Postgres {
		return nil, ErrSharedBudgetUnsupported
	}
	if perSecond <= 0 {
		return nil, fmt.Errorf("send budget %s: rate %v must be above 0", name, perSecond)
	}
	return &SendBudget{db: db, name: name, interval: time.Duration(float64(time.Second) / perSecond)}, nil
}

// Reserve takes the next slot and returns how long to wait for it.
func (b *SendBudget) Reserve(ctx context.Context) (time.Duration, error) {
	r := &reservation{}
	b.reservations.join(r, func(batch []*reservation) {
		// The statement serves every caller of the batch: one caller's
		// cancellation does not fail it for the others.
		first, err := b.reserve(context.WithoutCancel(ctx), len(batch))
		for i, x := range batch {
			x.wait, x.err = max(0, first+time.Duration(i)*b.interval), err
		}
	})
	return r.wait, r.err
}

// reserve takes n consecutive slots and returns how long to wait for the
// first (negative: it is past).
func (b *SendBudget) reserve(ctx context.Context, n int) (time.Duration, error) {
	span := time.Duration(n) * b.interval
	var waitMicros float64
	err := b.db.conn(ctx).Raw(`
		WITH now AS (SELECT clock_timestamp() AS t)
		UPDATE send_budgets SET next_at = GREATEST(send_budgets.next_at, now.t) + ? * interval '1 microsecond'
		FROM now WHERE send_budgets.name = ?
		RETURNING EXTRACT(EPOCH FROM (send_budgets.next_at - now.t)) * 1000000 - ?`,
		span.Microseconds(), b.name, span.Microseconds()).Scan(&waitMicros).Error
	if err != nil {
		return 0, fmt.Errorf("reserve %d send slots: %w", n, err)
	}
	return time.Duration(waitMicros) * time.Microsecond, nil
}

// Pause holds every replica's sending for d from now (a 429's retry_after).
func (b *SendBudget) Pause(ctx context.Context, d time.Duration) error {
	err := b.db.conn(ctx).Exec(`UPDATE send_budgets SET next_at = GREATEST(next_at, clock_timestamp() + ? * interval '1 microsecond')
		WHERE name = ?`, d.Microseconds(), b.name).Error
	if err != nil {
		return fmt.Errorf("pause sending for %s: %w", d, err)
	}
	return nil
}
