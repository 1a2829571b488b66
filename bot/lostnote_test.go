package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var lnRep = tgfake.User{ID: 3201, FirstName: "Lena", LanguageCode: "en"}

// A tapped lost reason files the deal, then asks what the button cannot
// say: for a competitor, which one (the deal's as buttons, or a name
// typed), and the client's words. Skipped, the reason stays alone; a
// command ends the questions; the month review counts the loss to the
// competitor named.
func TestLostReasonAsksWhichAndWhy(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { lostReasonAsksWhichAndWhy(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { lostReasonAsksWhichAndWhy(t, apptest.New(t, apptest.Postgres(t))) })
}

func lostReasonAsksWhichAndWhy(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	h.Member(lnRep, "South", "rep")
	for _, c := range []string{"Acme", "Beta", "Gamma", "Delta"} {
		apptest.MustContain(t, h.Send(lnRep, "/visit "+c+"; phone"), c)
	}
	apptest.MustContain(t, h.Send(lnRep, "/deal Acme; 20 trucks; 3M CNY; vs Brand X, Brand Y"), "New deal for Acme")
	apptest.MustContain(t, h.Send(lnRep, "/deal Beta; 5 pumps; 500k CNY; vs Brand X"), "New deal for Beta")
	apptest.MustContain(t, h.Send(lnRep, "/deal Gamma; 2 cranes"), "New deal for Gamma")
	apptest.MustContain(t, h.Send(lnRep, "/deal Delta; 3 boats"), "New deal for Delta")

	// Competitor: the deal's two as buttons; a name typed that is not
	// one of them is taken; the words skipped.
	got := h.Send(lnRep, "/deal lost Acme")
	got = h.Tap(lnRep, got, "competitor")
	apptest.MustContain(t, got, "Filed as lost: Acme — 20 trucks. Reason: competitor.", "Lost to which competitor? Tap one or type its name.")
	if !hasButton(got, "Brand X") || !hasButton(got, "Brand Y") || !hasButton(got, "Skip") {
		t.Fatalf("the competitor question offers %q", apptest.Joined(got))
	}
	got = h.Send(lnRep, "Brand Q")
	apptest.MustContain(t, got, "Why was “20 trucks” lost, in the client's words? Type it, or Skip.")
	apptest.MustContain(t, h.Tap(lnRep, got, "Skip"), "Filed as lost: Acme — 20 trucks. Reason: competitor (Brand Q).")

	// Price: no competitor question; both skipped, the reason stays.
	got = h.Tap(lnRep, h.Send(lnRep, "/deal lost Beta"), "price")
	apptest.MustContain(t, got, "Reason: price.", "Why was “5 pumps” lost, in the client's words?")
	if hasButton(got, "Brand X") {
		t.Fatalf("a price loss asks for the competitor: %q", apptest.Joined(got))
	}
	apptest.MustContain(t, h.Tap(lnRep, got, "Skip"), "“5 pumps” stays filed with its reason only.")

	// Words typed with the command are kept, and not asked again; the
	// reason may be typed instead of tapped.
	got = h.Send(lnRep, `/deal lost Delta "no money this year"`)
	apptest.MustContain(t, got, "Why was “3 boats” lost? Tap a reason")
	got = h.Send(lnRep, "no budget")
	apptest.MustContain(t, got, "Filed as lost: Delta — 3 boats. Reason: no budget — “no money this year”.")
	if j := apptest.Joined(got); strings.Contains(j, "in the client's words") || strings.Contains(j, "stays filed") {
		t.Fatalf("the words typed with the command are asked again:\n%s", j)
	}

	// Cancelled before a reason, the deal stays open and the reply says so.
	apptest.MustContain(t, h.Send(lnRep, "/deal lost Gamma"), "Tap a reason")
	apptest.MustContain(t, h.Send(lnRep, "/cancel"), "“2 cranes” stays open; nothing was filed.")

	// A command ends the questions and runs.
	got = h.Tap(lnRep, h.Send(lnRep, "/deal lost Gamma"), "no budget")
	apptest.MustContain(t, got, "in the client's words?")
	apptest.MustContain(t, h.Send(lnRep, "/deals"), "No open deals")
	apptest.MustContain(t, h.Send(lnRep, "/month"), "Lost: 4 deals", "• Delta — 3 boats · no budget — “no money this year”",
		"• Acme — 20 trucks · competitor (Brand Q)", "• Beta — 5 pumps · price", "Why we lost: no budget 2 · price 1 · competitor 1",
		"Brand X (2 deals) · Brand Q (1 deal, lost 1 to them) · Brand Y (1 deal)")
	for _, c := range []string{"Acme", "Beta", "Gamma"} {
		for _, d := range dealsOf(t, h, lnRep, c) {
			if d.State != models.DealLost || d.LostWords != "" && c != "Delta" {
				t.Fatalf("%s: %+v", c, d)
			}
		}
	}

	// Cancelled after the reason: the deal stays lost, and the reply does
	// not say "nothing was saved".
	apptest.MustContain(t, h.Send(lnRep, "/visit Zenith Works; phone"), "Zenith Works")
	apptest.MustContain(t, h.Send(lnRep, "/deal Zenith Works; 1 drill"), "New deal for Zenith Works")
	got = h.Tap(lnRep, h.Send(lnRep, "/deal lost Zenith Works"), "price")
	apptest.MustContain(t, got, "Reason: price.")
	got = h.Send(lnRep, "/cancel")
	apptest.MustContain(t, got, "“1 drill” stays filed as lost with what you gave; nothing more was added.")
	if j := apptest.Joined(got); strings.Contains(j, "nothing was saved") {
		t.Fatalf("a cancel after the loss was filed says:\n%s", j)
	}
	if ds := dealsOf(t, h, lnRep, "Zenith Works"); len(ds) != 1 || ds[0].State != models.DealLost || ds[0].LostReason != models.LostPrice {
		t.Fatalf("Zenith Works after the cancel: %+v", ds)
	}
}

var (
	ljMgr = tgfake.User{ID: 3202, FirstName: "Max", LanguageCode: "en"}
	ljRep = tgfake.User{ID: 3203, FirstName: "Nora", LanguageCode: "en"}
)

// Last month's review and the export's Targets sheet list the reps who
// were in the team that month: one who joined on the 1st of this month is
// in this month's numbers, not in last month's with a 0 of 42 visits.
func TestLastMonthLeavesOutLaterJoiners(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	h.Member(ljMgr, "West", "manager")
	h.Member(ljRep, "West", "rep")
	got := h.Send(ljMgr, "/month last")
	apptest.MustContain(t, got, "West — Nov 2026: the month's review")
	if strings.Contains(apptest.Joined(got), "Nora") {
		t.Fatalf("November lists Nora, who joined on 1 December:\n%s", apptest.Joined(got))
	}
	apptest.MustContain(t, h.Send(ljMgr, "/month"), "• Nora (won 0, lost 0): visits 0/46 (0%), pace 2 — behind")
	for _, r := range rows(t, openWorkbook(t, h.Send(ljMgr, "/export")[0]), "Targets") {
		if r[0] == "2026-11" && r[1] == "Nora" {
			t.Fatalf("the Targets sheet lists Nora in November: %q", r)
		}
	}
}
