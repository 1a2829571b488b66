package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"salesbot/internal/outbox"
	"salesbot/internal/tgfake"
)

// fakeBudget stands for the deployment's ledger: each reservation waits
// slot more than the one before it (other replicas take the slots between).
type fakeBudget struct {
	mu     sync.Mutex
	slot   time.Duration
	next   time.Duration
	paused []time.Duration
}

func (b *fakeBudget) Reserve(context.Context) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.next
	b.next += b.slot
	return w, nil
}

func (b *fakeBudget) Pause(_ context.Context, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused = append(b.paused, d)
	return nil
}

// With a shared budget each send waits for its slot in it, and a 429 is
// passed on so the other replicas pause too.
func TestSharedBudgetPacesAndSharesPauses(t *testing.T) {
	vt := outbox.NewVirtualTime(start)
	shared := &fakeBudget{slot: 100 * time.Millisecond}
	o, fake := newOutbox(t, outbox.Config{Now: vt.Now, Sleep: vt.Sleep, Limits: outbox.Limits{Shared: shared}}, 0)
	fake.FailNext("sendMessage", tgfake.TooManyRequests(3))
	for i := range 3 {
		if _, err := o.Send(context.Background(), outbox.Message{ChatID: int64(10 + i), Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	var waited time.Duration
	for _, d := range vt.Slept() {
		waited += d
	}
	// Slots 0, 100, 200, 300 ms (the 429'd send took one and its retry the
	// next), plus the 3 s pause.
	if waited < 3*time.Second+600*time.Millisecond-time.Millisecond {
		t.Fatalf("slept %v in all (%v), want the shared slots and the pause", waited, vt.Slept())
	}
	if len(shared.paused) != 1 || shared.paused[0] != 3*time.Second {
		t.Fatalf("pauses passed on: %v, want the 429's 3 s", shared.paused)
	}
	if n := len(fake.Sent()); n != 3 {
		t.Fatalf("%d sent, want 3", n)
	}
}
