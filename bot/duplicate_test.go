package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
)

// The same visit sent twice within the hour is asked about, and stored
// only on Yes (issue 11, item 10).
func TestSameVisitTwiceAsksLogItAgain(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; met Li (buyer); demo; warm")
	h.Clock.Advance(20 * time.Minute)
	got := h.Send(ann, "/visit Acme; warm; demo; met li (buyer)") // same parts, another order
	apptest.MustContain(t, got, "You logged this visit already: Acme, Mon 23 Nov 2026 09:00, with the same parts. Log it again?")
	acme := clientNamed(t, h, "North", "Acme")
	if n := len(visitsOf(t, h, acme)); n != 1 {
		t.Fatalf("stored before the answer: %d visits", n)
	}
	apptest.MustContain(t, h.Tap(ann, got, "No"), "Not logged again: your visit to Acme stays logged once.")
	if n := len(visitsOf(t, h, acme)); n != 1 {
		t.Fatalf("No stored it: %d visits", n)
	}
	got = h.Send(ann, "/visit Acme; met Li (buyer); demo; warm")
	apptest.MustContain(t, h.Tap(ann, got, "Yes, log it again"), "✅ Visit saved — Acme, Mon 23 Nov 2026 09:20")
	if n := len(visitsOf(t, h, acme)); n != 2 {
		t.Fatalf("Yes did not store it: %d visits", n)
	}

	// Other parts, another rep (the team shares its clients), or over an
	// hour later: no question.
	apptest.MustContain(t, h.Send(ann, "/visit Acme; met Li (buyer); quote; warm"), "✅ Visit saved")
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North shared on"), "Saved.")
	apptest.MustContain(t, h.Send(bob, "/visit Acme; quote; warm"), "✅ Visit saved")
	h.Clock.Advance(61 * time.Minute)
	apptest.MustContain(t, h.Send(ann, "/visit Acme; met Li (buyer); quote; warm"), "✅ Visit saved")

	// In Chinese.
	h.Send(wei, "/visit 华为; 报价")
	got = h.Send(wei, "/visit 华为; 报价")
	apptest.MustContain(t, got, "这次拜访已经记录过了:华为,", "要再记录一次吗?")
	apptest.MustContain(t, h.Tap(wei, got, "不用"), "没有重复记录")
}
