package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type clientRow struct {
	ID               int64 `gorm:"primaryKey"`
	TeamID           int64
	Name             string
	NameKey          string
	Industry         string
	Address          string
	Size             string
	Source           string
	OwnerID          int64
	Grade            string
	Stage            string
	Notes            string
	GradeAsked       bool
	LastVisitAt      *time.Time
	NoProgressVisits int
	// CreatedBy is who created the card (its first owner), for the new
	// clients a rep brought in a month.
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (clientRow) TableName() string { return "clients" }

func (r *clientRow) model() *models.Client {
	return &models.Client{
		ID: r.ID, TeamID: r.TeamID, Name: r.Name, Industry: r.Industry, Address: r.Address, Size: r.Size,
		Source: r.Source, OwnerID: r.OwnerID, Grade: models.Grade(r.Grade), Stage: models.Stage(r.Stage),
		Notes: r.Notes, GradeAsked: r.GradeAsked, LastVisitAt: derefTime(r.LastVisitAt),
		NoProgressVisits: r.NoProgressVisits, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func clientRowOf(c *models.Client) clientRow {
	return clientRow{
		ID: c.ID, TeamID: c.TeamID, Name: c.Name, NameKey: models.NameKey(c.Name), Industry: c.Industry,
		Address: c.Address, Size: c.Size, Source: c.Source, OwnerID: c.OwnerID, Grade: string(c.Grade),
		Stage: string(c.Stage), Notes: c.Notes, GradeAsked: c.GradeAsked, LastVisitAt: timePtr(c.LastVisitAt),
		NoProgressVisits: c.NoProgressVisits, CreatedBy: c.OwnerID,
	}
}

// CreateClient adds a client card. A name whose key is taken in the team is
// ECONFLICT.
func (db *DB) CreateClient(ctx context.Context, c *models.Client) error {
	return db.tx(ctx, func(tx *gorm.DB) error { return createClient(tx, c) })
}

// createEntryClient makes, in an entry's transaction, the card of a client
// the entry names that nobody has yet (c, a copy), and sets the entry's
// client to it.
func createEntryClient(tx *gorm.DB, c models.Client, clientID *int64) error {
	if err := createClient(tx, &c); err != nil {
		return err
	}
	*clientID = c.ID
	return nil
}

func createClient(tx *gorm.DB, c *models.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	row := clientRowOf(c)
	row.ID = 0
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("create client %q in team %d: %w", c.Name, c.TeamID, translate(err, "", "err_client_exists"))
	}
	if err := addGrams(tx, row.ID, row.TeamID, row.Name); err != nil {
		return err
	}
	*c = *row.model()
	return nil
}

// Client returns a client card by id, if viewer may see it: a card gone
// and a card not theirs are the same ENOTFOUND, so ids reveal nothing.
func (db *DB) Client(ctx context.Context, viewer *models.User, id int64) (*models.Client, error) {
	var row clientRow
	if err := visibleClients(db.conn(ctx), viewer).Where("clients.id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("get client %d: %w", id, translate(err, "err_client_gone", ""))
	}
	return row.model(), nil
}

// ClientsByID reads the clients of ids that viewer may see, by id (the
// primary key; one query for a list's names).
func (db *DB) ClientsByID(ctx context.Context, viewer *models.User, ids []int64) (map[int64]*models.Client, error) {
	out := make(map[int64]*models.Client, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []clientRow
	if err := visibleClients(db.conn(ctx), viewer).Where("clients.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("get clients %v: %w", ids, err)
	}
	for _, c := range clientModels(rows) {
		out[c.ID] = c
	}
	return out, nil
}

// ClientByName finds the team's client whose name has the same key as
// name (case, width, spacing and punctuation aside), among those viewer
// may see.
func (db *DB) ClientByName(ctx context.Context, viewer *models.User, teamID int64, name string) (*models.Client, error) {
	var row clientRow
	err := visibleClients(db.conn(ctx), viewer).Where("team_id = ? AND name_key = ?", teamID, models.NameKey(name)).Take(&row).Error
	if err != nil {
		return nil, fmt.Errorf("find client %q in team %d: %w", name, teamID, translate(err, "err_client_not_found", ""))
	}
	return row.model(), nil
}

func clientModels(rows []clientRow) []*models.Client {
	out := make([]*models.Client, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out
}

// ClientFilter selects clients for a list.
type ClientFilter struct {
	// Viewer is who asks: the list holds only clients they may see.
	Viewer  *models.User
	TeamIDs []int64
	// OwnerID, when set, keeps that rep's clients only.
	OwnerID int64
	Grade   models.Grade
	Offset  int
	Limit   int
}

// clientQuery is a list of clients by name: idx_clients_team_owner_name
// for a rep's clients, idx_clients_team_grade_name for a grade,
// idx_clients_team_key otherwise.
func clientQuery(tx *gorm.DB, f ClientFilter) *gorm.DB {
	q := visibleClients(tx, f.Viewer).Where("team_id IN ?", f.TeamIDs)
	if whole, part := splitReach(f.Viewer, f.TeamIDs); len(whole) == 0 && len(part) > 0 {
		// A rep who sees part of their teams: their clients come from the
		// rep's side of the indexes, not from a scan of the team's.
		q = q.Where("clients.id IN (?)", repClientIDs(tx.Session(&gorm.Session{NewDB: true}), f.Viewer.ID, part))
	}
	if f.OwnerID != 0 {
		q = q.Where("owner_id = ?", f.OwnerID)
	}
	if f.Grade != models.GradeNone {
		q = q.Where("grade = ?", string(f.Grade))
	}
	return q
}

// Clients lists clients by name, a page at a time, with the total.
func (db *DB) Clients(ctx context.Context, f ClientFilter) ([]*models.Client, int, error) {
	if len(f.TeamIDs) == 0 {
		return nil, 0, nil
	}
	g := db.conn(ctx)
	var total int64
	if err := clientQuery(g, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count clients: %w", err)
	}
	var rows []clientRow
	if err := clientQuery(g, f).Order("name_key, id").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	return clientModels(rows), int(total), nil
}

// RecentClients lists the clients viewer visited last, newest first
// (idx_visits_rep_at), among those they may still see.
func (db *DB) RecentClients(ctx context.Context, viewer *models.User, limit int) ([]*models.Client, error) {
	repID := viewer.ID
	var ids []int64
	err := db.conn(ctx).Model(&visitRow{}).
		Where("rep_id = ? AND deleted_at IS NULL", repID).
		Order("at DESC").Limit(limit*5).Pluck("client_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("recent clients of rep %d: %w", repID, err)
	}
	var order []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] && len(order) < limit {
			seen[id] = true
			order = append(order, id)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	var rows []clientRow
	if err := visibleClients(db.conn(ctx), viewer).Where("clients.id IN ?", order).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load recent clients: %w", err)
	}
	byID := map[int64]*models.Client{}
	for i := range rows {
		byID[rows[i].ID] = rows[i].model()
	}
	out := make([]*models.Client, 0, len(order))
	for _, id := range order {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// UpdateClient stores a card's fields (name, industry, address, size,
// source, notes, grade). The stage changes through visits and SetStage.
func (db *DB) UpdateClient(ctx context.Context, c *models.Client) error {
	if err := c.Validate(); err != nil {
		return err
	}
	row := clientRowOf(c)
	// In a transaction of its own (a savepoint in the caller's): a name
	// another client has is an expected failure.
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var before clientRow
		if err := tx.Select("id, team_id, name").Take(&before, c.ID).Error; err != nil {
			return err
		}
		err := tx.Model(&clientRow{}).Where("id = ?", c.ID).Updates(map[string]any{
			"name": row.Name, "name_key": row.NameKey, "industry": row.Industry, "address": row.Address,
			"size": row.Size, "source": row.Source, "notes": row.Notes, "grade": row.Grade,
			"grade_asked": row.GradeAsked, "updated_at": db.Now(),
		}).Error
		if err != nil || before.Name == row.Name {
			return err
		}
		return writeGrams(tx, c.ID, before.TeamID, row.Name)
	})
	if err != nil {
		return fmt.Errorf("update client %d: %w", c.ID, translate(err, "", "err_client_exists"))
	}
	return nil
}

// MarkGradeAsked records that the rep was asked for the client's grade, and
// reports whether this call did it (so the question goes out once).
func (db *DB) MarkGradeAsked(ctx context.Context, clientID int64) (bool, error) {
	res := db.conn(ctx).Model(&clientRow{}).Where("id = ? AND grade_asked = ?", clientID, false).
		Update("grade_asked", true)
	if res.Error != nil {
		return false, fmt.Errorf("mark grade asked for client %d: %w", clientID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// SetStage sets a client's stage explicitly (back, forward, or reopening a
// lost client) and records the change as viewer's. It counts as a new
// plan: the three-visits rule counts from here. A client viewer may not
// see (clientScope) is the same ENOTFOUND as a client gone, and nothing
// changes: a typed id or a forged button is not a way in.
func (db *DB) SetStage(ctx context.Context, viewer *models.User, clientID int64, to models.Stage) (*models.Client, error) {
	var out *models.Client
	err := db.tx(ctx, func(tx *gorm.DB) error {
		// The lock first, then the rule in a statement of its own: on
		// PostgreSQL a locking read that waits evaluates its subqueries
		// (the rule's EXISTS) in the snapshot from before the wait.
		c, err := db.lockClient(tx, clientID)
		if err != nil {
			return err
		}
		var n int64
		if err := visibleClients(tx, viewer).Where("clients.id = ?", c.ID).Limit(1).Count(&n).Error; err != nil {
			return fmt.Errorf("check the viewer sees client %d: %w", c.ID, err)
		}
		if n == 0 {
			return models.Errorf(models.ENOTFOUND, "err_client_gone", nil)
		}
		next, err := models.SetStage(c.Stage, to)
		if err != nil {
			return err
		}
		if next != c.Stage {
			if err := addStageEvent(tx, c, viewer.ID, 0, c.Stage, next, db.Now()); err != nil {
				return err
			}
			if err := tx.Model(&clientRow{}).Where("id = ?", c.ID).Updates(map[string]any{"stage": string(next), "updated_at": db.Now()}).Error; err != nil {
				return fmt.Errorf("set stage of client %d: %w", c.ID, err)
			}
		}
		if err := refreshClient(tx, c.ID); err != nil {
			return err
		}
		out, err = loadClient(tx, c.ID)
		return err
	})
	return out, err
}

// lockClient loads a client for a change of its stage; on PostgreSQL the
// row stays locked until the transaction ends, so two visits saved at once
// do not both move the stage from the same value. (SQLite transactions
// here take the write lock at BEGIN.)
func (db *DB) lockClient(tx *gorm.DB, id int64) (*models.Client, error) {
	row, err := takeRow[clientRow](db.forUpdate(tx), id, "lock client", "err_client_gone")
	if err != nil {
		return nil, err
	}
	return row.model(), nil
}

func loadClient(tx *gorm.DB, id int64) (*models.Client, error) {
	row, err := takeRow[clientRow](tx, id, "load client", "err_client_gone")
	if err != nil {
		return nil, err
	}
	return row.model(), nil
}

// refreshClient recomputes a client's last visit and its visits without
// stage progress since the last explicit stage change (the three-visits
// rule), from its live visits (recountClient).
func refreshClient(tx *gorm.DB, clientID int64) error {
	lastAt, n, err := recountClient(tx, clientID)
	if err != nil {
		return err
	}
	err = tx.Model(&clientRow{}).Where("id = ?", clientID).Updates(map[string]any{
		"last_visit_at": lastAt, "no_progress_visits": n,
	}).Error
	if err != nil {
		return fmt.Errorf("refresh client %d: %w", clientID, err)
	}
	return nil
}
