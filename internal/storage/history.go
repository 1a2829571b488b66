package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// HistoryItem is one line of a client's timeline: a visit, an objection or
// a stage set on the card (a visit's own stage change shows with the visit).
type HistoryItem struct {
	At        time.Time
	Visit     *models.Visit
	Objection *models.Objection
	Stage     *models.StageEvent
	// Access is an owner change or a share of the client.
	Access *AccessChange
}

// ClientHistory returns a page of a client's timeline as viewer may see
// it, newest first, and the number of items in all: the visits and
// objections viewer may see (a rep's own, a manager's team's; stage
// changes, owner changes and shares are the client's and always show). Each source is read newest
// first through its (client_id, at) index, at most offset+limit rows each.
// The caller has checked that viewer sees the client.
func (db *DB) ClientHistory(ctx context.Context, viewer *models.User, clientID int64, offset, limit int) ([]HistoryItem, int, error) {
	g := db.conn(ctx)
	n := offset + limit
	vf := VisitFilter{Viewer: viewer, ClientID: clientID}
	visits, err := db.Visits(ctx, VisitFilter{Viewer: viewer, ClientID: clientID, Limit: n})
	if err != nil {
		return nil, 0, err
	}
	of := ObjectionFilter{Viewer: viewer, ClientID: clientID}
	objs, err := db.Objections(ctx, ObjectionFilter{Viewer: viewer, ClientID: clientID, Limit: n})
	if err != nil {
		return nil, 0, err
	}
	var events []stageEventRow
	if err := g.Where("client_id = ? AND visit_id IS NULL", clientID).Order("at DESC, id DESC").Limit(n).Find(&events).Error; err != nil {
		return nil, 0, fmt.Errorf("stage changes of client %d: %w", clientID, err)
	}
	var nEvents int64
	if err := g.Model(&stageEventRow{}).Where("client_id = ? AND visit_id IS NULL", clientID).Count(&nEvents).Error; err != nil {
		return nil, 0, fmt.Errorf("count stage changes of client %d: %w", clientID, err)
	}
	nVisits, err := db.CountVisits(ctx, vf)
	if err != nil {
		return nil, 0, err
	}
	nObjs, err := db.CountObjections(ctx, of)
	if err != nil {
		return nil, 0, err
	}
	access, nAccess, err := clientAccessChanges(g, clientID, n)
	if err != nil {
		return nil, 0, err
	}
	items := make([]HistoryItem, 0, len(visits)+len(objs)+len(events))
	for _, v := range visits {
		items = append(items, HistoryItem{At: v.At, Visit: v})
	}
	for _, o := range objs {
		items = append(items, HistoryItem{At: o.At, Objection: o})
	}
	for i := range events {
		e := events[i].model()
		items = append(items, HistoryItem{At: e.At, Stage: &e})
	}
	for i := range access {
		items = append(items, HistoryItem{At: access[i].At, Access: &access[i]})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.After(items[j].At) })
	total := nVisits + nObjs + int(nEvents) + nAccess
	if offset >= len(items) {
		return nil, total, nil
	}
	items = items[offset:]
	if len(items) > limit {
		items = items[:limit]
	}
	return items, total, nil
}

// AccessChange is a change of who holds or sees a client: its owner moved
// (FromID → ToID), or a share given (Shared) or taken back (UserID).
type AccessChange struct {
	At       time.Time
	ClientID int64
	// Owner changes: FromID and ToID. Shares: UserID and Shared.
	FromID, ToID int64
	UserID       int64
	Shared       bool
	IsShare      bool
	ActorID      int64
}

// clientAccessChanges reads a client's owner changes and shares, newest
// first, at most limit of each (idx_client_owner_changes_client_at,
// idx_client_share_events_client_at), and how many there are.
func clientAccessChanges(tx *gorm.DB, clientID int64, limit int) ([]AccessChange, int, error) {
	var owners []clientOwnerChangeRow
	if err := tx.Where("client_id = ?", clientID).Order("at DESC, id DESC").Limit(limit).Find(&owners).Error; err != nil {
		return nil, 0, fmt.Errorf("owner changes of client %d: %w", clientID, err)
	}
	var shares []clientShareEventRow
	if err := tx.Where("client_id = ?", clientID).Order("at DESC, id DESC").Limit(limit).Find(&shares).Error; err != nil {
		return nil, 0, fmt.Errorf("shares of client %d: %w", clientID, err)
	}
	var nOwners, nShares int64
	if err := tx.Model(&clientOwnerChangeRow{}).Where("client_id = ?", clientID).Count(&nOwners).Error; err != nil {
		return nil, 0, fmt.Errorf("count owner changes of client %d: %w", clientID, err)
	}
	if err := tx.Model(&clientShareEventRow{}).Where("client_id = ?", clientID).Count(&nShares).Error; err != nil {
		return nil, 0, fmt.Errorf("count shares of client %d: %w", clientID, err)
	}
	out := make([]AccessChange, 0, len(owners)+len(shares))
	for _, o := range owners {
		out = append(out, AccessChange{At: o.At.UTC(), ClientID: o.ClientID, FromID: o.FromID, ToID: o.ToID, ActorID: o.ActorID})
	}
	for _, s := range shares {
		out = append(out, AccessChange{At: s.At.UTC(), ClientID: s.ClientID, UserID: s.UserID, Shared: s.Shared, IsShare: true, ActorID: s.ActorID})
	}
	return out, int(nOwners + nShares), nil
}

// TeamChange is one line of a team's access history: a membership change
// (join, rejoin, role, deactivate, reassign) or a client shared or taken back.
type TeamChange struct {
	At     time.Time
	Member *MemberEvent
	Access *AccessChange
	Client string // the client's name, for access changes
}

// TeamChanges lists a team's membership changes and client shares, newest
// first, at most limit (member_events and client_share_events by team and
// time). Owner moves of one client show in that client's /history; a
// reassignment of many shows here as its member event.
func (db *DB) TeamChanges(ctx context.Context, teamID int64, limit int) ([]TeamChange, error) {
	g := db.conn(ctx)
	var members []memberEventRow
	if err := g.Where("team_id = ?", teamID).Order("at DESC, id DESC").Limit(limit).Find(&members).Error; err != nil {
		return nil, fmt.Errorf("membership changes of team %d: %w", teamID, err)
	}
	var shares []struct {
		Row        clientShareEventRow `gorm:"embedded"`
		ClientName string
	}
	err := g.Table("client_share_events").Select("client_share_events.*, clients.name AS client_name").
		Joins("JOIN clients ON clients.id = client_share_events.client_id").
		Where("client_share_events.team_id = ?", teamID).
		Order("client_share_events.at DESC, client_share_events.id DESC").Limit(limit).Find(&shares).Error
	if err != nil {
		return nil, fmt.Errorf("shares in team %d: %w", teamID, err)
	}
	out := make([]TeamChange, 0, len(members)+len(shares))
	for _, m := range members {
		e := m.model()
		out = append(out, TeamChange{At: e.At, Member: &e})
	}
	for _, s := range shares {
		out = append(out, TeamChange{At: s.Row.At.UTC(), Client: s.ClientName, Access: &AccessChange{At: s.Row.At.UTC(),
			ClientID: s.Row.ClientID, UserID: s.Row.UserID, Shared: s.Row.Shared, IsShare: true, ActorID: s.Row.ActorID}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
