package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// A manager shares a rep's client with a teammate by hand and takes it
// back, then hands it over; the client's /history and /team history say
// who did what. Forged share buttons change nothing.
func TestShareByHandAndAccessHistory(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testShareByHandAndAccessHistory(t, salesTeam(t)) })
	t.Run("postgres", func(t *testing.T) { testShareByHandAndAccessHistory(t, salesTeam(t, apptest.Postgres(t))) })
}

func testShareByHandAndAccessHistory(t *testing.T, h *apptest.Harness) {
	mia := tgfake.User{ID: 310, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	h.Send(ann, "/visit Acme; demo")
	acme := clientNamed(t, h, "North", "Acme")
	h.Send(sam, "/visit Omega; demo")
	omega := clientNamed(t, h, "South", "Omega")

	apptest.MustContain(t, h.Send(ann, "/client Acme share @wei"), "Only a manager of the client's team can share it.")
	apptest.MustContain(t, h.Send(bob, "/client Acme share @wei"), "Acme is a client of Ann, and not shared with you.")
	apptest.MustContain(t, h.Send(mia, "/client Acme share @sam"), "No member “@sam” in North")
	apptest.MustContain(t, h.Send(mia, "/client Acme share @bob"), "Acme is now shared with Bob.")
	h.Flush()
	apptest.MustContain(t, h.Fake.SentTo(bob.ID), "Mia shared the client Acme with you: /client Acme")
	apptest.MustContain(t, h.Send(bob, "/client Acme"), "🏢 Acme", "Owner: Ann")
	// The rep's /clients lists what the one rule lets him see: the client
	// shared with him, with its owner named, beside his own.
	h.Send(bob, "/visit Brio; call")
	apptest.MustContain(t, h.Send(bob, "/clients"), "Your clients: 2 (page 1 of 1)", "1. Acme — ", " · Ann", "2. Brio — ")
	apptest.MustContain(t, h.Send(mia, "/client Acme share @bob"), "Acme is shared with Bob already.")
	apptest.MustContain(t, h.Send(mia, "/client Acme unshare @bob"), "Acme is no longer shared with Bob.")
	apptest.MustContain(t, h.Send(mia, "/client Acme unshare @bob"), "Acme was not shared with Bob")
	apptest.MustContain(t, h.Send(bob, "/client Acme"), "Acme is a client of Ann, and not shared with you.")
	mustNotContain(t, h.Send(bob, "/clients"), "Acme")

	// Forged buttons: asking for a client one can see, or another team's;
	// a rep pressing Share; a Share for another team's rep or client.
	h.Send(ann, "/visit Globex; demo")
	globex := clientNamed(t, h, "North", "Globex")
	for _, press := range []struct {
		who  tgfake.User
		data string
	}{
		{ann, fmt.Sprintf("as:%d", acme.ID)},
		{bob, fmt.Sprintf("as:%d", globex.ID)}, // a teammate's client Bob was never told of
		{bob, fmt.Sprintf("as:%d", omega.ID)},
		{bob, fmt.Sprintf("sh:%d:%d", acme.ID, userID(t, h, bob))},
		{mia, fmt.Sprintf("sh:%d:%d", acme.ID, userID(t, h, sam))},
		{mia, fmt.Sprintf("sh:%d:%d", omega.ID, userID(t, h, bob))},
		{mia, fmt.Sprintf("sh:%d:0%d", acme.ID, userID(t, h, bob))},
	} {
		if got := apptest.Joined(h.Press(press.who, 0, press.data)); got != "This button no longer works." {
			t.Errorf("%s pressed by %s: %q", press.data, press.who.FirstName, got)
		}
	}
	apptest.MustContain(t, h.Send(bob, "/client Acme"), "Acme is a client of Ann")

	apptest.MustContain(t, h.Send(mia, "/client Acme owner @bob"), "Acme now belongs to Bob (before: Ann)")
	got := h.Send(mia, "/history Acme")
	apptest.MustContain(t, got, "Mia changed the owner from Ann to Bob", "Mia stopped sharing it with Bob", "Mia shared it with Bob")
	// The rep who lost the client no longer sees it, though she visited it:
	// its history is Bob's and the team's now (TestHandoverHidesAVisitedClient).
	got = h.Send(ann, "/history Acme")
	apptest.MustContain(t, got, "Acme is a client of Bob, and not shared with you.")
	mustNotContain(t, got, "changed the owner")

	got = h.Send(mia, "/team history")
	apptest.MustContain(t, got, "📜 North — the last", "Mia stopped sharing Acme with Bob", "Mia shared Acme with Bob", "Mia joined as manager")
	apptest.MustContain(t, h.Send(bob, "/team history"), "You can only manage members of your own teams.")
	got = h.Send(sam, "/team history North")
	mustNotContain(t, got, "Acme")
	mustNotContain(t, got, "📜")
}

func userID(t *testing.T, h *apptest.Harness, u tgfake.User) int64 {
	t.Helper()
	usr, err := h.App.DB.UserByTelegramID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return usr.ID
}

// After a handover the rep who visited the client no longer sees it: not
// its card by name or by a typed id, not its contacts or their phone
// numbers, not its history, not in /clients or her export's Clients sheet
// — visiting a client is no share. Her own visit of it stays hers, with
// the client's name, in her export; Bob's later visit is not in it. Shared
// with her, the card and its contacts are back.
func TestHandoverHidesAVisitedClient(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testHandoverHidesAVisitedClient(t, salesTeam(t)) })
	t.Run("postgres", func(t *testing.T) { testHandoverHidesAVisitedClient(t, salesTeam(t, apptest.Postgres(t))) })
}

