package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

type salesRig struct {
	t      *testing.T
	db     *storage.DB
	clk    *clock.Fake
	team   *models.Team
	rep    int64
	other  int64
	ctx    context.Context
	visits int
}

func newSalesRig(t *testing.T, db *storage.DB, clk *clock.Fake) *salesRig {
	clk.Set(t0)
	team, err := db.CreateTeam(context.Background(), "North", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	return &salesRig{t: t, db: db, clk: clk, team: team, rep: 11, other: 12, ctx: context.Background()}
}

// repViewer is an active rep of the rig's team with that id, as a viewer.
func (g *salesRig) repViewer(id int64) *models.User {
	return &models.User{ID: id, Active: true, Memberships: []models.Membership{{TeamID: g.team.ID, Role: models.RoleRep, Active: true}}}
}

// visit saves a visit by the rig's rep to an existing client, a minute
// after the previous one.
func (g *salesRig) visit(clientID int64, stage models.Stage) *storage.SavedVisit {
	g.t.Helper()
	g.clk.Advance(time.Minute)
	s, err := g.db.SaveVisit(g.ctx, &storage.NewVisit{Visit: models.Visit{ClientID: clientID, RepID: g.rep, Stage: stage}})
	if err != nil {
		g.t.Fatalf("save visit: %v", err)
	}
	return s
}

func (g *salesRig) client(id int64) *models.Client {
	g.t.Helper()
	c, err := g.db.Client(g.ctx, storage.System, id)
	if err != nil {
		g.t.Fatalf("client %d: %v", id, err)
	}
	return c
}

func TestClients(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "ACME Corp.", OwnerID: g.rep, Grade: models.GradeB}
		if err := db.CreateClient(ctx, acme); err != nil || acme.ID == 0 {
			t.Fatalf("create: %v %+v", err, acme)
		}
		// Same key in the team: refused.
		dup := &models.Client{TeamID: g.team.ID, Name: "acme  corp", OwnerID: g.other}
		if err := db.CreateClient(ctx, dup); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("duplicate key: %v", err)
		}
		// Another team may have its own Acme.
		south, _ := db.CreateTeam(ctx, "South", "UTC")
		if err := db.CreateClient(ctx, &models.Client{TeamID: south.ID, Name: "Acme Corp", OwnerID: 99}); err != nil {
			t.Fatalf("same name in another team: %v", err)
		}
		got, err := db.ClientByName(ctx, storage.System, g.team.ID, "Ａｃｍｅ ｃｏｒｐ")
		if err != nil || got.ID != acme.ID || got.Grade != models.GradeB {
			t.Fatalf("by folded name: %+v %v", got, err)
		}
		if _, err := db.ClientByName(ctx, storage.System, g.team.ID, "Globex"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("missing: %v", err)
		}
		for _, n := range []string{"Globex", "Initech", "华为", "Umbrella"} {
			owner := g.rep
			if n == "Umbrella" {
				owner = g.other
			}
			if err := db.CreateClient(ctx, &models.Client{TeamID: g.team.ID, Name: n, OwnerID: owner, Grade: models.GradeA}); err != nil {
				t.Fatal(err)
			}
		}
		page, total, err := db.Clients(ctx, storage.ClientFilter{Viewer: storage.System, TeamIDs: []int64{g.team.ID}, OwnerID: g.rep, Offset: 1, Limit: 2})
		if err != nil || total != 4 || len(page) != 2 || page[0].Name != "Globex" || page[1].Name != "Initech" {
			t.Fatalf("rep's clients page 2: total %d %+v %v", total, names(page), err)
		}
		page, total, _ = db.Clients(ctx, storage.ClientFilter{Viewer: storage.System, TeamIDs: []int64{g.team.ID}, Grade: models.GradeA, Limit: 10})
		if total != 4 || names(page) != "Globex,Initech,Umbrella,华为" {
			t.Fatalf("team's A clients: %d %s", total, names(page))
		}
		// By name, many at once, by key, in the team only.
		found, err := db.LookupClientNames(ctx, storage.System, []int64{g.team.ID}, []string{"acme corp", "Globex", "INITECH", "华为", "Umbrella", "Nothing"})
		if err != nil || len(found) != 5 || found[models.NameKey("Acme Corp")].Exact.ID != acme.ID {
			t.Fatalf("client names: %d %v", len(found), err)
		}
		for k, l := range found {
			if l.Exact == nil || l.Exact.TeamID != g.team.ID || models.NameKey(l.Exact.Name) != k {
				t.Fatalf("client names: %q → %+v", k, l)
			}
		}
		acme.Industry, acme.Name = "Chemicals", "Acme Corporation"
		if err := db.UpdateClient(ctx, acme); err != nil {
			t.Fatal(err)
		}
		if c := g.client(acme.ID); c.Industry != "Chemicals" || c.Name != "Acme Corporation" {
			t.Fatalf("updated: %+v", c)
		}
		acme.Name = "globex"
		if err := db.UpdateClient(ctx, acme); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("rename onto another client: %v", err)
		}
		if asked, _ := db.MarkGradeAsked(ctx, acme.ID); !asked {
			t.Fatal("first ask")
		}
		if asked, _ := db.MarkGradeAsked(ctx, acme.ID); asked {
			t.Fatal("the grade is asked once")
		}
	})
}

