package storage_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// TestSaveVisitStatements holds what a new visit costs the database, the
// write every /visit makes: a regression shows here before it shows in
// the bot's budget (bot/statements_test.go).
func TestSaveVisitStatements(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		if err := db.CreateClient(g.ctx, acme); err != nil {
			t.Fatal(err)
		}
		first := g.visit(acme.ID, models.StageContact) // with a revisit for the next to close
		for _, c := range []struct {
			name  string
			visit models.Visit
			in    storage.NewVisit
			want  int64
		}{
			// The client's read, the visit, its stage change, the client's
			// update, the close of the open revisit, the visit's own.
			{"stage moves", models.Visit{Stage: models.StageDemo, NextStep: "call"}, storage.NewVisit{}, 6},
			{"stage stays", models.Visit{Stage: models.StageDemo}, storage.NewVisit{}, 5},
			{"no follow-up", models.Visit{NoFollowUp: true}, storage.NewVisit{}, 4},
			// No open revisit (the last visit had none): no close.
			{"nothing to close", models.Visit{}, storage.NewVisit{}, 4},
			// A contact: the client's contacts read, the new contact, its link.
			{"a new contact", models.Visit{}, storage.NewVisit{Contacts: []models.Contact{{Name: "Li"}}}, 8},
			// Logged for before the last visit: the recount (explicit stage
			// change, visits) and the later visit that was its revisit.
			{"backdated", models.Visit{At: first.Visit.At.Add(-time.Hour)}, storage.NewVisit{}, 8},
		} {
			clk.Advance(time.Minute)
			in := c.in
			in.Visit = c.visit
			in.Visit.ClientID, in.Visit.RepID = acme.ID, g.rep
			before := db.Statements()
			s, err := db.SaveVisit(g.ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			if db.Dialect() == storage.Postgres {
				want++ // the client's lock, before the read
			}
			if got := db.Statements() - before; got != want {
				t.Errorf("%s: %d statements, want %d", c.name, got, want)
			}
			// What SaveVisit returns is what it stored.
			sameClient(t, c.name, s.Client, g.client(acme.ID))
		}
	})
}

func sameClient(t *testing.T, what string, got, want *models.Client) {
	t.Helper()
	if got.ID != want.ID || got.TeamID != want.TeamID || got.Name != want.Name || got.OwnerID != want.OwnerID ||
		got.Grade != want.Grade || got.Stage != want.Stage || got.NoProgressVisits != want.NoProgressVisits ||
		!got.LastVisitAt.Equal(want.LastVisitAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("%s: returned client %+v, stored %+v", what, got, want)
	}
}

// TestThreeVisitsCountInMatchesRecount drives random sequences of visit
// writes (new, logged for earlier times, on a time another visit has,
// edited, undone) and stage changes set on the card over a few clients,
// and after each compares each client's last visit and three-visits count,
// as SaveVisit counts a new visit in, with the full recount from the
// client's visits.
func TestThreeVisitsCountInMatchesRecount(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		for seed := uint64(1); seed <= 3; seed++ {
			threeVisitsSequence(t, db, clk, seed)
		}
	})
}

