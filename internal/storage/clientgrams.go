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

// writeGrams replaces a client's index terms (a new card, a new name).
func writeGrams(tx *gorm.DB, clientID, teamID int64, name string) error {
	if err := tx.Where("client_id = ?", clientID).Delete(&clientGramRow{}).Error; err != nil {
		return fmt.Errorf("drop name index of client %d: %w", clientID, err)
	}
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
// clients. Callers that settle on an exact name use ClientsByKey first and
// skip this.
func (db *DB) ClientCandidates(ctx context.Context, viewer *models.User, teamIDs []int64, name string) ([]*models.Client, error) {
	exact, err := db.ClientsByKey(ctx, viewer, teamIDs, name)
	if err != nil || len(teamIDs) == 0 {
		return exact, err
	}
	out := exact
	grams := models.NameGrams(name)
	if len(grams) == 0 {
		return out, nil
	}
	ids, err := rankedGramClients(db.conn(ctx), viewer, teamIDs, grams)
	if err != nil {
		return nil, fmt.Errorf("find clients named like %q: %w", name, err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []clientRow
	if err := visibleClients(db.conn(ctx), viewer).Where("clients.id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load candidate clients: %w", err)
	}
	seen := map[int64]bool{}
	for _, c := range exact {
		seen[c.ID] = true
	}
	byID := map[int64]*clientRow{}
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	for _, id := range ids { // in rank order
		if r := byID[id]; r != nil && !seen[id] {
			out = append(out, r.model())
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
