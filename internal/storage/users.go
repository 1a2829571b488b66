package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type userRow struct {
	ID          int64 `gorm:"primaryKey"`
	TelegramID  int64
	ChatID      int64
	Name        string
	Username    string
	Lang        string
	TZ          string
	IsAdmin     bool
	Active      bool
	Unreachable bool
	AwayFrom    *time.Time
	AwayUntil   *time.Time
	LastSeen    *time.Time
	// CurrentTeamID is the team chosen for new entries (/team use).
	CurrentTeamID int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (userRow) TableName() string { return "users" }

// memberRow is a membership. users.active is derived from these rows (see
// syncUserActive): a user is active while they are an admin or have at
// least one active membership.
type memberRow struct {
	ID            int64 `gorm:"primaryKey"`
	TeamID        int64
	UserID        int64
	Role          string
	Active        bool
	DeactivatedAt *time.Time
	CreatedAt     time.Time
}

func (memberRow) TableName() string { return "members" }

func (r *userRow) model() *models.User {
	return &models.User{
		ID: r.ID, TelegramID: r.TelegramID, ChatID: r.ChatID, Name: r.Name, Username: r.Username,
		Lang: r.Lang, TZ: r.TZ, IsAdmin: r.IsAdmin, Active: r.Active, Unreachable: r.Unreachable,
		Away:     models.Away{From: derefTime(r.AwayFrom), Until: derefTime(r.AwayUntil)},
		LastSeen: derefTime(r.LastSeen), CreatedAt: r.CreatedAt.UTC(), CurrentTeamID: r.CurrentTeamID,
	}
}

// Profile is what Telegram tells about a person on each update.
type Profile struct {
	TelegramID int64
	ChatID     int64
	Name       string
	Username   string
	// Lang is the language Telegram reports; used only when the user has
	// not chosen one.
	Lang string
}

// TouchUser records that a known user wrote now and returns them with their
// memberships. A stranger (no row) returns nil, nil and is not stored, unless
// admin is true: configured admins are created on first contact.
func (db *DB) TouchUser(ctx context.Context, p Profile, admin bool) (*models.User, error) {
	u, _, err := db.TouchSender(ctx, p, admin)
	return u, err
}

// TouchSender is TouchUser that also returns the user's open form (nil:
// none), read in the same query: who sent an update, in what teams, and
// what question waits for their answer is one read per update.
func (db *DB) TouchSender(ctx context.Context, p Profile, admin bool) (*models.User, *SavedForm, error) {
	now := db.Now()
	g := db.conn(ctx)
	row, u, form, err := db.loadUser(ctx, "users.telegram_id = ?", p.TelegramID)
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("get user %d: %w", p.TelegramID, err)
	case row == nil:
		if !admin {
			return nil, nil, nil
		}
		row = &userRow{TelegramID: p.TelegramID, ChatID: p.ChatID, Name: p.Name, Username: p.Username,
			Lang: p.Lang, IsAdmin: true, Active: true, LastSeen: &now}
		if err := g.Create(row).Error; err != nil {
			return nil, nil, fmt.Errorf("create admin %d: %w", p.TelegramID, err)
		}
		return row.model(), nil, nil // new: no memberships, no form
	}
	// Most updates change nothing about the user: a read is enough unless
	// something changed or last_seen is more than a minute old.
	updates := map[string]any{}
	if row.LastSeen == nil || now.Sub(*row.LastSeen) >= time.Minute {
		updates["last_seen"] = now
		row.LastSeen = &now
	}
	if p.Name != row.Name {
		updates["name"] = p.Name
		row.Name = p.Name
	}
	if p.Username != row.Username {
		updates["username"] = p.Username
		row.Username = p.Username
	}
	if p.ChatID != 0 && p.ChatID != row.ChatID {
		updates["chat_id"] = p.ChatID
		row.ChatID = p.ChatID
	}
	if admin && (!row.IsAdmin || !row.Active) {
		// A configured admin is an admin even if they joined as a rep
		// first, and can never be locked out: whatever happened to their
		// memberships, the configuration wins at every contact.
		updates["is_admin"], updates["active"] = true, true
		row.IsAdmin, row.Active = true, true
	}
	if len(updates) > 0 {
		if err := g.Model(&userRow{ID: row.ID}).Updates(updates).Error; err != nil {
			return nil, nil, fmt.Errorf("touch user %d: %w", p.TelegramID, err)
		}
	}
	if row.Unreachable {
		// They write to the bot again, so it may write to them: what was
		// held for them goes out now.
		if err := db.SetUnreachable(ctx, row.ID, false); err != nil {
			return nil, nil, err
		}
		row.Unreachable = false
	}
	fresh := row.model()
	fresh.Memberships = u.Memberships
	return fresh, form, nil
}

