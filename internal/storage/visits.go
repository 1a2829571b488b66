package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// visitRow is a visit's row: models.Visit's fields are its columns (named
// by gorm's convention, TalkingPoints → talking_points), so a new field of
// a visit is a new column with no mapping to write here; a field that is not
// stored is tagged gorm:"-" there.
type visitRow struct {
	models.Visit
	UpdatedAt time.Time
	DeletedAt *time.Time
}

func (visitRow) TableName() string { return "visits" }

func (r *visitRow) model() *models.Visit {
	v := r.Visit
	v.At, v.CreatedAt = r.At.UTC(), r.CreatedAt.UTC()
	if r.NextVisitAt != nil {
		t := r.NextVisitAt.UTC()
		v.NextVisitAt = &t
	}
	return &v
}

func visitRowOf(v *models.Visit) visitRow {
	r := visitRow{Visit: *v}
	r.ContactIDs = nil
	r.At, r.CreatedAt = utc(v.At), time.Time{}
	r.NextVisitAt = nil
	if v.NextVisitAt != nil && !v.NoFollowUp {
		r.NextVisitAt = timePtr(*v.NextVisitAt)
	}
	return r
}

type visitContactRow struct {
	VisitID   int64 `gorm:"primaryKey;autoIncrement:false"`
	ContactID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (visitContactRow) TableName() string { return "visit_contacts" }

type attachmentRow struct {
	ID        int64 `gorm:"primaryKey"`
	VisitID   int64
	Kind      string
	FileID    string
	FileName  string
	Caption   string
	CreatedAt time.Time
}

func (attachmentRow) TableName() string { return "attachments" }

func (r *attachmentRow) model() models.Attachment {
	return models.Attachment{ID: r.ID, VisitID: r.VisitID, Kind: r.Kind, FileID: r.FileID, FileName: r.FileName, Caption: r.Caption}
}

type stageEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	TeamID    int64
	ClientID  int64
	UserID    int64
	VisitID   *int64
	FromStage string
	ToStage   string
	At        time.Time
	CreatedAt time.Time
}

func (stageEventRow) TableName() string { return "stage_events" }

func (r *stageEventRow) model() models.StageEvent {
	e := models.StageEvent{ID: r.ID, TeamID: r.TeamID, ClientID: r.ClientID, UserID: r.UserID,
		From: models.Stage(r.FromStage), To: models.Stage(r.ToStage), At: r.At.UTC()}
	if r.VisitID != nil {
		e.VisitID = *r.VisitID
	}
	return e
}

func addStageEvent(tx *gorm.DB, c *models.Client, userID, visitID int64, from, to models.Stage, at time.Time) error {
	row := stageEventRow{TeamID: c.TeamID, ClientID: c.ID, UserID: userID, FromStage: string(from), ToStage: string(to), At: utc(at)}
	if visitID != 0 {
		row.VisitID = &visitID
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("record stage change of client %d: %w", c.ID, err)
	}
	return nil
}

// NewVisit is a visit to store together with what logging it creates on
// the way; for an edit, Visit.ID names the visit.
type NewVisit struct {
	Visit models.Visit
	// NewClient, when set, is created with the visit (Visit.ClientID is
	// then ignored): a client named for the first time by /visit.
	NewClient *models.Client
	// Contacts met. ID 0 adds a contact to the client (or adds the roles
	// to the client's contact of that name); an ID links that contact of
	// the client, adding the roles given.
	Contacts []models.Contact
	// Attachments sent while the visit's form was open.
	Attachments []models.Attachment
}

