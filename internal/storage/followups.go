package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"salesbot/models"
)

type followUpRow struct {
	ID          int64 `gorm:"primaryKey"`
	TeamID      int64
	OwnerID     int64
	ClientID    *int64
	VisitID     *int64
	Kind        string
	Text        string
	DueAt       time.Time
	Exact       bool
	State       string
	SendAt      time.Time
	ClaimToken  string
	Attempts    int
	LastError   string
	MaybeSent   bool
	ChatID      int64
	MessageID   int64
	SentAt      *time.Time
	Late        bool
	DoneAt      *time.Time
	SnoozeCount int
	// ClosedByVisitID is the visit that closed this revisit (nil: open, or
	// done by a person).
	ClosedByVisitID *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (followUpRow) TableName() string { return "follow_ups" }

type followUpSnoozeRow struct {
	ID         int64 `gorm:"primaryKey"`
	FollowUpID int64
	At         time.Time
	FromDue    time.Time
	ToDue      time.Time
}

func (followUpSnoozeRow) TableName() string { return "follow_up_snoozes" }

// followUpView is a row with the client's name, as lists show it.
type followUpView struct {
	Row        followUpRow `gorm:"embedded"`
	ClientName *string
}

func (r *followUpRow) model() *models.FollowUp {
	f := &models.FollowUp{
		ID: r.ID, TeamID: r.TeamID, OwnerID: r.OwnerID, Kind: models.FollowUpKind(r.Kind), Text: r.Text,
		DueAt: r.DueAt.UTC(), Exact: r.Exact, State: models.FollowUpState(r.State),
		SentAt: derefTime(r.SentAt), ChatID: r.ChatID, MessageID: int(r.MessageID), Late: r.Late,
		MaybeSentBefore: r.MaybeSent, Attempts: r.Attempts, DoneAt: derefTime(r.DoneAt), SnoozeCount: r.SnoozeCount, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.ClientID != nil {
		f.ClientID = *r.ClientID
	}
	if r.VisitID != nil {
		f.VisitID = *r.VisitID
	}
	return f
}

func (v *followUpView) model() *models.FollowUp {
	f := v.Row.model()
	if v.ClientName != nil {
		f.ClientName = *v.ClientName
	}
	return f
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// openStates are models.OpenFollowUpStates as strings for queries.
var openStates = stateStrings(models.OpenFollowUpStates)

func stateStrings(states []models.FollowUpState) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// CreateFollowUp stores a new pending follow-up; DueAt is when it goes out.
func (db *DB) CreateFollowUp(ctx context.Context, f *models.FollowUp) (*models.FollowUp, error) {
	var out *models.FollowUp
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if f.Kind == models.KindReminder {
			// The cap is checked in the writing transaction: a user's
			// messages are handled one at a time, so the count holds.
			var n int64
			err := tx.Model(&followUpRow{}).Where("owner_id = ? AND kind = ? AND state IN ?", f.OwnerID, string(models.KindReminder), openStates).
				Count(&n).Error
			if err != nil {
				return fmt.Errorf("count open reminders: %w", err)
			}
			if err := models.CheckCount("err_too_many_reminders", int(n)+1, models.MaxOpenReminders); err != nil {
				return err
			}
		}
		var err error
		out, err = createFollowUp(tx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create %s follow-up for user %d: %w", f.Kind, f.OwnerID, err)
	}
	return out, nil
}

// CreateFollowUps stores many pending follow-ups at once (imports, tests,
// benchmarks), in batches within one transaction.
func (db *DB) CreateFollowUps(ctx context.Context, fs []*models.FollowUp) error {
	rows := make([]followUpRow, len(fs))
	for i, f := range fs {
		rows[i] = pendingRow(f)
	}
	err := db.tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(rows, 500).Error })
	if err != nil {
		return fmt.Errorf("create %d follow-ups: %w", len(fs), err)
	}
	for i := range fs {
		fs[i].ID = rows[i].ID
	}
	return nil
}

// pendingRow is the row of a new follow-up f, pending until it is due.
func pendingRow(f *models.FollowUp) followUpRow {
	return followUpRow{
		TeamID: f.TeamID, OwnerID: f.OwnerID, ClientID: idPtr(f.ClientID), VisitID: idPtr(f.VisitID),
		Kind: string(f.Kind), Text: f.Text, DueAt: utc(f.DueAt), Exact: f.Exact,
		State: string(models.FollowUpPending), SendAt: utc(f.DueAt),
	}
}

func createFollowUp(tx *gorm.DB, f *models.FollowUp) (*models.FollowUp, error) {
	row := pendingRow(f)
	if err := tx.Create(&row).Error; err != nil {
		return nil, err
	}
	return row.model(), nil
}

// FollowUp returns one follow-up with its client's name and snooze
// history, if viewer may see it (their own, or their team's for a
// manager); otherwise the same ENOTFOUND as one gone.
func (db *DB) FollowUp(ctx context.Context, viewer *models.User, id int64) (*models.FollowUp, error) {
	var v followUpView
	cond, args := entryScope(viewer, "follow_ups", "owner_id")
	err := db.viewQuery(ctx).Where("follow_ups.id = ?", id).Where(cond, args...).Take(&v).Error
	if err != nil {
		return nil, fmt.Errorf("get follow-up %d: %w", id, translate(err, "err_followup_not_found", ""))
	}
	f := v.model()
	var snoozes []followUpSnoozeRow
	if err := db.conn(ctx).Where("follow_up_id = ?", id).Order("id").Find(&snoozes).Error; err != nil {
		return nil, fmt.Errorf("get snoozes of follow-up %d: %w", id, err)
	}
	for _, s := range snoozes {
		f.Snoozes = append(f.Snoozes, models.Snooze{At: s.At.UTC(), From: s.FromDue.UTC(), To: s.ToDue.UTC()})
	}
	return f, nil
}

func (db *DB) viewQuery(ctx context.Context) *gorm.DB {
	return db.conn(ctx).Table("follow_ups").
		Select("follow_ups.*, clients.name AS client_name").
		Joins("LEFT JOIN clients ON clients.id = follow_ups.client_id")
}

// MaxListedFollowUps bounds the lists of open follow-ups.
const MaxListedFollowUps = 200

// OpenFollowUps lists viewer's own open follow-ups, earliest due first (so
// the overdue ones lead), with client names; at most MaxListedFollowUps.
func (db *DB) OpenFollowUps(ctx context.Context, viewer *models.User) ([]*models.FollowUp, error) {
	ownerID := viewer.ID
	var rows []followUpView
	err := db.viewQuery(ctx).
		Where("follow_ups.owner_id = ? AND follow_ups.state IN ?", ownerID, openStates).
		Order("follow_ups.due_at, follow_ups.id").Limit(MaxListedFollowUps).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list open follow-ups of user %d: %w", ownerID, err)
	}
	return views(rows), nil
}

