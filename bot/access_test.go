package bot_test

import (
	"strconv"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var (
	mgrN = tgfake.User{ID: 301, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	mgrS = tgfake.User{ID: 302, FirstName: "Sam", Username: "sam", LanguageCode: "en"}
	mgr2 = tgfake.User{ID: 303, FirstName: "Max", Username: "max", LanguageCode: "en"}
	repL = tgfake.User{ID: 304, FirstName: "Lu", Username: "lu", LanguageCode: "en"}
)

// inviteCode has u create an invite and returns the code.
func inviteCode(t *testing.T, h *apptest.Harness, u tgfake.User, args string) string {
	t.Helper()
	m := codeRE.FindStringSubmatch(apptest.Joined(h.Send(u, "/invite "+args)))
	if m == nil {
		t.Fatalf("no invite code for %s /invite %s", u.FirstName, args)
	}
	return m[1]
}

func refusedLikeStranger(t *testing.T, h *apptest.Harness, u tgfake.User, text string) {
	t.Helper()
	got := h.Send(u, text)
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Hi! salesbot is for invited sales teams") {
		t.Fatalf("%s %q got %q, want the stranger's answer", u.FirstName, text, apptest.Texts(got))
	}
}

// Deactivated in North, Bob does not get back into North by joining
// another team; only an invite to North brings him back, and says so.
func TestDeactivatedMembershipIsNotRevivedByAnotherTeam(t *testing.T) {
	h := apptest.New(t)
	h.Member(mgrN, "North", "manager")
	h.Member(bob, "North", "rep")
	apptest.MustContain(t, h.Send(mgrN, "/deactivate bob"), "Bob is deactivated. Their clients and visits stay with North.")
	refusedLikeStranger(t, h, bob, "/team")

	h.Member(bob, "South", "rep")
	apptest.MustContain(t, h.Send(bob, "/team"), "South — 1 member:")
	apptest.MustContain(t, h.Send(bob, "/team North"), "There is no team “North”. Your teams: South")
	apptest.MustContain(t, h.Send(bob, "/visit Acme; demo"), "Acme")
	north, _ := h.App.DB.TeamByName(t.Context(), "North")
	if _, err := h.App.DB.ClientByName(t.Context(), north.ID, "Acme"); err == nil {
		t.Fatal("a visit by a member deactivated in North created a client in North")
	}
	apptest.MustContain(t, h.Send(mgrN, "/team North"), "Bob (@bob) — rep, deactivated")

	code := inviteCode(t, h, mgrN, "rep North")
	apptest.MustContain(t, h.Send(bob, "/join "+code), "Welcome back to North, Bob! This invite to North made your membership there active again, as rep.")
	apptest.MustContain(t, h.Send(mgrN, "/team North"), "Bob (@bob) — rep, last active")
}

// A manager of one team acts only on memberships of that team.
func TestDeactivationStaysInItsTeamAndAdminsCannotBeLockedOut(t *testing.T) {
	h := apptest.New(t)
	h.Member(mgrN, "North", "manager")
	h.Member(bob, "North", "rep")
	h.Member(mgrS, "South", "manager")
	// Sam invites Bob and the admin into South.
	code := inviteCode(t, h, mgrS, "rep")
	apptest.MustContain(t, h.Send(bob, "/join "+code), "Welcome to South, Bob!")
	code = inviteCode(t, h, mgrS, "rep")
	apptest.MustContain(t, h.Send(admin, "/join "+code), "Welcome to South, Ada!")

	apptest.MustContain(t, h.Send(mgrS, "/deactivate ada"), "Ada is an admin; only an admin can change their membership in South.")
	apptest.MustContain(t, h.Send(mgrS, "/promote ada manager"), "Ada is an admin; only an admin can change their membership in South.")
	apptest.MustContain(t, h.Send(mgrS, "/deactivate bob"), "Bob is deactivated. Their clients and visits stay with South.")
	// Still a rep of North.
	apptest.MustContain(t, h.Send(bob, "/team"), "North — ")
	apptest.MustContain(t, h.Send(mgrN, "/team North"), "Bob (@bob) — rep, last active")
	// Sam cannot reach North's memberships at all.
	apptest.MustContain(t, h.Send(mgrS, "/deactivate mia"), "No member “mia” in South")

	// Even deactivated everywhere by hand in the database, the configured
	// admin is an admin at the next message and after a restart.
	ada, _ := h.App.DB.UserByTelegramID(t.Context(), admin.ID)
	if err := h.App.DB.SetActive(t.Context(), ada.ID, false); err != nil {
		t.Fatal(err)
	}
	h.Restart()
	apptest.MustContain(t, h.Send(admin, "/help"), "/newteam")
}

// A manager cannot demote or deactivate another manager of the team; an
// admin can.
func TestManagersCannotRemoveFellowManagers(t *testing.T) {
	h := apptest.New(t)
	h.Member(mgrN, "North", "manager")
	h.Member(mgr2, "North", "manager")
	h.Member(bob, "North", "rep")
	apptest.MustContain(t, h.Send(mgr2, "/promote mia rep"), "Mia is a manager of North; only an admin can demote or deactivate a manager.")
	apptest.MustContain(t, h.Send(mgr2, "/deactivate mia"), "Mia is a manager of North; only an admin can demote or deactivate a manager.")
	apptest.MustContain(t, h.Send(mgr2, "/promote bob manager"), "Bob is now manager in North.")
	apptest.MustContain(t, h.Send(mgr2, "/promote bob manager"), "Bob is manager in North already.")
	apptest.MustContain(t, h.Send(admin, "/promote max rep"), "Max is now rep in North.")
	apptest.MustContain(t, h.Send(admin, "/deactivate mia"), "Mia is deactivated.")
	apptest.MustContain(t, h.Send(admin, "/promote mia manager"), "Mia is deactivated in North. Send them an invite to North")
}

// An invite for another role asks an existing member first.
func TestInviteToExistingMemberAsksFirst(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	code := inviteCode(t, h, admin, "manager North")
	got := h.Send(bob, "/join "+code)
	apptest.MustContain(t, got, "This invite makes you manager in North, where you are rep now. Change your role?")
	apptest.MustContain(t, h.Tap(bob, got, "No, stay rep"), "Nothing changed; the invite code was not used.")
	apptest.MustContain(t, h.Send(bob, "/invite"), "/invite is for managers only.")

	got = h.Send(bob, "/join "+code)
	apptest.MustContain(t, h.Tap(bob, got, "Yes, make me manager"), "You are now manager in North (you were rep).")
	apptest.MustContain(t, h.Send(bob, "/invite"), "Invite to North as rep")
	// The code is used now.
	apptest.MustContain(t, h.Send(li, "/join "+code), "使用")

	same := inviteCode(t, h, admin, "manager North")
	apptest.MustContain(t, h.Send(bob, "/join "+same), "You are already manager in North; the invite code was not used")
	apptest.MustContain(t, h.Send(li, "/join "+same), "North")
	// A forged confirmation is refused.
	apptest.MustContain(t, h.Press(bob, 0, "jn:y:NOTACODE12"), "That invite code is unknown")
	apptest.MustContain(t, h.Press(bob, 0, "jn:y:x"), "This button no longer works.")
}

// Someone in two teams chooses where their entries go.
func TestTeamUseChoosesTheEntriesTeam(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	h.Member(bob, "South", "rep")
	apptest.MustContain(t, h.Send(bob, "/team"), "North — 1 member:", "Your new entries go to North; change it with /team use South.")
	apptest.MustContain(t, h.Send(bob, "/team use south"), "Your new entries now go to South.")
	apptest.MustContain(t, h.Send(bob, "/team use West"), "You are not in a team “West”. Your teams: North, South.")
	apptest.MustContain(t, h.Send(bob, "/visit Acme; demo"), "Acme")
	south, _ := h.App.DB.TeamByName(t.Context(), "South")
	if _, err := h.App.DB.ClientByName(t.Context(), south.ID, "Acme"); err != nil {
		t.Fatalf("the visit's client is not in South: %v", err)
	}
}

// A departing rep's clients and follow-ups move in three taps, and the
// history keeps who moved what.
func TestDepartingRepsClientsMoveInThreeTaps(t *testing.T) {
	h := apptest.New(t)
	h.Member(mgrN, "North", "manager")
	h.Member(bob, "North", "rep")
	h.Member(repL, "North", "rep")
	ctx := t.Context()
	north, _ := h.App.DB.TeamByName(ctx, "North")
	bobU, _ := h.App.DB.UserByTelegramID(ctx, bob.ID)
	luU, _ := h.App.DB.UserByTelegramID(ctx, repL.ID)
	mia, _ := h.App.DB.UserByTelegramID(ctx, mgrN.ID)
	for name, g := range map[string]models.Grade{"Acme": models.GradeA, "Beta": models.GradeA, "Gamma": models.GradeB, "Delta": ""} {
		if err := h.App.DB.CreateClient(ctx, &models.Client{TeamID: north.ID, Name: name, OwnerID: bobU.ID, Grade: g}); err != nil {
			t.Fatal(err)
		}
	}
	apptest.MustContain(t, h.Send(bob, "/remind tomorrow 10:00 call Acme"), "call Acme")

	got := h.Send(mgrN, "/deactivate bob")
	apptest.MustContain(t, got, "Bob owns 4 clients and 1 open follow-up in North. Who takes them over?")
	got = h.Tap(mgrN, got, "Lu") // 1
	apptest.MustContain(t, got, "Which of Bob's clients go to Lu?")
	got = h.Tap(mgrN, got, "Grade A (2)") // 2
	apptest.MustContain(t, got, "Move the 2 grade A clients of Bob to Lu?")
	got = h.Tap(mgrN, got, "Move them") // 3
	apptest.MustContain(t, got, "Moved 2 clients and 0 open follow-ups of Bob to Lu.")
	apptest.MustContain(t, h.Fake.SentTo(repL.ID), "Mia handed you 2 clients and 0 open follow-ups of Bob in North.")
	// The same confirmation again moves nothing twice: grade A is empty now.
	_, data := apptest.Button(t, h.Fake.SentTo(mgrN.ID), "Move them")
	apptest.MustContain(t, h.Press(mgrN, 0, data), "This button no longer works.")

	// The rest, all at once, with the reminder.
	got = h.Send(mgrN, "/deactivate bob")
	apptest.MustContain(t, got, "Bob is deactivated in North.")
	acme, _ := h.App.DB.ClientByName(ctx, north.ID, "Acme")
	if acme.OwnerID != luU.ID {
		t.Fatalf("Acme owner %d, want Lu %d", acme.OwnerID, luU.ID)
	}
	changes, err := h.App.DB.OwnerChanges(ctx, acme.ID)
	if err != nil || len(changes) != 1 || changes[0].FromID != bobU.ID || changes[0].ToID != luU.ID || changes[0].ActorID != mia.ID {
		t.Fatalf("owner changes of Acme: %+v %v", changes, err)
	}
	p := "ra:" + itoa(north.ID) + ":" + itoa(bobU.ID) + ":" + itoa(luU.ID)
	got = h.Press(mgrN, 0, p+":*")
	apptest.MustContain(t, got, "Move all 2 clients and the open follow-ups of Bob to Lu?")
	apptest.MustContain(t, h.Tap(mgrN, got, "Move them"), "Moved 2 clients and 1 open follow-up of Bob to Lu.")
	if h2, _ := h.App.DB.HoldingsOf(ctx, north.ID, luU.ID); h2.TotalClients() != 4 || h2.FollowUps != 1 {
		t.Fatalf("Lu holds %+v", h2)
	}
	events, _ := h.App.DB.MemberEvents(ctx, north.ID)
	var reassigns int
	for _, e := range events {
		if e.Action == storage.EventReassign && e.ActorID == mia.ID && e.UserID == bobU.ID {
			reassigns++
		}
	}
	if reassigns != 2 {
		t.Fatalf("reassign events %+v", events)
	}

	// One client by name, and forged payloads.
	apptest.MustContain(t, h.Send(mgrN, "/client Acme owner @mia"), "Acme now belongs to Mia (before: Lu), with 0 open follow-ups.")
	apptest.MustContain(t, h.Send(repL, "/client Gamma owner @lu"), "Only a manager of the client's team can hand it to someone else.")
	for _, forged := range []string{p + ":Z", p + ":*:no", "ra:1:2", "ra:" + itoa(north.ID) + ":" + itoa(bobU.ID) + ":" + itoa(bobU.ID), "ra:-1:2:3", "ra:01:2:3"} {
		apptest.MustContain(t, h.Press(mgrN, 0, forged), "This button no longer works.")
	}
	// Another team's manager cannot use North's buttons.
	h.Member(mgrS, "South", "manager")
	apptest.MustContain(t, h.Press(mgrS, 0, p+":*:ok"), "This button no longer works.")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A typed id is not a way into a teammate's client: the visit form takes
// an id only as the answer of a button it offered.
func TestTypedIDIsNoWayIn(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	h.Member(repL, "North", "rep")
	apptest.MustContain(t, h.Send(repL, "/visit Lumen Labs; demo"), "Lumen Labs")
	north, _ := h.App.DB.TeamByName(t.Context(), "North")
	c, err := h.App.DB.ClientByName(t.Context(), north.ID, "Lumen Labs")
	if err != nil {
		t.Fatal(err)
	}
	h.Send(bob, "/visit")
	got := h.Send(bob, "id:"+itoa(c.ID))
	if j := apptest.Joined(got); strings.Contains(j, "Lumen") || strings.Contains(j, "How did you meet them?") {
		t.Fatalf("a typed id opened a teammate's client: %q", apptest.Texts(got))
	}
	// Lu's own id goes on to the next question for Lu.
	h.Send(repL, "/visit")
	apptest.MustContain(t, h.Send(repL, "id:"+itoa(c.ID)), "How did you meet them?")
}

// A plan button carries a week; only this week and next can be planned by
// it, whatever week a forged button names.
func TestForgedPlanWeekIsRefused(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	// Start is Monday 23 Nov 2026: this week is 2026-11-23, next 2026-11-30.
	for _, week := range []string{"0001-01-01", "1900-01-01", "9999-12-27", "2026-11-16", "2026-12-07", "2026-11-24", "x"} {
		apptest.MustContain(t, h.Press(bob, 0, "pl:a:"+week), "This button no longer works.")
	}
	apptest.MustContain(t, h.Press(bob, 0, "pl:a:2026-11-30"), "Plan a visit for week 49: which client?")
	h.Send(bob, "/cancel")
	apptest.MustContain(t, h.Press(bob, 0, "pl:a:2026-11-23"), "Plan a visit for week 48: which client?")
}
