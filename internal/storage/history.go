package storage

import (
	"context"
	"fmt"
	"sort"
	"time"

	"salesbot/models"
)

// HistoryItem is one line of a client's timeline: a visit, an objection or
// a stage set on the card (a visit's own stage change shows with the visit).
type HistoryItem struct {
	At        time.Time
	Visit     *models.Visit
	Objection *models.Objection
	Stage     *models.StageEvent
}

// ClientHistory returns a page of a client's timeline as viewer may see
// it, newest first, and the number of items in all: the visits and
// objections viewer may see (a rep's own, a manager's team's; stage
// changes are the client's and always show). Each source is read newest
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
	sort.SliceStable(items, func(i, j int) bool { return items[i].At.After(items[j].At) })
	total := nVisits + nObjs + int(nEvents)
	if offset >= len(items) {
		return nil, total, nil
	}
	items = items[offset:]
	if len(items) > limit {
		items = items[:limit]
	}
	return items, total, nil
}
