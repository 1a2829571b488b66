// Package models holds salesbot's domain: teams and people, client cards,
// visits, objections, follow-ups and plans, and the rules of the key-account
// sales process that tie them together. It does no I/O; storage and the
// Telegram layer depend on it, never the other way round.
package models

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a person may do in a team.
type Role string

// Roles, from least to most rights. Admin is a property of a user, not of a
// membership: admins run every team.
const (
	RoleNone    Role = ""
	RoleRep     Role = "rep"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Roles lists the roles a person can have, least rights first (RoleNone,
// a visitor, is not one).
var Roles = []Role{RoleRep, RoleManager, RoleAdmin}

func (r Role) rank() int {
	switch r {
	case RoleRep:
		return 1
	case RoleManager:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// AtLeast reports whether r has at least the rights of other.
func (r Role) AtLeast(other Role) bool { return r.rank() >= other.rank() }

// Team is a sales team with its own settings.
type Team struct {
	ID   int64
	Name string
	// TZ is the IANA zone in which the team's schedules run.
	TZ string
	// RevisitDays is the one-week rule's interval.
	RevisitDays int
	// Hours say when follow-ups may reach the team's people.
	Hours WorkingHours
	// SharedClients lets every rep of the team see all its clients (not
	// only those they own or that were shared with them).
	SharedClients bool
	// Currency is the ISO code amounts typed without one are in (deals,
	// value targets); "" until a manager sets it.
	Currency  string
	CreatedAt time.Time
}

// Location returns the team's zone, UTC if it is unknown.
func (t *Team) Location() *time.Location { return LoadLocation(t.TZ) }

// LoadLocation returns the named zone or UTC when the name is empty or bad.
func LoadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ParseZone reads an IANA time zone name as people type it: case does not
// matter ("asia/shanghai", "AMERICA/NEW_YORK", "utc"). "Local" (the
// server's zone) and "" are refused: a team's zone must not depend on the
// machine. The one rule for /tz, /settings tz and --tz.
func ParseZone(name string) (*time.Location, bool) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") {
		return nil, false
	}
	for _, try := range []string{name, zoneCase(name), strings.ToUpper(name)} {
		if loc, err := time.LoadLocation(try); err == nil {
			return loc, true
		}
	}
	return nil, false
}

// zoneCase spells a zone name the way the tz database does for nearly all
// of its names: each word capitalised ("america/new_york" →
// "America/New_York", "america/port-au-prince" → "America/Port-Au-Prince"
// misses the few with lower-case words, which must be typed as listed).
func zoneCase(name string) string {
	b := []rune(strings.ToLower(name))
	up := true
	for i, r := range b {
		if up {
			b[i] = unicode.ToUpper(r)
		}
		up = r == '/' || r == '_' || r == '-'
	}
	return string(b)
}

// DefaultRevisitDays is the one-week rule.
const DefaultRevisitDays = 7

// RevisitInterval is a team's revisit interval in days as applied: the
// team's setting, or DefaultRevisitDays when it has none.
func RevisitInterval(teamDays int) int {
	if teamDays <= 0 {
		return DefaultRevisitDays
	}
	return teamDays
}

// MaxRevisitDays bounds the revisit interval. (There is no team-wide
// "off": a rep turns the follow-up off per visit.)
const MaxRevisitDays = 90

// MaxTeamNameLen bounds team names so they fit in buttons and lists.
const MaxTeamNameLen = 64

// ValidateTeamName checks a new team's name.
func ValidateTeamName(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return Errorf(EINVALID, "err_team_name_empty", nil)
	}
	if utf8.RuneCountInString(name) > MaxTeamNameLen {
		return Errorf(EINVALID, "err_team_name_long", map[string]any{"Max": MaxTeamNameLen})
	}
	return nil
}

// User is a person known to the bot: a Telegram account that joined.
type User struct {
	ID         int64
	TelegramID int64
	// ChatID is the private chat the bot writes to.
	ChatID   int64
	Name     string
	Username string
	Lang     string
	TZ       string
	IsAdmin  bool
	Active   bool
	// Unreachable is set when Telegram refused a message to the user (they
	// blocked the bot); cleared when they write again.
	Unreachable bool
	// Away pauses the user's follow-ups (zero: not away).
	Away      Away
	LastSeen  time.Time
	CreatedAt time.Time
	// Memberships are the teams this user belongs to, with the role in
	// each, active or deactivated.
	Memberships []Membership
	// CurrentTeamID is the team the user chose for their entries (/team
	// use NAME); 0 or a team they left: their first active team.
	CurrentTeamID int64
}

// Membership places a user in a team with a role.
type Membership struct {
	TeamID   int64
	TeamName string
	// TeamTZ is the team's zone, the member's when they set none.
	TeamTZ string
	Role   Role
	// SharedClients is the team's setting: its reps see all its clients.
	SharedClients bool
	// RevisitDays is the team's revisit interval as stored (0: the
	// default; RevisitInterval reads it).
	RevisitDays int
	// Active is false once a manager deactivated the member in this team;
	// only an invite to the same team makes it active again.
	Active bool
}

// Membership returns the user's membership in a team, active or not.
func (u *User) Membership(teamID int64) (Membership, bool) {
	if u != nil {
		for _, m := range u.Memberships {
			if m.TeamID == teamID {
				return m, true
			}
		}
	}
	return Membership{}, false
}

// ActiveMemberships are the teams the user may work in, first joined first.
func (u *User) ActiveMemberships() []Membership {
	if u == nil {
		return nil
	}
	var out []Membership
	for _, m := range u.Memberships {
		if m.Active {
			out = append(out, m)
		}
	}
	return out
}

// Role is the user's highest role anywhere.
func (u *User) Role() Role {
	if u == nil || !u.Active {
		return RoleNone
	}
	if u.IsAdmin {
		return RoleAdmin
	}
	best := RoleNone
	for _, m := range u.ActiveMemberships() {
		if m.Role.AtLeast(best) {
			best = m.Role
		}
	}
	return best
}

// RoleIn is the user's role in one team (admins are managers everywhere).
func (u *User) RoleIn(teamID int64) Role {
	if u == nil || !u.Active {
		return RoleNone
	}
	if u.IsAdmin {
		return RoleAdmin
	}
	if m, ok := u.Membership(teamID); ok && m.Active {
		return m.Role
	}
	return RoleNone
}

// CanManage reports whether the user may invite to, promote in and
// deactivate members of the team.
func (u *User) CanManage(teamID int64) bool { return u.RoleIn(teamID).AtLeast(RoleManager) }

// PrimaryTeam is the team a command without a team name acts on and new
// entries go to: the one chosen with /team use, else the first team the
// user is an active member of, 0 if none.
func (u *User) PrimaryTeam() int64 {
	active := u.ActiveMemberships()
	for _, m := range active {
		if m.TeamID == u.CurrentTeamID {
			return m.TeamID
		}
	}
	if len(active) == 0 {
		return 0
	}
	return active[0].TeamID
}

// Location returns the user's zone: their own, else their entries team's,
// else def.
func (u *User) Location(def *time.Location) *time.Location {
	switch {
	case u == nil:
		return def
	case u.TZ != "":
		return LoadLocation(u.TZ)
	}
	if m, ok := u.Membership(u.PrimaryTeam()); ok && m.TeamTZ != "" {
		return LoadLocation(m.TeamTZ)
	}
	return def
}
