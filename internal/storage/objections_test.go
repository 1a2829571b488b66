package storage_test

import (
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// An objection is linked to the rep's newest visit to the client on the
// rep's day, read inside the save: not another rep's, not another day's,
// not an undone one.
func TestSaveObjectionLinksThatDaysVisit(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		if err := db.CreateClient(ctx, acme); err != nil {
			t.Fatal(err)
		}
		sh, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		day := func(at time.Time) (time.Time, time.Time) {
			y, m, d := at.In(sh).Date()
			from := time.Date(y, m, d, 0, 0, 0, 0, sh)
			return from, from.AddDate(0, 0, 1)
		}
		save := func(link bool) *models.Objection {
			t.Helper()
			in := &storage.NewObjection{Objection: models.Objection{ClientID: acme.ID, RepID: g.rep, Category: models.ObjPrice}}
			if link {
				in.LinkFrom, in.LinkTo = day(clk.Now())
			}
			o, _, err := db.SaveObjection(ctx, in)
			if err != nil {
				t.Fatalf("save objection: %v", err)
			}
			if got, err := db.Objection(ctx, storage.System, o.ID); err != nil || got.VisitID != o.VisitID {
				t.Fatalf("stored link %+v, returned %d: %v", got, o.VisitID, err)
			}
			return o
		}
		if o := save(true); o.VisitID != 0 {
			t.Fatalf("no visit yet, linked to %d", o.VisitID)
		}
		first := g.visit(acme.ID, models.StageContact)
		second := g.visit(acme.ID, models.StageDemo)
		clk.Advance(time.Minute)
		if _, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: g.other}}); err != nil {
			t.Fatal(err)
		}
		if o := save(true); o.VisitID != second.Visit.ID {
			t.Fatalf("linked to %d, want the rep's newest visit %d (first %d)", o.VisitID, second.Visit.ID, first.Visit.ID)
		}
		if o := save(false); o.VisitID != 0 {
			t.Fatalf("no day given, linked to %d", o.VisitID)
		}
		if _, err := db.UndoVisit(ctx, storage.System, second.Visit.ID); err != nil {
			t.Fatal(err)
		}
		if o := save(true); o.VisitID != first.Visit.ID {
			t.Fatalf("after undoing the newest, linked to %d, want %d", o.VisitID, first.Visit.ID)
		}
		// The next day in Shanghai, yesterday's visits do not count.
		from, to := day(clk.Now())
		clk.Set(to.Add(time.Hour))
		if o := save(true); o.VisitID != 0 {
			t.Fatalf("the next day (%v–%v), linked to %d", from, to, o.VisitID)
		}
	})
}
