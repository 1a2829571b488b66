package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type dealRow struct {
	ID             int64 `gorm:"primaryKey"`
	TeamID         int64
	ClientID       int64
	OwnerID        int64
	Title          string
	Product        string
	Units          int64
	ValueMinor     int64
	Currency       string
	CloseMonth     string
	Budget         string
	BudgetMinor    int64
	BudgetCurrency string
	Step           string
	Stage          string
	NextStep       string
	NextStepAt     *time.Time
	State          string
	LostReason     string
	LostWords      string
	LostTo         string
	ClosedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (dealRow) TableName() string { return "deals" }

type dealCompetitorRow struct {
	ID           int64 `gorm:"primaryKey"`
	DealID       int64
	Name         string
	Product      string
	Satisfaction string
	Rep          string
}

func (dealCompetitorRow) TableName() string { return "deal_competitors" }

func (r *dealRow) model() *models.Deal {
	month, _ := models.ParseMonthKey(r.CloseMonth)
	return &models.Deal{
		ID: r.ID, TeamID: r.TeamID, ClientID: r.ClientID, OwnerID: r.OwnerID, Title: r.Title, Product: r.Product,
		Units: r.Units, Value: models.Money{Minor: r.ValueMinor, Currency: r.Currency}, CloseMonth: month,
		Budget: models.BudgetStatus(r.Budget), BudgetAmount: models.Money{Minor: r.BudgetMinor, Currency: r.BudgetCurrency},
		Step: models.ProcurementStep(r.Step), Stage: models.Stage(r.Stage), NextStep: r.NextStep,
		NextStepAt: derefTime(r.NextStepAt), State: models.DealState(r.State), LostReason: models.LostReason(r.LostReason),
		LostWords: r.LostWords, LostTo: r.LostTo, ClosedAt: derefTime(r.ClosedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func dealRowOf(d *models.Deal) dealRow {
	return dealRow{
		ID: d.ID, TeamID: d.TeamID, ClientID: d.ClientID, OwnerID: d.OwnerID, Title: d.Title, Product: d.Product,
		Units: d.Units, ValueMinor: d.Value.Minor, Currency: d.Value.Currency, CloseMonth: d.CloseMonth.Key(),
		Budget: string(d.Budget), BudgetMinor: d.BudgetAmount.Minor, BudgetCurrency: d.BudgetAmount.Currency,
		Step: string(d.Step), Stage: string(d.Stage), NextStep: d.NextStep, NextStepAt: timePtr(d.NextStepAt),
		State: string(d.State), LostReason: string(d.LostReason), LostWords: d.LostWords, LostTo: d.LostTo,
		ClosedAt: timePtr(d.ClosedAt), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

// CreateDeal adds a deal to a client card for viewer, who becomes its
// owner; the team is the client's. A client viewer may not see is refused
// like any other client access.
func (db *DB) CreateDeal(ctx context.Context, viewer *models.User, d *models.Deal) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		c, err := db.Client(ctx, viewer, d.ClientID)
		if err != nil {
			return fmt.Errorf("create deal on client %d: %w", d.ClientID, err)
		}
		d.TeamID, d.OwnerID, d.State = c.TeamID, viewer.ID, models.DealOpen
		if err := db.inTeamCurrency(ctx, d.TeamID, &d.Value, &d.BudgetAmount); err != nil {
			return err
		}
		if err := d.Validate(); err != nil {
			return err
		}
		row := dealRowOf(d)
		row.ID = 0
		tx := db.conn(ctx)
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("create deal %q on client %d: %w", d.Title, d.ClientID, err)
		}
		if err := addCompetitors(tx, row.ID, d.Competitors); err != nil {
			return err
		}
		comps := d.Competitors
		*d = *row.model()
		d.Competitors = comps
		return nil
	})
}

// Deal loads one deal for viewer: ENOTFOUND ("err_deal_gone") when it is
// gone or on a client viewer may not see.
func (db *DB) Deal(ctx context.Context, viewer *models.User, id int64) (*models.Deal, error) {
	var row dealRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("load deal %d: %w", id, translate(err, "err_deal_gone", ""))
	}
	if _, err := db.Client(ctx, viewer, row.ClientID); err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return nil, models.Errorf(models.ENOTFOUND, "err_deal_gone", nil)
		}
		return nil, err
	}
	ds, err := db.withCompetitors(ctx, []dealRow{row})
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// ClientDeals lists a client's deals for viewer, open ones first, each by
// expected close (idx_deals_client).
func (db *DB) ClientDeals(ctx context.Context, viewer *models.User, clientID int64) ([]*models.Deal, error) {
	if _, err := db.Client(ctx, viewer, clientID); err != nil {
		return nil, fmt.Errorf("list deals of client %d: %w", clientID, err)
	}
	var rows []dealRow
	if err := db.conn(ctx).Where("client_id = ?", clientID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list deals of client %d: %w", clientID, err)
	}
	return db.withCompetitors(ctx, rows)
}

