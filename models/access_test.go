package models

import "testing"

func TestCheckMemberChange(t *testing.T) {
	const north, south = 1, 2
	member := func(id int64, ms ...Membership) *User {
		return &User{ID: id, Name: "u", Active: true, Memberships: ms}
	}
	in := func(team int64, role Role) Membership { return Membership{TeamID: team, Role: role, Active: true} }
	off := func(team int64, role Role) Membership { return Membership{TeamID: team, Role: role} }

	admin := &User{ID: 1, Active: true, IsAdmin: true}
	otherAdmin := &User{ID: 2, Active: true, IsAdmin: true, Memberships: []Membership{in(north, RoleRep)}}
	mgrNorth := member(3, in(north, RoleManager))
	mgrNorth2 := member(4, in(north, RoleManager))
	mgrSouth := member(5, in(south, RoleManager), in(north, RoleRep))
	rep := member(6, in(north, RoleRep), in(south, RoleRep))
	gone := member(7, off(north, RoleRep))

	deact := MemberChange{Deactivate: true}
	toMgr := MemberChange{Role: RoleManager}
	toRep := MemberChange{Role: RoleRep}
	cases := []struct {
		name          string
		actor, target *User
		team          int64
		ch            MemberChange
		wantKey       string // "" = allowed
	}{
		{"manager deactivates a rep of their team", mgrNorth, rep, north, deact, ""},
		{"manager promotes a rep of their team", mgrNorth, rep, north, toMgr, ""},
		{"manager of another team", mgrSouth, rep, north, deact, "err_not_your_team"},
		{"manager elsewhere, rep here", mgrSouth, mgrNorth, north, deact, "err_not_your_team"},
		{"a rep", rep, gone, north, deact, "err_not_your_team"},
		{"self", mgrNorth, mgrNorth, north, toRep, "err_self"},
		{"manager deactivates an admin", mgrNorth, otherAdmin, north, deact, "err_admin_only_admins"},
		{"manager promotes an admin's membership", mgrNorth, otherAdmin, north, toMgr, "err_admin_only_admins"},
		{"admin changes an admin", admin, otherAdmin, north, toMgr, ""},
		{"manager demotes a fellow manager", mgrNorth2, mgrNorth, north, toRep, "err_manager_peer"},
		{"manager deactivates a fellow manager", mgrNorth2, mgrNorth, north, deact, "err_manager_peer"},
		{"admin demotes a manager", admin, mgrNorth, north, toRep, ""},
		{"admin deactivates a manager", admin, mgrNorth, north, deact, ""},
		{"not a member of that team", mgrNorth, member(8, in(south, RoleRep)), north, deact, "err_user_not_found"},
		{"deactivated already", mgrNorth, gone, north, deact, "err_member_inactive"},
		{"deactivated is not promoted", mgrNorth, gone, north, toMgr, "err_member_inactive"},
		{"same role", mgrNorth, rep, north, toRep, "err_role_same"},
		{"south manager deactivates rep in south only", mgrSouth, rep, south, deact, ""},
	}
	for _, c := range cases {
		err := CheckMemberChange(c.actor, c.target, c.team, c.ch)
		var key string
		if e, ok := err.(*Error); ok {
			key = e.Key
		} else if err != nil {
			t.Fatalf("%s: non-domain error %v", c.name, err)
		}
		if key != c.wantKey {
			t.Errorf("%s: got %q, want %q", c.name, key, c.wantKey)
		}
	}
}

func TestJoinOutcome(t *testing.T) {
	u := &User{ID: 1, Active: true, Memberships: []Membership{
		{TeamID: 1, Role: RoleRep, Active: true}, {TeamID: 2, Role: RoleRep}}}
	cases := []struct {
		u    *User
		team int64
		role Role
		want JoinOutcome
	}{
		{nil, 1, RoleRep, JoinNew},
		{u, 3, RoleRep, JoinNew},
		{u, 2, RoleRep, JoinRejoin},     // deactivated there: only this team's invite revives it
		{u, 2, RoleManager, JoinRejoin}, // with the invite's role
		{u, 1, RoleRep, JoinAlready},
		{u, 1, RoleManager, JoinConfirm},
	}
	for _, c := range cases {
		if got := JoinOutcomeOf(c.u, c.team, c.role); got != c.want {
			t.Errorf("JoinOutcomeOf(team %d, %s) = %d, want %d", c.team, c.role, got, c.want)
		}
	}
}

func TestPrimaryTeamSkipsDeactivated(t *testing.T) {
	u := &User{Active: true, Memberships: []Membership{{TeamID: 1, Role: RoleManager}, {TeamID: 2, Role: RoleRep, Active: true},
		{TeamID: 3, Role: RoleRep, Active: true}}}
	if got := u.PrimaryTeam(); got != 2 {
		t.Fatalf("PrimaryTeam = %d, want 2 (team 1 is deactivated)", got)
	}
	if u.RoleIn(1) != RoleNone || u.Role() != RoleRep {
		t.Fatalf("deactivated membership still counts: RoleIn(1)=%q Role()=%q", u.RoleIn(1), u.Role())
	}
	u.CurrentTeamID = 3
	if got := u.PrimaryTeam(); got != 3 {
		t.Fatalf("chosen team: PrimaryTeam = %d, want 3", got)
	}
	u.CurrentTeamID = 1 // chose it, then was deactivated there
	if got := u.PrimaryTeam(); got != 2 {
		t.Fatalf("chosen but deactivated: PrimaryTeam = %d, want 2", got)
	}
}
