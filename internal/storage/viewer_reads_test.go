package storage_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// handover is a team where Ann (rep) had two clients, Acme and Gamma, and
// a manager (Mia) handed Acme to Bob, so she no longer sees it (whether
// she visited it or not). South's manager sees nothing of North.
type handover struct {
	*salesRig
	ann, bob, mgr, outsider, gone *models.User
	acme, gamma                   *models.Client
}

func newHandover(t *testing.T, db *storage.DB, clk *clock.Fake) *handover {
	t.Helper()
	g := newSalesRig(t, db, clk)
	south, err := db.CreateTeam(g.ctx, "South", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	annID := reportstest.Member(t, db, g.team.ID, 901, "Ann", "en", models.RoleRep)
	bobID := reportstest.Member(t, db, g.team.ID, 902, "Bob", "en", models.RoleRep)
	mgrID := reportstest.Member(t, db, g.team.ID, 903, "Mia", "en", models.RoleManager)
	h := &handover{salesRig: g, ann: member(annID, g.team.ID, models.RoleRep), bob: member(bobID, g.team.ID, models.RoleRep),
		mgr: member(mgrID, g.team.ID, models.RoleManager), outsider: member(mgrID+100, south.ID, models.RoleManager),
		gone: member(annID, g.team.ID, models.RoleRep)}
	h.gone.Memberships[0].Active = false
	h.acme = &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: annID}
	h.gamma = &models.Client{TeamID: g.team.ID, Name: "Gamma", OwnerID: annID}
	for _, c := range []*models.Client{h.acme, h.gamma} {
		if err := db.CreateClient(g.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// handOver gives Acme to Bob, as /client Acme owner @bob does.
func (h *handover) handOver() {
	h.t.Helper()
	if _, err := h.db.Reassign(h.ctx, storage.Reassignment{TeamID: h.team.ID, FromID: h.ann.ID, ToID: h.bob.ID, ActorID: h.mgr.ID, ClientID: h.acme.ID}); err != nil {
		h.t.Fatal(err)
	}
}

// A plan is read through the one rule: Ann's plan for the week names Acme
// and Gamma until Acme is handed to Bob, then only Gamma (her /week, her
// digest line); the team's manager and System still see both; Bob sees
// none of Ann's plan (it is hers) but his own, on Acme; another team's manager, Ann
// deactivated and nobody see nothing. Shared with her, Acme is back.
func TestPlannedVisitsFollowTheClientRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		h := newHandover(t, db, clk)
		week := models.WeekOf(t0, h.team.Location())
		if _, err := db.AddPlannedVisits(h.ctx, []models.PlannedVisit{
			{TeamID: h.team.ID, RepID: h.ann.ID, ClientID: h.acme.ID, Day: week.Monday},
			{TeamID: h.team.ID, RepID: h.ann.ID, ClientID: h.gamma.ID, Day: models.AddDays(week.Monday, 1)},
			{TeamID: h.team.ID, RepID: h.bob.ID, ClientID: h.acme.ID, Day: week.Monday},
		}); err != nil {
			t.Fatal(err)
		}
		plan := func(v *models.User, rep int64) string {
			t.Helper()
			ps, err := db.PlannedVisitsOf(h.ctx, v, h.team.ID, rep, week)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				who := map[int64]string{h.ann.ID: "Ann", h.bob.ID: "Bob"}[p.RepID]
				out = append(out, who+"/"+p.ClientName)
			}
			slices.Sort(out)
			return strings.Join(out, ",")
		}
		before := []struct {
			name string
			v    *models.User
			rep  int64
			want string
		}{
			{"Ann's own", h.ann, h.ann.ID, "Ann/Acme,Ann/Gamma"},
			{"Ann asking for the team", h.ann, 0, "Ann/Acme,Ann/Gamma"},
		}
		for _, c := range before {
			if got := plan(c.v, c.rep); got != c.want {
				t.Errorf("before the hand-over, %s: %q; want %q", c.name, got, c.want)
			}
		}
		h.handOver()
		everyone := "Ann/Acme,Ann/Gamma,Bob/Acme"
		for _, c := range []struct {
			name string
			v    *models.User
			rep  int64
			want string
		}{
			{"Ann's own, Acme handed to Bob", h.ann, h.ann.ID, "Ann/Gamma"},
			{"Ann asking for the team", h.ann, 0, "Ann/Gamma"},
			{"Bob asking for Ann's", h.bob, h.ann.ID, ""},
			{"Bob asking for the team", h.bob, 0, "Bob/Acme"},
			{"the team's manager", h.mgr, 0, everyone},
			{"the team's manager, Ann's", h.mgr, h.ann.ID, "Ann/Acme,Ann/Gamma"},
			{"System", storage.System, 0, everyone},
			{"a manager of another team", h.outsider, 0, ""},
			{"Ann deactivated", h.gone, h.ann.ID, ""},
			{"nobody", nil, 0, ""},
		} {
			if got := plan(c.v, c.rep); got != c.want {
				t.Errorf("%s: %q; want %q", c.name, got, c.want)
			}
		}
		if _, err := db.ShareClient(h.ctx, h.mgr, h.acme.ID, h.ann.ID); err != nil {
			t.Fatal(err)
		}
		if got := plan(h.ann, h.ann.ID); got != "Ann/Acme,Ann/Gamma" {
			t.Errorf("Ann with Acme shared: %q", got)
		}
	})
}