// SavedVisit is what a visit write did.
type SavedVisit struct {
	Visit *models.Visit
	// Before is the visit as it was before an edit or undo.
	Before *models.Visit
	// Client is the visit's client after the write (nil once deleted).
	Client   *models.Client
	Contacts []models.Contact
	// Outcome is what the visit's stage did to the client's stage.
	Outcome models.StageOutcome
	// ClientDeleted: an undo (or moving the visit to another client) took
	// back the client the visit had created.
	ClientDeleted bool
	// Undo is what an undo did.
	Undo *models.UndoEffect
	// FollowUp is the visit's open revisit follow-up after the write (nil:
	// none, e.g. turned off or undone).
	FollowUp *models.FollowUp
	// Deal is what the visit did to the deal it is for (nil: none).
	Deal *DealMove
	// DealUnlinked is the deal the visit was to be linked to that closed
	// (or left the client) in the meantime: the visit was saved without it.
	DealUnlinked *models.Deal
}

// SaveVisit stores a new visit in one transaction: the client when it is
// new, the contacts met, the visit and its attachments; it moves the
// client's stage by the stage rule and refreshes the three-visits count.
// Every visit write (SaveVisit, UpdateVisit, UndoVisit) ends in
// visitWritten, inside its transaction; SaveVisit's own form of it,
// newVisitWritten, counts the new visit in instead of recounting.
//
// A visit on a known client with no contacts, files or deal costs six
// statements at most (seven on PostgreSQL, which locks the client first): the client's read (with its team's revisit rule and
// the rep's zone), the visit, its stage change, the client's one update,
// the close of the client's open revisits (when it has any) and the
// visit's own.
func (db *DB) SaveVisit(ctx context.Context, in *NewVisit) (*SavedVisit, error) {
	v := in.Visit
	v.ID = 0
	if v.At.IsZero() {
		v.At = db.Now()
	}
	out := &SavedVisit{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if in.NewClient != nil {
			if err := createEntryClient(tx, *in.NewClient, &v.ClientID); err != nil {
				return err
			}
			v.ClientCreated = true
		}
		if err := v.Validate(); err != nil {
			return err
		}
		c, err := db.lockVisitClient(tx, v.ClientID, v.RepID, v.At, v.ClientCreated)
		if err != nil {
			return err
		}
		v.TeamID = c.TeamID
		v.StageBefore = c.Stage
		next, outcome := models.ApplyVisitStage(c.Stage, v.Stage)
		deal, unlinked, err := db.visitDeal(tx, &v)
		if err != nil {
			return err
		}
		row := visitRowOf(&v)
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("save visit to client %d: %w", v.ClientID, err)
		}
		v.ID, v.CreatedAt = row.ID, row.CreatedAt.UTC()
		if next != c.Stage {
			if err := addStageEvent(tx, &c.Client, v.RepID, v.ID, c.Stage, next, v.At); err != nil {
				return err
			}
		}
		if out.Deal, err = moveDeal(tx, deal, &v); err != nil {
			return err
		}
		out.DealUnlinked = unlinked
		contacts, err := linkContacts(tx, &v, in.Contacts, true)
		if err != nil {
			return err
		}
		for _, a := range in.Attachments {
			a.VisitID = v.ID
			if err := addAttachment(tx, &a); err != nil {
				return err
			}
		}
		if out.FollowUp, err = db.newVisitWritten(tx, c, &v, next); err != nil {
			return err
		}
		out.Client = &c.Client
		out.Visit, out.Contacts, out.Outcome = &v, contacts, outcome
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// visitClient is a new visit's client as SaveVisit reads it, locked: the
// card, the revisit rule of its team in the rep's zone, whether the stage
// was set on the card at or after the visit's time (so that the visit is
// not one the three-visits rule counts), and whether the client has open
// revisits for the visit to close.
type visitClient struct {
	models.Client
	rule         revisitRule
	resetSince   bool
	openRevisits bool
}

// lockVisitClient reads client id for a new visit by repID at at, in one
// statement. On PostgreSQL it first locks the client's row like lockClient,
// in a statement of its own: a read that waited for the lock would see the
// rest (the client's open revisits, its stage changes) as they were when it
// started, without what the visit it waited for committed; the read after
// the lock sees them now. A client created in this transaction (created)
// is this transaction's alone until it commits.
func (db *DB) lockVisitClient(tx *gorm.DB, id, repID int64, at time.Time, created bool) (*visitClient, error) {
	if db.dialect == Postgres && !created {
		if _, err := takeRow[clientRow](db.forUpdate(tx.Select("id")), id, "lock client", "err_client_gone"); err != nil {
			return nil, err
		}
	}
	var row struct {
		Row          clientRow      `gorm:"embedded"`
		Rule         revisitRuleRow `gorm:"embedded"`
		ResetSince   bool
		OpenRevisits bool
	}
	q := tx.Table("clients").
		Select("clients.*, "+revisitRuleColumns+
			", EXISTS (SELECT 1 FROM stage_events WHERE stage_events.client_id = clients.id AND stage_events.visit_id IS NULL AND stage_events.at >= ?) AS reset_since"+
			", EXISTS (SELECT 1 FROM follow_ups WHERE follow_ups.client_id = clients.id AND follow_ups.state IN ? AND follow_ups.kind = ?) AS open_revisits",
			repID, utc(at), openStates, string(models.KindRevisit)).
		Joins("JOIN teams ON teams.id = clients.team_id").
		Where("clients.id = ?", id)
	if err := q.Take(&row).Error; err != nil {
		return nil, fmt.Errorf("read client %d for a visit: %w", id, translate(err, "err_client_gone", ""))
	}
	return &visitClient{Client: *row.Row.model(), rule: row.Rule.rule(), resetSince: row.ResetSince, openRevisits: row.OpenRevisits}, nil
}

// newVisitWritten is visitWritten for a new visit v, saved on client c as
// lockVisitClient read it, with the client's stage to become next: one
// update of the client (stage, last visit, three-visits count), then the
// visit's revisit. A visit at or after the client's last one adds itself
// to the count (what recountClient would give, without reading the
// visits); one logged for an earlier time has the client recounted. c is
// the client as it is after.
func (db *DB) newVisitWritten(tx *gorm.DB, c *visitClient, v *models.Visit, next models.Stage) (*models.FollowUp, error) {
	backdated := c.LastVisitAt.After(v.At)
	lastAt, n := timePtr(v.At), c.NoProgressVisits
	switch {
	case backdated:
		var err error
		if lastAt, n, err = recountClient(tx, c.ID); err != nil {
			return nil, err
		}
	case c.resetSince:
		// Set on the card since: the count starts after that change.
	case v.Progressed():
		n = 0
	default:
		n = min(n+1, noProgressScan)
	}
	now := tx.NowFunc()
	err := tx.Model(&clientRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"stage": string(next), "last_visit_at": lastAt, "no_progress_visits": n, "updated_at": now,
	}).Error
	if err != nil {
		return nil, fmt.Errorf("update client %d after visit %d: %w", c.ID, v.ID, err)
	}
	c.Stage, c.LastVisitAt, c.NoProgressVisits, c.UpdatedAt = next, derefTime(lastAt), n, now.UTC()
	return syncVisitFollowUp(tx, v, c.rule, &freshVisit{backdated: backdated, openRevisits: c.openRevisits}, db.Now())
}

