package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type objectionRow struct {
	ID            int64 `gorm:"primaryKey"`
	TeamID        int64
	ClientID      int64
	RepID         int64
	VisitID       *int64
	At            time.Time
	Category      string
	Words         string
	Answer        string
	Resolved      bool
	WorkedAnswer  string
	ResolvedAt    *time.Time
	ClientCreated bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
}

func (objectionRow) TableName() string { return "objections" }

func (r *objectionRow) model() *models.Objection {
	o := &models.Objection{
		ID: r.ID, TeamID: r.TeamID, ClientID: r.ClientID, RepID: r.RepID, At: r.At.UTC(),
		Category: models.ObjectionCategory(r.Category), Words: r.Words, Answer: r.Answer, Resolved: r.Resolved,
		WorkedAnswer: r.WorkedAnswer, ClientCreated: r.ClientCreated, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.VisitID != nil {
		o.VisitID = *r.VisitID
	}
	if r.ResolvedAt != nil {
		t := r.ResolvedAt.UTC()
		o.ResolvedAt = &t
	}
	return o
}

// NewObjection is an objection to store, with the client when it is new.
type NewObjection struct {
	Objection models.Objection
	NewClient *models.Client
	// LinkFrom and LinkTo, when set, are the rep's day (in the rep's zone):
	// the rep's newest visit to the client in it becomes the objection's
	// visit, unless Objection.VisitID names one.
	LinkFrom, LinkTo time.Time
}

// SaveObjection stores an objection (and its new client) in one
// transaction, linked to that day's visit (NewObjection.LinkFrom) read in
// the same transaction, so an undo of the visit cannot slip in between.
func (db *DB) SaveObjection(ctx context.Context, in *NewObjection) (*models.Objection, *models.Client, error) {
	o := in.Objection
	o.ID = 0
	if o.At.IsZero() {
		o.At = db.Now()
	}
	var client *models.Client
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if in.NewClient != nil {
			if err := createEntryClient(tx, *in.NewClient, &o.ClientID); err != nil {
				return err
			}
			o.ClientCreated = true
		}
		if err := o.Validate(); err != nil {
			return err
		}
		c, err := loadClient(tx, o.ClientID)
		if err != nil {
			return err
		}
		o.TeamID = c.TeamID
		if o.VisitID == 0 && !o.ClientCreated && !in.LinkFrom.IsZero() {
			if o.VisitID, err = dayVisit(tx, o.ClientID, o.RepID, in.LinkFrom, in.LinkTo); err != nil {
				return err
			}
		}
		row := objectionRow{TeamID: o.TeamID, ClientID: o.ClientID, RepID: o.RepID, At: utc(o.At),
			Category: string(o.Category), Words: o.Words, Answer: o.Answer, ClientCreated: o.ClientCreated}
		if o.VisitID != 0 {
			row.VisitID = &o.VisitID
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("save objection at client %d: %w", o.ClientID, err)
		}
		o.ID, o.CreatedAt = row.ID, row.CreatedAt.UTC()
		client = c
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &o, client, nil
}

// dayVisit is the id of the rep's newest live visit to the client in
// [from, to), or 0 (idx_visits_client_at).
func dayVisit(tx *gorm.DB, clientID, repID int64, from, to time.Time) (int64, error) {
	var ids []int64
	err := visitQuery(tx, VisitFilter{Viewer: System, ClientID: clientID, RepID: repID, From: from, To: to}).
		Order("at DESC, id DESC").Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("find the visit of client %d that day: %w", clientID, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// Objection returns a live objection, if viewer may see it (entryScope);
// otherwise the same ENOTFOUND as one gone.
func (db *DB) Objection(ctx context.Context, viewer *models.User, id int64) (*models.Objection, error) {
	var row objectionRow
	cond, args := entryScope(viewer, "objections", "rep_id")
	if err := db.conn(ctx).Where("id = ? AND deleted_at IS NULL", id).Where(cond, args...).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("get objection %d: %w", id, translate(err, "err_objection_gone", ""))
	}
	return row.model(), nil
}

// ObjectionFilter selects live objections, newest first.
type ObjectionFilter struct {
	// Viewer is who asks: only objections they may see (nil: none).
	Viewer   *models.User
	TeamIDs  []int64
	ClientID int64
	RepID    int64
	OpenOnly bool
	Offset   int
	Limit    int
}

// objectionQuery selects by client (idx_objections_client_at), rep
// (idx_objections_rep_at) or team (idx_objections_team_at).
func objectionQuery(tx *gorm.DB, f ObjectionFilter) *gorm.DB {
	cond, args := entryScope(f.Viewer, "objections", "rep_id")
	q := tx.Model(&objectionRow{}).Where(cond, args...)
	if f.ClientID != 0 {
		q = q.Where("client_id = ?", f.ClientID)
	}
	if f.RepID != 0 {
		q = q.Where("rep_id = ?", f.RepID)
	}
	if len(f.TeamIDs) > 0 {
		q = q.Where("team_id IN ?", f.TeamIDs)
	}
	if f.OpenOnly {
		q = q.Where("resolved = ?", false)
	}
	return q.Where("deleted_at IS NULL")
}

// Objections lists live objections, newest first.
func (db *DB) Objections(ctx context.Context, f ObjectionFilter) ([]*models.Objection, error) {
	return listOf(page(objectionQuery(db.conn(ctx), f).Order("at DESC, id DESC"), f.Offset, f.Limit), (*objectionRow).model, "objections")
}

// CountObjections counts live objections.
func (db *DB) CountObjections(ctx context.Context, f ObjectionFilter) (int, error) {
	return countOf(objectionQuery(db.conn(ctx), f), "objections")
}

// ResolveObjection marks an objection resolved with the answer that
// worked. Resolving it again replaces the answer. Only an objection viewer
// may see (entryScope: their own, or their team's for a manager) is
// changed; any other is the same ENOTFOUND as one gone.
func (db *DB) ResolveObjection(ctx context.Context, viewer *models.User, id int64, worked string) (*models.Objection, error) {
	if err := models.CheckText(models.FieldAnswer, worked, models.MaxTextLen); err != nil {
		return nil, err
	}
	now := db.Now()
	cond, args := entryScope(viewer, "objections", "rep_id")
	res := db.conn(ctx).Model(&objectionRow{}).Where("id = ? AND deleted_at IS NULL", id).Where(cond, args...).Updates(map[string]any{
		"resolved": true, "worked_answer": worked, "resolved_at": now, "updated_at": now,
	})
	if res.Error != nil {
		return nil, fmt.Errorf("resolve objection %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.Errorf(models.ENOTFOUND, "err_objection_gone", nil)
	}
	return db.Objection(ctx, viewer, id)
}

// UndoObjection takes an objection back (marked deleted, kept for the
// record), with the client card it created when the card holds nothing
// else (models.UndoEffect). It returns what it did. Only an objection
// viewer may take back (undoable) is; any other is ENOTFOUND and nothing
// changes.
func (db *DB) UndoObjection(ctx context.Context, viewer *models.User, id int64) (*models.Objection, *models.UndoEffect, error) {
	return undoEffect(ctx, db, viewer, id, liveObjection, objectionUndoEffect, func(tx *gorm.DB, o *models.Objection, fx *models.UndoEffect) error {
		// As UndoVisit: only a live objection is taken back, once.
		res := tx.Model(&objectionRow{}).Where("id = ? AND deleted_at IS NULL", id).Update("deleted_at", db.Now())
		if res.Error != nil {
			return fmt.Errorf("undo objection %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENOTFOUND, "err_objection_gone", nil)
		}
		if fx.ClientGoes {
			return deleteClient(tx, o.ClientID)
		}
		return nil
	})
}

// Entry kinds that /undo takes back.
const (
	EntryVisit     = "visit"
	EntryObjection = "objection"
)

// LastEntry finds the rep's newest live visit or objection logged at or
// after since — by when it was logged, not when it took place, as a visit
// of yesterday logged now is still new (the rep's rows of
// idx_visits_rep_at, idx_objections_rep_at). kind is "" when there is none.
func (db *DB) LastEntry(ctx context.Context, repID int64, since time.Time) (kind string, id int64, err error) {
	g := db.conn(ctx)
	var v visitRow
	var o objectionRow
	vErr := g.Where("rep_id = ? AND created_at >= ? AND deleted_at IS NULL", repID, utc(since)).Order("created_at DESC, id DESC").Limit(1).Find(&v).Error
	oErr := g.Where("rep_id = ? AND created_at >= ? AND deleted_at IS NULL", repID, utc(since)).Order("created_at DESC, id DESC").Limit(1).Find(&o).Error
	if vErr != nil || oErr != nil {
		return "", 0, fmt.Errorf("last entry of rep %d: %w", repID, firstErr(vErr, oErr))
	}
	switch {
	case v.ID == 0 && o.ID == 0:
		return "", 0, nil
	case o.ID == 0 || v.ID != 0 && !v.CreatedAt.Before(o.CreatedAt):
		return EntryVisit, v.ID, nil
	}
	return EntryObjection, o.ID, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
