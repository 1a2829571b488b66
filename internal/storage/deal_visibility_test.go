package storage_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// member is an active user with one active membership, as a viewer.
func member(id, teamID int64, role models.Role) *models.User {
	return &models.User{ID: id, Active: true, Memberships: []models.Membership{{TeamID: teamID, Role: role, Active: true}}}
}

// The pipeline's and the month's reads (open deals grouped, deals closed
// and opened in a range, deal titles) and /deals' apply the one client rule: a deal is
// seen with its client. Ann owns deals on Acme and Gamma; once Acme is
// handed to Bob she sees only Gamma's, until a manager shares Acme with
// her; the team's manager and System see all; a manager of another team,
// a deactivated member and nobody (nil) see nothing.
func TestDealReadsFollowTheClientRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		annID := reportstest.Member(t, db, g.team.ID, 901, "Ann", "en", models.RoleRep)
		bobID := reportstest.Member(t, db, g.team.ID, 902, "Bob", "en", models.RoleRep)
		mgrID := reportstest.Member(t, db, g.team.ID, 903, "Mia", "en", models.RoleManager)
		ann, bob := member(annID, g.team.ID, models.RoleRep), member(bobID, g.team.ID, models.RoleRep)
		mgr, outsider := member(mgrID, g.team.ID, models.RoleManager), member(mgrID+100, south.ID, models.RoleManager)
		gone := member(annID, g.team.ID, models.RoleRep)
		gone.Memberships[0].Active = false
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: annID}
		gamma := &models.Client{TeamID: g.team.ID, Name: "Gamma", OwnerID: annID}
		for _, c := range []*models.Client{acme, gamma} {
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		dec := models.Month{Year: 2026, Mon: time.December}
		deal := func(client int64, title string, units int64, won bool) *models.Deal {
			t.Helper()
			d := &models.Deal{ClientID: client, Title: title, Units: units, Value: models.Money{Minor: units * 100_000, Currency: "CNY"}, CloseMonth: dec}
			if err := db.CreateDeal(ctx, ann, d); err != nil {
				t.Fatal(err)
			}
			if won {
				if _, err := db.CloseDeal(ctx, ann, d.ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); err != nil {
					t.Fatal(err)
				}
			}
			return d
		}
		trucks, pumps := deal(acme.ID, "trucks", 20, false), deal(acme.ID, "pumps", 5, true)
		valves, gears := deal(gamma.ID, "valves", 3, false), deal(gamma.ID, "gears", 7, true)
		all := []int64{trucks.ID, pumps.ID, valves.ID, gears.ID}
		if _, err := db.Reassign(ctx, storage.Reassignment{TeamID: g.team.ID, FromID: annID, ToID: bobID, ActorID: mgrID, ClientID: acme.ID}); err != nil {
			t.Fatal(err)
		}
		from, to := t0.Add(-time.Hour), t0.Add(time.Hour)

		// seen is what a viewer reads of the team's deals (RepID: Ann's
		// own, or 0: everyone's): open units, closed titles, opened
		// titles and titles by id, each sorted.
		seen := func(v *models.User, rep int64) string {
			t.Helper()
			s := storage.DealScope{Viewer: v, TeamID: g.team.ID, RepID: rep}
			groups, err := db.OpenDealGroups(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			var units int64
			for _, gr := range groups {
				units += gr.Units
			}
			closed, err := db.ClosedDeals(ctx, s, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var cl []string
			for _, d := range closed {
				cl = append(cl, d.Client+"/"+d.Title)
			}
			opened, err := db.DealsOpenedIn(ctx, s, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var op []string
			for _, d := range opened {
				op = append(op, d.Title)
			}
			// /deals: the open deals viewer works (Ann's own, or the team's
			// for a manager), to whoever is in the team.
			var od []string
			if v.SeesTeam(g.team.ID) || v.RoleIn(g.team.ID) != models.RoleNone {
				open, err := db.OpenDeals(ctx, v, g.team.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range open {
					od = append(od, d.Title)
				}
			}
			titles, err := db.DealTitles(ctx, v, g.team.ID, all)
			if err != nil {
				t.Fatal(err)
			}
			var ti []string
			for _, title := range titles {
				ti = append(ti, title)
			}
			for _, xs := range [][]string{cl, op, ti, od} {
				slices.Sort(xs)
			}
			return strings.Join([]string{"open " + strconv.FormatInt(units, 10), "closed " + strings.Join(cl, ","),
				"opened " + strings.Join(op, ","), "titles " + strings.Join(ti, ","), "deals " + strings.Join(od, ",")}, "; ")
		}
		everything := "open 23; closed Acme/pumps,Gamma/gears; opened gears,pumps,trucks,valves; titles gears,pumps,trucks,valves; deals trucks,valves"
		annOnly := "open 3; closed Gamma/gears; opened gears,valves; titles gears,valves; deals valves"
		nothing := "open 0; closed ; opened ; titles ; deals "
		for _, c := range []struct {
			name string
			v    *models.User
			rep  int64
			want string
		}{
			{"Ann's own, Acme handed to Bob", ann, annID, annOnly},
			{"Ann asking for the team", ann, 0, annOnly},
			{"Bob, who owns Acme now but no deal", bob, 0, "open 20; closed Acme/pumps; opened pumps,trucks; titles pumps,trucks; deals "},
			{"the team's manager", mgr, 0, everything},
			{"the team's manager, Ann's", mgr, annID, everything},
			{"System", storage.System, 0, everything},
			{"a manager of another team", outsider, 0, nothing},
			{"a manager of another team, Ann's", outsider, annID, nothing},
			{"Ann deactivated", gone, annID, nothing},
			{"nobody", nil, 0, nothing},
		} {
			if got := seen(c.v, c.rep); got != c.want {
				t.Errorf("%s sees %q; want %q", c.name, got, c.want)
			}
		}
		// Shared with her again, Acme's deals are Ann's to see.
		if _, err := db.ShareClient(ctx, mgr, acme.ID, annID); err != nil {
			t.Fatal(err)
		}
		if got := seen(ann, annID); got != everything {
			t.Errorf("Ann with Acme shared sees %q; want %q", got, everything)
		}
	})
}

// An undo is its author's, checked where the entry is read: a visit or
// objection is taken back (or its effect shown) only for the rep who
// logged it while they are in its team; anyone else — a teammate, the
// team's manager, a manager of another team, the author deactivated, a
// stranger — is refused as if it were gone, and nothing changes: the
// entry stays live, the card it created stays, the stage stays.
func TestUndoIsRefusedToWhoCannotTakeItBack(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		author := member(g.rep, g.team.ID, models.RoleRep)
		gone := member(g.rep, g.team.ID, models.RoleRep)
		gone.Memberships[0].Active = false
		saved, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{TeamID: g.team.ID, RepID: g.rep, At: t0, Stage: models.StageDemo},
			NewClient: &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}})
		if err != nil {
			t.Fatal(err)
		}
		obj, _, err := db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{TeamID: g.team.ID, RepID: g.rep, At: t0,
			Category: models.ObjPrice, Words: "too dear"}, NewClient: &models.Client{TeamID: g.team.ID, Name: "Beta", OwnerID: g.rep}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			v    *models.User
		}{
			{"a teammate", member(g.other, g.team.ID, models.RoleRep)},
			{"the team's manager", member(13, g.team.ID, models.RoleManager)},
			{"a manager of another team", member(14, south.ID, models.RoleManager)},
			{"the author deactivated", gone},
			{"a stranger", &models.User{ID: 15, Active: true}},
			{"nobody", nil},
		} {
			if _, _, err := db.UndoVisitEffect(ctx, c.v, saved.Visit.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("%s asking to undo the visit: %v; want not found", c.name, err)
			}
			if _, err := db.UndoVisit(ctx, c.v, saved.Visit.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("%s undoing the visit: %v; want not found", c.name, err)
			}
			if _, _, err := db.UndoObjectionEffect(ctx, c.v, obj.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("%s asking to undo the objection: %v; want not found", c.name, err)
			}
			if _, _, err := db.UndoObjection(ctx, c.v, obj.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("%s undoing the objection: %v; want not found", c.name, err)
			}
		}
		// Nothing changed.
		if _, err := db.Visit(ctx, storage.System, saved.Visit.ID); err != nil {
			t.Errorf("the visit after refused undos: %v", err)
		}
		if _, err := db.Objection(ctx, storage.System, obj.ID); err != nil {
			t.Errorf("the objection after refused undos: %v", err)
		}
		if c := g.client(saved.Client.ID); c.Stage != models.StageDemo {
			t.Errorf("Acme's stage after refused undos: %s", c.Stage)
		}
		g.client(obj.ClientID)

		// The author takes both back, cards and all.
		_, fx, err := db.UndoVisitEffect(ctx, author, saved.Visit.ID)
		if err != nil || !fx.ClientGoes {
			t.Fatalf("the author asking to undo the visit: %+v, %v", fx, err)
		}
		if u, err := db.UndoVisit(ctx, author, saved.Visit.ID); err != nil || !u.ClientDeleted {
			t.Fatalf("the author undoing the visit: %+v, %v", u, err)
		}
		if _, fx, err := db.UndoObjection(ctx, author, obj.ID); err != nil || !fx.ClientGoes {
			t.Fatalf("the author undoing the objection: %+v, %v", fx, err)
		}
		if _, err := db.Client(ctx, storage.System, obj.ClientID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("Beta after the undo: %v; want gone", err)
		}
	})
}

