package storage_test

import (
	"testing"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// A team's settings and report schedule are its managers' (and admins')
// to change: storage refuses anyone else, whatever the bot checked, and
// nothing is written.
func TestTeamSettingsAreManagers(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		north, err := db.CreateTeam(ctx, "North", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		south, err := db.CreateTeam(ctx, "South", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		as := func(team int64, role models.Role) *models.User {
			return &models.User{ID: 7, Active: true, Memberships: []models.Membership{{TeamID: team, Role: role, Active: true}}}
		}
		rep, otherManager, manager := as(north.ID, models.RoleRep), as(south.ID, models.RoleManager), as(north.ID, models.RoleManager)
		days := 3
		for _, v := range []*models.User{rep, otherManager, nil} {
			if _, err := db.UpdateTeamSettings(ctx, v, north.ID, storage.TeamSettings{RevisitDays: &days}); models.ErrorCode(err) != models.EFORBIDDEN {
				t.Errorf("settings by %+v: err %v, want forbidden", v, err)
			}
			s := models.DefaultReportSettings()
			s.DigestOn = !s.DigestOn
			if err := db.SetTeamReportSettings(ctx, v, north.ID, s); models.ErrorCode(err) != models.EFORBIDDEN {
				t.Errorf("schedule by %+v: err %v, want forbidden", v, err)
			}
		}
		team, err := db.TeamByName(ctx, "North")
		if err != nil {
			t.Fatal(err)
		}
		if team.RevisitDays == days {
			t.Fatalf("a refused change was written: revisit days %d", team.RevisitDays)
		}
		if got, err := db.TeamReportSettings(ctx, north.ID); err != nil || got.DigestOn != models.DefaultReportSettings().DigestOn {
			t.Fatalf("a refused schedule was written: %+v, %v", got, err)
		}
		if team, err = db.UpdateTeamSettings(ctx, manager, north.ID, storage.TeamSettings{RevisitDays: &days}); err != nil || team.RevisitDays != days {
			t.Fatalf("the team's manager: %+v, %v", team, err)
		}
		if _, err := db.UpdateTeamSettings(ctx, storage.System, south.ID, storage.TeamSettings{RevisitDays: &days}); err != nil {
			t.Fatalf("System: %v", err)
		}
	})
}
