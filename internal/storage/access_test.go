package storage_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// Deactivation is per membership: the other team is untouched, the
// account stays active while one membership is, and the follow-ups of the
// team that deactivated the member are held while the other team's go out.
func TestDeactivateMemberIsPerTeam(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		clk.Set(t0)
		ctx := context.Background()
		north, _ := db.CreateTeam(ctx, "North", "UTC")
		south, _ := db.CreateTeam(ctx, "South", "UTC")
		inv := func(team int64, role models.Role) string {
			i, err := db.CreateInvite(ctx, team, role, 1, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return i.Code
		}
		p := storage.Profile{TelegramID: 700, ChatID: 700, Name: "Bo"}
		bo, _, err := db.Join(ctx, inv(north.ID, models.RoleRep), p)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Join(ctx, inv(south.ID, models.RoleRep), p); err != nil {
			t.Fatal(err)
		}
		fN, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: north.ID, OwnerID: bo.ID, Kind: models.KindReminder, Text: "n", DueAt: t0})
		fS, _ := db.CreateFollowUp(ctx, &models.FollowUp{TeamID: south.ID, OwnerID: bo.ID, Kind: models.KindReminder, Text: "s", DueAt: t0})

		if err := db.DeactivateMember(ctx, north.ID, bo.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := db.DeactivateMember(ctx, north.ID, bo.ID, 1); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("second deactivation: %v, want conflict", err)
		}
		u, _ := db.User(ctx, bo.ID)
		if !u.Active || u.RoleIn(north.ID) != models.RoleNone || u.RoleIn(south.ID) != models.RoleRep || u.PrimaryTeam() != south.ID {
			t.Fatalf("after deactivation in North: %+v", u)
		}
		due, _ := db.DueFollowUps(ctx, t0, 10)
		active := map[int64]bool{}
		for _, d := range due {
			active[d.ID] = d.Active
		}
		if len(due) != 2 || active[fN.ID] || !active[fS.ID] {
			t.Fatalf("due: %+v (North's must be held, South's sent)", due)
		}

		// Deactivated in both: the account is off.
		if err := db.DeactivateMember(ctx, south.ID, bo.ID, 1); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.TouchUser(ctx, p, false); u == nil || u.Active || u.Role() != models.RoleNone {
			t.Fatalf("deactivated everywhere: %+v", u)
		}
		// A third team's invite brings the account back, not North.
		east, _ := db.CreateTeam(ctx, "East", "UTC")
		res, err := db.UseInvite(ctx, inv(east.ID, models.RoleRep), p, false)
		if err != nil || res.Outcome != models.JoinNew {
			t.Fatalf("join East: %+v %v", res, err)
		}
		if res.User.RoleIn(north.ID) != models.RoleNone || res.User.RoleIn(south.ID) != models.RoleNone || !res.User.Active {
			t.Fatalf("after joining East: %+v", res.User)
		}
		res, err = db.UseInvite(ctx, inv(north.ID, models.RoleManager), p, false)
		if err != nil || res.Outcome != models.JoinRejoin || res.Was != models.RoleRep || res.User.RoleIn(north.ID) != models.RoleManager {
			t.Fatalf("rejoin North: %+v %v", res, err)
		}
		events, _ := db.MemberEvents(ctx, north.ID)
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); got != "join deactivate rejoin" {
			t.Fatalf("North's membership events: %s", got)
		}
	})
}

// A configured admin whose account was turned off is active again at the
// next contact.
func TestConfiguredAdminIsNeverLockedOut(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		p := storage.Profile{TelegramID: 1, ChatID: 1, Name: "Ada"}
		ada, _ := db.TouchUser(ctx, p, true)
		if err := db.SetActive(ctx, ada.ID, false); err != nil {
			t.Fatal(err)
		}
		again, err := db.TouchUser(ctx, p, true)
		if err != nil || !again.Active || again.Role() != models.RoleAdmin {
			t.Fatalf("configured admin: %+v %v", again, err)
		}
	})
}

// Reassigning many clients is chunked and one transaction.
func TestReassignManyClients(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		team, _ := db.CreateTeam(ctx, "North", "UTC")
		a, _ := db.TouchUser(ctx, storage.Profile{TelegramID: 10, Name: "A"}, true)
		b, _ := db.TouchUser(ctx, storage.Profile{TelegramID: 11, Name: "B"}, true)
		const n = 1203
		for i := range n {
			g := models.GradeB
			if i%3 == 0 {
				g = models.GradeA
			}
			c := &models.Client{TeamID: team.ID, Name: "Client " + strconv.Itoa(i), OwnerID: a.ID, Grade: g}
			if err := db.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		moved, err := db.Reassign(ctx, storage.Reassignment{TeamID: team.ID, FromID: a.ID, ToID: b.ID, ActorID: a.ID, Grade: models.GradeA})
		if err != nil || moved.Clients != 401 {
			t.Fatalf("grade A moved %+v %v", moved, err)
		}
		moved, err = db.Reassign(ctx, storage.Reassignment{TeamID: team.ID, FromID: a.ID, ToID: b.ID, ActorID: a.ID})
		if err != nil || moved.Clients != n-401 {
			t.Fatalf("rest moved %+v %v", moved, err)
		}
		h, _ := db.HoldingsOf(ctx, team.ID, b.ID)
		if h.TotalClients() != n || h.Clients[models.GradeA] != 401 {
			t.Fatalf("B holds %+v", h)
		}
	})
}
