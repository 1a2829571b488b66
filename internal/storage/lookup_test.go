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

// LookupClient answers in one read what the name lookups it replaces
// answered in up to four: the client of the typed name the viewer may see
// (ClientsByKey), else a teammate's client of that name they may not
// (HiddenClientNamed), else the clients it may mean (ClientCandidates),
// for every viewer and name; and it counts the found client's open deals.
func TestLookupClientAnswersAsTheLookupsItReplaces(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		north, _ := db.CreateTeam(ctx, "North", "UTC")
		south, _ := db.CreateTeam(ctx, "South", "UTC")
		join := func(tg int64, name string, team int64, role models.Role) *models.User {
			i, err := db.CreateInvite(ctx, team, role, 1, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			u, _, err := db.Join(ctx, i.Code, storage.Profile{TelegramID: tg, ChatID: tg, Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		ann := join(801, "Ann", north.ID, models.RoleRep)
		bea := join(802, "Bea", north.ID, models.RoleRep)
		max := join(803, "Max", north.ID, models.RoleManager)
		sam := join(804, "Sam", south.ID, models.RoleRep)
		client := func(team, owner int64, name string) *models.Client {
			c := &models.Client{TeamID: team, Name: name, OwnerID: owner}
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		acme := client(north.ID, ann.ID, "Acme Corp")
		client(north.ID, ann.ID, "Acme Logistics")
		client(north.ID, bea.ID, "Globex")
		client(north.ID, bea.ID, "Acme Trading")
		client(south.ID, sam.ID, "Initech")
		client(south.ID, sam.ID, "Acme Corp")
		for i := range 30 {
			client(north.ID, bea.ID, fmt.Sprintf("Company %d", i))
		}
		// Acme Corp has two open deals and a won one.
		var deals []*models.Deal
		for _, title := range []string{"Pilot", "Rollout", "Renewal"} {
			d := &models.Deal{ClientID: acme.ID, Title: title}
			if err := db.CreateDeal(ctx, ann, d); err != nil {
				t.Fatal(err)
			}
			deals = append(deals, d)
		}
		if _, err := db.CloseDeal(ctx, ann, deals[0].ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); err != nil {
			t.Fatal(err)
		}
		ids := func(cs []*models.Client) string {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return fmt.Sprint(out)
		}
		for _, v := range []*models.User{ann, bea, max, sam, storage.System} {
			for _, teams := range [][]int64{{north.ID}, {north.ID, south.ID}} {
				typeds := []string{"acme corp.", "ACME Logistics", "Globex", "Acme", "Acmee Corp", "Initech", "Company 7", "Nothing", ""}
				// All the names at once (the prefixes of an unseparated
				// /visit) answer as each alone: the client, or the hidden
				// one without its owner's name.
				many, err := db.LookupClientNames(ctx, v, teams, typeds)
				if err != nil {
					t.Fatal(err)
				}
				for _, typed := range typeds {
					what := fmt.Sprintf("%s in %v types %q among others", v.Name, teams, typed)
					one, err := db.LookupClient(ctx, v, teams, typed)
					if err != nil {
						t.Fatal(err)
					}
					if one.Hidden != nil {
						one.Hidden.OwnerName = ""
					}
					got := many[models.NameKey(typed)]
					switch {
					case one.Exact == nil && one.Hidden == nil:
						if got != nil {
							t.Errorf("%s: %+v, want nothing", what, got)
						}
					case got == nil:
						t.Errorf("%s: nothing, want %+v", what, one)
					case fmt.Sprint(got.Exact, got.OpenDeals, got.OpenDeal, got.Hidden) != fmt.Sprint(one.Exact, one.OpenDeals, one.OpenDeal, one.Hidden) || got.Candidates != nil:
						t.Errorf("%s: %+v, want %+v", what, got, one)
					}
				}
				for _, typed := range typeds {
					what := fmt.Sprintf("%s in %v types %q", v.Name, teams, typed)
					got, err := db.LookupClient(ctx, v, teams, typed)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					same, _ := db.ClientsByKey(ctx, v, teams, typed)
					if len(same) > 0 {
						if got.Exact == nil || got.Exact.ID != same[0].ID || got.Hidden != nil || got.Candidates != nil {
							t.Errorf("%s: %+v, want client %d", what, got, same[0].ID)
						}
						continue
					}
					if got.Exact != nil {
						t.Errorf("%s: found %q, want none", what, got.Exact.Name)
						continue
					}
					hidden, _ := db.HiddenClientNamed(ctx, v, teams, typed)
					if fmt.Sprint(got.Hidden) != fmt.Sprint(hidden) {
						t.Errorf("%s: hidden %+v, want %+v", what, got.Hidden, hidden)
					}
					if hidden != nil {
						continue
					}
					cands, _ := db.ClientCandidates(ctx, v, teams, typed)
					if ids(got.Candidates) != ids(cands) {
						t.Errorf("%s: candidates %s, want %s", what, ids(got.Candidates), ids(cands))
					}
				}
			}
		}
		got, _ := db.LookupClient(ctx, ann, []int64{north.ID}, "Acme Corp")
		if got.Exact == nil || got.OpenDeals != 2 {
			t.Fatalf("Acme Corp: %+v, want 2 open deals", got)
		}
		if _, err := db.CloseDeal(ctx, ann, deals[2].ID, func(d *models.Deal) error { return d.Won(clk.Now(), 0, models.Money{}) }); err != nil {
			t.Fatal(err)
		}
		got, _ = db.LookupClient(ctx, ann, []int64{north.ID}, "Acme Corp")
		if got.Exact == nil || got.OpenDeals != 1 || got.OpenDeal != deals[1].ID {
			t.Fatalf("Acme Corp: %+v, want its one open deal %d", got, deals[1].ID)
		}
		got, _ = db.LookupClient(ctx, ann, []int64{north.ID}, "Acme Logistics")
		if got.Exact == nil || got.OpenDeals != 0 || got.OpenDeal != 0 {
			t.Fatalf("Acme Logistics: %+v, want no open deals", got)
		}
		// Bea's Globex is hidden from Ann, with its owner; Sam's Initech is
		// in a team Ann is not in, so it is not even hidden.
		if got, _ := db.LookupClient(ctx, ann, []int64{north.ID}, "globex"); got.Hidden == nil || got.Hidden.OwnerName != "Bea" {
			t.Fatalf("Globex for Ann: %+v", got)
		}
		if got, _ := db.LookupClient(ctx, ann, []int64{north.ID, south.ID}, "initech"); got.Hidden != nil || got.Exact != nil {
			t.Fatalf("Initech for Ann: %+v", got)
		}
	})
}
