package bot_test

import (
	"strings"
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

// /done N and /snooze N mean the numbers of the list the user last saw,
// however many were done since; a done is undone from its confirmation
// (issue 11, item 2).
func TestFollowUpNumbersAreThoseShown(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	repIn(t, h, bob, "UTC")
	h.Send(bob, "/remind today 11:00 call Li")
	h.Send(bob, "/remind today 12:00 email Wu")
	h.Send(bob, "/remind today 13:00 quote Acme")
	apptest.MustContain(t, h.Send(bob, "/followups"), "1. 11:00 · call Li\n2. 12:00 · email Wu\n3. 13:00 · quote Acme")

	apptest.MustContain(t, h.Send(bob, "/done 1"), "✅ Done: call Li")
	got := h.Send(bob, "/done 2")
	apptest.MustContain(t, got, "✅ Done: email Wu") // today's code completed "quote Acme" here
	apptest.MustContain(t, h.Send(bob, "/done 1"), "Number 1 of the list you last saw — call Li — is done already.")
	apptest.MustContain(t, h.Send(bob, "/snooze 3 today 15:00"), "💤 quote Acme — snoozed until Mon 23 Nov 2026 15:00")

	// Undo from the confirmation: open again, with its buttons.
	undone := h.Tap(bob, got, "Undo done")
	if len(undone) != 1 || undone[0].Method != "editMessageText" || len(undone[0].Buttons) != 3 {
		t.Fatalf("undo: %+v", undone)
	}
	apptest.MustContain(t, undone, "🔔 Reminder: email Wu\n↩️ Open again, due Mon 23 Nov 2026 12:00")
	apptest.MustContain(t, h.Tap(bob, got, "Undo done"), "This follow-up is open already.")

	// A new list renumbers; the numbers follow it.
	apptest.MustContain(t, h.Send(bob, "/followups"), "1. 12:00 · email Wu\n2. 15:00 · quote Acme")
	apptest.MustContain(t, h.Send(bob, "/done 2"), "✅ Done: quote Acme")

	// Done and Undo under the list: the list shows the result each time.
	list := h.Send(bob, "/followups")
	apptest.MustContain(t, list, "Your open follow-ups (1):")
	got = h.Tap(bob, list, "1 ✅")
	apptest.MustContain(t, got, "✅ Done Mon 23 Nov 2026 09:00 — email Wu", "No open follow-ups.")
	got = h.Tap(bob, got, "Undo done")
	apptest.MustContain(t, got, "↩️ Open again, due Mon 23 Nov 2026 12:00 — email Wu", "1. 12:00 · email Wu")

	// The due message's Done has an Undo too; undone, the reminder is open
	// and not sent again.
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	tick(t, h, 1)
	msg := lastSent(t, h, bob.ID)
	got = h.Tap(bob, []tgfake.Sent{msg}, "Done")
	apptest.MustContain(t, got, "🔔 Reminder: email Wu\n✅ Done Mon 23 Nov 2026 12:00")
	got = h.Tap(bob, got, "Undo done")
	apptest.MustContain(t, got, "↩️ Open again")
	tick(t, h, 0)
	apptest.MustContain(t, h.Send(bob, "/followups"), "Your open follow-ups (1):", "1. 12:00 · email Wu")
}

// Dates as people type them reach /remind and /snooze: slash dates in the
// user's order, next week, end of month, 周五前; impossible times are
// refused with an example, never read as the morning (issue 11, item 12).
func TestRemindDatesAsPeopleTypeThem(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	repIn(t, h, bob, "UTC")
	h.Send(li, "/join "+invite(t, h, "rep North"))
	for in, want := range map[string]string{
		"/remind 24/12 call Li":            "⏰ Reminder set for Thu 24 Dec 2026 09:00:\ncall Li",
		"/remind 12/24 call Li":            "⏰ Reminder set for Thu 24 Dec 2026 09:00:\ncall Li",
		"/remind 5/6 renewal":              "⏰ Reminder set for Sat 5 Jun 2027 09:00:\nrenewal",
		"/remind next week send the quote": "⏰ Reminder set for Mon 30 Nov 2026 09:00:\nsend the quote",
		"/remind end of month renewal":     "⏰ Reminder set for Mon 30 Nov 2026 09:00:\nrenewal",
		"/remind next thursday demo":       "⏰ Reminder set for Thu 3 Dec 2026 09:00:\ndemo",
		"/remind thursday demo":            "⏰ Reminder set for Thu 26 Nov 2026 09:00:\ndemo",
		"/remind tomorrow 26:00 call Li":   "“26:00” is not a time of day: hours go from 0 to 23 and minutes from 00 to 59 (or 1–12 with am/pm). For example: /remind tomorrow 16:00 call Li",
		"/remind 26:00 call Li":            "“26:00” is not a time of day",
	} {
		got := apptest.Joined(h.Send(bob, in))
		if !strings.Contains(got, want) {
			t.Errorf("%s:\n%s\nwant %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"/remind 5/6 续约":    "2027年5月6日 周四 09:00",
		"/remind 下周 发报价":    "2026年11月30日 周一 09:00",
		"/remind 月底 续约":     "2026年11月30日 周一 09:00",
		"/remind 周五前 发报价":   "2026年11月27日 周五 09:00",
		"/remind 明天88点 打电话": "“88点”不是一个时间",
	} {
		got := apptest.Joined(h.Send(li, in))
		if !strings.Contains(got, want) {
			t.Errorf("%s:\n%s\nwant %q", in, got, want)
		}
	}
	// Nothing was stored from the refused ones: 7 for Bob, 4 for Li.
	apptest.MustContain(t, h.Send(bob, "/followups"), "Your open follow-ups (7):")
	apptest.MustContain(t, h.Send(bob, "/snooze 1 tomorrow 25:00"), "“25:00” is not a time of day", "/snooze 1 tomorrow 16:00")
}
