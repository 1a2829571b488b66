package models

// MemberChange is what a manager or admin does to one membership (a user
// in a team): deactivate it, or give it another role.
type MemberChange struct {
	Deactivate bool
	// Role is the new role when Deactivate is false.
	Role Role
}

// CheckMemberChange is the rule for changing a membership. Roles and
// deactivation belong to a membership, so every check is about one team:
//   - the actor must manage that team (be its manager, or an admin);
//   - nobody changes their own membership;
//   - admins (configured or not) are changed only by admins;
//   - a manager cannot demote or deactivate another manager of the same
//     team — only an admin can (there is no "team lead" above managers);
//   - a deactivated membership is not changed (it returns only through an
//     invite to that team).
//
// target's membership in teamID must exist; it may be inactive only for
// the error saying so.
func CheckMemberChange(actor, target *User, teamID int64, ch MemberChange) error {
	if !actor.CanManage(teamID) {
		return Errorf(EFORBIDDEN, "err_not_your_team", nil)
	}
	if actor.ID == target.ID {
		return Errorf(EFORBIDDEN, "err_self", nil)
	}
	m, ok := target.Membership(teamID)
	if !ok {
		return Errorf(ENOTFOUND, "err_user_not_found", map[string]any{"Name": target.Name})
	}
	if target.IsAdmin && !actor.IsAdmin {
		return Errorf(EFORBIDDEN, "err_admin_only_admins", map[string]any{"Name": target.Name})
	}
	if !m.Active {
		return Errorf(ECONFLICT, "err_member_inactive", map[string]any{"Name": target.Name})
	}
	if !ch.Deactivate && ch.Role == m.Role {
		return Errorf(ECONFLICT, "err_role_same", map[string]any{"Name": target.Name, "Role": m.Role})
	}
	lowers := ch.Deactivate || !ch.Role.AtLeast(m.Role)
	if m.Role.AtLeast(RoleManager) && lowers && !actor.IsAdmin {
		return Errorf(EFORBIDDEN, "err_manager_peer", map[string]any{"Name": target.Name})
	}
	return nil
}

// JoinOutcome says what an invite code does for the person using it.
type JoinOutcome int

// What an invite does, given the person's membership in the invite's team.
const (
	// JoinNew: not a member of that team yet; they join it.
	JoinNew JoinOutcome = iota
	// JoinRejoin: their membership there was deactivated; the invite (to
	// that same team) makes it active again with the invite's role.
	JoinRejoin
	// JoinConfirm: an active member whom the invite would give another
	// role; they must confirm before the code is used.
	JoinConfirm
	// JoinAlready: an active member with that role already; the code is
	// not used.
	JoinAlready
)

// JoinOutcomeOf decides what an invite to teamID for role does for u (nil
// for someone the bot does not know). Joining one team never touches the
// person's other memberships.
func JoinOutcomeOf(u *User, teamID int64, role Role) JoinOutcome {
	m, ok := u.Membership(teamID)
	switch {
	case !ok:
		return JoinNew
	case !m.Active:
		return JoinRejoin
	case m.Role == role:
		return JoinAlready
	}
	return JoinConfirm
}