// senderRow is a row of loadUser's query: the user, one membership (NULLs
// for a user in no team) and the open form (NULLs: none).
type senderRow struct {
	User       userRow `gorm:"embedded"`
	MTeamID    *int64
	MTeamName  *string
	MTeamTZ    *string
	MRole      *string
	MActive    *bool
	MShared    *bool
	MRevisit   *int
	FKind      *string
	FState     *string
	FUpdatedAt *time.Time
}

// loadUser reads the user where says (a condition on users), with their
// memberships in membership order and their open form, in one query. A
// user that does not exist is a nil row and no error.
func (db *DB) loadUser(ctx context.Context, where string, arg any) (*userRow, *models.User, *SavedForm, error) {
	var rows []senderRow
	err := db.conn(ctx).Raw(senderSQL(where), arg).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, nil, nil, err
	}
	row := rows[0].User
	u := row.model()
	for _, r := range rows {
		if r.MTeamID == nil {
			continue
		}
		u.Memberships = append(u.Memberships, models.Membership{TeamID: *r.MTeamID, TeamName: deref(r.MTeamName),
			TeamTZ: deref(r.MTeamTZ), Role: models.Role(deref(r.MRole)), Active: derefBool(r.MActive), SharedClients: derefBool(r.MShared), RevisitDays: derefInt(r.MRevisit)})
	}
	var form *SavedForm
	if f := rows[0]; f.FKind != nil {
		form = &SavedForm{UserID: row.ID, Kind: *f.FKind, State: json.RawMessage(deref(f.FState)), UpdatedAt: derefTime(f.FUpdatedAt)}
	}
	return &row, u, form, nil
}

// senderSQL is loadUser's query. Each join is an index lookup
// (idx_members_user_id, then primary keys: TestSenderQueryUsesIndexes); a
// membership whose team is gone (t.id NULL) is left out, as an inner join
// would. (SQLite materializes a parenthesized join of members and teams:
// every membership, every time.)
func senderSQL(where string) string {
	return `SELECT users.*, t.id AS m_team_id, t.name AS m_team_name, t.tz AS m_team_tz,
		m.role AS m_role, m.active AS m_active, t.shared_clients AS m_shared, t.revisit_days AS m_revisit,
		f.kind AS f_kind, f.state AS f_state, f.updated_at AS f_updated_at
		FROM users
		LEFT JOIN members m ON m.user_id = users.id
		LEFT JOIN teams t ON t.id = m.team_id
		LEFT JOIN forms f ON f.user_id = users.id
		WHERE ` + where + ` ORDER BY m.id`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefBool(b *bool) bool { return b != nil && *b }

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// SetUnreachable records that Telegram refuses messages to the user (403:
// they blocked the bot), or that they are back. Back, their held
// follow-ups are released to be sent at once (marked late where they are).
func (db *DB) SetUnreachable(ctx context.Context, userID int64, unreachable bool) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", userID).Update("unreachable", unreachable).Error; err != nil {
			return err
		}
		if unreachable {
			return nil
		}
		return releaseHeld(tx, userID, db.Now())
	})
	if err != nil {
		return fmt.Errorf("set unreachable=%v for user %d: %w", unreachable, userID, err)
	}
	return nil
}

// SetAway pauses the user's follow-ups for a period (zero Away: not away).
func (db *DB) SetAway(ctx context.Context, userID int64, a models.Away) error {
	err := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"away_from": timePtr(a.From), "away_until": timePtr(a.Until)}).Error
	if err != nil {
		return fmt.Errorf("set away period of user %d: %w", userID, err)
	}
	return nil
}

