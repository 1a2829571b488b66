package storage

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"salesbot/models"
)

// entry names what an undo takes back: a visit or an objection (the other
// id 0), and the contacts met at it.
type entry struct {
	visitID, objectionID int64
	contacts             []int64
}

// clientHoldings counts what client c holds besides entry e
// (models.ClientHoldings decides what keeps a card). Stage changes made by
// visits are not counted: live visits are, and the entry's own goes back.
func clientHoldings(tx *gorm.DB, c *models.Client, e entry) (models.ClientHoldings, error) {
	h := models.ClientHoldings{}
	if c.HasDetails() {
		h[models.HoldsDetails] = 1
	}
	// A contact deleted from the card is nothing the card holds.
	contacts := tx.Model(&contactRow{}).Where("client_id = ? AND deleted_at IS NULL", c.ID)
	if len(e.contacts) > 0 {
		// A visit never records a phone: one there was added on the card,
		// as was a contact the card changed.
		contacts = contacts.Where("(id NOT IN ? OR phone <> '' OR edited_at IS NOT NULL)", e.contacts)
	}
	for _, q := range []struct {
		kind models.HoldingKind
		q    *gorm.DB
	}{
		{models.HoldsContacts, contacts},
		{models.HoldsVisits, tx.Model(&visitRow{}).Where("client_id = ? AND deleted_at IS NULL AND id <> ?", c.ID, e.visitID)},
		{models.HoldsObjections, tx.Model(&objectionRow{}).Where("client_id = ? AND deleted_at IS NULL AND id <> ?", c.ID, e.objectionID)},
		{models.HoldsPlans, tx.Model(&plannedVisitRow{}).Where("client_id = ?", c.ID)},
		{models.HoldsDeals, tx.Model(&dealRow{}).Where("client_id = ?", c.ID)},
		{models.HoldsReminders, tx.Model(&followUpRow{}).Where("client_id = ? AND kind <> ? AND state <> ?",
			c.ID, string(models.KindRevisit), string(models.FollowUpCancelled))},
		{models.HoldsChanges, tx.Model(&stageEventRow{}).Where("client_id = ? AND visit_id IS NULL", c.ID)},
		{models.HoldsChanges, tx.Model(&clientOwnerChangeRow{}).Where("client_id = ?", c.ID)},
	} {
		var n int64
		if err := q.q.Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s of client %d: %w", q.kind, c.ID, err)
		}
		h[q.kind] += int(n)
	}
	return h, nil
}

// clientFate says whether the card an entry created goes with it, and if
// not, what keeps it.
func clientFate(tx *gorm.DB, c *models.Client, e entry, fx *models.UndoEffect) error {
	h, err := clientHoldings(tx, c, e)
	if err != nil {
		return err
	}
	fx.Keeps = h.Keeps()
	fx.ClientGoes = len(fx.Keeps) == 0
	return nil
}

// deleteClient removes a client card with its contacts, stage history and
// name index (what clientFate found unheld).
func deleteClient(tx *gorm.DB, clientID int64) error {
	var contactIDs []int64
	if err := tx.Model(&contactRow{}).Where("client_id = ?", clientID).Pluck("id", &contactIDs).Error; err != nil {
		return fmt.Errorf("contacts of client %d: %w", clientID, err)
	}
	if len(contactIDs) > 0 {
		if err := tx.Where("contact_id IN ?", contactIDs).Delete(&visitContactRow{}).Error; err != nil {
			return fmt.Errorf("unlink contacts of client %d: %w", clientID, err)
		}
	}
	for _, del := range []struct {
		model any
		where string
	}{{&contactRow{}, "client_id = ?"}, {&stageEventRow{}, "client_id = ?"}, {&clientGramRow{}, "client_id = ?"}, {&clientRow{}, "id = ?"}} {
		if err := tx.Where(del.where, clientID).Delete(del.model).Error; err != nil {
			return fmt.Errorf("delete client %d: %w", clientID, err)
		}
	}
	return nil
}

// removeCreatedClient deletes a card an entry created when it holds nothing
// else (moving a visit off the client it created), and reports whether it
// went.
func removeCreatedClient(tx *gorm.DB, clientID int64, e entry) (bool, error) {
	c, err := loadClient(tx, clientID)
	if err != nil {
		return false, err
	}
	var fx models.UndoEffect
	if err := clientFate(tx, c, e, &fx); err != nil || !fx.ClientGoes {
		return false, err
	}
	return true, deleteClient(tx, clientID)
}