// ClientOpenFollowUps lists a client's open follow-ups that viewer may see,
// earliest due first: everyone's, or one owner's (ownerID != 0).
func (db *DB) ClientOpenFollowUps(ctx context.Context, viewer *models.User, clientID, ownerID int64) ([]*models.FollowUp, error) {
	cond, args := entryScope(viewer, "follow_ups", "owner_id")
	q := db.viewQuery(ctx).Where("follow_ups.client_id = ? AND follow_ups.state IN ?", clientID, openStates).Where(cond, args...)
	if ownerID != 0 {
		q = q.Where("follow_ups.owner_id = ?", ownerID)
	}
	var rows []followUpView
	if err := q.Order("follow_ups.due_at, follow_ups.id").Limit(MaxListedFollowUps).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list open follow-ups of client %d: %w", clientID, err)
	}
	return views(rows), nil
}

// CountOpenFollowUps counts a user's open follow-ups.
func (db *DB) CountOpenFollowUps(ctx context.Context, ownerID int64) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&followUpRow{}).
		Where("owner_id = ? AND state IN ?", ownerID, openStates).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count open follow-ups of user %d: %w", ownerID, err)
	}
	return n, nil
}

// OverdueFollowUp is a team member's overdue follow-up, for managers.
type OverdueFollowUp struct {
	FollowUp  *models.FollowUp
	OwnerName string
}

// TeamOverdueFollowUps lists a team's open follow-ups due before now,
// oldest first, with owner and client names, as viewer may see them
// (entryScope: a manager the team's, anyone else their own).
func (db *DB) TeamOverdueFollowUps(ctx context.Context, viewer *models.User, teamID int64, now time.Time, limit int) ([]OverdueFollowUp, error) {
	cond, args := entryScope(viewer, "follow_ups", "owner_id")
	var rows []struct {
		Row        followUpRow `gorm:"embedded"`
		ClientName *string
		OwnerName  string
	}
	err := db.viewQuery(ctx).Select("follow_ups.*, clients.name AS client_name, users.name AS owner_name").
		Joins("JOIN users ON users.id = follow_ups.owner_id").
		Where("follow_ups.team_id = ? AND follow_ups.state IN ? AND follow_ups.due_at < ?", teamID, openStates, utc(now)).Where(cond, args...).
		Order("follow_ups.due_at, follow_ups.id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list overdue follow-ups of team %d: %w", teamID, err)
	}
	out := make([]OverdueFollowUp, len(rows))
	for i := range rows {
		v := followUpView{Row: rows[i].Row, ClientName: rows[i].ClientName}
		out[i] = OverdueFollowUp{FollowUp: v.model(), OwnerName: rows[i].OwnerName}
	}
	return out, nil
}