// noProgressScan bounds how many visits recountClient reads back, and so
// the three-visits count: a count that high says all the rule needs.
const noProgressScan = 50

// recountClient computes a client's last visit and its visits without
// stage progress since the last explicit stage change (the three-visits
// rule, models.VisitsWithoutProgress), from its live visits
// (idx_visits_client_at): what newVisitWritten keeps by counting each new
// visit in.
func recountClient(tx *gorm.DB, clientID int64) (lastAt *time.Time, n int, err error) {
	// Newest rows rather than MAX(at): SQLite returns aggregates of time
	// columns as text.
	var since []stageEventRow
	err = tx.Where("client_id = ? AND visit_id IS NULL", clientID).Order("at DESC").Limit(1).Find(&since).Error
	if err != nil {
		return nil, 0, fmt.Errorf("last explicit stage change of client %d: %w", clientID, err)
	}
	q := tx.Where("client_id = ? AND deleted_at IS NULL", clientID)
	if len(since) > 0 {
		q = q.Where("at > ?", utc(since[0].At))
	}
	var rows []visitRow
	if err := q.Order("at DESC, id DESC").Limit(noProgressScan).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("read visits of client %d: %w", clientID, err)
	}
	visits := make([]models.Visit, len(rows))
	for i := range rows {
		visits[i] = *rows[i].model()
	}
	if len(rows) > 0 {
		lastAt = timePtr(rows[0].At)
	} else if len(since) > 0 {
		// All visits lie before the explicit change: look past it.
		var older []visitRow
		err := tx.Where("client_id = ? AND deleted_at IS NULL", clientID).Order("at DESC").Limit(1).Find(&older).Error
		if err != nil {
			return nil, 0, fmt.Errorf("last visit of client %d: %w", clientID, err)
		}
		if len(older) > 0 {
			lastAt = timePtr(older[0].At)
		}
	}
	return lastAt, models.VisitsWithoutProgress(visits), nil
}