// OpenDeals lists the open deals viewer works in a team by expected close:
// a manager's are the team's (idx_deals_team_state_close), a rep's their
// own (idx_deals_owner_state_close), on clients viewer may see
// (visibleDeals). Deals without a close month come last.
func (db *DB) OpenDeals(ctx context.Context, viewer *models.User, teamID int64) ([]*models.Deal, error) {
	q := db.conn(ctx).Table("deals").Select("deals.*").Where("deals.state = ?", string(models.DealOpen))
	switch {
	case viewer.SeesTeam(teamID):
		q = q.Where("deals.team_id = ?", teamID)
	case viewer.RoleIn(teamID) != models.RoleNone:
		q = q.Where("deals.owner_id = ? AND deals.team_id = ?", viewer.ID, teamID)
	default:
		return nil, models.Errorf(models.EFORBIDDEN, "err_not_your_team", nil)
	}
	q, ok := visibleDeals(q, viewer, teamID, false)
	if !ok {
		return nil, nil
	}
	var rows []dealRow
	if err := q.Order("deals.close_month = '', deals.close_month, deals.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list open deals of team %d for user %d: %w", teamID, viewer.ID, err)
	}
	return db.withCompetitors(ctx, rows)
}

func (db *DB) withCompetitors(ctx context.Context, rows []dealRow) ([]*models.Deal, error) {
	out := make([]*models.Deal, len(rows))
	byID := map[int64]*models.Deal{}
	ids := make([]int64, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
		byID[rows[i].ID] = out[i]
		ids[i] = rows[i].ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	// In chunks, within every database's limit of bound parameters.
	var comps []dealCompetitorRow
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		var part []dealCompetitorRow
		if err := db.conn(ctx).Where("deal_id IN ?", chunk).Order("id").Find(&part).Error; err != nil {
			return nil, fmt.Errorf("load competitors of %d deals: %w", len(ids), err)
		}
		comps = append(comps, part...)
	}
	for _, c := range comps {
		d := byID[c.DealID]
		d.Competitors = append(d.Competitors, models.Competitor{ID: c.ID, DealID: c.DealID, Name: c.Name,
			Product: c.Product, Satisfaction: c.Satisfaction, Rep: c.Rep})
	}
	return out, nil
}

// lockDealFor loads a deal viewer may change, locked until the
// transaction ends: a deal on a client viewer sees, of which viewer is the
// owner or a manager of its team.
func (db *DB) lockDealFor(ctx context.Context, viewer *models.User, dealID int64) (*models.Deal, error) {
	d, err := db.lockDeal(db.conn(ctx), dealID)
	if err != nil {
		return nil, err
	}
	if _, err := db.Client(ctx, viewer, d.ClientID); err != nil {
		return nil, models.Errorf(models.ENOTFOUND, "err_deal_gone", nil)
	}
	if d.OwnerID != viewer.ID && !viewer.SeesTeam(d.TeamID) {
		return nil, models.Errorf(models.EFORBIDDEN, "err_deal_not_yours", nil)
	}
	return d, nil
}