func names(cs []*models.Client) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += ","
		}
		s += c.Name
	}
	return s
}

func TestSaveVisitWithNewClientAndContacts(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		next := t0.Add(72 * time.Hour)
		s, err := db.SaveVisit(ctx, &storage.NewVisit{
			Visit:     models.Visit{RepID: g.rep, Stage: models.StageDemo, Attitude: models.AttitudeWarm, NextStep: "send quote", NextVisitAt: &next},
			NewClient: &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep},
			Contacts: []models.Contact{
				{Name: "Li", Roles: []models.DecisionRole{models.RoleBuyer}},
				{Name: "Wang", Roles: []models.DecisionRole{models.RoleDecisionMaker, models.RoleInfluencer}},
			},
			Attachments: []models.Attachment{{Kind: models.AttachPhoto, FileID: "ph-1", Caption: "whiteboard"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		v := s.Visit
		if v.ID == 0 || !v.ClientCreated || v.StageBefore != models.StageNone || s.Outcome != models.OutcomeAdvanced || !v.At.Equal(t0) {
			t.Fatalf("saved visit %+v outcome %s", v, s.Outcome)
		}
		if s.Client.Stage != models.StageDemo || s.Client.Name != "Acme" || !s.Client.LastVisitAt.Equal(t0) || s.Client.NoProgressVisits != 0 {
			t.Fatalf("client after visit %+v", s.Client)
		}
		if len(s.Contacts) != 2 || s.Contacts[1].Name != "Wang" || len(s.Contacts[1].Roles) != 2 {
			t.Fatalf("contacts %+v", s.Contacts)
		}
		stored, err := db.Visit(ctx, storage.System, v.ID)
		if err != nil || len(stored.ContactIDs) != 2 || stored.NextVisitAt == nil || !stored.NextVisitAt.Equal(next) || stored.NextStep != "send quote" {
			t.Fatalf("stored %+v %v", stored, err)
		}
		atts, _ := db.Attachments(ctx, v.ID)
		if len(atts) != 1 || atts[0].FileID != "ph-1" || atts[0].Caption != "whiteboard" {
			t.Fatalf("attachments %+v", atts)
		}
		// A second visit meets Li again with another role, and "wang" by
		// another spelling: no duplicates, roles merged.
		cs, _ := db.Contacts(ctx, storage.System, s.Client.ID)
		var li models.Contact
		for _, c := range cs {
			if c.Name == "Li" {
				li = c
			}
		}
		clk.Advance(time.Hour)
		s2, err := db.SaveVisit(ctx, &storage.NewVisit{
			Visit:    models.Visit{ClientID: s.Client.ID, RepID: g.rep, NoFollowUp: true},
			Contacts: []models.Contact{{ID: li.ID, Roles: []models.DecisionRole{models.RoleUser}}, {Name: "WANG"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		cs, _ = db.Contacts(ctx, storage.System, s.Client.ID)
		if len(cs) != 2 || cs[0].Name != "Li" || len(cs[0].Roles) != 2 || cs[0].Roles[0] != models.RoleBuyer || cs[0].Roles[1] != models.RoleUser {
			t.Fatalf("contacts after second visit %+v", cs)
		}
		if s2.Client.NoProgressVisits != 1 || s2.Outcome != models.OutcomeUnstated || s2.Visit.NextVisitAt != nil || !s2.Visit.NoFollowUp {
			t.Fatalf("second visit %+v client %+v", s2.Visit, s2.Client)
		}
		// A contact of another client cannot be linked.
		other := &models.Client{TeamID: g.team.ID, Name: "Globex", OwnerID: g.rep}
		_ = db.CreateClient(ctx, other)
		if _, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: other.ID, RepID: g.rep},
			Contacts: []models.Contact{{ID: li.ID}}}); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("foreign contact: %v", err)
		}
		if n, _ := db.CountVisits(ctx, storage.VisitFilter{Viewer: storage.System, ClientID: other.ID}); n != 0 {
			t.Fatalf("a failed save stored %d visits", n)
		}
	})
}

func TestStageRuleAndThreeVisits(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		if err := db.CreateClient(g.ctx, acme); err != nil {
			t.Fatal(err)
		}
		g.visit(acme.ID, models.StageContact)
		g.visit(acme.ID, models.StageDemo)
		if s := g.visit(acme.ID, models.StageNeeds); s.Outcome != models.OutcomeNotBack || s.Client.Stage != models.StageDemo {
			t.Fatalf("a visit does not set the stage back: %s %s", s.Outcome, s.Client.Stage)
		}
		if s := g.visit(acme.ID, models.StageNone); s.Client.NoProgressVisits != 2 || s.Client.NeedsNewPlan() {
			t.Fatalf("two flat visits: %+v", s.Client)
		}
		s := g.visit(acme.ID, models.StageDemo)
		if s.Client.NoProgressVisits != 3 || !s.Client.NeedsNewPlan() {
			t.Fatalf("three flat visits must flag the client: %+v", s.Client)
		}
		// Undoing the third takes the flag back.
		u, err := db.UndoVisit(g.ctx, storage.System, s.Visit.ID)
		if err != nil || u.Client.NoProgressVisits != 2 || u.Client.NeedsNewPlan() {
			t.Fatalf("undo third: %+v %v", u, err)
		}
		g.visit(acme.ID, models.StageNone)
		// Progress clears it.
		if s := g.visit(acme.ID, models.StageProposal); s.Client.NoProgressVisits != 0 || s.Client.Stage != models.StageProposal {
			t.Fatalf("progress: %+v", s.Client)
		}
		// Lost is terminal for visits...
		g.visit(acme.ID, models.StageLost)
		if s := g.visit(acme.ID, models.StageContract); s.Outcome != models.OutcomeLostStays || s.Client.Stage != models.StageLost {
			t.Fatalf("lost client moved by a visit: %s %s", s.Outcome, s.Client.Stage)
		}
		// ...until reopened on the card, which also starts a new plan.
		g.visit(acme.ID, models.StageNone)
		clk.Advance(time.Minute)
		c, err := db.SetStage(g.ctx, g.repViewer(g.rep), acme.ID, models.StageNegotiation)
		if err != nil || c.Stage != models.StageNegotiation || c.NoProgressVisits != 0 {
			t.Fatalf("reopen: %+v %v", c, err)
		}
		if _, err := db.SetStage(g.ctx, g.repViewer(g.rep), acme.ID, "bogus"); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("bogus stage: %v", err)
		}
		if s := g.visit(acme.ID, models.StageNone); s.Client.NoProgressVisits != 1 {
			t.Fatalf("counting restarts after an explicit stage: %+v", s.Client)
		}
	})
}

