package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

// System is the viewer of work no person asked for (scheduled reports,
// the follow-up dispatcher, command-line exports, tests): it sees every
// team. Code answering a person passes that person instead.
var System = &models.User{Name: "system", IsAdmin: true, Active: true}

// reach is what a viewer's memberships open, team by team: a manager sees
// all of a team; a rep sees all of a team whose clients are shared by all
// reps, and otherwise their own part.
type reach struct {
	all     bool    // admins and System: every team
	managed []int64 // teams the viewer manages
	shared  []int64 // teams where the viewer is a rep and clients are shared
	rep     []int64 // teams where the viewer is a rep (shared or not)
	userID  int64
}

func reachOf(v *models.User) reach {
	r := reach{}
	if v == nil || !v.Active {
		return r
	}
	r.userID = v.ID
	if v.IsAdmin {
		r.all = true
		return r
	}
	for _, m := range v.ActiveMemberships() {
		switch {
		case m.Role.AtLeast(models.RoleManager):
			r.managed = append(r.managed, m.TeamID)
		default:
			r.rep = append(r.rep, m.TeamID)
			if m.SharedClients {
				r.shared = append(r.shared, m.TeamID)
			}
		}
	}
	return r
}

// clientScope is the one client-visibility rule, as a condition on the
// clients table under alias t (the table name when t is "clients"):
//   - admins see every team's clients, managers their teams';
//   - a rep sees, in the teams they are an active rep of, the clients they
//     own, the ones a manager shared with them, and every client of a team
//     whose "shared clients" setting is on;
//   - nobody sees a client of a team they are not (or no longer) in.
//
// Having logged a visit or objection for a client opens nothing: once a
// manager hands the client to someone else, its former owner no longer
// sees its card, contacts or other people's records. What they logged
// stays theirs (entryScope), listed with the client's name.
//
// Each branch is index-backed: team_id by idx_clients_team_key, the
// EXISTS probe by client_shares' primary key (client_id, user_id).
func clientScope(v *models.User, t string) (string, []any) {
	r := reachOf(v)
	if r.all {
		return "1 = 1", nil
	}
	var or anyOf
	or.add(len(r.managed) > 0, t+".team_id IN ?", r.managed)
	or.add(len(r.shared) > 0, t+".team_id IN ?", r.shared)
	or.add(len(r.rep) > 0, t+".team_id IN ? AND ("+t+".owner_id = ?"+
		" OR EXISTS (SELECT 1 FROM client_shares cs WHERE cs.client_id = "+t+".id AND cs.user_id = ?))",
		r.rep, r.userID, r.userID)
	return or.sql()
}

// anyOf is a WHERE condition true when any of its terms is; with none it
// is false, so a viewer who reaches nothing sees nothing.
type anyOf struct {
	terms []string
	args  []any
}

func (a *anyOf) add(when bool, term string, args ...any) {
	if when {
		a.terms = append(a.terms, "("+term+")")
		a.args = append(a.args, args...)
	}
}

func (a *anyOf) sql() (string, []any) {
	if len(a.terms) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(a.terms, " OR ") + ")", a.args
}

// entryScope is the visibility of a person's records (visits, objections,
// planned visits: table t with team_id and the column person naming whose
// record it is; follow-ups: owner_id): managers see their teams' records,
// everyone else their own in the teams they are active in. Records are
// read by (team_id, ...) or (person, ...) indexes.
func entryScope(v *models.User, t, person string) (string, []any) {
	r := reachOf(v)
	if r.all {
		return "1 = 1", nil
	}
	var or anyOf
	or.add(len(r.managed) > 0, t+".team_id IN ?", r.managed)
	or.add(len(r.rep) > 0, t+"."+person+" = ? AND "+t+".team_id IN ?", r.userID, r.rep)
	return or.sql()
}

// visibleClients is the clients table as viewer may see it.
func visibleClients(tx *gorm.DB, viewer *models.User) *gorm.DB {
	cond, args := clientScope(viewer, "clients")
	return tx.Model(&clientRow{}).Where(cond, args...)
}