// A visit's contacts, a rep's last visit (for a check-in) and a team's
// overdue follow-ups are read through the one rule: Ann's visit to Acme
// met Lee; Bob (who owns Acme now), the team's manager and System see
// Lee; Ann (her visit stays hers, but Acme's contacts went with it), Cy (a
// teammate who cannot see Acme), another team's manager and nobody do
// not. Ann's
// last visit is hers alone, and not once she is deactivated. Ann's
// overdue reminder is the manager's to list and hers, not a teammate's
// or another team's.
func TestVisitContactsLastVisitAndOverdueFollowTheRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		h := newHandover(t, db, clk)
		saved, err := db.SaveVisit(h.ctx, &storage.NewVisit{Visit: models.Visit{ClientID: h.acme.ID, RepID: h.ann.ID},
			Contacts: []models.Contact{{Name: "Lee"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateFollowUp(h.ctx, &models.FollowUp{TeamID: h.team.ID, OwnerID: h.ann.ID, Kind: models.KindReminder, Text: "call Lee", DueAt: t0}); err != nil {
			t.Fatal(err)
		}
		h.handOver()
		clk.Advance(time.Hour)
		cy := member(reportstest.Member(t, db, h.team.ID, 904, "Cy", "en", models.RoleRep), h.team.ID, models.RoleRep)
		for _, c := range []struct {
			name              string
			v                 *models.User
			contacts, overdue string
			last              bool
		}{
			{"Ann", h.ann, "", "call Lee", true},
			{"the team's manager", h.mgr, "Lee", "call Lee", false},
			{"System", storage.System, "Lee", "call Lee", false},
			{"Bob", h.bob, "Lee", "", false},
			{"Cy", cy, "", "", false},
			{"a manager of another team", h.outsider, "", "", false},
			{"Ann deactivated", h.gone, "", "", false},
			{"nobody", nil, "", "", false},
		} {
			cs, err := db.VisitContacts(h.ctx, c.v, saved.Visit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, x := range cs {
				names = append(names, x.Name)
			}
			if got := strings.Join(names, ","); got != c.contacts {
				t.Errorf("%s sees the visit's contacts %q; want %q", c.name, got, c.contacts)
			}
			last, err := db.LastVisitBy(h.ctx, c.v, t0.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if got := last != nil && last.ID == saved.Visit.ID; got != c.last {
				t.Errorf("%s: last visit %+v; want Ann's: %v", c.name, last, c.last)
			}
			over, err := db.TeamOverdueFollowUps(h.ctx, c.v, h.team.ID, clk.Now(), 10)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, o := range over {
				texts = append(texts, o.FollowUp.Text)
			}
			if got := strings.Join(texts, ","); got != c.overdue {
				t.Errorf("%s lists overdue %q; want %q", c.name, got, c.overdue)
			}
		}
	})
}

// Setting a client's stage on the card is checked where the client is
// read: once Acme is Bob's, Ann, another team's
// manager and nobody are refused as if it were gone and the stage stays;
// Bob and the team's manager may, and the change is recorded as theirs.
func TestSetStageFollowsTheClientRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		h := newHandover(t, db, clk)
		h.handOver()
		for name, v := range map[string]*models.User{"Ann": h.ann, "a manager of another team": h.outsider, "nobody": nil} {
			if _, err := db.SetStage(h.ctx, v, h.acme.ID, models.StageLost); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("%s sets Acme's stage: %v, want ENOTFOUND", name, err)
			}
		}
		if c, _ := db.Client(h.ctx, storage.System, h.acme.ID); c.Stage == models.StageLost {
			t.Fatalf("Acme's stage changed by a refused viewer: %+v", c)
		}
		for _, step := range []struct {
			v  *models.User
			to models.Stage
		}{{h.bob, models.StageDemo}, {h.mgr, models.StageProposal}} {
			c, err := db.SetStage(h.ctx, step.v, h.acme.ID, step.to)
			if err != nil || c.Stage != step.to {
				t.Fatalf("user %d sets %s: %+v %v", step.v.ID, step.to, c, err)
			}
		}
		hist, _, err := db.ClientHistory(h.ctx, storage.System, h.acme.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var by []int64
		for _, it := range hist {
			if it.Stage != nil {
				by = append(by, it.Stage.UserID)
			}
		}
		slices.Sort(by)
		if want := []int64{h.bob.ID, h.mgr.ID}; !slices.Equal(by, want) {
			t.Errorf("stage changes by %v; want %v", by, want)
		}
	})
}

