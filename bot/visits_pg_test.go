package bot_test

import (
	"context"
	"salesbot/internal/storage"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/models"
)

// The main paths on PostgreSQL: quick visit with a new client, a close name
// asked about, the form, check-in, three visits, undo, objection resolved.
func TestVisitsOnPostgres(t *testing.T) {
	h := salesTeam(t, apptest.Postgres(t))
	apptest.MustContain(t, h.Send(ann, "/visit Acme Corp; met Li (buyer); demo; warm"), "new client Acme Corp")
	got := h.Send(ann, "/visit Acme Ltd; warm")
	got = h.Tap(ann, got, "Acme Corp")
	apptest.MustContain(t, got, "✅ Visit saved — Acme Corp")
	h.Send(ann, "/visit acme corp; phone")
	got = h.Send(ann, "/visit acme corp; demo")
	apptest.MustContain(t, got, "⚠️ 3 visits to Acme Corp without stage progress")
	n := len(h.Fake.Sent())
	h.Wait(h.Fake.SendLocation(ann, 31.2, 121.5, 600))
	apptest.MustContain(t, h.Fake.SentSince(n), "live location")
	acme := clientNamed(t, h, "North", "ACME CORP")
	if vs := visitsOf(t, h, acme); len(vs) != 4 || !vs[0].LiveLocation || acme.NoProgressVisits != 3 {
		t.Fatalf("visits %+v client %+v", vs, acme)
	}
	h.Clock.Advance(time.Minute) // entries of the same instant have no order
	got = h.Send(ann, "/objection Acme Corp; price; answer: discount")
	got = h.Tap(ann, got, "✓ Resolved")
	got = h.Tap(ann, got, "The answer given")
	apptest.MustContain(t, got, "What worked: discount")
	apptest.MustContain(t, h.Tap(ann, h.Send(ann, "/undo"), "Undo it"), "Undone: the objection at Acme Corp")
	apptest.MustContain(t, h.Tap(ann, h.Send(ann, "/undo"), "Undo it"), "Undone: the visit to Acme Corp")
	if c := clientNamed(t, h, "North", "Acme Corp"); c.NoProgressVisits != 2 || c.NeedsNewPlan() {
		t.Fatalf("after undo %+v", c)
	}
	h.Send(ann, "/visit")
	h.Send(ann, "Globex")
	h.Restart()
	got = h.Send(ann, "1")
	apptest.MustContain(t, got, "Who did you meet?")
}

// An abandoned visit form expires after a day, saying what was kept.
func TestVisitFormExpiresWithWhatWasKept(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit")
	h.Send(ann, "Globex")
	got := h.Send(ann, "2")
	got = h.Send(ann, "Zhou (buyer)")
	apptest.MustContain(t, got, "So far: Zhou (buyer)")
	h.Clock.Advance(24 * time.Hour)
	n := len(h.Fake.Sent())
	if k, err := h.App.Bot.ExpireForms(context.Background()); err != nil || k != 1 {
		t.Fatalf("expired %d, %v", k, err)
	}
	h.Flush()
	apptest.MustContain(t, h.Fake.SentSince(n), "The form waited 24 hours for an answer and has expired; nothing was saved. You had entered:",
		"• Client: Globex", "• Method: phone", "• Met: Zhou (buyer)")
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, clientTeam(t, h), "Globex"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("an expired form created a client: %v", err)
	}
}

func clientTeam(t *testing.T, h *apptest.Harness) int64 {
	tm, err := h.App.DB.TeamByName(t.Context(), "North")
	if err != nil {
		t.Fatal(err)
	}
	return tm.ID
}

// Edit → Client moves the visit to another client through the client step.
func TestEditMovesVisitToAnotherClient(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Globex; demo")
	got := h.Send(ann, "/visit Initec; met Peter (user); proposal")
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Client")
	apptest.MustContain(t, got, "Which client did you visit?")
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "✏️ Visit updated — Globex", "Met: Peter (user)", "Stage: demo / trial → proposal / quote")
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, clientTeam(t, h), "Initec"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("the mistyped client stays: %v", err)
	}
	g := clientNamed(t, h, "North", "Globex")
	if g.Stage != models.StageProposal || len(visitsOf(t, h, g)) != 2 {
		t.Fatalf("Globex %+v", g)
	}
}