// CloseDeal closes an open deal for viewer with close (models.Deal.Won or
// Lost), in one transaction with the deal locked, so two closes at once do
// not both succeed. Only the deal's owner and the team's managers close it,
// and only on a client viewer sees.
func (db *DB) CloseDeal(ctx context.Context, viewer *models.User, dealID int64, close func(*models.Deal) error) (*models.Deal, error) {
	return db.changeDeal(ctx, viewer, dealID, func(ctx context.Context, d *models.Deal) (*models.Deal, error) {
		if err := close(d); err != nil {
			return nil, err
		}
		if err := db.inTeamCurrency(ctx, d.TeamID, &d.Value); err != nil {
			return nil, err
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		return d, db.writeDealIf(ctx, d, models.DealOpen, "err_deal_closed", "close",
			"units", "value_minor", "currency", "stage", "state", "lost_reason", "lost_words", "lost_to", "closed_at", "updated_at")
	})
}

// NoteLostDeal changes what is recorded of a lost deal's loss (note sets
// it: the competitor, the client's words): its owner or a manager of its
// team, on a client viewer sees.
func (db *DB) NoteLostDeal(ctx context.Context, viewer *models.User, dealID int64, note func(*models.Deal) error) (*models.Deal, error) {
	return db.changeDeal(ctx, viewer, dealID, func(ctx context.Context, d *models.Deal) (*models.Deal, error) {
		if err := note(d); err != nil {
			return nil, err
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		return d, db.writeDealIf(ctx, d, models.DealLost, "err_deal_not_lost", "note the loss of", "lost_words", "lost_to", "updated_at")
	})
}

// changeDeal runs change, in one transaction, on deal dealID locked for
// viewer (lockDealFor); change writes the deal and returns it as it is
// then.
func (db *DB) changeDeal(ctx context.Context, viewer *models.User, dealID int64,
	change func(ctx context.Context, d *models.Deal) (*models.Deal, error)) (*models.Deal, error) {
	var out *models.Deal
	err := db.InTx(ctx, func(ctx context.Context) error {
		d, err := db.lockDealFor(ctx, viewer, dealID)
		if err != nil {
			return err
		}
		changed, err := change(ctx, d)
		if err != nil {
			return err
		}
		out = changed
		return nil
	})
	return out, err
}

// writeDealIf writes columns cols of d to its row if the deal is still in
// state (so that of two changes at once only one succeeds); if it is not,
// the error of conflict says so with the deal's title. what names the
// change in an error of the database.
func (db *DB) writeDealIf(ctx context.Context, d *models.Deal, state models.DealState, conflict, what string, cols ...string) error {
	upd := dealRowOf(d)
	res := db.conn(ctx).Model(&dealRow{}).Where("id = ? AND state = ?", d.ID, string(state)).Select(cols).Updates(&upd)
	if res.Error != nil {
		return fmt.Errorf("%s deal %d: %w", what, d.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return models.Errorf(models.ECONFLICT, conflict, map[string]any{"Title": d.Title})
	}
	return nil
}

// ExportDeals lists the deals of an export's scope that were open at some
// time in [From, To): created before To and open now or closed on or after
// From; the team's (idx_deals_team_state_close) or one rep's
// (idx_deals_owner_state_close), on clients the scope's viewer may see
// (the one visibility rule: a deal is seen with its client), with their
// competitors, client and owner names, by id.
func (db *DB) ExportDeals(ctx context.Context, s RecordScope) ([]models.DealRecord, error) {
	q, ok := visibleDeals(db.namedDeals(ctx), s.Viewer, s.TeamID, true)
	if !ok {
		return nil, nil
	}
	if s.RepID != 0 {
		q = q.Where("deals.owner_id = ? AND deals.team_id = ?", s.RepID, s.TeamID)
	} else {
		q = q.Where("deals.team_id = ?", s.TeamID)
	}
	q = q.Where("deals.created_at < ? AND (deals.state = ? OR deals.closed_at >= ?)", utc(s.To), string(models.DealOpen), utc(s.From))
	deals, err := findNamedDeals(ctx, db, q.Order("deals.id"), func(d models.Deal, client, owner string) models.DealRecord {
		return models.DealRecord{Deal: d, Client: client, Owner: owner}
	})
	if err != nil {
		return nil, fmt.Errorf("export deals of team %d (rep %d): %w", s.TeamID, s.RepID, err)
	}
	return deals, nil
}

// namedDeals starts a read of deals with their client's and owner's names,
// for findNamedDeals.
func (db *DB) namedDeals(ctx context.Context) *gorm.DB {
	return db.conn(ctx).Table("deals").Select("deals.*, clients.name AS client_name, users.name AS owner_name").
		Joins("JOIN clients ON clients.id = deals.client_id").
		Joins("LEFT JOIN users ON users.id = deals.owner_id")
}

// findNamedDeals runs q (a namedDeals read, narrowed and ordered) and makes
// each deal, with its competitors, into a T by its client's and owner's
// names.
func findNamedDeals[T any](ctx context.Context, db *DB, q *gorm.DB, named func(d models.Deal, client, owner string) T) ([]T, error) {
	var rows []struct {
		Row        dealRow `gorm:"embedded"`
		ClientName string
		OwnerName  string
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	plain := make([]dealRow, len(rows))
	for i := range rows {
		plain[i] = rows[i].Row
	}
	deals, err := db.withCompetitors(ctx, plain)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = named(*deals[i], rows[i].ClientName, rows[i].OwnerName)
	}
	return out, nil
}

// DealTitles names deals of a team by id (the primary key), those on
// clients viewer may see (visibleDeals): the deal column of the visits an
// export lists.
func (db *DB) DealTitles(ctx context.Context, viewer *models.User, teamID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	// In chunks, within every database's limit of bound parameters.
	for start := 0; start < len(uniq); start += 1000 {
		chunk := uniq[start:min(start+1000, len(uniq))]
		var rows []struct {
			ID    int64
			Title string
		}
		q, ok := visibleDeals(db.conn(ctx).Table("deals").Select("deals.id, deals.title").
			Where("deals.id IN ? AND deals.team_id = ?", chunk, teamID), viewer, teamID, false)
		if !ok {
			return out, nil
		}
		if err := q.Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("titles of %d deals: %w", len(uniq), err)
		}
		for _, r := range rows {
			out[r.ID] = r.Title
		}
	}
	return out, nil
}

// UpdateDeal changes an open deal for viewer with change (what a later
// "/deal" says of it: the next step, competitors, budget, step, close
// month, stage), in one transaction with the deal locked. Only the deal's
// owner and the team's managers change it, and only on a client viewer
// sees. The competitors change says replaces the deal's.
func (db *DB) UpdateDeal(ctx context.Context, viewer *models.User, dealID int64, change func(*models.Deal) error) (*models.Deal, error) {
	return db.changeDeal(ctx, viewer, dealID, func(ctx context.Context, d *models.Deal) (*models.Deal, error) {
		if d.State != models.DealOpen {
			return nil, models.Errorf(models.ECONFLICT, "err_deal_closed", map[string]any{"Title": d.Title})
		}
		tx := db.conn(ctx)
		full, err := db.withCompetitors(ctx, []dealRow{dealRowOf(d)})
		if err != nil {
			return nil, err
		}
		d = full[0]
		if err := change(d); err != nil {
			return nil, err
		}
		if err := db.inTeamCurrency(ctx, d.TeamID, &d.Value, &d.BudgetAmount); err != nil {
			return nil, err
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		d.UpdatedAt = db.Now().UTC()
		row := dealRowOf(d)
		if err := tx.Model(&dealRow{}).Where("id = ?", dealID).Select("*").Omit("id", "team_id", "client_id", "owner_id", "created_at", "state").
			Updates(&row).Error; err != nil {
			return nil, fmt.Errorf("update deal %d: %w", dealID, err)
		}
		if err := tx.Where("deal_id = ?", dealID).Delete(&dealCompetitorRow{}).Error; err != nil {
			return nil, fmt.Errorf("replace competitors of deal %d: %w", dealID, err)
		}
		if err := addCompetitors(tx, dealID, d.Competitors); err != nil {
			return nil, err
		}
		return d, nil
	})
}

// addCompetitors saves a deal's competitors in one insert, in their order,
// and gives each its id.
func addCompetitors(tx *gorm.DB, dealID int64, comps []models.Competitor) error {
	if len(comps) == 0 {
		return nil
	}
	rows := make([]dealCompetitorRow, len(comps))
	for i, c := range comps {
		rows[i] = dealCompetitorRow{DealID: dealID, Name: c.Name, Product: c.Product, Satisfaction: c.Satisfaction, Rep: c.Rep}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("add %d competitors to deal %d: %w", len(rows), dealID, err)
	}
	for i := range comps {
		comps[i].ID, comps[i].DealID = rows[i].ID, dealID
	}
	return nil
}

// inTeamCurrency gives the amounts that were typed without a currency the
// team's ("320万" in a team whose currency is CNY), so that sums never mix
// a currency with none. The one place a deal's or target's currency
// defaults.
func (db *DB) inTeamCurrency(ctx context.Context, teamID int64, amounts ...*models.Money) error {
	need := false
	for _, m := range amounts {
		need = need || (m.Currency == "" && m.Minor != 0)
	}
	if !need {
		return nil
	}
	var codes []string
	if err := db.conn(ctx).Model(&teamRow{}).Where("id = ?", teamID).Pluck("currency", &codes).Error; err != nil {
		return fmt.Errorf("currency of team %d: %w", teamID, err)
	}
	for _, m := range amounts {
		if len(codes) == 1 {
			m.InCurrency(codes[0])
		}
	}
	return nil
}