func views(rows []followUpView) []*models.FollowUp {
	out := make([]*models.FollowUp, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out
}

// ownedFollowUp loads a follow-up of ownerID for a change; someone else's (or a
// missing) one is ENOTFOUND, so a foreign button changes nothing.
func ownedFollowUp(tx *gorm.DB, id, ownerID int64) (*followUpRow, error) {
	var row followUpRow
	// A follow-up of a team is its owner's while their membership there is
	// active: someone deactivated in North (and active in South) cannot
	// close or move North's follow-ups from an old button. A reminder of
	// no team (team 0) is the owner's alone.
	err := tx.Where("id = ? AND owner_id = ?", id, ownerID).
		Where("team_id = 0 OR EXISTS (SELECT 1 FROM members WHERE members.team_id = follow_ups.team_id AND members.user_id = follow_ups.owner_id AND members.active = ?)", true).
		Take(&row).Error
	if err != nil {
		return nil, translate(err, "err_followup_not_found", "")
	}
	return &row, nil
}

// changeOwnedFollowUp runs change on the owner's follow-up in one
// transaction and returns the follow-up as it is then, with whether change
// says it changed something; what names the change in the error.
func (db *DB) changeOwnedFollowUp(ctx context.Context, id, ownerID int64, what string,
	change func(tx *gorm.DB, row *followUpRow, now time.Time) (bool, error)) (*models.FollowUp, bool, error) {
	now := db.Now()
	var (
		row     *followUpRow
		changed bool
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if row, err = ownedFollowUp(tx, id, ownerID); err != nil {
			return err
		}
		changed, err = change(tx, row, now)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("%s follow-up %d: %w", what, id, err)
	}
	return db.withClientName(ctx, row), changed, nil
}

// CompleteFollowUp marks the owner's follow-up done. It returns the
// follow-up as it is now and whether this call changed it (false when it
// was closed already).
func (db *DB) CompleteFollowUp(ctx context.Context, id, ownerID int64) (*models.FollowUp, bool, error) {
	return db.changeOwnedFollowUp(ctx, id, ownerID, "complete", func(tx *gorm.DB, row *followUpRow, now time.Time) (bool, error) {
		if !models.FollowUpState(row.State).Open() {
			return false, nil
		}
		res := tx.Model(&followUpRow{}).Where("id = ? AND state IN ?", id, openStates).
			Updates(map[string]any{"state": string(models.FollowUpDone), "done_at": now, "claim_token": "", "closed_by_visit_id": nil})
		if res.Error != nil {
			return false, res.Error
		}
		row.State, row.DoneAt = string(models.FollowUpDone), &now
		return res.RowsAffected > 0, nil
	})
}

// ReopenFollowUp takes back the owner's Done: the follow-up is open again as
// it was — waiting for its time if that is ahead, otherwise open as a
// delivered one (the rep has just seen it, so it is not sent again; one
// never delivered goes out now). It returns the follow-up and whether this
// call changed it (false when it was not done, e.g. reopened already).
func (db *DB) ReopenFollowUp(ctx context.Context, id, ownerID int64) (*models.FollowUp, bool, error) {
	return db.changeOwnedFollowUp(ctx, id, ownerID, "reopen", func(tx *gorm.DB, row *followUpRow, now time.Time) (bool, error) {
		if row.State != string(models.FollowUpDone) {
			return false, nil
		}
		state, sendAt := models.FollowUpPending, row.DueAt
		if !row.DueAt.After(now) && row.SentAt != nil {
			state = models.FollowUpSent
		}
		res := tx.Model(&followUpRow{}).Where("id = ? AND state = ?", id, string(models.FollowUpDone)).
			Updates(map[string]any{"state": string(state), "done_at": nil, "send_at": sendAt, "claim_token": "", "closed_by_visit_id": nil})
		if res.Error != nil {
			return false, res.Error
		}
		row.State, row.DoneAt, row.SendAt = string(state), nil, sendAt
		return res.RowsAffected > 0, nil
	})
}

// CancelFollowUp cancels the owner's open follow-up (a reminder they no
// longer want).
func (db *DB) CancelFollowUp(ctx context.Context, id, ownerID int64) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := ownedFollowUp(tx, id, ownerID); err != nil {
			return err
		}
		return tx.Model(&followUpRow{}).Where("id = ? AND state IN ?", id, openStates).
			Updates(map[string]any{"state": string(models.FollowUpCancelled), "claim_token": ""}).Error
	})
	if err != nil {
		return fmt.Errorf("cancel follow-up %d: %w", id, err)
	}
	return nil
}

