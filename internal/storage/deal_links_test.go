package storage_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// A visit linked to a deal advances the deal's stage; an edit and an undo
// take the change back exactly, only while it is the deal's latest; a
// deal closed in the meantime is not linked. Every query of it (reads and
// writes) goes through an index.
func TestDealLinks(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		g := newSalesRig(t, db, clk)
		ctx := g.ctx
		rep := g.repViewer(g.rep)
		acme := &models.Client{TeamID: g.team.ID, Name: "Acme", OwnerID: g.rep}
		if err := db.CreateClient(ctx, acme); err != nil {
			t.Fatal(err)
		}
		deal := &models.Deal{ClientID: acme.ID, Title: "20 trucks"}
		if err := db.CreateDeal(ctx, rep, deal); err != nil {
			t.Fatal(err)
		}
		c := capture(t, db)
		writes := func(tx *gorm.DB) {
			if tx.Statement.SQL.Len() == 0 {
				return
			}
			c.mu.Lock()
			c.sql = append(c.sql, tx.Dialector.Explain(tx.Statement.SQL.String(), tx.Statement.Vars...))
			c.mu.Unlock()
		}
		gm := storage.Gorm(db)
		if err := gm.Callback().Update().After("gorm:update").Register("test:capture_update", writes); err != nil {
			t.Fatal(err)
		}
		if err := gm.Callback().Delete().After("gorm:delete").Register("test:capture_delete", writes); err != nil {
			t.Fatal(err)
		}
		stage := func() models.Stage {
			d, err := db.Deal(ctx, rep, deal.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d.Stage
		}
		save := func(st models.Stage) *storage.SavedVisit {
			clk.Advance(time.Minute)
			s, err := db.SaveVisit(ctx, &storage.NewVisit{Visit: models.Visit{ClientID: acme.ID, RepID: g.rep, Stage: st, DealID: deal.ID}})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := save(models.StageDemo)
		if s.Deal == nil || s.Deal.Before != models.StageNone || s.Deal.Outcome != models.OutcomeAdvanced || stage() != models.StageDemo {
			t.Fatalf("first visit: %+v, deal at %q", s.Deal, stage())
		}
		second := save(models.StageNegotiation)
		if stage() != models.StageNegotiation || second.Deal.Before != models.StageDemo {
			t.Fatalf("second visit: deal at %q", stage())
		}
		// Undoing the first changes nothing: the second's change is the latest.
		_, fx, err := db.UndoVisitEffect(ctx, storage.System, s.Visit.ID)
		if err != nil || fx.DealTitle != "20 trucks" || fx.DealBack {
			t.Fatalf("undo effect of the first: %+v %v", fx, err)
		}
		if _, err := db.UndoVisit(ctx, storage.System, s.Visit.ID); err != nil || stage() != models.StageNegotiation {
			t.Fatalf("undo first: %v, deal at %q", err, stage())
		}
		// Editing the second's stage: back to demo, then forward to proposal.
		v := *second.Visit
		v.Stage = models.StageProposal
		up, err := db.UpdateVisit(ctx, &storage.NewVisit{Visit: v})
		if err != nil || stage() != models.StageProposal || up.Deal == nil || up.Deal.Before != models.StageDemo {
			t.Fatalf("edit: %+v %v, deal at %q", up, err, stage())
		}
		_, fx, err = db.UndoVisitEffect(ctx, storage.System, v.ID)
		if err != nil || !fx.DealBack || fx.DealFrom != models.StageProposal || fx.DealTo != models.StageDemo {
			t.Fatalf("undo effect of the edited: %+v %v", fx, err)
		}
		if _, err := db.UndoVisit(ctx, storage.System, v.ID); err != nil || stage() != models.StageDemo {
			t.Fatalf("undo edited: %v, deal at %q", err, stage())
		}
		// A closed deal is not linked; the visit is saved without it.
		if _, err := db.CloseDeal(ctx, rep, deal.ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); err != nil {
			t.Fatal(err)
		}
		late := save(models.StageContract)
		if late.Visit.DealID != 0 || late.DealUnlinked == nil || late.DealUnlinked.ID != deal.ID || late.Deal != nil {
			t.Fatalf("visit to a closed deal: %+v", late)
		}

		c.mu.Lock()
		queries := append([]string(nil), c.sql...)
		c.mu.Unlock()
		tables := regexp.MustCompile(`\b(deals|deal_stage_events|visits)\b`)
		n := 0
		for _, q := range queries {
			if !tables.MatchString(q) || !strings.Contains(q, "deal") {
				continue
			}
			n++
			plan := explain(t, db, q)
			for _, line := range strings.Split(plan, "\n") {
				var bad bool
				if db.Dialect() == storage.Postgres {
					bad = strings.Contains(line, "Seq Scan on") && tables.MatchString(line)
				} else {
					bad = strings.Contains(line, "SCAN ") && tables.MatchString(line) && !strings.Contains(line, "INDEX")
				}
				if bad {
					t.Errorf("deal link query without an index:\n%s\nplan:\n%s", q, plan)
				}
			}
		}
		if n < 8 {
			t.Fatalf("only %d deal link queries captured", n)
		}
	})
}