// A team's stage probabilities are a manager-only write checked in
// storage, like targets: a rep, another team's manager, a manager
// deactivated and nobody are refused and the weights stay; the team's
// manager and System set them.
func TestSetStageProbabilityIsManagersOnly(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		h := newHandover(t, db, clk)
		demo := models.DefaultStageProbabilities()[models.StageDemo]
		gone := member(h.mgr.ID, h.team.ID, models.RoleManager)
		gone.Memberships[0].Active = false
		for name, v := range map[string]*models.User{"a rep": h.ann, "a manager of another team": h.outsider, "a manager deactivated": gone, "nobody": nil} {
			if err := db.SetStageProbability(h.ctx, v, h.team.ID, models.StageDemo, demo+1); models.ErrorCode(err) != models.EFORBIDDEN {
				t.Errorf("%s sets a probability: %v, want EFORBIDDEN", name, err)
			}
		}
		if p, _ := db.StageProbabilities(h.ctx, h.team.ID); p[models.StageDemo] != demo {
			t.Fatalf("demo's weight changed by a refused viewer: %d", p[models.StageDemo])
		}
		for i, v := range []*models.User{h.mgr, storage.System} {
			if err := db.SetStageProbability(h.ctx, v, h.team.ID, models.StageDemo, demo+2+i); err != nil {
				t.Fatal(err)
			}
			if p, _ := db.StageProbabilities(h.ctx, h.team.ID); p[models.StageDemo] != demo+2+i {
				t.Fatalf("demo's weight after user %d set it: %d", v.ID, p[models.StageDemo])
			}
		}
	})
}

