package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type clientOwnerChangeRow struct {
	ID       int64 `gorm:"primaryKey"`
	ClientID int64
	FromID   int64
	ToID     int64
	ActorID  int64
	At       time.Time
}

func (clientOwnerChangeRow) TableName() string { return "client_owner_changes" }

// Holdings is what a member owns in a team: clients by grade and open
// follow-ups.
type Holdings struct {
	// Clients counts the member's clients by grade ("" for ungraded).
	Clients   map[models.Grade]int
	FollowUps int
}

// TotalClients is the number of clients over all grades.
func (h Holdings) TotalClients() int {
	n := 0
	for _, c := range h.Clients {
		n += c
	}
	return n
}

// HoldingsOf counts a member's clients (by grade) and open follow-ups in a
// team, for offering to hand them to someone else.
func (db *DB) HoldingsOf(ctx context.Context, teamID, userID int64) (Holdings, error) {
	g := db.conn(ctx)
	var rows []struct {
		Grade string
		N     int
	}
	err := g.Model(&clientRow{}).Select("grade, COUNT(*) AS n").
		Where("team_id = ? AND owner_id = ?", teamID, userID).Group("grade").Scan(&rows).Error
	if err != nil {
		return Holdings{}, fmt.Errorf("count clients of user %d in team %d: %w", userID, teamID, err)
	}
	h := Holdings{Clients: map[models.Grade]int{}}
	for _, r := range rows {
		h.Clients[models.Grade(r.Grade)] = r.N
	}
	var n int64
	err = g.Model(&followUpRow{}).Where("team_id = ? AND owner_id = ? AND state IN ?", teamID, userID, openStates).Count(&n).Error
	if err != nil {
		return Holdings{}, fmt.Errorf("count open follow-ups of user %d in team %d: %w", userID, teamID, err)
	}
	h.FollowUps = int(n)
	return h, nil
}

// Reassignment says which of a member's clients go to whom.
type Reassignment struct {
	TeamID, FromID, ToID, ActorID int64
	// Grade, when set, moves only the clients of that grade; otherwise all
	// clients go, and with them the open follow-ups that belong to no
	// client (reminders, plan reminders).
	Grade models.Grade
	// ClientID, when set, moves only that client.
	ClientID int64
}

// Reassigned is what a reassignment moved.
type Reassigned struct {
	Clients, FollowUps int
}

// Reassign hands clients of one member to another member of the same team,
// with their open follow-ups, in one transaction. Every moved client gets
// a client_owner_changes row (who moved it, from whom, to whom) and the
// team's member_events a summary. The caller has checked that the actor
// manages the team and that ToID is an active member of it.
func (db *DB) Reassign(ctx context.Context, ra Reassignment) (Reassigned, error) {
	var out Reassigned
	now := utc(db.Now())
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&clientRow{}).Where("team_id = ? AND owner_id = ?", ra.TeamID, ra.FromID)
		switch {
		case ra.ClientID != 0:
			q = q.Where("id = ?", ra.ClientID)
		case ra.Grade != models.GradeNone:
			q = q.Where("grade = ?", string(ra.Grade))
		}
		var ids []int64
		if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("list clients to move: %w", err)
		}
		for chunk := range chunks(ids, maxChunk) {
			if err := tx.Model(&clientRow{}).Where("id IN ?", chunk).
				Updates(map[string]any{"owner_id": ra.ToID, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("move clients: %w", err)
			}
			changes := make([]clientOwnerChangeRow, len(chunk))
			for i, id := range chunk {
				changes[i] = clientOwnerChangeRow{ClientID: id, FromID: ra.FromID, ToID: ra.ToID, ActorID: ra.ActorID, At: now}
			}
			if err := tx.Create(&changes).Error; err != nil {
				return fmt.Errorf("record owner changes: %w", err)
			}
			res := tx.Model(&followUpRow{}).Where("owner_id = ? AND client_id IN ? AND state IN ?", ra.FromID, chunk, openStates).
				Update("owner_id", ra.ToID)
			if res.Error != nil {
				return fmt.Errorf("move follow-ups of moved clients: %w", res.Error)
			}
			out.FollowUps += int(res.RowsAffected)
		}
		out.Clients = len(ids)
		if ra.Grade == models.GradeNone && ra.ClientID == 0 {
			res := tx.Model(&followUpRow{}).Where("team_id = ? AND owner_id = ? AND client_id IS NULL AND state IN ?", ra.TeamID, ra.FromID, openStates).
				Update("owner_id", ra.ToID)
			if res.Error != nil {
				return fmt.Errorf("move follow-ups without a client: %w", res.Error)
			}
			out.FollowUps += int(res.RowsAffected)
		}
		// Held follow-ups (the old owner was deactivated) go out now to
		// the new owner.
		if err := releaseHeld(tx, ra.ToID, now); err != nil {
			return err
		}
		detail := fmt.Sprintf("to user %d: %d clients, %d follow-ups", ra.ToID, out.Clients, out.FollowUps)
		if ra.Grade != models.GradeNone {
			detail += ", grade " + string(ra.Grade)
		}
		if ra.ClientID != 0 {
			detail += fmt.Sprintf(", client %d", ra.ClientID)
		}
		return recordMemberEvent(tx, memberEventRow{TeamID: ra.TeamID, UserID: ra.FromID, ActorID: ra.ActorID,
			Action: EventReassign, Detail: detail, At: now})
	})
	if err != nil {
		return Reassigned{}, fmt.Errorf("reassign clients of user %d in team %d: %w", ra.FromID, ra.TeamID, err)
	}
	return out, nil
}

// OwnerChange is one change of a client's owner.
type OwnerChange struct {
	FromID, ToID, ActorID int64
	At                    time.Time
}

// OwnerChanges lists a client's owner changes, oldest first.
func (db *DB) OwnerChanges(ctx context.Context, clientID int64) ([]OwnerChange, error) {
	return listOf(db.conn(ctx).Where("client_id = ?", clientID).Order("at, id"), func(r *clientOwnerChangeRow) OwnerChange {
		return OwnerChange{FromID: r.FromID, ToID: r.ToID, ActorID: r.ActorID, At: r.At.UTC()}
	}, fmt.Sprintf("owner changes of client %d", clientID))
}

// maxChunk bounds the ids in one IN list, well under SQLite's and
// PostgreSQL's limits on bound variables.
const maxChunk = 500

// chunks yields s in slices of at most n.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