func TestEditAndUndoVisit(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		_ = db.CreateClient(ctx, acme)
		g.visit(acme.ID, models.StageContact)
		s := g.visit(acme.ID, models.StageDemo)

		// Edit the stage of the latest visit: its change is taken back and
		// the rule applied again from where the client was.
		edited := *s.Visit
		edited.Stage = models.StageProposal
		edited.ClientView = "likes it"
		e, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: edited})
		if err != nil {
			t.Fatal(err)
		}
		if e.Client.Stage != models.StageProposal || e.Visit.StageBefore != models.StageContact || e.Outcome != models.OutcomeAdvanced || e.Before.Stage != models.StageDemo {
			t.Fatalf("edit stage: client %s visit %+v outcome %s", e.Client.Stage, e.Visit, e.Outcome)
		}
		edited = *e.Visit
		edited.Stage = models.StageNone
		if e, err = db.UpdateVisit(ctx, &storage.NewVisit{Visit: edited}); err != nil || e.Client.Stage != models.StageContact {
			t.Fatalf("edit stage away: %+v %v", e.Client, err)
		}
		stored, _ := db.Visit(ctx, storage.System, s.Visit.ID)
		if stored.ClientView != "likes it" || !stored.At.Equal(s.Visit.At) || stored.RepID != g.rep {
			t.Fatalf("edit kept %+v", stored)
		}

		// A visit logged for a new client by mistake, moved to the right
		// client by Edit: the stray client goes.
		clk.Advance(time.Minute)
		wrong, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{RepID: g.rep, Stage: models.StageDemo},
			NewClient: &models.Client{TeamID: g.team.ID, Name: "Acmee", OwnerID: g.rep}})
		if err != nil {
			t.Fatal(err)
		}
		moved := *wrong.Visit
		moved.ClientID = acme.ID
		m, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: moved})
		if err != nil || !m.ClientDeleted || m.Client.ID != acme.ID || m.Client.Stage != models.StageDemo || m.Visit.StageBefore != models.StageContact || m.Visit.ClientCreated {
			t.Fatalf("move to the right client: %+v %v", m, err)
		}
		if _, err := db.Client(ctx, storage.System, wrong.Client.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("stray client still there: %v", err)
		}

		// Undo: the stage goes back, linked objections are unlinked.
		o, _, err := db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{ClientID: acme.ID, RepID: g.rep,
			VisitID: m.Visit.ID, Category: models.ObjPrice, Words: "too expensive"}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.UndoVisit(ctx, storage.System, m.Visit.ID)
		if err != nil || u.Client.Stage != models.StageContact || u.ClientDeleted {
			t.Fatalf("undo: %+v %v", u, err)
		}
		if _, err := db.Visit(ctx, storage.System, m.Visit.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("undone visit still live: %v", err)
		}
		if got, _ := db.Objection(ctx, storage.System, o.ID); got.VisitID != 0 {
			t.Fatalf("objection still linked to an undone visit: %+v", got)
		}
		if _, err := db.UndoVisit(ctx, storage.System, m.Visit.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("second undo: %v", err)
		}
		if _, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: *m.Visit}); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("edit of an undone visit: %v", err)
		}

		// Undo of a visit that created its client takes the client back too.
		clk.Advance(time.Minute)
		fresh, _ := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{RepID: g.rep},
			NewClient: &models.Client{TeamID: g.team.ID, Name: "Initech", OwnerID: g.rep},
			Contacts:  []models.Contact{{Name: "Peter"}}})
		u, err = db.UndoVisit(ctx, storage.System, fresh.Visit.ID)
		if err != nil || !u.ClientDeleted {
			t.Fatalf("undo with new client: %+v %v", u, err)
		}
		if _, err := db.ClientByName(ctx, storage.System, g.team.ID, "Initech"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("client created by an undone visit remains: %v", err)
		}
	})
}