// SnoozeFollowUp moves the owner's open follow-up to a new due time and
// records the snooze; it goes out again then, as a new message. exact says
// whether the rep chose the moment themselves. A time not after the current
// due time is refused (models.CheckSnooze): a snooze never brings a
// follow-up forward, whichever path asked for it.
func (db *DB) SnoozeFollowUp(ctx context.Context, id, ownerID int64, to time.Time, exact bool) (*models.FollowUp, error) {
	to = utc(to)
	f, _, err := db.changeOwnedFollowUp(ctx, id, ownerID, "snooze", func(tx *gorm.DB, row *followUpRow, now time.Time) (bool, error) {
		if !models.FollowUpState(row.State).Open() {
			return false, models.Errorf(models.ECONFLICT, "err_followup_closed", map[string]any{"State": row.State})
		}
		if err := models.CheckSnooze(row.DueAt, to); err != nil {
			return false, err
		}
		if err := tx.Create(&followUpSnoozeRow{FollowUpID: id, At: now, FromDue: row.DueAt, ToDue: to}).Error; err != nil {
			return false, err
		}
		updates := map[string]any{
			"state": string(models.FollowUpPending), "due_at": to, "send_at": to, "exact": exact,
			"claim_token": "", "snooze_count": gorm.Expr("snooze_count + 1"), "late": false, "maybe_sent": false,
		}
		if err := tx.Model(&followUpRow{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return false, err
		}
		row.State, row.DueAt, row.SendAt, row.Exact, row.SnoozeCount = string(models.FollowUpPending), to, to, exact, row.SnoozeCount+1
		return true, nil
	})
	return f, err
}

func (db *DB) withClientName(ctx context.Context, row *followUpRow) *models.FollowUp {
	f := row.model()
	if row.ClientID != nil {
		var name string
		if err := db.conn(ctx).Table("clients").Select("name").Where("id = ?", *row.ClientID).Scan(&name).Error; err == nil {
			f.ClientName = name
		}
	}
	return f
}

// --- the visit's revisit follow-up ---------------------------------------
//
// visitWritten and newVisitWritten call these inside the transaction that
// saves, edits or undoes a visit, so a visit and its follow-up never
// disagree.

// revisitRule is what the one-week rule needs of a visit's team and rep:
// the team's interval and working hours, in the rep's zone (the team's
// when they set none).
type revisitRule struct {
	days  int
	hours models.WorkingHours
	loc   *time.Location
}

// revisitRuleRow reads a revisitRule with revisitRuleColumns, from a query
// on teams with the rep's id as the columns' one argument.
type revisitRuleRow struct {
	TeamTZ       string
	RevisitDays  int
	MorningMin   int
	QuietFromMin int
	QuietToMin   int
	DaysOff      int
	RepTZ        *string // nil: no such rep
}

const revisitRuleColumns = "teams.tz AS team_tz, teams.revisit_days, teams.morning_min, teams.quiet_from_min, " +
	"teams.quiet_to_min, teams.days_off, (SELECT users.tz FROM users WHERE users.id = ?) AS rep_tz"

func (r *revisitRuleRow) rule() revisitRule {
	loc := models.LoadLocation(r.TeamTZ)
	if r.RepTZ != nil && *r.RepTZ != "" {
		loc = models.LoadLocation(*r.RepTZ)
	}
	return revisitRule{days: r.RevisitDays, hours: hoursOf(r.MorningMin, r.QuietFromMin, r.QuietToMin, r.DaysOff), loc: loc}
}

// loadRevisitRule reads the revisit rule of team teamID for rep repID, in
// one statement.
func loadRevisitRule(tx *gorm.DB, teamID, repID int64) (revisitRule, error) {
	var row revisitRuleRow
	if err := tx.Table("teams").Select(revisitRuleColumns, repID).Where("teams.id = ?", teamID).Take(&row).Error; err != nil {
		return revisitRule{}, fmt.Errorf("get team %d: %w", teamID, err)
	}
	return row.rule(), nil
}

// freshVisit is what a new visit's write knows of its client, read with
// it: backdated, a live visit of the client lies after the new one (it was
// logged for an earlier time); openRevisits, the client has open revisit
// follow-ups, which the new visit may close.
type freshVisit struct {
	backdated, openRevisits bool
}

// syncVisitFollowUp applies the one-week rule to a saved visit, within tx:
//   - a new visit completes the open revisit follow-ups of earlier visits
//     to the same client (the rep went back: that is the follow-up done);
//   - the visit's own revisit follow-up is created, moved to a changed due
//     time, or cancelled when the rep turned it off (an edit that turns it
//     on again reopens it; one done already stays done).
//
// It returns the visit's open follow-up, nil when there is none. The due
// time is read by rule. fresh is set for a new visit, which has no
// follow-up yet (its id is new: visits are never deleted, only marked).
func syncVisitFollowUp(tx *gorm.DB, v *models.Visit, rule revisitRule, fresh *freshVisit, now time.Time) (*models.FollowUp, error) {
	if v.ID == 0 {
		return nil, errors.New("visit has no id")
	}
	isNew := fresh != nil
	if isNew && fresh.openRevisits {
		if err := closeEarlierRevisits(tx, v, now); err != nil {
			return nil, err
		}
	}
	due, exact, ok := models.RevisitDue(v, rule.days, rule.hours, rule.loc)

	var existing followUpRow
	found := false
	if !isNew {
		err := tx.Where("visit_id = ? AND kind = ?", v.ID, string(models.KindRevisit)).Order("id DESC").Take(&existing).Error
		found = err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	switch {
	case !ok && found && models.FollowUpState(existing.State).Open():
		err := tx.Model(&followUpRow{}).Where("id = ?", existing.ID).
			Updates(map[string]any{"state": string(models.FollowUpCancelled), "claim_token": ""}).Error
		return nil, err
	case !ok:
		return nil, nil
	case !found:
		f := &models.FollowUp{TeamID: v.TeamID, OwnerID: v.RepID, ClientID: v.ClientID,
			VisitID: v.ID, Kind: models.KindRevisit, Text: v.NextStep, DueAt: due, Exact: exact}
		if !isNew || !fresh.backdated {
			return createFollowUp(tx, f)
		}
		// A visit logged for a time before the client's next visit on file
		// (a rep catching up in the evening): that later visit was its
		// revisit, so the follow-up is born closed by it — never overdue at
		// once, never ahead of the later visit's own on the card. Undoing
		// the later visit reopens it (reopenClosedBy).
		later, err := laterVisitID(tx, v)
		if err != nil || later == 0 {
			if err != nil {
				return nil, err
			}
			return createFollowUp(tx, f)
		}
		row := pendingRow(f)
		row.State, row.DoneAt, row.ClosedByVisitID = string(models.FollowUpDone), timePtr(utc(now)), &later
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		return nil, nil
	case existing.State == string(models.FollowUpDone):
		return nil, nil
	}
	updates := map[string]any{"client_id": idPtr(v.ClientID), "owner_id": v.RepID, "text": v.NextStep, "exact": exact}
	if !existing.DueAt.Equal(utc(due)) || existing.State == string(models.FollowUpCancelled) {
		// A new time: it goes out (again) then.
		updates["due_at"], updates["send_at"], updates["state"] = utc(due), utc(due), string(models.FollowUpPending)
		updates["claim_token"], updates["late"] = "", false
	}
	// The row comes back with the update (RETURNING): no read after it.
	var after followUpRow
	res := tx.Model(&after).Clauses(clause.Returning{}).Where("id = ?", existing.ID).Updates(updates)
	if res.Error != nil {
		return nil, res.Error
	}
	if after.ID != existing.ID {
		return nil, fmt.Errorf("follow-up %d of visit %d: %w", existing.ID, v.ID, gorm.ErrRecordNotFound)
	}
	return after.model(), nil
}

// closeEarlierRevisits marks done, closed by visit v, the open revisits of
// v's client that v answers: those of other visits, except of visits after
// v (a visit logged for an earlier time closes only the revisits of visits
// before it).
func closeEarlierRevisits(tx *gorm.DB, v *models.Visit, now time.Time) error {
	if v.ClientID == 0 {
		return nil
	}
	err := tx.Model(&followUpRow{}).
		Where("client_id = ? AND kind = ? AND state IN ? AND (visit_id IS NULL OR visit_id <> ?)",
			v.ClientID, string(models.KindRevisit), openStates, v.ID).
		// (Written out: a gorm subquery runs the query callbacks once
		// more, dry, and the statement counter would count it.)
		Where("visit_id IS NULL OR visit_id NOT IN (SELECT id FROM visits WHERE client_id = ? AND at > ?)", v.ClientID, utc(v.At)).
		Updates(map[string]any{"state": string(models.FollowUpDone), "done_at": utc(now), "claim_token": "", "closed_by_visit_id": v.ID}).Error
	if err != nil {
		return fmt.Errorf("complete earlier revisits of client %d: %w", v.ClientID, err)
	}
	return nil
}

// cancelVisitFollowUp cancels the open revisit follow-up of a visit being
// undone, within tx.
// reopenClosedBy opens again the revisits that visit visitID closed (its
// undo): each is open as it was — waiting if its time is ahead, open as
// delivered if it had been sent, otherwise due now.
func reopenClosedBy(tx *gorm.DB, visitID int64, now time.Time) error {
	q := func() *gorm.DB {
		return tx.Model(&followUpRow{}).Where("closed_by_visit_id = ? AND state = ?", visitID, string(models.FollowUpDone))
	}
	reset := map[string]any{"done_at": nil, "closed_by_visit_id": nil, "claim_token": ""}
	sent := map[string]any{"state": string(models.FollowUpSent)}
	for k, v := range reset {
		sent[k] = v
	}
	if err := q().Where("due_at <= ? AND sent_at IS NOT NULL", utc(now)).Updates(sent).Error; err != nil {
		return fmt.Errorf("reopen revisits closed by visit %d: %w", visitID, err)
	}
	pending := map[string]any{"state": string(models.FollowUpPending), "send_at": gorm.Expr("due_at")}
	for k, v := range reset {
		pending[k] = v
	}
	if err := q().Updates(pending).Error; err != nil {
		return fmt.Errorf("reopen revisits closed by visit %d: %w", visitID, err)
	}
	return nil
}

func cancelVisitFollowUp(tx *gorm.DB, visitID int64) error {
	return tx.Model(&followUpRow{}).
		Where("visit_id = ? AND kind = ? AND state IN ?", visitID, string(models.KindRevisit), openStates).
		Updates(map[string]any{"state": string(models.FollowUpCancelled), "claim_token": ""}).Error
}

// --- the dispatcher's side -----------------------------------------------
//
// Delivery guarantee. A due follow-up is claimed by moving it from pending
// to sending in the transaction that stores the message delivering it as
// an outgoing row (Source SourceFollowUp): the claim exists exactly when
// its message does, so there is no lease to wait out after a crash. The
// outbox sends that row like any other and, in the transaction of its sent
// mark (or of giving it up), records the follow-up's outcome through
// FollowUpDelivered (or FollowUpUndelivered). Only pending rows can be
// claimed and the database serialises the claims (PostgreSQL locks the
// rows in id order, skipping those a concurrent claim holds; SQLite has
// one writer), so two dispatchers never both deliver one follow-up.
//
// What is left is the outbox's one gap: the process dies after Telegram
// accepted the message and before its mark committed. The row then carries
// a start and is sent again, with the "you may have got this once already"
// line (outbox.Message.RepeatNote); a row whose send never started goes out
// once, without it. Claims of a dead process are its outgoing rows, which
// another replica takes over once the owner's heartbeat is a few seconds
// old, and which the same process resumes at once on restart.

// SourceFollowUp is the outgoing rows' Source for a follow-up's message.
const SourceFollowUp = "follow-up"

// DueFollowUp is a follow-up the dispatcher may act on, with what it needs
// to decide: the owner and the team's working hours.
type DueFollowUp struct {
	ID      int64
	TeamID  int64
	OwnerID int64
	State   models.FollowUpState
	DueAt   time.Time
	SendAt  time.Time
	Exact   bool

	ChatID      int64
	Lang        string
	UserTZ      string
	Active      bool
	Unreachable bool
	Away        models.Away
	TeamTZ      string
	Hours       models.WorkingHours
}

// Location is the zone the owner reads times in.
func (d *DueFollowUp) Location() *time.Location {
	if d.UserTZ != "" {
		return models.LoadLocation(d.UserTZ)
	}
	return models.LoadLocation(d.TeamTZ)
}

// DueFollowUps lists up to limit pending follow-ups whose send_at has
// come, oldest first. It reads the queue index (state, send_at); memory
// does not grow with the number pending.
func (db *DB) DueFollowUps(ctx context.Context, now time.Time, limit int) ([]DueFollowUp, error) {
	type dueRow struct {
		ID           int64
		TeamID       int64
		OwnerID      int64
		State        string
		DueAt        time.Time
		SendAt       time.Time
		Exact        bool
		ChatID       int64
		Lang         string
		UserTZ       string
		Active       bool
		Unreachable  bool
		AwayFrom     *time.Time
		AwayUntil    *time.Time
		TeamTZ       *string
		MorningMin   *int
		QuietFromMin *int
		QuietToMin   *int
		DaysOff      *int
	}
	var rows []dueRow
	err := db.conn(ctx).Table("follow_ups").
		Select(`follow_ups.id, follow_ups.team_id, follow_ups.owner_id, follow_ups.state, follow_ups.due_at,
			follow_ups.send_at, follow_ups.exact, users.chat_id, users.lang, users.tz AS user_tz,
			(users.active AND COALESCE(members.active, TRUE)) AS active,
			users.unreachable, users.away_from, users.away_until, teams.tz AS team_tz, teams.morning_min,
			teams.quiet_from_min, teams.quiet_to_min, teams.days_off`).
		Joins("JOIN users ON users.id = follow_ups.owner_id").
		// Deactivated in the follow-up's team: held, even while active
		// in another team (admins outside the team have no row).
		Joins("LEFT JOIN members ON members.team_id = follow_ups.team_id AND members.user_id = follow_ups.owner_id").
		Joins("LEFT JOIN teams ON teams.id = follow_ups.team_id"). // an admin's own reminders have no team
		Where("follow_ups.state = ? AND follow_ups.send_at <= ?", string(models.FollowUpPending), utc(now)).
		Order("follow_ups.send_at").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list due follow-ups: %w", err)
	}
	out := make([]DueFollowUp, len(rows))
	for i, r := range rows {
		out[i] = DueFollowUp{
			ID: r.ID, TeamID: r.TeamID, OwnerID: r.OwnerID, State: models.FollowUpState(r.State),
			DueAt: r.DueAt.UTC(), SendAt: r.SendAt.UTC(), Exact: r.Exact,
			ChatID: r.ChatID, Lang: r.Lang, UserTZ: r.UserTZ, Active: r.Active, Unreachable: r.Unreachable,
			Away:  models.Away{From: derefTime(r.AwayFrom), Until: derefTime(r.AwayUntil)},
			Hours: models.DefaultWorkingHours(),
		}
		if r.TeamTZ != nil {
			out[i].TeamTZ = *r.TeamTZ
			out[i].Hours = hoursOf(*r.MorningMin, *r.QuietFromMin, *r.QuietToMin, *r.DaysOff)
		}
	}
	return out, nil
}

// CountDueFollowUps counts the pending follow-ups whose time has come and
// that no dispatcher has taken yet (operators' "due" gauge).
func (db *DB) CountDueFollowUps(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&followUpRow{}).Where("state = ? AND send_at <= ?", string(models.FollowUpPending), utc(now)).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count due follow-ups: %w", err)
	}
	return n, nil
}