func testHandoverHidesAVisitedClient(t *testing.T, h *apptest.Harness) {
	mia := tgfake.User{ID: 310, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	apptest.MustContain(t, h.Send(ann, "/visit Acme; met Li (buyer); demo"), "Visit saved — Acme")
	got := h.Tap(ann, h.Send(ann, "/client Acme"), "👤 Li")
	h.Tap(ann, got, "Phone")
	apptest.MustContain(t, h.Send(ann, "+86 138 0013 8000"), "• Li (buyer) · +86 138 0013 8000")
	acme := clientNamed(t, h, "North", "Acme")
	apptest.MustContain(t, h.Send(mia, "/client Acme owner @bob"), "Acme now belongs to Bob (before: Ann)")
	apptest.MustContain(t, h.Send(bob, "/visit Acme; met Li (buyer); trial"), "Visit saved — Acme")

	hidden := func(what string, got []tgfake.Sent) {
		t.Helper()
		for _, bad := range []string{"Li (buyer)", "138 0013", "Owner:", "🏢 Acme", "Contacts:", "trial"} {
			if strings.Contains(apptest.Joined(got), bad) {
				t.Errorf("%s shows %q to Ann after the handover:\n%s", what, bad, apptest.Joined(got))
			}
		}
	}
	got = h.Send(ann, "/client Acme")
	apptest.MustContain(t, got, "Acme is a client of Bob, and not shared with you.")
	hidden("/client Acme", got)
	hidden("/client id:N", h.Send(ann, "/client id:"+itoa(acme.ID)))
	h.Send(ann, "/visit")
	got = h.Send(ann, "id:"+itoa(acme.ID))
	hidden("a typed id in /visit", got)
	mustNotContain(t, got, "How did you meet them?")
	h.Send(ann, "/cancel")
	got = h.Send(ann, "/history Acme")
	apptest.MustContain(t, got, "Acme is a client of Bob, and not shared with you.")
	hidden("/history Acme", got)
	got = h.Send(ann, "/clients")
	apptest.MustContain(t, got, "You have no clients yet.")
	hidden("/clients", got)

	// Her own visit stays hers, named; the card (Clients sheet) and Bob's
	// visit are not in her export.
	got = h.Send(ann, "/export")
	f := openWorkbook(t, got[0])
	vs := rows(t, f, "Visits")
	if len(vs) != 2 || !slices.Contains(vs[1], "Acme") || !slices.Contains(vs[1], "Ann") {
		t.Errorf("Ann's export lists visits %q; want her own one to Acme", vs)
	}
	for _, r := range rows(t, f, "Clients") {
		if slices.Contains(r, "Acme") {
			t.Errorf("Ann's export lists the client Acme: %q", r)
		}
	}

	apptest.MustContain(t, h.Send(mia, "/client Acme share @ann"), "Acme is now shared with Ann.")
	got = h.Send(ann, "/client Acme")
	apptest.MustContain(t, got, "🏢 Acme", "Owner: Bob", "• Li (buyer) · +86 138 0013 8000")
	apptest.MustContain(t, h.Send(ann, "/history Acme"), "Mia changed the owner from Ann to Bob")
	apptest.MustContain(t, h.Send(ann, "/clients"), "Your clients: 1", "1. Acme — ", " · Bob")
}
