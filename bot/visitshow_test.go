package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
)

// Every part of a stored visit can be seen and edited from the client card
// and the history (issue 11, item 9).
func TestStoredVisitShownWholeAndEditable(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; met Li (buyer); demo; warm; points: pricing; view: likes it; place: HQ; 45 min; note: parking is hard; next: send quote")
	card := h.Send(ann, "/client Acme")
	apptest.MustContain(t, card, "1. Mon 23 Nov 2026 09:00 · demo / trial · warm — next: send quote")
	got := h.Tap(ann, card, "🤝 1")
	apptest.MustContain(t, got, "🤝 Visit to Acme — Mon 23 Nov 2026 09:00, by Ann",
		"Met: Li (buyer)", "Stage: demo / trial", "Attitude: warm", "Duration: 45 min", "Place: HQ",
		"Talking points: pricing", "Client's view: likes it", "Next step: send quote", "Notes: parking is hard")
	// A teammate's press shows nothing.
	id, data := apptest.Button(t, card, "🤝 1")
	if got := h.Press(bob, id, data); apptest.Joined(got) != "This button no longer works." {
		t.Fatalf("a teammate saw the visit: %q", apptest.Joined(got))
	}
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Client's view")
	apptest.MustContain(t, h.Send(ann, "wants a trial first"), "✏️ Visit updated — Acme", "Client's view: wants a trial first")

	hist := h.Send(ann, "/history Acme")
	apptest.MustContain(t, hist, "1. 🤝 Mon 23 Nov 2026 09:00 · Ann")
	apptest.MustContain(t, h.Tap(ann, hist, "🤝 1"), "Client's view: wants a trial first", "Talking points: pricing")

	h.Send(wei, "/visit 华为; 报价; 要点: 价格; 意见: 考虑中")
	got = h.Tap(wei, h.Send(wei, "/client 华为"), "🤝 1")
	apptest.MustContain(t, got, "🤝 拜访 华为 —— ", "谈话要点:价格", "客户意见:考虑中")
}

// A plan item for a day that has passed is refused, nothing of the message
// stored (issue 11, item 9).
func TestPlanForAPastDayIsRefused(t *testing.T) {
	h := salesTeam(t)
	h.Clock.Advance(48 * time.Hour) // Wednesday 25 Nov
	got := h.Send(ann, "/plan this thu Acme demo; mon Beta quote")
	apptest.MustContain(t, got, "Plan item 2, Beta on Mon 23 Nov, is for a day that has passed", "Nothing was saved.", "/plan next mon Beta demo")
	north, _ := h.App.DB.TeamByName(t.Context(), "North")
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, north.ID, "Beta"); err == nil {
		t.Fatal("Beta's card was made for a refused plan")
	}
	apptest.MustContain(t, h.Send(ann, "/plan this wed Acme demo"), "Acme")
	apptest.MustContain(t, h.Send(wei, "/plan this mon 华为 报价"), "计划只能安排今天和以后的日子")
}