// DeferFollowUp moves a due follow-up's next look to sendAt without sending
// it (its owner is away, or it is quiet time for them). It changes nothing
// if the follow-up moved on since it was listed (prevSendAt no longer
// matches), so racing dispatchers agree.
func (db *DB) DeferFollowUp(ctx context.Context, id int64, prevSendAt, sendAt time.Time) error {
	err := db.conn(ctx).Model(&followUpRow{}).
		Where("id = ? AND state = ? AND send_at = ?", id, string(models.FollowUpPending), utc(prevSendAt)).
		Updates(map[string]any{"state": string(models.FollowUpPending), "send_at": utc(sendAt), "claim_token": ""}).Error
	if err != nil {
		return fmt.Errorf("defer follow-up %d: %w", id, err)
	}
	return nil
}

// HoldFollowUp parks a due follow-up whose owner cannot be reached until
// they write again (see SetUnreachable). Like DeferFollowUp it acts only on
// the follow-up as listed.
func (db *DB) HoldFollowUp(ctx context.Context, id int64, prevSendAt time.Time) error {
	err := db.conn(ctx).Model(&followUpRow{}).
		Where("id = ? AND state = ? AND send_at = ?", id, string(models.FollowUpPending), utc(prevSendAt)).
		Updates(map[string]any{"state": string(models.FollowUpHeld), "claim_token": ""}).Error
	if err != nil {
		return fmt.Errorf("hold follow-up %d: %w", id, err)
	}
	return nil
}

