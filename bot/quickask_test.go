package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
)

// A quick entry that names a known client and lacks one answer asks it,
// and the answer is saved with that client, not a new one of the name.
func TestQuickEntryAsksWithItsClient(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; demo")
	got := h.Send(ann, "/objection acme")
	apptest.MustContain(t, got, "What kind of objection was it?")
	got = h.Tap(ann, got, "price")
	apptest.MustContain(t, got, "✅ Objection saved — Acme: price")
	if j := apptest.Joined(got); strings.Contains(j, "new client") {
		t.Fatalf("a new client: %q", j)
	}
	if os := objectionsOf(t, h, clientNamed(t, h, "North", "Acme")); len(os) != 1 {
		t.Fatalf("Acme's objections: %+v", os)
	}
}
