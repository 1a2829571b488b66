package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// Well-formed buttons naming what the presser may not touch: a
// teammate's visit, objection, follow-up, client; another team's client;
// a page or choice beyond what was shown; a plan week the button could
// not have offered; a manager's buttons pressed by a rep. Each is "This
// button no longer works." and nothing is stored.
func TestForgedPayloadsChangeNothing(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testForgedPayloadsChangeNothing(t, salesTeam(t)) })
	t.Run("postgres", func(t *testing.T) { testForgedPayloadsChangeNothing(t, salesTeam(t, apptest.Postgres(t))) })
}

func testForgedPayloadsChangeNothing(t *testing.T, h *apptest.Harness) {
	mia := tgfake.User{ID: 310, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	h.Send(ann, "/visit Acme; demo; met Li (buyer)")
	h.Send(ann, `/objection Acme; price; "too expensive"`)
	h.Send(ann, "/remind tomorrow 10:00 call Li")
	h.Send(sam, "/visit Omega; demo")
	acme := clientNamed(t, h, "North", "Acme")
	omega := clientNamed(t, h, "South", "Omega")
	visit := visitsOf(t, h, acme)[0]
	ctx := t.Context()
	objs, _ := h.App.DB.Objections(ctx, storage.ObjectionFilter{Viewer: storage.System, ClientID: acme.ID})
	annUser, _ := h.App.DB.UserByTelegramID(ctx, ann.ID)
	bobUser, _ := h.App.DB.UserByTelegramID(ctx, bob.ID)
	fus, _ := h.App.DB.OpenFollowUps(ctx, annUser)
	if len(objs) != 1 || len(fus) != 2 {
		t.Fatalf("setup: %d objections, %d follow-ups", len(objs), len(fus))
	}
	north, _ := h.App.DB.TeamByName(ctx, "North")

	snapshot := func() string {
		var sb strings.Builder
		cs, _, _ := h.App.DB.Clients(ctx, storage.ClientFilter{Viewer: storage.System, TeamIDs: []int64{north.ID, omega.TeamID}, Limit: 100})
		for _, c := range cs {
			fmt.Fprintf(&sb, "client %d %s %s %s %d %v\n", c.ID, c.Name, c.Grade, c.Stage, c.OwnerID, c.UpdatedAt)
		}
		vs, _ := h.App.DB.Visits(ctx, storage.VisitFilter{Viewer: storage.System, TeamIDs: []int64{north.ID, omega.TeamID}})
		os, _ := h.App.DB.Objections(ctx, storage.ObjectionFilter{Viewer: storage.System, TeamIDs: []int64{north.ID}})
		for _, o := range os {
			fmt.Fprintf(&sb, "objection %d %v %q\n", o.ID, o.Resolved, o.WorkedAnswer)
		}
		fs, _ := h.App.DB.OpenFollowUps(ctx, annUser)
		for _, f := range fs {
			fmt.Fprintf(&sb, "follow-up %d %s %v\n", f.ID, f.State, f.DueAt)
		}
		plans, _ := h.App.DB.PlannedVisitsOf(ctx, storage.System, north.ID, 0, models.WeekOf(h.Clock.Now(), north.Location()), models.WeekOf(h.Clock.Now(), north.Location()).Next())
		seen, _ := h.App.DB.CanSeeClient(ctx, bobUser, acme)
		fmt.Fprintf(&sb, "%d visits, %d plans, bob sees Acme %v, bob's lang %s\n", len(vs), len(plans), seen, bobUser.Lang)
		return sb.String()
	}
	before := snapshot()
	for _, p := range []struct {
		who  tgfake.User
		data string
	}{
		{bob, "lang:xx"},
		{bob, "f:client:c:0"}, // no form waiting
		{bob, fmt.Sprintf("v:e:%d", visit.ID)},
		{bob, fmt.Sprintf("v:u:%d", visit.ID)},
		{bob, fmt.Sprintf("v:f:%d:stage", visit.ID)},
		{bob, fmt.Sprintf("c:v:%d", acme.ID)},
		{bob, fmt.Sprintf("c:G:%d:A", acme.ID)},
		{bob, fmt.Sprintf("c:S:%d:lost", acme.ID)},
		{bob, fmt.Sprintf("c:c:%d", acme.ID)},
		{mia, fmt.Sprintf("c:G:%d:A", omega.ID)},
		{mia, fmt.Sprintf("c:f:%d:bogus", acme.ID)},
		{bob, "cl:-:50"},
		{bob, fmt.Sprintf("h:%d:0", acme.ID)},
		{mia, fmt.Sprintf("h:%d:9", acme.ID)},
		{bob, fmt.Sprintf("hn:%d", acme.ID)},
		{mia, fmt.Sprintf("hn:%d", omega.ID)},
		{bob, fmt.Sprintf("o:r:%d", objs[0].ID)},
		{bob, fmt.Sprintf("o:w:%d", objs[0].ID)},
		{mia, fmt.Sprintf("o:u:%d", objs[0].ID)},
		{bob, fmt.Sprintf("fu:d:%d", fus[0].ID)},
		{bob, fmt.Sprintf("fl:w:%d", fus[1].ID)},
		{mia, fmt.Sprintf("fu:x:%d", fus[1].ID)},
		{ann, "pl:a:2026-11-16"}, // last week
		{ann, "pl:a:9999-12-27"},
		{ann, "pl:a:2026-11-24"}, // not a Monday
		{bob, fmt.Sprintf("ra:%d:%d:%d", north.ID, annUser.ID, bobUser.ID)},
		{mia, fmt.Sprintf("ra:%d:%d:%d:*:ok", omega.TeamID, annUser.ID, bobUser.ID)},
		{bob, fmt.Sprintf("as:%d", omega.ID)},
		{bob, fmt.Sprintf("sh:%d:%d", acme.ID, bobUser.ID)},
		{ann, "jn:y"},
		{ann, "zz:1"},
	} {
		if got := apptest.Joined(h.Press(p.who, 0, p.data)); got != "This button no longer works." {
			t.Errorf("%s pressed by %s: %q", p.data, p.who.FirstName, got)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("forged buttons changed something:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
