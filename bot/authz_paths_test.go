package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// The paths of issue 10 tried the way a new user would: typing and
// tapping what the bot offers, and looking at what it then shows.

// A rep leaves: the manager deactivates them and, counting every tap, hands
// all their clients and open follow-ups to a teammate in three.
func TestDepartureMovesClientsInThreeTapsCounted(t *testing.T) {
	h := apptest.New(t)
	mia := tgfake.User{ID: 7101, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	bob := tgfake.User{ID: 7102, FirstName: "Bob", Username: "bob", LanguageCode: "en"}
	lu := tgfake.User{ID: 7103, FirstName: "Lu", Username: "lu", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	h.Member(bob, "North", "rep")
	h.Member(lu, "North", "rep")
	for _, c := range []string{"Acme", "Beta", "Gamma"} {
		apptest.MustContain(t, h.Send(bob, "/visit "+c+"; demo"), c)
	}
	apptest.MustContain(t, h.Send(bob, "/remind tomorrow 10:00 call Acme about the trial"), "call Acme about the trial")

	taps := 0
	tap := func(sent []tgfake.Sent, label string) []tgfake.Sent {
		taps++
		return h.Tap(mia, sent, label)
	}
	got := h.Send(mia, "/deactivate bob")
	apptest.MustContain(t, got, "Bob is deactivated", "Bob owns 3 clients")
	got = tap(got, "Lu")
	got = tap(got, "All")
	got = tap(got, "Move them")
	apptest.MustContain(t, got, "Moved 3 clients and 4 open follow-ups of Bob to Lu.")
	if taps != 3 {
		t.Fatalf("%d taps, want 3", taps)
	}

	// What each of them sees now.
	apptest.MustContain(t, h.Fake.SentTo(lu.ID), "Mia handed you 3 clients")
	clients := h.Send(lu, "/clients")
	apptest.MustContain(t, clients, "Acme", "Beta", "Gamma")
	apptest.MustContain(t, h.Send(lu, "/followups"), "call Acme about the trial")
	apptest.MustContain(t, h.Send(mia, "/client Acme"), "Owner: Lu")
	apptest.MustContain(t, h.Send(mia, "/team"), "Bob (@bob) — rep, deactivated")
	if got := h.Send(bob, "/clients"); len(got) != 1 || !strings.HasPrefix(got[0].Text, strangerText) {
		t.Fatalf("the departed rep got %q", apptest.Texts(got))
	}
	// His visits stay with the team, under his name.
	apptest.MustContain(t, h.Send(mia, "/history Acme"), "Bob")
}