func TestObjectionsAndLastEntry(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		_ = db.CreateClient(ctx, acme)
		if kind, _, err := db.LastEntry(ctx, g.rep, t0.Add(-24*time.Hour)); err != nil || kind != "" {
			t.Fatalf("no entries: %q %v", kind, err)
		}
		v := g.visit(acme.ID, models.StageDemo)
		clk.Advance(time.Minute)
		o, c, err := db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{ClientID: acme.ID, RepID: g.rep,
			VisitID: v.Visit.ID, Category: models.ObjPrice, Words: "too expensive", Answer: "payment terms"}})
		if err != nil || o.TeamID != g.team.ID || c.ID != acme.ID || o.VisitID != v.Visit.ID {
			t.Fatalf("save objection %+v %v", o, err)
		}
		if _, _, err := db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{ClientID: acme.ID, RepID: g.rep, Category: "weather"}}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("bad category: %v", err)
		}
		kind, id, err := db.LastEntry(ctx, g.rep, clk.Now().Add(-24*time.Hour))
		if err != nil || kind != storage.EntryObjection || id != o.ID {
			t.Fatalf("last entry: %q %d %v", kind, id, err)
		}
		if kind, _, _ := db.LastEntry(ctx, g.other, clk.Now().Add(-24*time.Hour)); kind != "" {
			t.Fatalf("another rep's entries: %q", kind)
		}
		open, _ := db.Objections(ctx, storage.ObjectionFilter{Viewer: storage.System, ClientID: acme.ID, OpenOnly: true, Limit: 10})
		if len(open) != 1 {
			t.Fatalf("open objections: %d", len(open))
		}
		// Another rep, and nobody, are refused as if it were gone.
		for _, v := range []*models.User{g.repViewer(g.other), nil} {
			if _, err := db.ResolveObjection(ctx, v, o.ID, "x"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("resolve someone else's objection: %v", err)
			}
		}
		r, err := db.ResolveObjection(ctx, g.repViewer(g.rep), o.ID, "payment terms")
		if err != nil || !r.Resolved || r.WorkedAnswer != "payment terms" || r.ResolvedAt == nil || !r.ResolvedAt.Equal(clk.Now()) {
			t.Fatalf("resolve: %+v %v", r, err)
		}
		if n, _ := db.CountObjections(ctx, storage.ObjectionFilter{Viewer: storage.System, TeamIDs: []int64{g.team.ID}, OpenOnly: true}); n != 0 {
			t.Fatalf("open after resolving: %d", n)
		}
		if _, _, err := db.UndoObjection(ctx, storage.System, o.ID); err != nil {
			t.Fatal(err)
		}
		kind, id, _ = db.LastEntry(ctx, g.rep, clk.Now().Add(-24*time.Hour))
		if kind != storage.EntryVisit || id != v.Visit.ID {
			t.Fatalf("after undoing the objection the visit is last: %q %d", kind, id)
		}
		if _, err := db.ResolveObjection(ctx, storage.System, o.ID, "x"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("resolve an undone objection: %v", err)
		}
		// An objection that created its client takes it back on undo.
		o2, c2, err := db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{RepID: g.rep, Category: models.ObjBusy},
			NewClient: &models.Client{TeamID: g.team.ID, Name: "Globex", OwnerID: g.rep}})
		if err != nil || !o2.ClientCreated || c2.Name != "Globex" {
			t.Fatalf("objection with new client: %+v %v", o2, err)
		}
		if _, fx, err := db.UndoObjection(ctx, storage.System, o2.ID); err != nil || !fx.ClientGoes {
			t.Fatalf("undo objection with new client: %+v %v", fx, err)
		}
	})
}