// visitUndoEffect is what undoing visit v would do, read without writing:
// UndoVisitEffect shows it, UndoVisit computes it again in its own
// transaction and does it.
func (db *DB) visitUndoEffect(tx *gorm.DB, v *models.Visit) (*models.UndoEffect, error) {
	c, err := loadClient(tx, v.ClientID)
	if err != nil {
		return nil, err
	}
	fx := &models.UndoEffect{Client: c}
	var contacts []int64
	if err := tx.Model(&visitContactRow{}).Where("visit_id = ?", v.ID).Pluck("contact_id", &contacts).Error; err != nil {
		return nil, fmt.Errorf("contacts of visit %d: %w", v.ID, err)
	}
	if v.ClientCreated {
		if err := clientFate(tx, c, entry{visitID: v.ID, contacts: contacts}, fx); err != nil {
			return nil, err
		}
	}
	if !fx.ClientGoes {
		ev, back, err := db.stageRevert(tx, v, false)
		if err != nil {
			return nil, err
		}
		if back {
			fx.StageBack, fx.StageFrom, fx.StageTo = true, models.Stage(ev.ToStage), models.Stage(ev.FromStage)
		}
	}
	if err := db.dealUndoEffect(tx, v, fx); err != nil {
		return nil, err
	}
	var own followUpRow
	err = tx.Where("visit_id = ? AND kind = ? AND state IN ?", v.ID, string(models.KindRevisit), openStates).Order("id DESC").Take(&own).Error
	switch {
	case err == nil:
		due := own.DueAt.UTC()
		fx.Cancels = &due
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, fmt.Errorf("revisit of visit %d: %w", v.ID, err)
	}
	if err := tx.Model(&followUpRow{}).Where("closed_by_visit_id = ? AND state = ?", v.ID, string(models.FollowUpDone)).
		Order("due_at").Pluck("due_at", &fx.Reopens).Error; err != nil {
		return nil, fmt.Errorf("revisits closed by visit %d: %w", v.ID, err)
	}
	for i := range fx.Reopens {
		fx.Reopens[i] = fx.Reopens[i].UTC()
	}
	var n int64
	if err := tx.Model(&objectionRow{}).Where("visit_id = ? AND deleted_at IS NULL", v.ID).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("objections of visit %d: %w", v.ID, err)
	}
	fx.Unlinked = int(n)
	return fx, nil
}

// UndoVisitEffect says what UndoVisit would do to the live visit id, for
// the question before it: for viewer, who may take back only what
// undoable lets them (ENOTFOUND "err_visit_gone" otherwise).
func (db *DB) UndoVisitEffect(ctx context.Context, viewer *models.User, id int64) (*models.Visit, *models.UndoEffect, error) {
	return undoEffect(ctx, db, viewer, id, liveVisit, db.visitUndoEffect, nil)
}

// undoable is the condition on table t (visits or objections) that an
// entry viewer takes back must meet: one viewer may see (entryScope: in a
// team they are still in) and their own — an undo is its author's. System
// takes back any.
func undoable(viewer *models.User, t string) (string, []any) {
	cond, args := entryScope(viewer, t, "rep_id")
	if viewer == nil || viewer == System {
		return cond, args
	}
	return "(" + cond + ") AND " + t + ".rep_id = ?", append(args, viewer.ID)
}

// undoEffect loads the live record id that viewer may take back (load,
// by undoable) and what undoing it would do (effect), then, unless then
// is nil, does then with both, all in one transaction; a record viewer
// may not take back is the same ENOTFOUND as one gone, and nothing is
// written.
func undoEffect[T any](ctx context.Context, db *DB, viewer *models.User, id int64, load func(*gorm.DB, *models.User, int64) (T, error),
	effect func(*gorm.DB, T) (*models.UndoEffect, error), then func(*gorm.DB, T, *models.UndoEffect) error) (T, *models.UndoEffect, error) {
	var (
		rec T
		fx  *models.UndoEffect
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if rec, err = load(tx, viewer, id); err != nil {
			return err
		}
		if fx, err = effect(tx, rec); err != nil || then == nil {
			return err
		}
		return then(tx, rec, fx)
	})
	if err != nil {
		var none T
		return none, nil, err
	}
	return rec, fx, nil
}

// objectionUndoEffect is what undoing objection o would do.
func objectionUndoEffect(tx *gorm.DB, o *models.Objection) (*models.UndoEffect, error) {
	c, err := loadClient(tx, o.ClientID)
	if err != nil {
		return nil, err
	}
	fx := &models.UndoEffect{Client: c}
	if o.ClientCreated {
		if err := clientFate(tx, c, entry{objectionID: o.ID}, fx); err != nil {
			return nil, err
		}
	}
	return fx, nil
}

// UndoObjectionEffect says what UndoObjection would do to the live
// objection id, for the question before it, for viewer (as
// UndoVisitEffect).
func (db *DB) UndoObjectionEffect(ctx context.Context, viewer *models.User, id int64) (*models.Objection, *models.UndoEffect, error) {
	return undoEffect(ctx, db, viewer, id, liveObjection, objectionUndoEffect, nil)
}

// liveVisit reads a visit that is not undone and viewer may take back.
func liveVisit(tx *gorm.DB, viewer *models.User, id int64) (*models.Visit, error) {
	return liveEntry(tx, viewer, id, "visits", (*visitRow).model, "get visit", "err_visit_gone")
}

// liveObjection reads an objection that is not undone and viewer may
// take back.
func liveObjection(tx *gorm.DB, viewer *models.User, id int64) (*models.Objection, error) {
	return liveEntry(tx, viewer, id, "objections", (*objectionRow).model, "get objection", "err_objection_gone")
}

// liveEntry reads entry id of table (visits or objections) that is not
// undone and viewer may take back (undoable), as model makes it; one
// that is not is ENOTFOUND gone.
func liveEntry[R, M any](tx *gorm.DB, viewer *models.User, id int64, table string, model func(*R) *M, what, gone string) (*M, error) {
	cond, args := undoable(viewer, table)
	row, err := takeRow[R](tx.Where("deleted_at IS NULL").Where(cond, args...), id, what, gone)
	if err != nil {
		return nil, err
	}
	return model(row), nil
}
