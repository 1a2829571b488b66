package app

import (
	"context"
	"sync"
)

// Handled records which updates the inbox finished, so a caller that
// injected an update (the console, tests) can wait for its answer instead
// of sleeping.
type Handled struct {
	mu   sync.Mutex
	ids  map[int64]bool
	wake chan struct{}
}

// NewHandled returns an empty set; pass its Add as Config.OnUpdateDone.
func NewHandled() *Handled { return &Handled{ids: map[int64]bool{}, wake: make(chan struct{})} }

// Add marks an update handled.
func (h *Handled) Add(id int64) {
	h.mu.Lock()
	h.ids[id] = true
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()
}

// Wait blocks until update id is handled or ctx ends.
func (h *Handled) Wait(ctx context.Context, id int64) error {
	for {
		h.mu.Lock()
		ok, wake := h.ids[id], h.wake
		h.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}