// Having visited a client opens nothing (issue 10 item 3): Ann visited
// Acme, met Lee there and logged an objection; once Acme is Bob's she
// cannot read its card by id or name, its contacts, nor find it by a name
// close to it or in her client list; her own visit and objection stay
// listed for her, with the client's name in her export. Shared with her,
// Acme is back.
func TestAVisitedClientHandedOverIsHidden(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		h := newHandover(t, db, clk)
		saved, err := db.SaveVisit(h.ctx, &storage.NewVisit{Visit: models.Visit{ClientID: h.acme.ID, RepID: h.ann.ID},
			Contacts: []models.Contact{{Name: "Lee", Phone: "+86 138 0013 8000"}}})
		if err != nil {
			t.Fatal(err)
		}
		obj, _, err := db.SaveObjection(h.ctx, &storage.NewObjection{Objection: models.Objection{ClientID: h.acme.ID, RepID: h.ann.ID, TeamID: h.team.ID, Category: models.ObjPrice}})
		if err != nil {
			t.Fatal(err)
		}
		teams := []int64{h.team.ID}
		sees := func() map[string]bool {
			t.Helper()
			out := map[string]bool{}
			_, err := db.Client(h.ctx, h.ann, h.acme.ID)
			out["card by id"] = err == nil
			_, err = db.ClientByName(h.ctx, h.ann, h.team.ID, "Acme")
			out["card by name"] = err == nil
			out["CanSeeClient"], _ = db.CanSeeClient(h.ctx, h.ann, h.acme)
			cs, _ := db.Contacts(h.ctx, h.ann, h.acme.ID)
			out["contacts"] = len(cs) > 0
			vc, _ := db.VisitContacts(h.ctx, h.ann, saved.Visit)
			out["the visit's contacts"] = len(vc) > 0
			l, _ := db.LookupClient(h.ctx, h.ann, teams, "Acme")
			out["exact name"] = l != nil && l.Exact != nil && l.Exact.ID == h.acme.ID
			l, _ = db.LookupClient(h.ctx, h.ann, teams, "Acme Trading")
			out["close name"] = l != nil && slices.ContainsFunc(l.Candidates, func(c *models.Client) bool { return c.ID == h.acme.ID })
			list, _, _ := db.Clients(h.ctx, storage.ClientFilter{Viewer: h.ann, TeamIDs: teams, Limit: 10})
			out["client list"] = slices.ContainsFunc(list, func(c *models.Client) bool { return c.ID == h.acme.ID })
			return out
		}
		for what, ok := range sees() {
			if !ok {
				t.Errorf("before the handover Ann does not see Acme's %s", what)
			}
		}
		h.handOver()
		for what, ok := range sees() {
			if ok {
				t.Errorf("after the handover Ann, who visited Acme, still sees its %s", what)
			}
		}
		vs, err := db.Visits(h.ctx, storage.VisitFilter{Viewer: h.ann, ClientID: h.acme.ID, Limit: 10})
		if err != nil || len(vs) != 1 || vs[0].ID != saved.Visit.ID {
			t.Errorf("Ann's own visits of Acme: %+v %v", vs, err)
		}
		os, err := db.Objections(h.ctx, storage.ObjectionFilter{Viewer: h.ann, ClientID: h.acme.ID, Limit: 10})
		if err != nil || len(os) != 1 || os[0].ID != obj.ID {
			t.Errorf("Ann's own objections of Acme: %+v %v", os, err)
		}
		ex, err := db.ExportVisits(h.ctx, storage.RecordScope{Viewer: h.ann, TeamID: h.team.ID, RepID: h.ann.ID, From: t0.Add(-time.Hour), To: t0.Add(time.Hour)})
		if err != nil || len(ex) != 1 || ex[0].Client != "Acme" {
			t.Errorf("Ann's export of her visits: %+v %v", ex, err)
		}
		if _, err := db.ShareClient(h.ctx, h.mgr, h.acme.ID, h.ann.ID); err != nil {
			t.Fatal(err)
		}
		for what, ok := range sees() {
			if !ok {
				t.Errorf("shared with her, Ann does not see Acme's %s", what)
			}
		}
	})
}
