package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"salesbot/models"
)

// clientGramRow is one index term of a client's name (models.NameGrams):
// a typed name finds its candidates through idx_client_grams_team_gram
// instead of loading the team's clients, so a lookup costs the same in a
// team of 100 clients as in one of 20,000.
type clientGramRow struct {
	ClientID int64  `gorm:"primaryKey;autoIncrement:false"`
	Gram     string `gorm:"primaryKey"`
	TeamID   int64
}

func (clientGramRow) TableName() string { return "client_grams" }

func gramRowsOf(clientID, teamID int64, name string) []clientGramRow {
	grams := models.NameGrams(name)
	rows := make([]clientGramRow, len(grams))
	for i, g := range grams {
		rows[i] = clientGramRow{ClientID: clientID, Gram: g, TeamID: teamID}
	}
	return rows
}

// writeGrams replaces a client's index terms (a new name).
func writeGrams(tx *gorm.DB, clientID, teamID int64, name string) error {
	if err := tx.Where("client_id = ?", clientID).Delete(&clientGramRow{}).Error; err != nil {
		return fmt.Errorf("drop name index of client %d: %w", clientID, err)
	}
	return addGrams(tx, clientID, teamID, name)
}

// addGrams indexes the name of a client that has no index terms yet (a
// new card).
func addGrams(tx *gorm.DB, clientID, teamID int64, name string) error {
	rows := gramRowsOf(clientID, teamID, name)
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("index name of client %d: %w", clientID, err)
	}
	return nil
}