func threeVisitsSequence(t *testing.T, db *storage.DB, clk *clock.Fake, seed uint64) {
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 42))
	team, err := db.CreateTeam(ctx, "Seq "+string(rune('A'+seed)), "UTC")
	if err != nil {
		t.Fatal(err)
	}
	rep := int64(11)
	var clients []int64
	for i := 0; i < 3; i++ {
		c := &models.Client{TeamID: team.ID, Name: "Client " + string(rune('A'+i)), OwnerID: rep}
		if err := db.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c.ID)
	}
	set := append([]models.Stage{models.StageLost}, models.Stages...)
	stages := append([]models.Stage{models.StageNone, models.StageNone, models.StageNone}, set...)
	var live []*models.Visit
	check := func(step int, what string) {
		t.Helper()
		for _, id := range clients {
			c, err := db.Client(ctx, storage.System, id)
			if err != nil {
				t.Fatal(err)
			}
			at, n, err := storage.RecountClient(db, id)
			if err != nil {
				t.Fatal(err)
			}
			if !c.LastVisitAt.Equal(at) || c.NoProgressVisits != n {
				t.Fatalf("seed %d step %d (%s): client %d has last visit %v, %d without progress; the recount says %v, %d",
					seed, step, what, id, c.LastVisitAt, c.NoProgressVisits, at, n)
			}
		}
	}
	save := func(step int, what string, v models.Visit) {
		t.Helper()
		s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: v})
		if err != nil {
			t.Fatalf("seed %d step %d: %s: %v", seed, step, what, err)
		}
		live = append(live, s.Visit)
		sameClient(t, what, s.Client, mustClient(t, db, v.ClientID))
		check(step, what)
	}
	for step := 0; step < 150; step++ {
		clk.Advance(time.Duration(1+rnd.IntN(120)) * time.Minute)
		client := clients[rnd.IntN(len(clients))]
		v := models.Visit{ClientID: client, RepID: rep, Stage: stages[rnd.IntN(len(stages))], NoFollowUp: rnd.IntN(4) == 0}
		switch k := rnd.IntN(20); {
		case k < 10:
			save(step, "new visit", v)
		case k < 13:
			v.At = clk.Now().Add(-time.Duration(rnd.IntN(72*60)) * time.Minute)
			save(step, "visit for an earlier time", v)
		case k < 15 && len(live) > 0:
			// On the very time of another visit (of any client).
			v.At = live[rnd.IntN(len(live))].At
			save(step, "visit on another's time", v)
		case k < 16:
			if _, err := db.SetStage(ctx, member(rep, team.ID, models.RoleRep), client, set[rnd.IntN(len(set))]); err != nil {
				t.Fatal(err)
			}
			check(step, "stage set on the card")
		case k < 18 && len(live) > 0:
			i := rnd.IntN(len(live))
			e := *live[i]
			e.Stage = v.Stage
			if rnd.IntN(2) == 0 {
				e.At = clk.Now().Add(-time.Duration(rnd.IntN(72*60)) * time.Minute)
			}
			if rnd.IntN(5) == 0 {
				e.ClientID = client
			}
			s, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: e})
			if err != nil {
				t.Fatalf("seed %d step %d: edit: %v", seed, step, err)
			}
			live[i] = s.Visit
			check(step, "edit")
		case len(live) > 0:
			i := rnd.IntN(len(live))
			if _, err := db.UndoVisit(ctx, storage.System, live[i].ID); err != nil {
				t.Fatalf("seed %d step %d: undo: %v", seed, step, err)
			}
			live = append(live[:i], live[i+1:]...)
			check(step, "undo")
		}
	}
	// Past the cap: the count stops there, as the recount does.
	if _, err := db.SetStage(ctx, member(rep, team.ID, models.RoleRep), clients[0], models.StageDemo); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < storage.NoProgressScan+3; i++ {
		clk.Advance(time.Minute)
		save(1000+i, "flat visit", models.Visit{ClientID: clients[0], RepID: rep, NoFollowUp: true})
	}
	if c := mustClient(t, db, clients[0]); c.NoProgressVisits != storage.NoProgressScan {
		t.Fatalf("after %d flat visits: %d", storage.NoProgressScan+3, c.NoProgressVisits)
	}
}