func TestClientHistoryAndCheckIn(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		_ = db.CreateClient(ctx, acme)
		v1 := g.visit(acme.ID, models.StageContact) // t0+1m
		clk.Advance(time.Minute)
		_, _, _ = db.SaveObjection(ctx, &storage.NewObjection{Objection: models.Objection{ClientID: acme.ID, RepID: g.rep, Category: models.ObjBusy}})
		clk.Advance(time.Minute)
		_, _ = db.SetStage(ctx, g.repViewer(g.rep), acme.ID, models.StageNeeds) // t0+3m
		g.rep = g.other
		v4 := g.visit(acme.ID, models.StageDemo) // t0+4m, by the other rep
		items, total, err := db.ClientHistory(ctx, storage.System, acme.ID, 0, 3)
		if err != nil || total != 4 || len(items) != 3 {
			t.Fatalf("history page 1: %d of %d, %v", len(items), total, err)
		}
		if items[0].Visit == nil || items[0].Visit.ID != v4.Visit.ID || items[1].Stage == nil || items[1].Stage.To != models.StageNeeds || items[2].Objection == nil {
			t.Fatalf("history order: %+v", items)
		}
		items, _, _ = db.ClientHistory(ctx, storage.System, acme.ID, 3, 3)
		if len(items) != 1 || items[0].Visit == nil || items[0].Visit.ID != v1.Visit.ID {
			t.Fatalf("history page 2: %+v", items)
		}
		// A rep's view: their own entries and the stage changes.
		items, total, _ = db.ClientHistory(ctx, g.repViewer(11), acme.ID, 0, 10)
		if total != 3 || len(items) != 3 {
			t.Fatalf("rep 11's history: %d of %d", len(items), total)
		}

		// Check-in: the rep's visit of the last 15 minutes.
		if v, err := db.LastVisitBy(ctx, g.repViewer(g.other), clk.Now().Add(-models.CheckInWindow)); err != nil || v == nil || v.ID != v4.Visit.ID {
			t.Fatalf("last visit: %+v %v", v, err)
		}
		if err := db.SetVisitPlace(ctx, v4.Visit.ID, "Acme HQ, 1 Main St", 31.2, 121.5, true); err != nil {
			t.Fatal(err)
		}
		v, _ := db.Visit(ctx, storage.System, v4.Visit.ID)
		if v.Place != "Acme HQ, 1 Main St" || v.Lat == nil || *v.Lat != 31.2 || !v.LiveLocation {
			t.Fatalf("place %+v", v)
		}
		clk.Advance(16 * time.Minute)
		if v, _ := db.LastVisitBy(ctx, g.repViewer(g.other), clk.Now().Add(-models.CheckInWindow)); v != nil {
			t.Fatalf("a visit 16 minutes old still takes check-ins: %+v", v)
		}
		// The other rep logged a visit to rep 11's client: that opens
		// nothing (the rule is owned or shared), like for a rep of the team
		// who did not; their own visit stays listed for them.
		worked, _ := db.CanSeeClient(ctx, g.repViewer(g.other), acme)
		stranger, _ := db.CanSeeClient(ctx, g.repViewer(77), acme)
		if worked || stranger {
			t.Fatalf("CanSeeClient: with their own visit %v, without entries %v", worked, stranger)
		}
		if own, _ := db.Visits(ctx, storage.VisitFilter{Viewer: g.repViewer(g.other), ClientID: acme.ID, Limit: 10}); len(own) != 1 || own[0].ID != v4.Visit.ID {
			t.Fatalf("the other rep's own visits of a client they cannot see: %+v", own)
		}
		recent, _ := db.RecentClients(ctx, g.repViewer(11), 5)
		if len(recent) != 1 || recent[0].ID != acme.ID {
			t.Fatalf("recent %+v", recent)
		}
	})
}