// UnreachableMembers lists the active members of a team whom Telegram
// refuses to reach (for the manager's digest).
func (db *DB) UnreachableMembers(ctx context.Context, teamID int64) ([]*models.User, error) {
	var rows []userRow
	err := db.conn(ctx).
		Joins("JOIN members ON members.user_id = users.id AND members.team_id = ?", teamID).
		Where("users.unreachable = ? AND members.active = ?", true, true).
		Order("users.name, users.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list unreachable members of team %d: %w", teamID, err)
	}
	out := make([]*models.User, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// User returns a user by id, with memberships.
func (db *DB) User(ctx context.Context, id int64) (*models.User, error) {
	return db.userWhere(ctx, "users.id = ?", id, "get user %d: %w")
}

// userWhere is loadUser without the form; a missing user is
// err_user_not_found, reported with what (taking arg and the error).
func (db *DB) userWhere(ctx context.Context, where string, arg any, what string) (*models.User, error) {
	row, u, _, err := db.loadUser(ctx, where, arg)
	if err == nil && row == nil {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf(what, arg, translate(err, "err_user_not_found", ""))
	}
	return u, nil
}

// UserByTelegramID returns a user by Telegram id, with memberships.
func (db *DB) UserByTelegramID(ctx context.Context, tgID int64) (*models.User, error) {
	return db.userWhere(ctx, "users.telegram_id = ?", tgID, "get user by telegram id %d: %w")
}

// UserByUsername finds an active or inactive user by @username or name
// within a team (case-insensitive).
func (db *DB) UserByHandle(ctx context.Context, teamID int64, handle string) (*models.User, error) {
	var row userRow
	err := db.conn(ctx).
		Joins("JOIN members ON members.user_id = users.id AND members.team_id = ?", teamID).
		Where("LOWER(users.username) = LOWER(?) OR LOWER(users.name) = LOWER(?)", handle, handle).
		Order("users.id").Take(&row).Error
	if err != nil {
		return nil, fmt.Errorf("find user %q in team %d: %w", handle, teamID, translate(err, "err_user_not_found", ""))
	}
	return db.userWhere(ctx, "users.id = ?", row.ID, "get user %d: %w")
}

// CountUsers counts every user, active or not.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := db.conn(ctx).Model(&userRow{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetUserLang stores the user's chosen language.
func (db *DB) SetUserLang(ctx context.Context, userID int64, lang string) error {
	err := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Update("lang", lang).Error
	if err != nil {
		return fmt.Errorf("set language of user %d: %w", userID, err)
	}
	return nil
}

// SetUserTZ stores the user's time zone.
func (db *DB) SetUserTZ(ctx context.Context, userID int64, tz string) error {
	err := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Update("tz", tz).Error
	if err != nil {
		return fmt.Errorf("set time zone of user %d: %w", userID, err)
	}
	return nil
}

// AddMember puts a user in a team with a role, or changes their role
// there; the membership is active. For set-up (the console, tests): the
// bot's changes go through SetMemberRole and Join.
func (db *DB) AddMember(ctx context.Context, teamID, userID int64, role models.Role) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := addMember(tx, teamID, userID, role); err != nil {
			return err
		}
		return syncUserActive(tx, userID)
	})
}

// addMember makes the membership exist, active, with the role.
func addMember(tx *gorm.DB, teamID, userID int64, role models.Role) error {
	res := tx.Model(&memberRow{}).Where("team_id = ? AND user_id = ?", teamID, userID).
		Updates(map[string]any{"role": string(role), "active": true, "deactivated_at": nil})
	if res.Error != nil {
		return fmt.Errorf("set role in team %d for user %d: %w", teamID, userID, res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	if err := tx.Create(&memberRow{TeamID: teamID, UserID: userID, Role: string(role), Active: true}).Error; err != nil {
		return fmt.Errorf("add user %d to team %d: %w", userID, teamID, err)
	}
	return nil
}

// syncUserActive derives users.active from the memberships: an admin, or
// someone with an active membership, may use the bot.
func syncUserActive(tx *gorm.DB, userID int64) error {
	err := tx.Exec(`UPDATE users SET active = (is_admin OR EXISTS (
		SELECT 1 FROM members WHERE members.user_id = users.id AND members.active)) WHERE id = ?`, userID).Error
	if err != nil {
		return fmt.Errorf("update active state of user %d: %w", userID, err)
	}
	return nil
}

// MemberEvent actions, as kept in member_events.
const (
	EventJoin       = "join"
	EventRejoin     = "rejoin"
	EventRole       = "role"
	EventDeactivate = "deactivate"
	EventReassign   = "reassign"
)

type memberEventRow struct {
	ID      int64 `gorm:"primaryKey"`
	TeamID  int64
	UserID  int64
	ActorID int64
	Action  string
	Role    string
	Detail  string
	At      time.Time
}

func (memberEventRow) TableName() string { return "member_events" }

func recordMemberEvent(tx *gorm.DB, e memberEventRow) error {
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("record %s of user %d in team %d: %w", e.Action, e.UserID, e.TeamID, err)
	}
	return nil
}

// MemberEvent is one change to a membership: who did what to whom, when.
type MemberEvent struct {
	UserID, ActorID int64
	Action          string
	Role            models.Role
	Detail          string
	At              time.Time
	// A reassignment's new owner and what moved (read back from Detail).
	ToID, Clients, FollowUps int64
}

func (r memberEventRow) model() MemberEvent {
	e := MemberEvent{UserID: r.UserID, ActorID: r.ActorID, Action: r.Action, Role: models.Role(r.Role), Detail: r.Detail, At: r.At.UTC()}
	if r.Action == EventReassign {
		// Written by Reassign as "to user N: N clients, N follow-ups…".
		_, _ = fmt.Sscanf(r.Detail, "to user %d: %d clients, %d follow-ups", &e.ToID, &e.Clients, &e.FollowUps)
	}
	return e
}

// MemberEvents lists a team's membership changes, oldest first.
func (db *DB) MemberEvents(ctx context.Context, teamID int64) ([]MemberEvent, error) {
	var rows []memberEventRow
	if err := db.conn(ctx).Where("team_id = ?", teamID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list membership changes of team %d: %w", teamID, err)
	}
	out := make([]MemberEvent, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// SetMemberRole changes a member's role in one team, recording who did it.
// The caller has checked models.CheckMemberChange.
func (db *DB) SetMemberRole(ctx context.Context, teamID, userID, actorID int64, role models.Role) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&memberRow{}).Where("team_id = ? AND user_id = ? AND active", teamID, userID).Update("role", string(role))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENOTFOUND, "err_user_not_found", nil)
		}
		return recordMemberEvent(tx, memberEventRow{TeamID: teamID, UserID: userID, ActorID: actorID, Action: EventRole, Role: string(role), At: utc(db.Now())})
	})
	if err != nil {
		return fmt.Errorf("set role of user %d in team %d: %w", userID, teamID, err)
	}
	return nil
}