func releaseHeld(tx *gorm.DB, ownerID int64, now time.Time) error {
	return tx.Model(&followUpRow{}).Where("owner_id = ? AND state = ?", ownerID, string(models.FollowUpHeld)).
		Updates(map[string]any{"state": string(models.FollowUpPending), "send_at": utc(now)}).Error
}

// ClaimFollowUps claims the given due follow-ups for delivery and returns
// those it got (others may have been claimed, snoozed or completed in the
// meantime) with client names. Call it in InTx with the enqueueing of
// their messages (see "Delivery guarantee"). The attempt is counted, and
// whether the message is late is decided now (models.IsLate), since the
// message says so.
func (db *DB) ClaimFollowUps(ctx context.Context, ids []int64, now time.Time) ([]*models.FollowUp, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []followUpView
	pending := string(models.FollowUpPending)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			// Two dispatchers claiming overlapping batches would otherwise
			// lock rows in whatever order each scan meets them and can
			// deadlock (40P01). Locking in id order and skipping rows the
			// other holds lets each take a disjoint part at once.
			var free []int64
			err := tx.Model(&followUpRow{}).Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
				Where("id IN ? AND state = ? AND send_at <= ?", ids, pending, utc(now)).
				Order("id").Pluck("id", &free).Error
			if err != nil {
				return err
			}
			if len(free) == 0 {
				return nil
			}
			ids = free
		}
		// Which rows this call moves: read under the claim's write lock
		// (SQLite) or row locks (PostgreSQL), then moved by id and state,
		// so a row changed meanwhile is neither moved nor returned.
		var got []int64
		if err := tx.Model(&followUpRow{}).Where("id IN ? AND state = ? AND send_at <= ?", ids, pending, utc(now)).
			Order("id").Pluck("id", &got).Error; err != nil {
			return err
		}
		if len(got) == 0 {
			return nil
		}
		err := tx.Model(&followUpRow{}).Where("id IN ? AND state = ?", got, pending).
			Updates(map[string]any{
				"state":       string(models.FollowUpSending),
				"claim_token": "",
				"attempts":    gorm.Expr("attempts + 1"),
				"late":        gorm.Expr("due_at <= ?", utc(now.Add(-models.LateAfter))),
			}).Error
		if err != nil {
			return err
		}
		return tx.Table("follow_ups").Select("follow_ups.*, clients.name AS client_name").
			Joins("LEFT JOIN clients ON clients.id = follow_ups.client_id").
			Where("follow_ups.id IN ?", got).
			Order("follow_ups.send_at, follow_ups.id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d follow-ups: %w", len(ids), err)
	}
	return views(rows), nil
}