// insertGrams indexes many new clients at once (bulk loads, the migration).
func insertGrams(tx *gorm.DB, clients []clientRow) error {
	var rows []clientGramRow
	for _, c := range clients {
		rows = append(rows, gramRowsOf(c.ID, c.TeamID, c.Name)...)
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.CreateInBatches(rows, 1000).Error
}

// candidateLimit is how many clients a name lookup ranks at most: those
// sharing the most grams with the typed name.
const candidateLimit = 40

// ClientsByKey returns the clients of the teams whose name has the key of
// name (the same client, case, width and punctuation aside), by team
// (idx_clients_team_key), among those viewer may see.
func (db *DB) ClientsByKey(ctx context.Context, viewer *models.User, teamIDs []int64, name string) ([]*models.Client, error) {
	if len(teamIDs) == 0 {
		return nil, nil
	}
	var rows []clientRow
	if err := visibleClients(db.conn(ctx), viewer).Where("team_id IN ? AND name_key = ?", teamIDs, models.NameKey(name)).Order("team_id, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("find client %q: %w", name, err)
	}
	return clientModels(rows), nil
}

// ClientCandidates returns the clients of the teams that a typed name may
// mean (of those viewer may see), for models.MatchClient to rank: the ones with its key, then those
// sharing the most name grams with it, at most candidateLimit. Both reads
// are index range scans (idx_clients_team_key, idx_client_grams_team_gram):
// the work is the postings of the typed name's grams, not the teams'
// clients. Callers that settle on an exact name use LookupClient, which
// ranks only when there is none.
func (db *DB) ClientCandidates(ctx context.Context, viewer *models.User, teamIDs []int64, name string) ([]*models.Client, error) {
	exact, err := db.ClientsByKey(ctx, viewer, teamIDs, name)
	if err != nil || len(teamIDs) == 0 {
		return exact, err
	}
	ranked, err := rankedCandidates(db.conn(ctx), viewer, teamIDs, name)
	if err != nil {
		return nil, err
	}
	out := exact
	seen := map[int64]bool{}
	for _, c := range exact {
		seen[c.ID] = true
	}
	for _, c := range ranked {
		if !seen[c.ID] {
			out = append(out, c)
		}
	}
	return out, nil
}

// rankedCandidates are the clients viewer may see in teamIDs whose names
// share the most grams with name, most first, at most candidateLimit
// (rankedGramClients). When viewer sees the teams whole, the ranking and
// the clients it names are one statement.
func rankedCandidates(tx *gorm.DB, viewer *models.User, teamIDs []int64, name string) ([]*models.Client, error) {
	grams := models.NameGrams(name)
	if len(grams) == 0 {
		return nil, nil
	}
	var rows []clientRow
	if whole, part := splitReach(viewer, teamIDs); len(part) == 0 {
		if len(whole) == 0 {
			return nil, nil
		}
		err := rankedClientsQuery(tx, viewer, whole, grams).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("find clients named like %q: %w", name, err)
		}
		return clientModels(rows), nil
	}
	ids, err := rankedGramClients(tx, viewer, teamIDs, grams)
	if err != nil {
		return nil, fmt.Errorf("find clients named like %q: %w", name, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if err := visibleClients(tx, viewer).Where("clients.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load candidate clients: %w", err)
	}
	byID := map[int64]*clientRow{}
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	out := make([]*models.Client, 0, len(rows))
	for _, id := range ids { // in rank order
		if r := byID[id]; r != nil {
			out = append(out, r.model())
		}
	}
	return out, nil
}

// rankedClientsQuery is the clients of teams viewer sees whole ranked by
// how many of grams they share (idx_client_grams_team_gram), joined to
// their rows (the primary key).
func rankedClientsQuery(tx *gorm.DB, viewer *models.User, whole []int64, grams []string) *gorm.DB {
	ranked := tx.Session(&gorm.Session{NewDB: true}).Model(&clientGramRow{}).Select("client_id, COUNT(*) AS n").
		Where("team_id IN ? AND gram IN ?", whole, grams).Group("client_id").Order("n DESC, client_id").Limit(candidateLimit)
	return visibleClients(tx, viewer).Select("clients.*").Joins("JOIN (?) g ON g.client_id = clients.id", ranked).
		Order("g.n DESC, g.client_id")
}

// ClientLookup is what a typed client name finds for one viewer
// (LookupClient): the client of that name, or the teammate's client of
// that name the viewer may not see, or the clients it may mean.
type ClientLookup struct {
	// Exact is the client viewer may see whose name has the typed name's
	// key (the same client, case, width and punctuation aside), the lowest
	// team's when several teams have one; nil when there is none.
	Exact *models.Client
	// OpenDeals counts Exact's open deals up to 2 (2: two or more), and
	// OpenDeal is the only one when there is one: a visit to a client with
	// one open deal is for it, with several the rep is asked which.
	OpenDeals int
	OpenDeal  int64
	// Hidden, when there is no Exact, is a client of that name in a team
	// viewer is an active member of that they may not see (a teammate's).
	Hidden *HiddenClient
	// Candidates, when there is neither, are the clients the name may mean,
	// for models.MatchClient to rank (rankedCandidates).
	Candidates []*models.Client
}

// lookupRow is a client with the typed name's key and what LookupClient
// tells about it.
type lookupRow struct {
	Client  clientRow `gorm:"embedded"`
	Visible bool
	// OpenDeal is the client's only open deal, 0 for none, -1 for several.
	OpenDeal int64
}

// lookupQuery is the clients of teamIDs with one of the name keys, each with
// whether viewer may see it and its only open deal (0: none, -1: several;
// one subquery: each b-tree a statement touches costs). The rule is a CASE
// condition, which SQLite evaluates like a WHERE, stopping at the first
// branch that holds (as a plain value it computes every EXISTS of the
// rule); joining the owner's name doubled the cost, and only a refusal
// needs it.
func lookupQuery(tx *gorm.DB, viewer *models.User, teamIDs []int64, keys ...string) *gorm.DB {
	cond, args := clientScope(viewer, "clients")
	open := string(models.DealOpen)
	return tx.Table("clients").
		Select("clients.*, CASE WHEN "+cond+" THEN TRUE ELSE FALSE END AS visible,"+
			" (SELECT CASE COUNT(*) WHEN 0 THEN 0 WHEN 1 THEN MIN(deals.id) ELSE -1 END"+
			" FROM deals WHERE deals.client_id = clients.id AND deals.state = ?) AS open_deal",
			append(args, open)...).
		Where("clients.team_id IN ? AND clients.name_key IN ?", teamIDs, keys).
		Order("clients.team_id, clients.id")
}

// LookupClient reads a typed client name in the teams, for viewer: one
// statement (idx_clients_team_key) finds the clients with its key, whether
// viewer may see each (clientScope, the one rule) and its open deals
// (idx_deals_client); a teammate's client of the name costs its owner's
// name, and only a name no client has ranks the name index for the
// clients it may mean. Names in teams viewer is not in are
// never told.
func (db *DB) LookupClient(ctx context.Context, viewer *models.User, teamIDs []int64, name string) (*ClientLookup, error) {
	out := &ClientLookup{}
	if len(teamIDs) == 0 {
		return out, nil
	}
	tx := db.conn(ctx)
	var rows []lookupRow
	err := lookupQuery(tx, viewer, teamIDs, models.NameKey(name)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find client %q: %w", name, err)
	}
	for i := range rows {
		out.add(viewer, &rows[i])
	}
	if out.Exact != nil {
		return out, nil
	}
	if h := out.Hidden; h != nil {
		var names []string
		if err := tx.Model(&userRow{}).Where("id = ?", h.OwnerID).Limit(1).Pluck("name", &names).Error; err != nil {
			return nil, fmt.Errorf("find the owner of client %d: %w", h.ClientID, err)
		}
		if len(names) > 0 {
			h.OwnerName = names[0]
		}
		return out, nil
	}
	out.Candidates, err = rankedCandidates(tx, viewer, teamIDs, name)
	return out, err
}

// add takes a client with the typed key into the lookup: the first one
// viewer may see (rows come by team), else the first hidden one in a team
// viewer is an active member of.
func (l *ClientLookup) add(viewer *models.User, r *lookupRow) {
	c := &r.Client
	switch {
	case l.Exact != nil:
	case r.Visible:
		l.Exact = c.model()
		switch {
		case r.OpenDeal > 0:
			l.OpenDeals, l.OpenDeal = 1, r.OpenDeal
		case r.OpenDeal < 0:
			l.OpenDeals = 2
		}
		l.Hidden = nil
	case l.Hidden == nil && viewer.RoleIn(c.TeamID) != models.RoleNone:
		l.Hidden = &HiddenClient{ClientID: c.ID, Name: c.Name, TeamID: c.TeamID, OwnerID: c.OwnerID}
	}
}

// LookupClientNames reads many typed names at once (the prefixes of a
// /visit typed without ";", quick.NamePrefixes, or of /plan's items,
// quick.PlanNamePrefixes) in one statement: the
// clients of the teams with one of their keys (models.NameKey,
// idx_clients_team_key), each with whether viewer may see it (clientScope)
// and its open deals. The work is the names given, not the teams' clients.
// It returns a lookup by key for the keys some client has: Exact when
// viewer may see it, else Hidden — a teammate's client, without its
// owner's name (LookupClient tells it, for the refusal). Never
// Candidates.
func (db *DB) LookupClientNames(ctx context.Context, viewer *models.User, teamIDs []int64, names []string) (map[string]*ClientLookup, error) {
	keys := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if k := models.NameKey(n); k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(teamIDs) == 0 || len(keys) == 0 {
		return nil, nil
	}
	var rows []lookupRow
	if err := lookupQuery(db.conn(ctx), viewer, teamIDs, keys...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("find clients named %q: %w", keys, err)
	}
	out := map[string]*ClientLookup{}
	for i := range rows {
		r := &rows[i]
		l := out[r.Client.NameKey]
		if l == nil {
			l = &ClientLookup{}
		}
		l.add(viewer, r)
		if l.Exact != nil || l.Hidden != nil {
			out[r.Client.NameKey] = l
		}
	}
	return out, nil
}

// migrateClientGrams adds the name index and fills it for existing clients.
func migrateClientGrams(tx *gorm.DB) error {
	type clientGram struct {
		ClientID int64  `gorm:"primaryKey;autoIncrement:false"`
		Gram     string `gorm:"primaryKey;size:64"`
		TeamID   int64  `gorm:"not null"`
	}
	if err := tx.Table("client_grams").Migrator().CreateTable(&clientGram{}); err != nil {
		return err
	}
	if err := tx.Exec("CREATE INDEX idx_client_grams_team_gram ON client_grams (team_id, gram, client_id)").Error; err != nil {
		return err
	}
	var batch []clientRow
	return tx.Model(&clientRow{}).Select("id, team_id, name").FindInBatches(&batch, 1000, func(tx *gorm.DB, _ int) error {
		return insertGrams(tx, batch)
	}).Error
}