// CanSeeClient applies the one client-visibility rule (clientScope) for
// viewer to one client.
func (db *DB) CanSeeClient(ctx context.Context, viewer *models.User, c *models.Client) (bool, error) {
	var n int64
	if err := visibleClients(db.conn(ctx), viewer).Where("clients.id = ?", c.ID).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("check whether user %d sees client %d: %w", viewer.ID, c.ID, err)
	}
	return n > 0, nil
}

// clientShareRow is a client a manager shared with one rep of its team.
type clientShareRow struct {
	ClientID int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   int64 `gorm:"primaryKey;autoIncrement:false"`
	TeamID   int64
	ByID     int64
	At       time.Time
}

func (clientShareRow) TableName() string { return "client_shares" }

// migrateClientSharing adds the team setting that shares every client with
// all reps, and per-client shares (client_shares, probed by client_id
// first in clientScope; by user for a rep's list).
func migrateClientSharing(tx *gorm.DB) error {
	if err := tx.Exec("ALTER TABLE teams ADD COLUMN shared_clients BOOLEAN NOT NULL DEFAULT FALSE").Error; err != nil {
		return err
	}
	type clientShare struct {
		ClientID int64 `gorm:"primaryKey;autoIncrement:false"`
		UserID   int64 `gorm:"primaryKey;autoIncrement:false;index:idx_client_shares_user"`
		TeamID   int64 `gorm:"not null"`
		ByID     int64 `gorm:"not null"`
		At       time.Time
	}
	type clientShareEvent struct {
		ID       int64     `gorm:"primaryKey"`
		ClientID int64     `gorm:"not null;index:idx_client_share_events_client_at,priority:1"`
		TeamID   int64     `gorm:"not null;index:idx_client_share_events_team_at,priority:1"`
		UserID   int64     `gorm:"not null"`
		ActorID  int64     `gorm:"not null"`
		Shared   bool      `gorm:"not null"`
		At       time.Time `gorm:"not null;index:idx_client_share_events_client_at,priority:2;index:idx_client_share_events_team_at,priority:2"`
	}
	if err := tx.Table("client_shares").Migrator().CreateTable(&clientShare{}); err != nil {
		return err
	}
	return tx.Table("client_share_events").Migrator().CreateTable(&clientShareEvent{})
}

// HiddenClient is a client of viewer's own team that viewer may not see,
// named exactly: who owns it, so a rep can ask for it to be shared.
type HiddenClient struct {
	ClientID  int64
	Name      string
	TeamID    int64
	OwnerID   int64
	OwnerName string
}

type hiddenClientRow struct {
	ID        int64
	Name      string
	TeamID    int64
	OwnerID   int64
	OwnerName string
}

func (r hiddenClientRow) model() *HiddenClient {
	return &HiddenClient{ClientID: r.ID, Name: r.Name, TeamID: r.TeamID, OwnerID: r.OwnerID, OwnerName: r.OwnerName}
}

