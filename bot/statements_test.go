package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
)

// statementsPer is the SQL statements one message costs, end to end
// (stored, handled, replied to, marked sent), averaged over n messages
// so that nothing stray changes it.
func statementsPer(t *testing.T, h *apptest.Harness, u tgfake.User, n int, text func(i int) string, want string) float64 {
	t.Helper()
	h.Flush()
	before := h.App.DB.Statements()
	for i := 0; i < n; i++ {
		got := h.Send(u, text(i))
		if !strings.Contains(apptest.Joined(got), want) {
			t.Fatalf("message %d: want %q in %q", i, want, apptest.Texts(got))
		}
	}
	h.Flush()
	return float64(h.App.DB.Statements()-before) / float64(n)
}

// TestStatementBudget holds what a message costs the database: the
// budget is what it costs today, so a change that adds statements to
// every /visit or every message says so here (and in BENCHMARKS.md).
func TestStatementBudget(t *testing.T) {
	h := apptest.New(t)
	north := teamWithClients(t, h, 200)
	shared := true
	if _, err := h.App.DB.UpdateTeamSettings(context.Background(), storage.System, north.ID, storage.TeamSettings{SharedClients: &shared}); err != nil {
		t.Fatal(err)
	}
	h.Send(bob, "/visit Client 0 Trading; demo") // the first visit may ask for a grade
	for _, c := range []struct {
		name   string
		budget float64
		text   func(i int) string
		want   string
	}{
		{"help", 7, func(int) string { return "/help" }, "/visit"},
		{"visit", 14, func(i int) string { return fmt.Sprintf("/visit Client %d Trading; demo; warm; next: call", i+1) }, "Visit saved"},
		{"visit-new-client", 20, func(i int) string { return fmt.Sprintf("/visit Zeta Works %d; demo; warm", i) }, "Zeta Works"},
	} {
		got := statementsPer(t, h, bob, 20, c.text, c.want)
		t.Logf("%s: %.1f statements a message", c.name, got)
		if got > c.budget {
			t.Errorf("%s: %.1f statements a message, budget %.0f", c.name, got, c.budget)
		}
	}
}
