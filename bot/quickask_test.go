package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
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

// The confirmation states the team's own revisit interval, as the
// follow-up it made used it.
func TestVisitConfirmationStatesTheTeamsInterval(t *testing.T) {
	h := salesTeam(t)
	north, err := h.App.DB.TeamByName(t.Context(), "North")
	if err != nil {
		t.Fatal(err)
	}
	days := 3
	if _, err := h.App.DB.UpdateTeamSettings(t.Context(), storage.System, north.ID, storage.TeamSettings{RevisitDays: &days}); err != nil {
		t.Fatal(err)
	}
	apptest.MustContain(t, h.Send(ann, "/visit Acme; demo"), "Follow-up: Thu 26 Nov 2026 09:00 (the 3-day rule)")
}

// A client a new visit creates is asked its grade once: the card is
// created marked as asked, and an objection to it later does not ask
// again.
func TestNewClientIsAskedItsGradeOnce(t *testing.T) {
	h := salesTeam(t)
	apptest.MustContain(t, h.Send(ann, "/visit Acme; demo"), "Acme is a new client. Which grade is it?")
	if c := clientNamed(t, h, "North", "Acme"); !c.GradeAsked {
		t.Fatalf("Acme not marked as asked: %+v", c)
	}
	got := h.Send(ann, "/objection Acme; price")
	apptest.MustContain(t, got, "✅ Objection saved — Acme: price")
	if j := apptest.Joined(got); strings.Contains(j, "Which grade") {
		t.Fatalf("asked again: %q", j)
	}
}
