package storage_test

import (
	"context"
	"fmt"
	"testing"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

func matchNames(ms []models.NameMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Client.Name)
	}
	return out
}

// The name index finds what matching every client of the team finds: the
// same exact client and the same "did you mean" list, for typos, legal
// forms, containment and Chinese names, among many unrelated clients.
func TestClientCandidatesMatchAFullScan(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		team, _ := db.CreateTeam(ctx, "North", "UTC")
		other, _ := db.CreateTeam(ctx, "South", "UTC")
		var bulk []*models.Client
		for i := range 600 {
			bulk = append(bulk, &models.Client{TeamID: team.ID, Name: fmt.Sprintf("Company %d Trading", i), OwnerID: 1})
		}
		if err := db.InsertBulk(ctx, &storage.Bulk{Clients: bulk}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"Acme Corp", "Acme Logistics", "华为技术有限公司", "深圳腾讯", "Beta GmbH", "Plant 1", "Globex"} {
			if err := db.CreateClient(ctx, &models.Client{TeamID: team.ID, Name: n, OwnerID: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateClient(ctx, &models.Client{TeamID: other.ID, Name: "Acme Ltd", OwnerID: 1}); err != nil {
			t.Fatal(err)
		}
		all, _, err := db.Clients(ctx, storage.ClientFilter{Viewer: storage.System, TeamIDs: []int64{team.ID}, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		for _, typed := range []string{"acme corp.", "ACME Ltd", "Acme", "Acmee Corp", "华为", "华为公司", "腾讯", "Beta", "Plant 2",
			"Glob3x", "Company 17 Trading", "company 17", "Nothing Like It", "x", ""} {
			wantExact, wantClose := models.MatchClient(typed, all, 3)
			cands, err := db.ClientCandidates(ctx, storage.System, []int64{team.ID}, typed)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cands {
				if c.TeamID != team.ID {
					t.Fatalf("%q: candidate %q from another team", typed, c.Name)
				}
			}
			gotExact, gotClose := models.MatchClient(typed, cands, 3)
			if (wantExact == nil) != (gotExact == nil) || wantExact != nil && wantExact.ID != gotExact.ID {
				t.Errorf("%q: exact %v, want %v", typed, gotExact, wantExact)
			}
			if fmt.Sprint(matchNames(gotClose)) != fmt.Sprint(matchNames(wantClose)) {
				t.Errorf("%q: close %v, want %v", typed, matchNames(gotClose), matchNames(wantClose))
			}
		}
		// A renamed card is found by its new name only.
		c, _ := db.ClientByName(ctx, storage.System, team.ID, "Globex")
		c.Name = "Initech"
		if err := db.UpdateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if cands, _ := db.ClientCandidates(ctx, storage.System, []int64{team.ID}, "Glob3x"); len(cands) > 0 {
			for _, x := range cands {
				if x.ID == c.ID {
					t.Fatalf("old name still indexed: %+v", cands)
				}
			}
		}
		cands, _ := db.ClientCandidates(ctx, storage.System, []int64{team.ID}, "Initch")
		if _, close := models.MatchClient("Initch", cands, 3); len(close) != 1 || close[0].Client.ID != c.ID {
			t.Fatalf("new name: %v", matchNames(close))
		}
	})
}
