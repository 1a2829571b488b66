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

// Join uses an invite code: the person becomes an active member of the
// invite's team with its role. The code works once; unknown, used and
// expired codes are refused with a domain error saying which.
func (db *DB) Join(ctx context.Context, code string, p Profile) (*models.User, *models.Invite, error) {
	code = models.NormalizeInviteCode(code)
	now := db.Now()
	var (
		inv    inviteRow
		userID int64
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
			if err := tx.Model(&u).Updates(map[string]any{"active": true, "unreachable": false, "last_seen": now}).Error; err != nil {
				return err
			}
			// Back (reactivated): what was held while they were away goes out.
			if err := releaseHeld(tx, u.ID, now); err != nil {
				return err
			}
		}
		userID = u.ID
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
		return addMember(tx, inv.TeamID, u.ID, models.Role(inv.Role))
	})
	if err != nil {
		return nil, nil, fmt.Errorf("join with invite: %w", err)
	}
	user, err := db.User(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	team, err := db.Team(ctx, inv.TeamID)
	if err != nil {
		return nil, nil, err
	}
	m := inv.model()
	m.TeamName = team.Name
	return user, m, nil
}