// moveStage sets the client's stage to next (when it differs) and records
// the change as made by the visit.
func moveStage(tx *gorm.DB, c *models.Client, userID, visitID int64, next models.Stage, at time.Time) error {
	if next == c.Stage {
		return nil
	}
	if err := addStageEvent(tx, c, userID, visitID, c.Stage, next, at); err != nil {
		return err
	}
	if err := tx.Model(&clientRow{}).Where("id = ?", c.ID).Updates(map[string]any{"stage": string(next), "updated_at": tx.NowFunc()}).Error; err != nil {
		return fmt.Errorf("move stage of client %d: %w", c.ID, err)
	}
	c.Stage = next
	return nil
}

// stageRevert finds the stage change visit v made (nil: none) and whether
// taking it back sets the client's stage back: only while it is the
// client's latest change and the client is still where it left it (a later
// change wins and stays). lock locks the client's row first, for a write.
func (db *DB) stageRevert(tx *gorm.DB, v *models.Visit, lock bool) (*stageEventRow, bool, error) {
	var ev stageEventRow
	err := tx.Where("visit_id = ?", v.ID).Order("id DESC").Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find stage change of visit %d: %w", v.ID, err)
	}
	var c *models.Client
	if lock {
		c, err = db.lockClient(tx, ev.ClientID)
	} else {
		c, err = loadClient(tx, ev.ClientID)
	}
	if err != nil {
		return nil, false, err
	}
	var latest stageEventRow
	if err := tx.Where("client_id = ?", ev.ClientID).Order("at DESC, id DESC").Take(&latest).Error; err != nil {
		return nil, false, fmt.Errorf("latest stage change of client %d: %w", ev.ClientID, err)
	}
	return &ev, latest.ID == ev.ID && models.Stage(ev.ToStage) == c.Stage, nil
}

// revertStage takes back the stage change a visit made, as stageRevert
// finds it. The visit's change leaves the history either way. It reports
// whether the stage went back.
func (db *DB) revertStage(tx *gorm.DB, v *models.Visit) (bool, error) {
	ev, back, err := db.stageRevert(tx, v, true)
	if ev == nil || err != nil {
		return false, err
	}
	if err := tx.Where("visit_id = ?", v.ID).Delete(&stageEventRow{}).Error; err != nil {
		return false, fmt.Errorf("drop stage change of visit %d: %w", v.ID, err)
	}
	if !back {
		return false, nil
	}
	err = tx.Model(&clientRow{}).Where("id = ?", ev.ClientID).Updates(map[string]any{"stage": ev.FromStage, "updated_at": tx.NowFunc()}).Error
	if err != nil {
		return false, fmt.Errorf("revert stage of client %d: %w", ev.ClientID, err)
	}
	return true, nil
}