// SendingFollowUps counts the follow-ups whose message is queued and not
// yet sent, per owner: the dispatcher keeps them few, so the queue never
// holds a burst that would make a rep's replies wait behind reminders.
func (db *DB) SendingFollowUps(ctx context.Context) (map[int64]int, int, error) {
	var rows []struct {
		OwnerID int64
		N       int
	}
	err := db.conn(ctx).Model(&followUpRow{}).Select("owner_id, COUNT(*) AS n").
		Where("state = ?", string(models.FollowUpSending)).Group("owner_id").Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("count follow-ups being sent: %w", err)
	}
	out := make(map[int64]int, len(rows))
	total := 0
	for _, r := range rows {
		out[r.OwnerID] = r.N
		total += r.N
	}
	return out, total, nil
}

// FollowUpDelivered records, in the transaction of its message's sent
// mark, that Telegram accepted the follow-up's message. It reports false
// when the follow-up had moved on meanwhile (the rep completed, snoozed or
// cancelled it while its message was queued, or pressed Done on it before
// the mark committed): its state is left as the rep made it, and only the
// delivery (message, time) is recorded.
func (db *DB) FollowUpDelivered(ctx context.Context, id, chatID int64, messageID int) (*models.FollowUp, bool, error) {
	now := db.Now()
	// The row comes back with the update (RETURNING): no read after it.
	var row followUpRow
	res := db.write(ctx, func(g *gorm.DB) *gorm.DB {
		return g.Model(&row).Clauses(clause.Returning{}).Where("id = ? AND state = ?", id, string(models.FollowUpSending)).
			Updates(map[string]any{
				"state": string(models.FollowUpSent), "chat_id": chatID, "message_id": messageID,
				"sent_at": now, "last_error": "", "maybe_sent": false,
			})
	})
	if res.Error != nil {
		return nil, false, fmt.Errorf("mark follow-up %d sent: %w", id, res.Error)
	}
	if res.RowsAffected == 1 && row.ID == id {
		return row.model(), true, nil
	}
	if res.RowsAffected == 0 {
		err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
			return g.Model(&followUpRow{}).Where("id = ?", id).
				Updates(map[string]any{"chat_id": chatID, "message_id": messageID, "sent_at": now, "maybe_sent": false})
		}).Error
		if err != nil {
			return nil, false, fmt.Errorf("record follow-up %d delivered: %w", id, err)
		}
	}
	row = followUpRow{}
	if err := db.conn(ctx).Take(&row, id).Error; err != nil {
		return nil, false, fmt.Errorf("get follow-up %d: %w", id, err)
	}
	return row.model(), res.RowsAffected > 0, nil
}

