package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type inviteRow struct {
	ID        int64 `gorm:"primaryKey"`
	Code      string
	TeamID    int64
	Role      string
	CreatedBy int64
	ExpiresAt time.Time
	UsedBy    *int64
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (inviteRow) TableName() string { return "invites" }

func (r *inviteRow) model() *models.Invite {
	inv := &models.Invite{ID: r.ID, Code: r.Code, TeamID: r.TeamID, Role: models.Role(r.Role),
		CreatedBy: r.CreatedBy, ExpiresAt: r.ExpiresAt.UTC(), UsedAt: derefTime(r.UsedAt), CreatedAt: r.CreatedAt.UTC()}
	if r.UsedBy != nil {
		inv.UsedBy = *r.UsedBy
	}
	return inv
}

// CreateInvite makes a one-time code for joining teamID as role.
func (db *DB) CreateInvite(ctx context.Context, teamID int64, role models.Role, createdBy int64, ttl time.Duration) (*models.Invite, error) {
	team, err := db.Team(ctx, teamID)
	if err != nil {
		return nil, err
	}
	row := inviteRow{Code: models.NewInviteCode(), TeamID: teamID, Role: string(role),
		CreatedBy: createdBy, ExpiresAt: utc(db.Now().Add(ttl))}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("create invite for team %d: %w", teamID, err)
	}
	inv := row.model()
	inv.TeamName = team.Name
	return inv, nil
}

// JoinResult is what an invite code did.
type JoinResult struct {
	User    *models.User
	Invite  *models.Invite
	Outcome models.JoinOutcome
	// Was is the role the person had in the invite's team before (for a
	// rejoin or a change of role).
	Was models.Role
}

// Join uses an invite code: the person becomes an active member of the
// invite's team with its role. The code works once; unknown, used and
// expired codes are refused with a domain error saying which. An invite
// that would change an active member's role is not used without
// confirmation (UseInvite).
func (db *DB) Join(ctx context.Context, code string, p Profile) (*models.User, *models.Invite, error) {
	res, err := db.UseInvite(ctx, code, p, false)
	if err != nil {
		return nil, nil, err
	}
	return res.User, res.Invite, nil
}

// UseInvite uses an invite code (see models.JoinOutcomeOf for what it
// does). Only the invite's team changes: joining one team never revives a
// membership deactivated in another. When the code would give an active
// member another role and confirmed is false, nothing changes and the
// result's Outcome is JoinConfirm; an active member with that role already
// gets JoinAlready and the code stays unused.
func (db *DB) UseInvite(ctx context.Context, code string, p Profile, confirmed bool) (*JoinResult, error) {
	code = models.NormalizeInviteCode(code)
	now := db.Now()
	var (
		inv     inviteRow
		userID  int64
		outcome models.JoinOutcome
		was     models.Role
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("code = ?", code).Take(&inv).Error; err != nil {
			return translate(err, "err_invite_unknown", "")
		}
		if err := inv.model().Check(now); err != nil {
			return err
		}
		var u userRow
		err := tx.Where("telegram_id = ?", p.TelegramID).Take(&u).Error
		var current *models.User
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			u = userRow{TelegramID: p.TelegramID, ChatID: p.ChatID, Name: p.Name, Username: p.Username,
				Lang: p.Lang, Active: true, LastSeen: &now}
			if err := tx.Create(&u).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			var m memberRow
			switch err := tx.Where("team_id = ? AND user_id = ?", inv.TeamID, u.ID).Take(&m).Error; {
			case err == nil:
				current = &models.User{ID: u.ID, Memberships: []models.Membership{{TeamID: m.TeamID, Role: models.Role(m.Role), Active: m.Active}}}
				was = models.Role(m.Role)
			case !errors.Is(err, gorm.ErrRecordNotFound):
				return err
			}
		}
		userID = u.ID
		outcome = models.JoinOutcomeOf(current, inv.TeamID, models.Role(inv.Role))
		switch {
		case outcome == models.JoinAlready:
			return nil
		case outcome == models.JoinConfirm && !confirmed:
			return nil
		}
		// The guard on used_by makes two people racing for one code fail
		// safely: only one UPDATE matches.
		res := tx.Model(&inviteRow{}).Where("id = ? AND used_by IS NULL", inv.ID).
			Updates(map[string]any{"used_by": u.ID, "used_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ECONFLICT, "err_invite_used", nil)
		}
		if err := tx.Model(&u).Updates(map[string]any{"unreachable": false, "last_seen": now}).Error; err != nil {
			return err
		}
		if err := addMember(tx, inv.TeamID, u.ID, models.Role(inv.Role)); err != nil {
			return err
		}
		action := map[models.JoinOutcome]string{models.JoinNew: EventJoin, models.JoinRejoin: EventRejoin, models.JoinConfirm: EventRole}[outcome]
		if err := recordMemberEvent(tx, memberEventRow{TeamID: inv.TeamID, UserID: u.ID, ActorID: inv.CreatedBy,
			Action: action, Role: inv.Role, Detail: "invite " + inv.Code, At: utc(now)}); err != nil {
			return err
		}
		if err := syncUserActive(tx, u.ID); err != nil {
			return err
		}
		// Back (reactivated): what was held while they were away goes out
		// (the dispatcher holds again what belongs to a team they are
		// still deactivated in).
		return releaseHeld(tx, u.ID, now)
	})
	if err != nil {
		return nil, fmt.Errorf("join with invite: %w", err)
	}
	user, err := db.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	team, err := db.Team(ctx, inv.TeamID)
	if err != nil {
		return nil, err
	}
	m := inv.model()
	m.TeamName = team.Name
	return &JoinResult{User: user, Invite: m, Outcome: outcome, Was: was}, nil
}
