package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/models"
)

func TestCheckInAttachesLocationAndFiles(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; demo")
	acme := clientNamed(t, h, "North", "Acme")
	h.Clock.Advance(5 * time.Minute)

	// A live location within 15 minutes: stronger proof, and said so.
	n := len(h.Fake.Sent())
	h.Wait(h.Fake.SendLocation(ann, 31.2304, 121.4737, 900))
	apptest.MustContain(t, h.Fake.SentSince(n), "Attached to your visit to Acme (Mon 23 Nov 2026 09:00): 📍 live location (strong proof you were there).")
	v := visitsOf(t, h, acme)[0]
	if v.Lat == nil || *v.Lat != 31.2304 || *v.Lon != 121.4737 || !v.LiveLocation {
		t.Fatalf("place %+v", v)
	}
	// A photo with a caption: the caption stays with the photo, not an answer.
	n = len(h.Fake.Sent())
	h.Wait(h.Fake.SendPhoto(ann, "photo-1", "whiteboard after the demo"))
	apptest.MustContain(t, h.Fake.SentSince(n), "Attached to your visit to Acme (Mon 23 Nov 2026 09:00): photo.")
	n = len(h.Fake.Sent())
	h.Wait(h.Fake.SendDocument(ann, "doc-1", "specs.pdf", ""))
	apptest.MustContain(t, h.Fake.SentSince(n), "document specs.pdf")
	atts, _ := h.App.DB.Attachments(t.Context(), v.ID)
	if len(atts) != 2 || atts[0].Kind != "photo" || atts[0].FileID != "photo-1" || atts[0].Caption != "whiteboard after the demo" ||
		atts[1].Kind != "document" || atts[1].FileName != "specs.pdf" {
		t.Fatalf("attachments %+v", atts)
	}
	// After the window nothing is attached, and the bot says how to do it.
	h.Clock.Advance(11 * time.Minute)
	n = len(h.Fake.Sent())
	h.Wait(h.Fake.SendLocation(ann, 1, 2, 0))
	apptest.MustContain(t, h.Fake.SentSince(n), "I kept nothing: there is no visit to attach that to.", "/visit Acme; demo")

	// During the form: a venue sent mid-form becomes the visit's place.
	got := h.Send(ann, "/visit")
	got = h.Send(ann, "Globex")
	n = len(h.Fake.Sent())
	h.Wait(h.Fake.SendVenue(ann, 22.5, 114.1, "Globex HQ", "1 Harbour Rd"))
	apptest.MustContain(t, h.Fake.SentSince(n), "Noted for the visit you are logging: 📍 Globex HQ, 1 Harbour Rd (a picked place, not proof of presence).")
	n = len(h.Fake.Sent())
	h.Wait(h.Fake.SendVoice(ann, "voice-1", 12))
	apptest.MustContain(t, h.Fake.SentSince(n), "Noted for the visit you are logging: voice message.")
	got = h.Tap(ann, got, "in person") // the method question is still the one waiting
	for i := 0; i < 8; i++ {           // up to the last question, when (skipped: now)
		got = h.Tap(ann, got, "Skip")
	}
	apptest.MustContain(t, got, "✅ Visit saved — Globex", "📍 Globex HQ, 1 Harbour Rd (a picked place", "Attachments: 1")
	g := visitsOf(t, h, clientNamed(t, h, "North", "Globex"))[0]
	if g.Place != "Globex HQ, 1 Harbour Rd" || g.LiveLocation || g.Lat == nil {
		t.Fatalf("form place %+v", g)
	}
	if atts, _ := h.App.DB.Attachments(t.Context(), g.ID); len(atts) != 1 || atts[0].Kind != models.AttachVoice {
		t.Fatalf("form attachments %+v", atts)
	}
}

func TestUndoAndEdit(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; contact")
	got := h.Send(ann, "/visit Acme; demo; warm")
	acme := clientNamed(t, h, "North", "Acme")
	if acme.Stage != models.StageDemo {
		t.Fatalf("stage %s", acme.Stage)
	}
	// Another user's Undo button does nothing.
	id, data := apptest.Button(t, got, "Undo")
	if got := h.Press(bob, id, data); apptest.Joined(got) != "This button no longer works." {
		t.Fatalf("foreign undo: %q", apptest.Joined(got))
	}
	// Edit the stage through the same step as the form.
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Stage")
	apptest.MustContain(t, got, "Changing Stage of the visit to Acme", "Which stage did the client reach?")
	got = h.Tap(ann, got, "5. proposal / quote")
	apptest.MustContain(t, got, "✏️ Visit updated — Acme", "Attitude: warm", "Stage: contact → proposal / quote")
	if c := clientNamed(t, h, "North", "Acme"); c.Stage != models.StageProposal {
		t.Fatalf("after edit %s", c.Stage)
	}
	// Edit the next visit by typing a date.
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "Next visit")
	got = h.Send(ann, "tomorrow 10:00")
	apptest.MustContain(t, got, "Follow-up: Tue 24 Nov 2026 10:00")

	// Undo with the button asks first; its question turns into the notice.
	got = h.Tap(ann, got, "Undo")
	apptest.MustContain(t, got, "Undo your visit to Acme of Mon 23 Nov 2026 09:00?", "• Acme's stage goes back from proposal / quote to contact.")
	got = h.Tap(ann, got, "Undo it")
	if len(got) != 1 || got[0].Method != "editMessageText" || !strings.HasPrefix(got[0].Text, "↩️ Undone: the visit to Acme of Mon 23 Nov 2026 09:00.\n") {
		t.Fatalf("undo: %+v", got)
	}
	if c := clientNamed(t, h, "North", "Acme"); c.Stage != models.StageContact || len(visitsOf(t, h, c)) != 1 {
		t.Fatalf("after undo: %+v", c)
	}
	// The undone visit's buttons are stale.
	if got := h.Press(ann, id, fmt.Sprintf("v:e:%s", data[len("v:u:"):])); apptest.Joined(got) != "This button no longer works." {
		t.Fatalf("edit of an undone visit: %q", apptest.Joined(got))
	}
	// /undo takes the last entry, asking first; the client the visit
	// created goes too, as nothing else is on it.
	got = h.Send(ann, "/undo")
	apptest.MustContain(t, got, "Undo your visit to Acme", "• The client card Acme, which it created, goes too: nothing else is on it.")
	apptest.MustContain(t, h.Tap(ann, got, "Undo it"), "↩️ Undone: the visit to Acme of Mon 23 Nov 2026 09:00.", "• The client card Acme, which it had created, was removed too.")
	apptest.MustContain(t, h.Send(ann, "/undo"), "Nothing to undo: you logged no visit or objection in the last 24 hours.")
	// After 24 hours an entry stays.
	got = h.Send(ann, "/visit Globex; demo")
	h.Clock.Advance(25 * time.Hour)
	apptest.MustContain(t, h.Send(ann, "/undo"), "Nothing to undo")
	apptest.MustContain(t, h.Tap(ann, got, "↩️ Undo"), "more than 24 hours ago, so it can no longer be undone. Use ✏️ Edit")
	clientNamed(t, h, "North", "Globex")
}