// HiddenClientNamed finds, in the teams where viewer is an active member,
// a client with name's key that viewer may not see (a teammate's). Nothing
// is found in a team viewer is not in, so other teams' names stay unknown
// (idx_clients_team_key).
func (db *DB) HiddenClientNamed(ctx context.Context, viewer *models.User, teamIDs []int64, name string) (*HiddenClient, error) {
	var in []int64
	for _, id := range teamIDs {
		if viewer.RoleIn(id) != models.RoleNone {
			in = append(in, id)
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	var rows []hiddenClientRow
	if err := hiddenClientQuery(db.conn(ctx), viewer, in).Where("clients.name_key = ?", models.NameKey(name)).Limit(1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("find a teammate's client named %q: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].model(), nil
}

// hiddenClientQuery is the clients of teams that viewer may not see, with
// their owners' names.
func hiddenClientQuery(tx *gorm.DB, viewer *models.User, teamIDs []int64) *gorm.DB {
	cond, args := clientScope(viewer, "clients")
	return tx.Table("clients").
		Select("clients.id, clients.name, clients.team_id, clients.owner_id, users.name AS owner_name").
		Joins("LEFT JOIN users ON users.id = clients.owner_id").
		Where("clients.team_id IN ?", teamIDs).
		Where("NOT ("+cond+")", args...).Order("clients.team_id, clients.id")
}

// ShareClient lets one rep of a client's team see it, recording who did
// it. actor must manage the client's team and the rep be an active member
// of it (checked here: the one place a share is made). It reports false
// when the rep could see it already through a share.
func (db *DB) ShareClient(ctx context.Context, actor *models.User, clientID, userID int64) (bool, error) {
	return db.changeShare(ctx, actor, clientID, userID, true, func(tx *gorm.DB, c *models.Client, now time.Time) (bool, error) {
		var m memberRow
		if err := tx.Where("team_id = ? AND user_id = ? AND active", c.TeamID, userID).Take(&m).Error; err != nil {
			return false, fmt.Errorf("find member %d of team %d: %w", userID, c.TeamID, translate(err, "err_user_not_found", ""))
		}
		var n int64
		if err := tx.Model(&clientShareRow{}).Where("client_id = ? AND user_id = ?", clientID, userID).Count(&n).Error; err != nil {
			return false, fmt.Errorf("check share of client %d: %w", clientID, err)
		}
		if n > 0 {
			return false, nil
		}
		if err := tx.Create(&clientShareRow{ClientID: clientID, UserID: userID, TeamID: c.TeamID, ByID: actor.ID, At: now}).Error; err != nil {
			return false, fmt.Errorf("share client %d with user %d: %w", clientID, userID, err)
		}
		return true, nil
	})
}

// UnshareClient takes a share back; false when there was none.
func (db *DB) UnshareClient(ctx context.Context, actor *models.User, clientID, userID int64) (bool, error) {
	return db.changeShare(ctx, actor, clientID, userID, false, func(tx *gorm.DB, c *models.Client, now time.Time) (bool, error) {
		res := tx.Where("client_id = ? AND user_id = ?", clientID, userID).Delete(&clientShareRow{})
		if res.Error != nil {
			return false, fmt.Errorf("unshare client %d from user %d: %w", clientID, userID, res.Error)
		}
		return res.RowsAffected > 0, nil
	})
}

// changeShare runs change, which shares (shared) or unshares client
// clientID with user userID and says whether it did, in one transaction
// on a client of a team actor manages, and records a change it made in
// the client's share events.
func (db *DB) changeShare(ctx context.Context, actor *models.User, clientID, userID int64, shared bool,
	change func(tx *gorm.DB, c *models.Client, now time.Time) (bool, error)) (bool, error) {
	var changed bool
	err := db.tx(ctx, func(tx *gorm.DB) error {
		c, err := loadClient(tx, clientID)
		if err != nil {
			return err
		}
		if !actor.CanManage(c.TeamID) {
			return models.Errorf(models.ENOTFOUND, "err_client_gone", nil)
		}
		now := utc(db.Now())
		if changed, err = change(tx, c, now); err != nil || !changed {
			return err
		}
		return tx.Create(&clientShareEventRow{ClientID: clientID, TeamID: c.TeamID, UserID: userID, ActorID: actor.ID, Shared: shared, At: now}).Error
	})
	return changed, err
}

// clientShareEventRow records a share given or taken back.
type clientShareEventRow struct {
	ID       int64 `gorm:"primaryKey"`
	ClientID int64
	TeamID   int64
	UserID   int64
	ActorID  int64
	Shared   bool
	At       time.Time
}

func (clientShareEventRow) TableName() string { return "client_share_events" }

// HiddenClient returns the client by id when it is in a team viewer is an
// active member of and viewer may not see it (the only clients a rep may
// ask to have shared); nil otherwise, whatever the reason.
func (db *DB) HiddenClient(ctx context.Context, viewer *models.User, clientID int64) (*HiddenClient, error) {
	var in []int64
	for _, m := range viewer.ActiveMemberships() {
		in = append(in, m.TeamID)
	}
	if len(in) == 0 || !viewer.Active {
		return nil, nil
	}
	var rows []hiddenClientRow
	if err := hiddenClientQuery(db.conn(ctx), viewer, in).Where("clients.id = ?", clientID).Limit(1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("find a teammate's client %d: %w", clientID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].model(), nil
}

// splitReach divides teamIDs into those whose clients viewer sees whole
// (managed, shared, or any for an admin) and those where viewer is a rep
// who sees only part of them.
func splitReach(viewer *models.User, teamIDs []int64) (whole, part []int64) {
	r := reachOf(viewer)
	for _, id := range teamIDs {
		switch {
		case r.all || slices.Contains(r.managed, id) || slices.Contains(r.shared, id):
			whole = append(whole, id)
		case slices.Contains(r.rep, id):
			part = append(part, id)
		}
	}
	return whole, part
}

// repClientIDs is the ids of the clients a rep may see in teams where they
// see only part (clientScope's rep branch), each set from the rep's side of
// an index: owned (idx_clients_team_owner_name) and shared
// (idx_client_shares_user). It must name the same clients as that branch:
// what it adds is filtered out later but takes a candidate's place.
func repClientIDs(tx *gorm.DB, userID int64, teamIDs []int64) *gorm.DB {
	return tx.Raw("SELECT id FROM clients WHERE team_id IN ? AND owner_id = ?"+
		" UNION SELECT client_id FROM client_shares WHERE user_id = ? AND team_id IN ?",
		teamIDs, userID, userID, teamIDs)
}

// repProbeLimit is how many visible clients a rep's name lookup probes one
// by one; past it, the team's postings are cheaper to rank.
const repProbeLimit = 2000

// gramHit is a client and how many of the searched grams it has.
type gramHit struct {
	ClientID int64
	N        int
}

// rankGramHits counts q's client_grams rows per client (idCol), most first
// (then by id), the first candidateLimit.
func rankGramHits(q *gorm.DB, idCol string) ([]gramHit, error) {
	var rows []gramHit
	err := q.Select(idCol + " AS client_id, COUNT(*) AS n").Group(idCol).Order("n DESC, " + idCol).Limit(candidateLimit).Scan(&rows).Error
	return rows, err
}

// rankedGramClients ranks the clients viewer may see in teamIDs by how
// many of grams their names share, at most candidateLimit. Teams viewer
// sees whole are ranked from the team's postings (idx_client_grams_team_gram);
// teams where viewer is a rep who sees part, from the postings of the
// clients they may see (the primary key, client_id first), so a rep's
// lookup never probes every teammate's client.
func rankedGramClients(tx *gorm.DB, viewer *models.User, teamIDs []int64, grams []string) ([]int64, error) {
	whole, part := splitReach(viewer, teamIDs)
	var hits []gramHit
	if len(whole) > 0 {
		rows, err := rankGramHits(tx.Model(&clientGramRow{}).Where("team_id IN ? AND gram IN ?", whole, grams), "client_id")
		if err != nil {
			return nil, err
		}
		hits = append(hits, rows...)
	}
	if len(part) > 0 {
		// The owned set decides first, from the covering index, without
		// reading more than the limit.
		var ids []int64
		userID := reachOf(viewer).userID
		err := tx.Model(&clientRow{}).Where("team_id IN ? AND owner_id = ?", part, userID).Limit(repProbeLimit+1).Pluck("id", &ids).Error
		if err == nil && len(ids) <= repProbeLimit {
			err = repClientIDs(tx, userID, part).Scan(&ids).Error
		}
		if err != nil {
			return nil, err
		}
		if len(ids) > repProbeLimit {
			// A rep who sees most of a team: rank its postings, each
			// checked by the rule (their own clients pass at owner_id).
			cond, args := clientScope(viewer, "clients")
			rows, err := rankGramHits(tx.Model(&clientGramRow{}).Joins("JOIN clients ON clients.id = client_grams.client_id").
				Where("client_grams.team_id IN ? AND client_grams.gram IN ?", part, grams).Where(cond, args...), "client_grams.client_id")
			if err != nil {
				return nil, err
			}
			hits, ids = append(hits, rows...), nil
		}
		for c := range chunks(ids, maxChunk) {
			rows, err := rankGramHits(tx.Model(&clientGramRow{}).Where("client_id IN ? AND gram IN ?", c, grams), "client_id")
			if err != nil {
				return nil, err
			}
			hits = append(hits, rows...)
		}
	}
	slices.SortFunc(hits, func(a, b gramHit) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return cmp.Compare(a.ClientID, b.ClientID)
	})
	out := make([]int64, 0, min(len(hits), candidateLimit))
	for _, h := range hits {
		if len(out) == candidateLimit {
			break
		}
		out = append(out, h.ClientID)
	}
	return out, nil
}