// DeactivateMember turns off a user's membership in one team; their other
// memberships stay. Their data stays with the team. Their follow-ups of
// that team are held while the membership is off (see DueFollowUps).
func (db *DB) DeactivateMember(ctx context.Context, teamID, userID, actorID int64) error {
	now := utc(db.Now())
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&memberRow{}).Where("team_id = ? AND user_id = ? AND active", teamID, userID).
			Updates(map[string]any{"active": false, "deactivated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ECONFLICT, "err_member_inactive", nil)
		}
		if err := recordMemberEvent(tx, memberEventRow{TeamID: teamID, UserID: userID, ActorID: actorID, Action: EventDeactivate, At: now}); err != nil {
			return err
		}
		return syncUserActive(tx, userID)
	})
	if err != nil {
		return fmt.Errorf("deactivate user %d in team %d: %w", userID, teamID, err)
	}
	return nil
}

// SetActive deactivates or reactivates every membership of a user at
// once (for set-up and tests; the bot deactivates per team). Their data
// stays; their follow-ups are held while they are inactive and go out
// when they are active again.
func (db *DB) SetActive(ctx context.Context, userID int64, active bool) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&memberRow{}).Where("user_id = ?", userID).Update("active", active).Error; err != nil {
			return err
		}
		if err := syncUserActive(tx, userID); err != nil {
			return err
		}
		if !active {
			return nil
		}
		return releaseHeld(tx, userID, db.Now())
	})
	if err != nil {
		return fmt.Errorf("set active=%v for user %d: %w", active, userID, err)
	}
	return nil
}

// SetCurrentTeam records the team the user's new entries go to.
func (db *DB) SetCurrentTeam(ctx context.Context, userID, teamID int64) error {
	err := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Update("current_team_id", teamID).Error
	if err != nil {
		return fmt.Errorf("set entries team of user %d: %w", userID, err)
	}
	return nil
}

// Member is a user as listed in a team, with their membership there.
type Member struct {
	User *models.User
	Role models.Role
	// Active is the membership's state (User.Active is the account's).
	Active bool
}

// Members lists a team's members, active first, then by name.
func (db *DB) Members(ctx context.Context, teamID int64) ([]Member, error) {
	var users []userRow
	err := db.conn(ctx).
		Joins("JOIN members ON members.user_id = users.id").
		Where("members.team_id = ?", teamID).
		Order("members.active DESC, users.name, users.id").Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("list members of team %d: %w", teamID, err)
	}
	var roles []memberRow
	if err := db.conn(ctx).Where("team_id = ?", teamID).Find(&roles).Error; err != nil {
		return nil, fmt.Errorf("list roles in team %d: %w", teamID, err)
	}
	byUser := make(map[int64]memberRow, len(roles))
	for _, r := range roles {
		byUser[r.UserID] = r
	}
	out := make([]Member, len(users))
	for i := range users {
		m := byUser[users[i].ID]
		out[i] = Member{User: users[i].model(), Role: models.Role(m.Role), Active: m.Active}
	}
	return out, nil
}
