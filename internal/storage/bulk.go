package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// Bulk is records to write as they are, with InsertBulk.
type Bulk struct {
	Users         []*models.User
	Clients       []*models.Client
	Visits        []*models.Visit
	Objections    []*models.Objection
	FollowUps     []*models.FollowUp
	StageEvents   []*models.StageEvent
	PlannedVisits []*models.PlannedVisit
	// Deals are written with their competitors.
	Deals []*models.Deal
}

// bulkBatch is how many rows one INSERT carries.
const bulkBatch = 1000

// InsertBulk writes records as they are, in multi-row inserts, in the
// order of Bulk's fields and in one transaction, and sets their ids: for
// loading generated data into benchmarks and tests. It writes only the
// rows given — none of what logging a record does beside it (a visit's
// follow-up, stage change and three-visits count): the caller gives those
// rows too. Times are stored as given (CreatedAt included), states too.
func (db *DB) InsertBulk(ctx context.Context, b *Bulk) error {
	steps := []func(tx *gorm.DB) error{
		insertRows(b.Users, userRowOf, func(u *models.User, r *userRow) { u.ID = r.ID }),
		insertRows(b.Clients, bulkClientRow, func(c *models.Client, r *clientRow) { c.ID = r.ID }),
		func(tx *gorm.DB) error {
			rows := make([]clientRow, len(b.Clients))
			for i, c := range b.Clients {
				rows[i] = clientRow{ID: c.ID, TeamID: c.TeamID, Name: c.Name}
			}
			return insertGrams(tx, rows)
		},
		insertRows(b.Visits, bulkVisitRow, func(v *models.Visit, r *visitRow) { v.ID = r.ID }),
		insertRows(b.Objections, objectionRowOf, func(o *models.Objection, r *objectionRow) { o.ID = r.ID }),
		insertRows(b.FollowUps, followUpRowOf, func(f *models.FollowUp, r *followUpRow) { f.ID = r.ID }),
		insertRows(b.StageEvents, stageEventRowOf, func(e *models.StageEvent, r *stageEventRow) { e.ID = r.ID }),
		insertRows(b.PlannedVisits, plannedVisitRowOf, func(p *models.PlannedVisit, r *plannedVisitRow) { p.ID = r.ID }),
		insertRows(b.Deals, bulkDealRow, func(d *models.Deal, r *dealRow) { d.ID = r.ID }),
		func(tx *gorm.DB) error {
			var rows []dealCompetitorRow
			for _, d := range b.Deals {
				for i := range d.Competitors {
					c := &d.Competitors[i]
					c.DealID = d.ID
					rows = append(rows, dealCompetitorRow{DealID: d.ID, Name: c.Name, Product: c.Product, Satisfaction: c.Satisfaction, Rep: c.Rep})
				}
			}
			if len(rows) == 0 {
				return nil
			}
			return tx.CreateInBatches(rows, bulkBatch).Error
		},
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		for _, step := range steps {
			if err := step(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("insert records in bulk: %w", err)
	}
	return nil
}

// insertRows is the step of InsertBulk for one kind of record: their rows
// in batches, then the ids back on the records.
func insertRows[M, R any](ms []*M, rowOf func(*M) R, setID func(*M, *R)) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		if len(ms) == 0 {
			return nil
		}
		rows := make([]R, len(ms))
		for i, m := range ms {
			rows[i] = rowOf(m)
		}
		if err := tx.CreateInBatches(rows, bulkBatch).Error; err != nil {
			return err
		}
		for i, m := range ms {
			setID(m, &rows[i])
		}
		return nil
	}
}

func userRowOf(u *models.User) userRow {
	return userRow{ID: u.ID, TelegramID: u.TelegramID, ChatID: u.ChatID, Name: u.Name, Username: u.Username,
		Lang: u.Lang, TZ: u.TZ, IsAdmin: u.IsAdmin, Active: u.Active, Unreachable: u.Unreachable,
		AwayFrom: timePtr(u.Away.From), AwayUntil: timePtr(u.Away.Until), LastSeen: timePtr(u.LastSeen), CreatedAt: utc(u.CreatedAt)}
}

func bulkClientRow(c *models.Client) clientRow {
	r := clientRowOf(c)
	r.CreatedAt, r.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return r
}

func bulkVisitRow(v *models.Visit) visitRow {
	r := visitRowOf(v)
	r.CreatedAt, r.UpdatedAt = utc(v.CreatedAt), utc(v.CreatedAt)
	return r
}

func objectionRowOf(o *models.Objection) objectionRow {
	return objectionRow{ID: o.ID, TeamID: o.TeamID, ClientID: o.ClientID, RepID: o.RepID, VisitID: idPtr(o.VisitID), At: utc(o.At),
		Category: string(o.Category), Words: o.Words, Answer: o.Answer, Resolved: o.Resolved, WorkedAnswer: o.WorkedAnswer,
		ResolvedAt: utcPtr(o.ResolvedAt), ClientCreated: o.ClientCreated, CreatedAt: utc(o.CreatedAt), UpdatedAt: utc(o.CreatedAt)}
}

func followUpRowOf(f *models.FollowUp) followUpRow {
	return followUpRow{ID: f.ID, TeamID: f.TeamID, OwnerID: f.OwnerID, ClientID: idPtr(f.ClientID), VisitID: idPtr(f.VisitID),
		Kind: string(f.Kind), Text: f.Text, DueAt: utc(f.DueAt), Exact: f.Exact, State: string(f.State), SendAt: utc(f.DueAt),
		Attempts: f.Attempts, MaybeSent: f.MaybeSentBefore, ChatID: f.ChatID, MessageID: int64(f.MessageID),
		SentAt: timePtr(f.SentAt), Late: f.Late, DoneAt: timePtr(f.DoneAt), SnoozeCount: f.SnoozeCount,
		CreatedAt: utc(f.CreatedAt), UpdatedAt: utc(f.CreatedAt)}
}

func stageEventRowOf(e *models.StageEvent) stageEventRow {
	return stageEventRow{ID: e.ID, TeamID: e.TeamID, ClientID: e.ClientID, UserID: e.UserID, VisitID: idPtr(e.VisitID),
		FromStage: string(e.From), ToStage: string(e.To), At: utc(e.At), CreatedAt: utc(e.At)}
}

func plannedVisitRowOf(p *models.PlannedVisit) plannedVisitRow {
	week := p.WeekStart
	if week == "" {
		week = models.WeekOfDate(p.Day).Monday
	}
	return plannedVisitRow{PlannedVisit: models.PlannedVisit{ID: p.ID, TeamID: p.TeamID, RepID: p.RepID, ClientID: p.ClientID,
		WeekStart: week, Day: p.Day, Purpose: p.Purpose, CreatedAt: utc(p.CreatedAt)}, UpdatedAt: utc(p.CreatedAt)}
}

func bulkDealRow(d *models.Deal) dealRow {
	r := dealRowOf(d)
	r.CreatedAt, r.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	if r.State == "" {
		r.State = string(models.DealOpen)
	}
	return r
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return timePtr(*t)
}