// linkContacts saves the contacts met (new ones created, roles merged) and
// links them to the visit, replacing any earlier links (a fresh visit,
// just inserted, has none: visits are only ever marked deleted, so an id
// is never used twice).
func linkContacts(tx *gorm.DB, v *models.Visit, contacts []models.Contact, fresh bool) ([]models.Contact, error) {
	if err := models.CheckCount("err_too_many_contacts", len(contacts), models.MaxVisitContacts); err != nil {
		return nil, err
	}
	if !fresh {
		if err := tx.Where("visit_id = ?", v.ID).Delete(&visitContactRow{}).Error; err != nil {
			return nil, fmt.Errorf("unlink contacts of visit %d: %w", v.ID, err)
		}
	}
	v.ContactIDs = nil
	var out []models.Contact
	seen := map[int64]bool{}
	for _, c := range contacts {
		c.ClientID = v.ClientID
		if err := saveContact(tx, &c); err != nil {
			return nil, err
		}
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if err := tx.Create(&visitContactRow{VisitID: v.ID, ContactID: c.ID}).Error; err != nil {
			return nil, fmt.Errorf("link contact %d to visit %d: %w", c.ID, v.ID, err)
		}
		v.ContactIDs = append(v.ContactIDs, c.ID)
		out = append(out, c)
	}
	return out, nil
}

// visitWritten runs at the end of every visit edit and undo, inside its
// transaction (a new visit's is newVisitWritten): before is the visit as
// it was, after as it is now (nil for an undone one). It recounts the
// clients' last visit and three-visits count, and keeps the visit's
// revisit follow-up (moved, reopened or cancelled; an undo, or a move to
// another client, reopens the revisits the visit had closed, and the move
// closes the new client's), so they commit or roll back with the visit. It returns the visit's open follow-up, nil when there is none.
func (db *DB) visitWritten(tx *gorm.DB, before, after *models.Visit) (*models.FollowUp, error) {
	seen := map[int64]bool{}
	for _, v := range []*models.Visit{before, after} {
		if v == nil || seen[v.ClientID] {
			continue
		}
		seen[v.ClientID] = true
		if err := refreshClient(tx, v.ClientID); err != nil {
			return nil, err
		}
	}
	if after == nil {
		if err := reopenClosedBy(tx, before.ID, db.Now()); err != nil {
			return nil, err
		}
		return nil, cancelVisitFollowUp(tx, before.ID)
	}
	if after.ClientID != before.ClientID {
		// Moved to another client (the wrong one was picked): the revisits
		// it closed there open again, and it answers the new client's.
		if err := reopenClosedBy(tx, before.ID, db.Now()); err != nil {
			return nil, err
		}
		if err := closeEarlierRevisits(tx, after, db.Now()); err != nil {
			return nil, err
		}
	}
	rule, err := loadRevisitRule(tx, after.TeamID, after.RepID)
	if err != nil {
		return nil, err
	}
	return syncVisitFollowUp(tx, after, rule, nil, db.Now())
}