// The digest's per-client reads — the day's stage changes, the
// three-visits flags — apply the one client rule too: a rep's are of the
// clients they may see, a manager's of the team's, another team's manager
// none.
func TestStageChangesAndFlagsFollowTheClientRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		annID := reportstest.Member(t, db, g.team.ID, 901, "Ann", "en", models.RoleRep)
		bobID := reportstest.Member(t, db, g.team.ID, 902, "Bob", "en", models.RoleRep)
		ann, mgr, outsider := member(annID, g.team.ID, models.RoleRep), member(13, g.team.ID, models.RoleManager), member(14, south.ID, models.RoleManager)
		var ids []int64
		for _, c := range []struct {
			name  string
			owner int64
		}{{"Acme", annID}, {"Beta", bobID}} {
			cl := &models.Client{TeamID: g.team.ID, Name: c.name, OwnerID: c.owner, Stage: models.StageDemo}
			if err := db.CreateClient(ctx, cl); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, cl.ID)
			for range models.ThreeVisits {
				clk.Advance(time.Minute)
				if _, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: cl.ID, RepID: c.owner, Stage: models.StageDemo}}); err != nil {
					t.Fatal(err)
				}
			}
			clk.Advance(time.Minute)
			if _, err := db.SetStage(ctx, member(c.owner, g.team.ID, models.RoleRep), cl.ID, models.StageProposal); err != nil {
				t.Fatal(err)
			}
			for range models.ThreeVisits {
				clk.Advance(time.Minute)
				if _, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: cl.ID, RepID: c.owner, Stage: models.StageProposal}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		seen := func(v *models.User) string {
			t.Helper()
			changes, err := db.TeamStageChanges(ctx, v, g.team.ID, t0, clk.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range changes {
				out = append(out, c.Client+" "+string(c.To))
			}
			flagged, err := db.StalledClients(ctx, v, ids)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if _, ok := flagged[id]; ok {
					out = append(out, "flag "+strconv.FormatInt(id, 10))
				}
			}
			return strings.Join(out, "; ")
		}
		acme, beta := strconv.FormatInt(ids[0], 10), strconv.FormatInt(ids[1], 10)
		for _, c := range []struct {
			name string
			v    *models.User
			want string
		}{
			{"Ann", ann, "Acme proposal; flag " + acme},
			{"the team's manager", mgr, "Acme proposal; Beta proposal; flag " + acme + "; flag " + beta},
			{"System", storage.System, "Acme proposal; Beta proposal; flag " + acme + "; flag " + beta},
			{"a manager of another team", outsider, ""},
			{"nobody", nil, ""},
		} {
			if got := seen(c.v); got != c.want {
				t.Errorf("%s sees %q; want %q", c.name, got, c.want)
			}
		}
	})
}