func mustClient(t *testing.T, db *storage.DB, id int64) *models.Client {
	t.Helper()
	c, err := db.Client(context.Background(), storage.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNewVisitRevisitRule: a new visit's revisit (and an edit's) follows
// its team's interval and working hours in the rep's zone, the team's when
// the rep set none.
func TestNewVisitRevisitRule(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		team, err := db.CreateTeam(ctx, "East", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		days := 5
		if team, err = db.UpdateTeamSettings(ctx, storage.System, team.ID, storage.TeamSettings{RevisitDays: &days}); err != nil {
			t.Fatal(err)
		}
		ny := &models.User{TelegramID: 901, ChatID: 901, Name: "Nia", Active: true}
		plain := &models.User{TelegramID: 902, ChatID: 902, Name: "Pat", Active: true}
		if err := db.InsertBulk(ctx, &storage.Bulk{Users: []*models.User{ny, plain}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserTZ(ctx, ny.ID, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		acme := &models.Client{TeamID: team.ID, Name: "Acme", OwnerID: ny.ID}
		if err := db.CreateClient(ctx, acme); err != nil {
			t.Fatal(err)
		}
		// Friday 02:00 UTC: Friday 10:00 in Shanghai, Thursday 21:00 in New York.
		at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		clk.Set(at.Add(time.Hour))
		due := func(v *models.Visit, tz string) time.Time {
			d, _, _ := models.RevisitDue(v, days, team.Hours, models.LoadLocation(tz))
			return d
		}
		for _, c := range []struct {
			rep    int64
			tz     string
			others string
		}{{ny.ID, "America/New_York", "Asia/Shanghai"}, {plain.ID, "Asia/Shanghai", "America/New_York"}, {999, "Asia/Shanghai", "America/New_York"}} {
			s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: c.rep, At: at}})
			if err != nil {
				t.Fatal(err)
			}
			want := due(s.Visit, c.tz)
			if want.Equal(due(s.Visit, c.others)) {
				t.Fatalf("the zones give the same revisit: the test cannot tell them apart")
			}
			if s.FollowUp == nil || !s.FollowUp.DueAt.Equal(want) {
				t.Fatalf("rep %d: revisit %+v, want due %v", c.rep, s.FollowUp, want)
			}
			// An edit of its time reads the same rule.
			e := *s.Visit
			e.At = at.Add(-24 * time.Hour)
			u, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: e})
			if err != nil {
				t.Fatal(err)
			}
			if want := due(u.Visit, c.tz); u.FollowUp == nil || !u.FollowUp.DueAt.Equal(want) {
				t.Fatalf("rep %d after the edit: revisit %+v, want due %v", c.rep, u.FollowUp, want)
			}
			if _, err := db.UndoVisit(ctx, storage.System, s.Visit.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestVisitWaitingForTheClientSeesTheVisitBefore: on PostgreSQL two visits
// to one client at once queue on the client's row; the second, once it
// has the row, reads the client's revisits as the first left them, so it
// closes the first's revisit (and counts itself in after it).
func TestVisitWaitingForTheClientSeesTheVisitBefore(t *testing.T) {
	clk := clock.NewFake(t0)
	db := storagetest.Postgres(t, clk)
	g := newSalesRig(t, db, clk)
	ctx := g.ctx
	acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
	if err := db.CreateClient(ctx, acme); err != nil {
		t.Fatal(err)
	}
	saved, release := make(chan *storage.SavedVisit), make(chan struct{})
	pids := make(chan int, 1)
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- db.InTx(ctx, func(ctx context.Context) error {
			s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: g.rep, NextStep: "call"}})
			if err != nil {
				close(saved)
				return err
			}
			pid, err := storage.BackendPID(ctx, db)
			if err != nil {
				close(saved)
				return err
			}
			pids <- pid
			saved <- s
			<-release
			return nil
		})
	}()
	first, ok := <-saved
	if !ok {
		t.Fatal(<-firstDone)
	}
	holder := <-pids
	second := make(chan *storage.SavedVisit, 1)
	secondErr := make(chan error, 1)
	go func() {
		s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: g.other, Stage: models.StageDemo}})
		secondErr <- err
		second <- s
	}()
	// Wait until the second visit is queued behind the first's lock.
	raw := storage.Gorm(db)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := raw.Raw("SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))", holder).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second visit never waited for the first")
		}
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondErr; err != nil {
		t.Fatal(err)
	}
	s := <-second
	f, err := db.FollowUp(ctx, storage.System, first.FollowUp.ID)
	if err != nil || f.State != models.FollowUpDone {
		t.Fatalf("the first visit's revisit after the second visit: %+v %v", f, err)
	}
	at, n, err := storage.RecountClient(db, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := g.client(acme.ID); c.NoProgressVisits != n || !c.LastVisitAt.Equal(at) || s.Client.NoProgressVisits != n {
		t.Fatalf("client %+v (returned %+v), the recount says %v, %d", c, s.Client, at, n)
	}
}

// TestVisitMovedToAnotherClientMovesWhatItClosed: a visit saved on the
// wrong client closed that client's open revisit; the edit that moves it
// to the right client opens that revisit again (the client was not
// visited) and closes the right client's earlier one, as the visit saved
// there would have.
func TestVisitMovedToAnotherClientMovesWhatItClosed(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		beta := &models.Client{TeamID: g.team.ID, Name: "Beta", OwnerID: g.rep}
		for _, c := range []*models.Client{acme, beta} {
			if err := db.CreateClient(g.ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		open := func(clientID int64) []*models.FollowUp {
			t.Helper()
			fs, err := db.ClientOpenFollowUps(g.ctx, storage.System, clientID, 0)
			if err != nil {
				t.Fatal(err)
			}
			return fs
		}
		a1, b1 := g.visit(acme.ID, models.StageNone), g.visit(beta.ID, models.StageNone)
		if a1.FollowUp == nil || b1.FollowUp == nil {
			t.Fatalf("no revisits to close: %+v %+v", a1.FollowUp, b1.FollowUp)
		}
		wrong := g.visit(acme.ID, models.StageNone) // meant for Beta
		if fs := open(acme.ID); len(fs) != 1 || fs[0].VisitID != wrong.Visit.ID {
			t.Fatalf("acme after the visit: open %+v, want only the new visit's revisit", fs)
		}
		e := *wrong.Visit
		e.ClientID = beta.ID
		if _, err := db.UpdateVisit(g.ctx, &storage.NewVisit{Visit: e}); err != nil {
			t.Fatal(err)
		}
		if fs := open(acme.ID); len(fs) != 1 || fs[0].ID != a1.FollowUp.ID {
			t.Errorf("acme after the move: open %+v, want its first visit's revisit %d again", fs, a1.FollowUp.ID)
		}
		if fs := open(beta.ID); len(fs) != 1 || fs[0].VisitID != wrong.Visit.ID {
			t.Errorf("beta after the move: open %+v, want only the moved visit's revisit", fs)
		}
	})
}