// UpdateVisit stores an edited visit (Visit.ID set; a new client, new
// contacts and files sent during the edit may come with it; the contacts
// given replace the visit's). A changed stage or client first takes back
// the stage change the visit had made, when it is still the latest, then
// applies the stage rule again. Moving the visit off a client it had
// created removes that client if nothing else refers to it.
func (db *DB) UpdateVisit(ctx context.Context, in *NewVisit) (*SavedVisit, error) {
	v := in.Visit
	out := &SavedVisit{}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var oldRow visitRow
		if err := tx.Where("id = ? AND deleted_at IS NULL", v.ID).Take(&oldRow).Error; err != nil {
			return fmt.Errorf("get visit %d: %w", v.ID, translate(err, "err_visit_gone", ""))
		}
		old := oldRow.model()
		// What an edit does not change (the time only when given).
		v.TeamID, v.RepID, v.CreatedAt, v.ClientCreated = old.TeamID, old.RepID, old.CreatedAt, old.ClientCreated
		if v.At.IsZero() {
			v.At = old.At
		}
		if in.NewClient != nil {
			if err := createEntryClient(tx, *in.NewClient, &v.ClientID); err != nil {
				return err
			}
		}
		if err := v.Validate(); err != nil {
			return err
		}
		if v.ClientID != old.ClientID {
			v.ClientCreated = in.NewClient != nil
		}
		var err error
		if v.Stage != old.Stage || v.ClientID != old.ClientID {
			reverted, err := db.revertStage(tx, old)
			if err != nil {
				return err
			}
			c, err := db.lockClient(tx, v.ClientID)
			if err != nil {
				return err
			}
			if c.TeamID != old.TeamID {
				return models.Errorf(models.EFORBIDDEN, "err_client_other_team", nil)
			}
			v.StageBefore = old.StageBefore
			if reverted || v.ClientID != old.ClientID {
				v.StageBefore = c.Stage
			}
			next, outcome := models.ApplyVisitStage(c.Stage, v.Stage)
			if err := moveStage(tx, c, v.RepID, v.ID, next, v.At); err != nil {
				return err
			}
			out.Outcome = outcome
		} else {
			v.StageBefore = old.StageBefore
			_, out.Outcome = models.ApplyVisitStage(old.StageBefore, v.Stage)
		}
		// The deal: a changed stage, client or deal takes back what the
		// visit did to its deal and applies the visit to the (new) deal.
		var deal *models.Deal
		if v.Stage != old.Stage || v.ClientID != old.ClientID || v.DealID != old.DealID {
			if _, _, err := db.revertDeal(tx, old); err != nil {
				return err
			}
			if deal, out.DealUnlinked, err = db.visitDeal(tx, &v); err != nil {
				return err
			}
		}
		row := visitRowOf(&v)
		err = tx.Model(&visitRow{}).Where("id = ?", v.ID).Select("*").Omit("id", "created_at").Updates(&row).Error
		if err != nil {
			return fmt.Errorf("update visit %d: %w", v.ID, err)
		}
		var oldContacts []int64
		if err := tx.Model(&visitContactRow{}).Where("visit_id = ?", v.ID).Pluck("contact_id", &oldContacts).Error; err != nil {
			return fmt.Errorf("contacts of visit %d: %w", v.ID, err)
		}
		if out.Contacts, err = linkContacts(tx, &v, in.Contacts, false); err != nil {
			return err
		}
		for _, a := range in.Attachments {
			a.VisitID = v.ID
			if err := addAttachment(tx, &a); err != nil {
				return err
			}
		}
		if deal != nil {
			if out.Deal, err = moveDeal(tx, deal, &v); err != nil {
				return err
			}
		}
		if v.ClientID != old.ClientID && old.ClientCreated {
			if out.ClientDeleted, err = removeCreatedClient(tx, old.ClientID, entry{visitID: v.ID, contacts: oldContacts}); err != nil {
				return err
			}
		}
		if out.FollowUp, err = db.visitWritten(tx, old, &v); err != nil {
			return err
		}
		out.Client, err = loadClient(tx, v.ClientID)
		out.Visit, out.Before = &v, old
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UndoVisit takes a visit back, as models.UndoEffect says and
// UndoVisitEffect showed: it is marked deleted (and stays for the record),
// its stage change is reverted when still the latest, the revisits it had
// closed open again and its own is cancelled, objections linked to it are
// unlinked, and a client card it created goes too when the card holds
// nothing else. SavedVisit.Undo says what it did. Only a visit viewer may
// take back (undoable) is; any other is ENOTFOUND and nothing changes.
func (db *DB) UndoVisit(ctx context.Context, viewer *models.User, id int64) (*SavedVisit, error) {
	out := &SavedVisit{}
	_, _, err := undoEffect(ctx, db, viewer, id, liveVisit, db.visitUndoEffect, func(tx *gorm.DB, v *models.Visit, fx *models.UndoEffect) error {
		res := tx.Model(&visitRow{}).Where("id = ? AND deleted_at IS NULL", id).Update("deleted_at", db.Now())
		if res.Error != nil {
			return fmt.Errorf("undo visit %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENOTFOUND, "err_visit_gone", nil)
		}
		if _, err := db.revertStage(tx, v); err != nil {
			return err
		}
		if _, _, err := db.revertDeal(tx, v); err != nil {
			return err
		}
		if err := tx.Model(&objectionRow{}).Where("visit_id = ?", id).Update("visit_id", nil).Error; err != nil {
			return fmt.Errorf("unlink objections of visit %d: %w", id, err)
		}
		if fx.ClientGoes {
			if err := deleteClient(tx, v.ClientID); err != nil {
				return err
			}
		}
		out.ClientDeleted, out.Undo = fx.ClientGoes, fx
		if _, err := db.visitWritten(tx, v, nil); err != nil {
			return err
		}
		if !out.ClientDeleted {
			var err error
			if out.Client, err = loadClient(tx, v.ClientID); err != nil {
				return err
			}
		}
		out.Visit, out.Before = v, v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Visit returns a live visit with the ids of the contacts met, if viewer
// may see it (entryScope); otherwise the same ENOTFOUND as a visit gone.
func (db *DB) Visit(ctx context.Context, viewer *models.User, id int64) (*models.Visit, error) {
	g := db.conn(ctx)
	var row visitRow
	cond, args := entryScope(viewer, "visits", "rep_id")
	if err := g.Where("id = ? AND deleted_at IS NULL", id).Where(cond, args...).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("get visit %d: %w", id, translate(err, "err_visit_gone", ""))
	}
	v := row.model()
	if err := g.Model(&visitContactRow{}).Where("visit_id = ?", id).Order("contact_id").Pluck("contact_id", &v.ContactIDs).Error; err != nil {
		return nil, fmt.Errorf("contacts of visit %d: %w", id, err)
	}
	return v, nil
}

// VisitContacts returns the contacts met at a visit, deleted ones
// included, when viewer may see their client (clientScope, as Contacts);
// none otherwise.
func (db *DB) VisitContacts(ctx context.Context, viewer *models.User, v *models.Visit) ([]models.Contact, error) {
	if len(v.ContactIDs) == 0 {
		return nil, nil
	}
	cond, args := clientScope(viewer, "clients")
	q := db.conn(ctx).Table("contacts").Select("contacts.*").Joins("JOIN clients ON clients.id = contacts.client_id").Where(cond, args...)
	return contactsByID(q, "contacts.id", v.ContactIDs)
}

// VisitFilter selects live visits, newest first.
type VisitFilter struct {
	// Viewer is who asks: only visits they may see are listed (nil: none).
	Viewer   *models.User
	TeamIDs  []int64
	ClientID int64
	RepID    int64
	// From (inclusive) and To (exclusive) bound the visit time when set.
	From, To time.Time
	Offset   int
	Limit    int
}

// visitQuery selects visits by client (idx_visits_client_at), rep
// (idx_visits_rep_at) or team (idx_visits_team_at), each ordered by time.
func visitQuery(tx *gorm.DB, f VisitFilter) *gorm.DB {
	cond, args := entryScope(f.Viewer, "visits", "rep_id")
	q := tx.Model(&visitRow{}).Where(cond, args...)
	switch {
	case f.ClientID != 0:
		q = q.Where("client_id = ?", f.ClientID)
		if f.RepID != 0 {
			q = q.Where("rep_id = ?", f.RepID)
		}
	case f.RepID != 0:
		q = q.Where("rep_id = ?", f.RepID)
	}
	if len(f.TeamIDs) > 0 {
		q = q.Where("team_id IN ?", f.TeamIDs)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", utc(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", utc(f.To))
	}
	return q.Where("deleted_at IS NULL")
}

// Visits lists live visits, newest first.
func (db *DB) Visits(ctx context.Context, f VisitFilter) ([]*models.Visit, error) {
	return listOf(page(visitQuery(db.conn(ctx), f).Order("at DESC, id DESC"), f.Offset, f.Limit), (*visitRow).model, "visits")
}

// CountVisits counts live visits.
func (db *DB) CountVisits(ctx context.Context, f VisitFilter) (int, error) {
	return countOf(visitQuery(db.conn(ctx), f), "visits")
}

// LastVisitBy returns viewer's own newest live visit at or after since, in
// a team they are still in (entryScope), or nil (idx_visits_rep_at): the
// visit a check-in sent after saving attaches to.
func (db *DB) LastVisitBy(ctx context.Context, viewer *models.User, since time.Time) (*models.Visit, error) {
	if viewer == nil || viewer.ID == 0 {
		return nil, nil
	}
	vs, err := db.Visits(ctx, VisitFilter{Viewer: viewer, RepID: viewer.ID, From: since, Limit: 1})
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return db.Visit(ctx, viewer, vs[0].ID)
}

// SetVisitPlace records where a visit took place: a shared location (live
// or picked) or a venue.
func (db *DB) SetVisitPlace(ctx context.Context, visitID int64, place string, lat, lon float64, live bool) error {
	if err := models.CheckText(models.FieldPlace, place, models.MaxPlaceLen); err != nil {
		return err
	}
	err := db.conn(ctx).Model(&visitRow{}).Where("id = ? AND deleted_at IS NULL", visitID).Updates(map[string]any{
		"place": place, "lat": lat, "lon": lon, "live_location": live, "updated_at": db.Now(),
	}).Error
	if err != nil {
		return fmt.Errorf("set place of visit %d: %w", visitID, err)
	}
	return nil
}

// AddAttachment stores a file sent for a visit (its Telegram file id).
func (db *DB) AddAttachment(ctx context.Context, a *models.Attachment) error {
	return addAttachment(db.conn(ctx), a)
}

func addAttachment(tx *gorm.DB, a *models.Attachment) error {
	if err := models.CheckAttachment(a); err != nil {
		return err
	}
	row := attachmentRow{VisitID: a.VisitID, Kind: a.Kind, FileID: a.FileID, FileName: a.FileName, Caption: a.Caption}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("attach %s to visit %d: %w", a.Kind, a.VisitID, err)
	}
	a.ID = row.ID
	return nil
}

// Attachments lists a visit's files, oldest first.
func (db *DB) Attachments(ctx context.Context, visitID int64) ([]models.Attachment, error) {
	return listOf(db.conn(ctx).Where("visit_id = ?", visitID).Order("id"), (*attachmentRow).model, fmt.Sprintf("attachments of visit %d", visitID))
}

// SameVisit finds the rep's live visit to the client within
// models.DuplicateWindow of v.At that has the same parts as v
// (models.SameParts; met names v's contacts), or nil: the visit a second
// one would double (idx_visits_client_at).
func (db *DB) SameVisit(ctx context.Context, viewer *models.User, v *models.Visit, met []string) (*models.Visit, error) {
	if v.ClientID == 0 {
		return nil, nil
	}
	near, err := db.Visits(ctx, VisitFilter{Viewer: viewer, ClientID: v.ClientID, RepID: v.RepID,
		From: v.At.Add(-models.DuplicateWindow + time.Nanosecond), To: v.At.Add(models.DuplicateWindow)})
	if err != nil {
		return nil, err
	}
	for _, old := range near {
		full, err := db.Visit(ctx, viewer, old.ID)
		if err != nil {
			return nil, err
		}
		contacts, err := db.VisitContacts(ctx, viewer, full)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(contacts))
		for i, c := range contacts {
			names[i] = c.Name
		}
		if models.NearInTime(full.At, v.At) && models.SameParts(full, v, names, met) {
			return full, nil
		}
	}
	return nil, nil
}
