package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// Manager numbers that add up (issue 11, item 11): the test builds a day
// and reads the digest of it the next morning.
func TestDigestNumbersAddUp(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	mia := tgfake.User{ID: 301, FirstName: "Mia", LanguageCode: "en"}
	wu := tgfake.User{ID: 302, FirstName: "Wu", LanguageCode: "en"}
	newRep := tgfake.User{ID: 303, FirstName: "Neo", LanguageCode: "en"}
	h.Member(bob, "North", "rep")
	h.Member(mia, "North", "manager")
	h.Member(wu, "North", "manager")
	at := func(day, hour int) { h.Clock.Set(time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC)) }

	// Monday: Bob visits Acme three times — a demo, then a quote (which
	// closes the demo's revisit), then "demo" again, a step back the stage
	// rule refuses (and it closes the quote's revisit). Mia, a manager,
	// logs a visit herself. Bob completes one reminder by hand. Wu only
	// plans next week.
	at(23, 10)
	apptest.MustContain(t, h.Send(bob, "/visit Acme; demo; warm"), "Visit saved")
	h.Send(bob, "/remind today 12:00 call Li")
	apptest.MustContain(t, h.Send(bob, "/followups"), "1. 12:00 · call Li")
	apptest.MustContain(t, h.Send(bob, "/done 1"), "✅ Done: call Li")
	at(23, 14)
	apptest.MustContain(t, h.Send(bob, "/visit Acme; quote; warm"), "Visit saved")
	at(23, 16)
	apptest.MustContain(t, h.Send(bob, "/visit Acme; demo; neutral"), "Visit saved")
	apptest.MustContain(t, h.Send(mia, "/visit Beta; contact; neutral"), "Visit saved")
	apptest.MustContain(t, h.Send(wu, "/plan next mon Gamma demo"), "Gamma")

	// Tuesday a new rep joins; then Mia asks for yesterday.
	at(24, 9)
	h.Member(newRep, "North", "rep")
	got := apptest.Joined(h.Send(mia, "/digest yesterday"))
	for _, want := range []string{
		"📊 North — daily digest, Mon 23 Nov",
		// Bob and Mia were active; Neo had not joined, so he is not counted
		// and not idle; Wu, a manager who logged nothing, is not expected.
		"Visits: 4 · objections: 0 · active: 2 of 2 (the reps, and managers who logged something)",
		// One done by hand; the two revisits Bob's later visits closed are apart.
		"Follow-ups: 1 done that day (and 2 revisits closed by visiting again), 0 overdue at the end of the day",
		// The refused step back reads as where the client stayed.
		"• 16:00 Acme — proposal / quote (noted “demo / trial”, which is not progress: the stage stays), neutral",
		"👤 Mia",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("digest lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"today", "No activity", "Neo"} {
		if strings.Contains(got, not) {
			t.Errorf("yesterday's digest says %q:\n%s", not, got)
		}
	}
	if n := strings.Count(got, "active:"); n != 1 {
		t.Fatalf("totals %d times", n)
	}

	// The weekly summary: the refused step counts where Acme stayed, and
	// next week's plans name everyone who planned, Wu included.
	got = apptest.Joined(h.Send(mia, "/week 2026-11-23"))
	for _, want := range []string{"proposal / quote 2", "👤 Wu"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "👤 (") || strings.Contains(got, "👤 \n") || strings.Contains(got, "\n👤  ") {
		t.Errorf("a blank name in the plans:\n%s", got)
	}

	// Undoing Bob's last visit opens again the revisit it had closed (the
	// quote's), instead of losing it.
	apptest.MustContain(t, h.Tap(bob, h.Send(bob, "/undo"), "Undo it"), "Undone")
	apptest.MustContain(t, h.Send(bob, "/followups"), "Your open follow-ups (1):", "Mon 30 Nov 2026 14:00 · Revisit Acme")
}
