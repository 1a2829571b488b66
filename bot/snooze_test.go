package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// A snooze postpones: it is counted from the later of now and the due time,
// so no button and no /snooze brings a follow-up forward (issue 11, item 3).
func TestSnoozeNeverMovesEarlier(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	repIn(t, h, bob, "UTC")
	h.Clock.Set(time.Date(2026, 11, 23, 15, 3, 0, 0, time.UTC))
	h.Send(bob, "/remind today 17:03 call Li")
	h.Send(bob, "/remind tomorrow 10:00 send the quote")
	list := h.Send(bob, "/followups")
	apptest.MustContain(t, list, "1. 17:03 · call Li", "2. Tue 24 Nov 2026 10:00 · send the quote")

	// ⏰ 1 hour at 15:03 on one due at 17:03: 18:03, not 16:03.
	got := h.Tap(bob, list, "1 ⏰")
	apptest.MustContain(t, got, "💤 Snoozed until Mon 23 Nov 2026 18:03 — call Li")
	// 🌅 Tomorrow morning on one due tomorrow 10:00: Wednesday 09:00, not Tuesday 09:00.
	got = h.Tap(bob, got, "2 🌅")
	apptest.MustContain(t, got, "💤 Snoozed until Wed 25 Nov 2026 09:00 — send the quote")
	// 📅 Next week on one due Wednesday: the Monday after.
	got = h.Tap(bob, got, "2 📅")
	apptest.MustContain(t, got, "💤 Snoozed until Mon 30 Nov 2026 09:00 — send the quote")

	// A typed time before the due time is refused and changes nothing.
	apptest.MustContain(t, h.Send(bob, "/snooze 1 today 17:30"),
		"It is due Mon 23 Nov 2026 18:03 — a snooze only moves a follow-up later, and Mon 23 Nov 2026 17:30 is earlier.")
	apptest.MustContain(t, h.Send(bob, "/followups"), "1. 18:03 · call Li")
	apptest.MustContain(t, h.Send(bob, "/snooze 1 today 19:00"), "💤 call Li — snoozed until Mon 23 Nov 2026 19:00")

	// On the follow-up's own message, once it is overdue, 1 hour is from now.
	h.Clock.Set(time.Date(2026, 11, 23, 19, 30, 0, 0, time.UTC))
	tick(t, h, 1)
	msg := lastSent(t, h, bob.ID)
	got = h.Tap(bob, []tgfake.Sent{msg}, "1 hour")
	apptest.MustContain(t, got, "💤 Snoozed until Mon 23 Nov 2026 20:30")
}