// FollowUpUndelivered records, in the transaction that gave its message
// up, why a follow-up was not delivered: its owner cannot be reached
// (unreachable: the follow-up is held, the owner marked unreachable, until
// they write again), or Telegram refused it (it is due again at retryAt,
// as a new message).
func (db *DB) FollowUpUndelivered(ctx context.Context, id int64, unreachable bool, retryAt time.Time, why string) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&followUpRow{}).Where("id = ? AND state = ?", id, string(models.FollowUpSending))
		if !unreachable {
			return q.Updates(map[string]any{"state": string(models.FollowUpPending), "send_at": utc(retryAt), "last_error": clip(why, 300)}).Error
		}
		if err := q.Updates(map[string]any{"state": string(models.FollowUpHeld), "last_error": clip(why, 300)}).Error; err != nil {
			return err
		}
		return tx.Model(&userRow{}).Where("id = (SELECT owner_id FROM follow_ups WHERE id = ?)", id).Update("unreachable", true).Error
	})
	if err != nil {
		return fmt.Errorf("record follow-up %d undelivered: %w", id, err)
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") // drops a rune cut in half
}

// FollowUpStateCounts counts follow-ups by state (tests, benchmarks and
// operators' checks).
func (db *DB) FollowUpStateCounts(ctx context.Context) (map[models.FollowUpState]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	err := db.conn(ctx).Model(&followUpRow{}).Select("state, COUNT(*) AS n").Group("state").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count follow-ups by state: %w", err)
	}
	out := map[models.FollowUpState]int64{}
	for _, r := range rows {
		out[models.FollowUpState(r.State)] = r.N
	}
	return out, nil
}

// SendErrors lists the last send errors kept on follow-ups (those that
// have one), newest change first, for operators looking at why something
// did not go out.
func (db *DB) SendErrors(ctx context.Context, limit int) ([]string, error) {
	var out []string
	err := db.conn(ctx).Model(&followUpRow{}).Where("last_error <> ''").Order("updated_at DESC, id DESC").
		Limit(limit).Pluck("last_error", &out).Error
	if err != nil {
		return nil, fmt.Errorf("list follow-up send errors: %w", err)
	}
	return out, nil
}

// laterVisitID is the client's first visit after v (0: none): the visit
// that was v's revisit (idx_visits_client_at).
func laterVisitID(tx *gorm.DB, v *models.Visit) (int64, error) {
	var ids []int64
	err := tx.Model(&visitRow{}).Where("client_id = ? AND at > ? AND id <> ? AND deleted_at IS NULL", v.ClientID, utc(v.At), v.ID).
		Order("at, id").Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// LaterVisit is the client's first visit after v that viewer may see (nil:
// none): what a visit logged for an earlier time says its revisit was.
func (db *DB) LaterVisit(ctx context.Context, viewer *models.User, v *models.Visit) (*models.Visit, error) {
	id, err := laterVisitID(db.conn(ctx), v)
	if err != nil || id == 0 {
		return nil, err
	}
	later, err := db.Visit(ctx, viewer, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, nil
	}
	return later, err
}
