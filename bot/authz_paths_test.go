package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage/storagetest"
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

var linkRE = regexp.MustCompile(`Link: \S+\?start=([A-Z0-9]+)`)

// inviteLink has u create an invite and returns what opening its link
// sends to the bot ("/start CODE").
func inviteLink(t *testing.T, h *apptest.Harness, u tgfake.User, args string) string {
	t.Helper()
	m := linkRE.FindStringSubmatch(apptest.Joined(h.Send(u, "/invite "+args)))
	if m == nil {
		t.Fatalf("no invite link for %s /invite %s", u.FirstName, args)
	}
	return "/start " + m[1]
}

// Deactivated in North, Dan opens an invite link to South: he is in South,
// and North stays closed to him — its clients, its members, his own old
// client there — until North's manager sends him a link to North.
func TestRejoinThroughInviteLinksIsPerTeam(t *testing.T) {
	h := apptest.New(t)
	mia := tgfake.User{ID: 7201, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	sam := tgfake.User{ID: 7202, FirstName: "Sam", Username: "sam", LanguageCode: "en"}
	dan := tgfake.User{ID: 7203, FirstName: "Dan", Username: "dan", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	h.Member(sam, "South", "manager")
	apptest.MustContain(t, h.Send(dan, inviteLink(t, h, mia, "rep North")), "Welcome to North, Dan!")
	apptest.MustContain(t, h.Send(dan, "/visit Dormant Co; demo"), "Dormant Co")
	apptest.MustContain(t, h.Send(mia, "/deactivate dan"), "Dan is deactivated")

	apptest.MustContain(t, h.Send(dan, inviteLink(t, h, sam, "rep South")), "Welcome to South, Dan!")
	// Nothing of North: not its client (beyond the name he typed), its
	// visit, or its members.
	for _, text := range []string{"/clients", "/client Dormant Co", "/history Dormant Co", "/objections Dormant Co", "/team North", "/export North", "/me"} {
		j := apptest.Joined(h.Send(dan, text))
		j = strings.ReplaceAll(j, "“Dormant Co”", "")
		j = strings.ReplaceAll(j, "add Dormant Co", "")
		for _, north := range []string{"Dormant", "demo / trial", "Mia"} {
			if strings.Contains(j, north) {
				t.Fatalf("%s, in South only, showed North's %q: %q", text, north, j)
			}
		}
	}
	// A visit naming his old client makes a new client of South.
	apptest.MustContain(t, h.Send(dan, "/visit Dormant Co; phone"), "new client")
	north, _ := h.App.DB.TeamByName(t.Context(), "North")
	var vs int64
	if err := storagetest.Raw(t, h.DSN).Table("visits").Where("team_id = ?", north.ID).Count(&vs).Error; err != nil || vs != 1 {
		t.Fatalf("North has %d visits, want Dan's first one only", vs)
	}
	// Only North's own invite brings him back there, and says so.
	apptest.MustContain(t, h.Send(dan, inviteLink(t, h, mia, "rep North")), "Welcome back to North, Dan!")
	apptest.MustContain(t, h.Send(dan, "/team North"), "Mia")
}

// A rep deactivated with a reminder and a revisit still open is sent
// neither when they fall due: they would name the team's client to someone
// who left it.
func TestNoFollowUpsReachADeactivatedMember(t *testing.T) {
	h := apptest.New(t)
	mia := tgfake.User{ID: 7301, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	dan := tgfake.User{ID: 7302, FirstName: "Dan", Username: "dan", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	h.Member(dan, "North", "rep")
	apptest.MustContain(t, h.Send(dan, "/visit Dormant Co; demo"), "Dormant Co")
	apptest.MustContain(t, h.Send(dan, "/remind tomorrow 10:00 call Dormant Co"), "call Dormant Co")
	apptest.MustContain(t, h.Send(mia, "/deactivate dan"), "Dan is deactivated")
	n := len(h.Fake.SentTo(dan.ID))
	for range 10 {
		h.Clock.Advance(24 * time.Hour)
		h.Tick()
	}
	h.Flush()
	if later := h.Fake.SentTo(dan.ID)[n:]; len(later) > 0 {
		t.Fatalf("the deactivated rep was sent %q", apptest.Texts(later))
	}
}
