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
type SendBudget struct {
	db       *DB
	name     string
	interval time.Duration
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
	var waitMicros float64
	err := b.db.conn(ctx).Raw(`
		WITH now AS (SELECT clock_timestamp() AS t)
		UPDATE send_budgets SET next_at = GREATEST(send_budgets.next_at, now.t) + ? * interval '1 microsecond'
		FROM now WHERE send_budgets.name = ?
		RETURNING EXTRACT(EPOCH FROM (send_budgets.next_at - now.t)) * 1000000 - ?`,
		b.interval.Microseconds(), b.name, b.interval.Microseconds()).Scan(&waitMicros).Error
	if err != nil {
		return 0, fmt.Errorf("reserve a send slot: %w", err)
	}
	return max(0, time.Duration(waitMicros)*time.Microsecond), nil
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
