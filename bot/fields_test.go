package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
)

// Duration and place, which the copies of the field lists left out, have
// Edit buttons and show in the confirmation and in what a cancelled form
// kept (the visible change of declaring the fields once).
func TestEditDurationAndPlace(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit Acme; demo; 30 min; place: HQ")
	apptest.MustContain(t, got, "“30 min” → duration: 30 min", "“place: HQ” → place: HQ")
	got = h.Tap(ann, got, "Edit")
	apptest.MustContain(t, got, "Which part do you want to change?")
	edit := got
	got = h.Tap(ann, edit, "Duration")
	apptest.MustContain(t, got, "How long did the visit take?")
	got = h.Send(ann, "1.5 h")
	apptest.MustContain(t, got, "✏️ Visit updated — Acme", "Duration: 90 min", "Place: HQ")
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Place")
	apptest.MustContain(t, got, "Where did the visit take place?")
	got = h.Send(ann, "their new office")
	apptest.MustContain(t, got, "Duration: 90 min", "Place: their new office")
	acme := clientNamed(t, h, "North", "Acme")
	vs := visitsOf(t, h, acme)
	if len(vs) != 1 || vs[0].DurationMin != 90 || vs[0].Place != "their new office" {
		t.Fatalf("visit after edits: %+v", vs)
	}
	// A duration the field cannot hold is asked again with an example.
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Duration")
	got = h.Send(ann, "a while")
	apptest.MustContain(t, got, "A visit lasts between 1 minute and 24 hours, e.g. 45 min.", "How long did the visit take?")
}

func TestCancelledVisitFormListsDurationAndPlace(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit Acme; demo; 45 min; place: HQ; revisit: no")
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Talking points")
	got = h.Tap(ann, got, "Cancel")
	apptest.MustContain(t, got, "• Client: Acme", "• Stage: demo / trial", "• Duration: 45 min", "• Place: HQ")
}