// A client card a visit created stays when its undo finds anything else on
// it, and the effect says what (models.ClientHoldings).
func TestUndoKeepsACardThatGainedSomething(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		for i, c := range []struct {
			kind models.HoldingKind
			add  func(s *storage.SavedVisit) error
		}{
			{"", func(*storage.SavedVisit) error { return nil }},
			{models.HoldsContacts, func(s *storage.SavedVisit) error {
				return db.SaveContact(ctx, &models.Contact{ClientID: s.Client.ID, Name: "Wu"})
			}},
			{models.HoldsContacts, func(s *storage.SavedVisit) error { // a phone added to the contact met
				return db.SaveContact(ctx, &models.Contact{ClientID: s.Client.ID, Name: "Peter", Phone: "+86 138 0000 0000"})
			}},
			{models.HoldsDetails, func(s *storage.SavedVisit) error {
				c := *s.Client
				c.Address = "1 Harbour Rd"
				return db.UpdateClient(ctx, &c)
			}},
			{models.HoldsReminders, func(s *storage.SavedVisit) error {
				_, err := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: g.team.ID, OwnerID: g.rep, ClientID: s.Client.ID,
					Kind: models.KindReminder, Text: "call", DueAt: t0.Add(48 * time.Hour)})
				return err
			}},
			{models.HoldsPlans, func(s *storage.SavedVisit) error {
				_, err := db.AddPlannedVisits(ctx, []models.PlannedVisit{{TeamID: g.team.ID, RepID: g.rep, ClientID: s.Client.ID, Day: "2026-12-01"}})
				return err
			}},
			{models.HoldsChanges, func(s *storage.SavedVisit) error {
				_, err := db.SetStage(ctx, g.repViewer(g.rep), s.Client.ID, models.StageNeeds)
				return err
			}},
		} {
			clk.Advance(time.Minute)
			s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{RepID: g.rep, Stage: models.StageContact},
				NewClient: &models.Client{TeamID: g.team.ID, Name: fmt.Sprintf("Client %d", i), OwnerID: g.rep},
				Contacts:  []models.Contact{{Name: "Peter"}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.add(s); err != nil {
				t.Fatalf("%s: %v", c.kind, err)
			}
			_, fx, err := db.UndoVisitEffect(ctx, storage.System, s.Visit.ID)
			if err != nil {
				t.Fatal(err)
			}
			u, err := db.UndoVisit(ctx, storage.System, s.Visit.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, gone := db.Client(ctx, storage.System, s.Client.ID)
			if c.kind == "" {
				if !fx.ClientGoes || !u.ClientDeleted || models.ErrorCode(gone) != models.ENOTFOUND || len(fx.Keeps) != 0 {
					t.Fatalf("an untouched card: effect %+v, deleted %v, %v", fx, u.ClientDeleted, gone)
				}
				continue
			}
			if fx.ClientGoes || u.ClientDeleted || gone != nil || len(fx.Keeps) != 1 || fx.Keeps[0].Kind != c.kind {
				t.Fatalf("%s: effect %+v, undo %+v, card %v", c.kind, fx, u.Undo, gone)
			}
		}
	})
}
