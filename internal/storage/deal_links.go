package storage

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// A visit may be for one of its client's open deals (visits.deal_id): its
// stage then advances the deal's stage by the same forward-only rule as
// the client's (models.Deal.AdvanceStage), and the change is recorded in
// deal_stage_events so that undoing or editing the visit puts the deal's
// stage back exactly — while it is still the deal's latest change and the
// deal is still open and where the visit left it.

type dealStageEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	DealID    int64
	VisitID   int64
	FromStage string
	ToStage   string
	At        time.Time
	CreatedAt time.Time
}

func (dealStageEventRow) TableName() string { return "deal_stage_events" }

// DealMove is what a visit write did to the visit's deal.
type DealMove struct {
	// Deal is the visit's deal after the write.
	Deal *models.Deal
	// Before is the deal's stage before the visit.
	Before  models.Stage
	Outcome models.StageOutcome
}

// lockDeal loads a deal for a change of its stage (locked on PostgreSQL
// until the transaction ends, like lockClient).
func (db *DB) lockDeal(tx *gorm.DB, id int64) (*models.Deal, error) {
	row, err := takeRow[dealRow](db.forUpdate(tx), id, "lock deal", "err_deal_gone")
	if err != nil {
		return nil, err
	}
	return row.model(), nil
}

// visitDeal settles the deal of visit v before it is written: the deal
// must be an open deal of the visit's client. A deal closed (or moved off
// the client) since it was chosen is not linked: v.DealID becomes 0 and
// the deal is returned as unlinked, for the confirmation to say so.
func (db *DB) visitDeal(tx *gorm.DB, v *models.Visit) (deal, unlinked *models.Deal, err error) {
	if v.DealID == 0 {
		return nil, nil, nil
	}
	d, err := db.lockDeal(tx, v.DealID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		v.DealID = 0
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if d.ClientID != v.ClientID || d.State != models.DealOpen {
		v.DealID = 0
		return nil, d, nil
	}
	return d, nil, nil
}

// moveDeal applies saved visit v's stage to its deal d (locked by
// visitDeal) and records the change. A visit that states "lost" leaves the
// deal's stage alone: a deal is lost by closing it (/deal lost), with a
// reason.
func moveDeal(tx *gorm.DB, d *models.Deal, v *models.Visit) (*DealMove, error) {
	if d == nil {
		return nil, nil
	}
	m := &DealMove{Deal: d, Before: d.Stage, Outcome: models.OutcomeUnstated}
	if v.Stage == models.StageLost {
		return m, nil
	}
	m.Outcome = d.AdvanceStage(v.Stage)
	if d.Stage == m.Before {
		return m, nil
	}
	ev := dealStageEventRow{DealID: d.ID, VisitID: v.ID, FromStage: string(m.Before), ToStage: string(d.Stage), At: utc(v.At)}
	if err := tx.Create(&ev).Error; err != nil {
		return nil, fmt.Errorf("record stage change of deal %d: %w", d.ID, err)
	}
	now := tx.NowFunc()
	if err := tx.Model(&dealRow{}).Where("id = ?", d.ID).Updates(map[string]any{"stage": string(d.Stage), "updated_at": now}).Error; err != nil {
		return nil, fmt.Errorf("move stage of deal %d: %w", d.ID, err)
	}
	d.UpdatedAt = now.UTC()
	return m, nil
}

// dealRevert finds the change visit v made to its deal's stage (nil: none)
// and whether taking it back sets the deal's stage back: only while it is
// the deal's latest change, the deal is open and still at the stage the
// visit left it at. lock locks the deal first, for a write.
func (db *DB) dealRevert(tx *gorm.DB, v *models.Visit, lock bool) (*dealStageEventRow, *models.Deal, bool, error) {
	var ev dealStageEventRow
	err := tx.Where("visit_id = ?", v.ID).Order("id DESC").Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("find deal stage change of visit %d: %w", v.ID, err)
	}
	var d *models.Deal
	if lock {
		d, err = db.lockDeal(tx, ev.DealID)
	} else {
		var row dealRow
		err = tx.Where("id = ?", ev.DealID).Take(&row).Error
		d = row.model()
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || models.ErrorCode(err) == models.ENOTFOUND {
		return &ev, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("load deal %d: %w", ev.DealID, err)
	}
	var latest dealStageEventRow
	if err := tx.Where("deal_id = ?", ev.DealID).Order("id DESC").Take(&latest).Error; err != nil {
		return nil, nil, false, fmt.Errorf("latest stage change of deal %d: %w", ev.DealID, err)
	}
	back := latest.ID == ev.ID && d.State == models.DealOpen && models.Stage(ev.ToStage) == d.Stage
	return &ev, d, back, nil
}

// revertDeal takes back the change visit v made to its deal's stage, as
// dealRevert finds it; the change leaves the history either way. It
// returns the deal as it is after (nil: the visit had changed none) and
// whether its stage went back.
func (db *DB) revertDeal(tx *gorm.DB, v *models.Visit) (*models.Deal, bool, error) {
	ev, d, back, err := db.dealRevert(tx, v, true)
	if ev == nil || err != nil {
		return nil, false, err
	}
	if err := tx.Where("visit_id = ?", v.ID).Delete(&dealStageEventRow{}).Error; err != nil {
		return nil, false, fmt.Errorf("drop deal stage change of visit %d: %w", v.ID, err)
	}
	if !back {
		return d, false, nil
	}
	now := tx.NowFunc()
	if err := tx.Model(&dealRow{}).Where("id = ?", d.ID).Updates(map[string]any{"stage": ev.FromStage, "updated_at": now}).Error; err != nil {
		return nil, false, fmt.Errorf("revert stage of deal %d: %w", d.ID, err)
	}
	d.Stage = models.Stage(ev.FromStage)
	return d, true, nil
}

// dealUndoEffect fills what undoing visit v does to its deal: the link
// goes, and the deal's stage goes back when the visit's change is still
// the latest.
func (db *DB) dealUndoEffect(tx *gorm.DB, v *models.Visit, fx *models.UndoEffect) error {
	if v.DealID == 0 {
		return nil
	}
	ev, d, back, err := db.dealRevert(tx, v, false)
	if err != nil {
		return err
	}
	if ev != nil && back {
		fx.DealBack, fx.DealFrom, fx.DealTo = true, models.Stage(ev.ToStage), models.Stage(ev.FromStage)
	}
	if d != nil && d.ID == v.DealID {
		// dealRevert read the deal already.
		fx.DealTitle = d.Title
		return nil
	}
	var row dealRow
	if err := tx.Where("id = ?", v.DealID).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return fmt.Errorf("load deal %d of visit %d: %w", v.DealID, v.ID, err)
	}
	fx.DealTitle = row.Title
	return nil
}
