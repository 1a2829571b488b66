package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type teamRow struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	TZ           string
	RevisitDays  int
	MorningMin   int
	QuietFromMin int
	QuietToMin   int
	DaysOff      int
	// SharedClients: every rep of the team sees all its clients.
	SharedClients bool
	Currency      string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (teamRow) TableName() string { return "teams" }

func (r *teamRow) model() *models.Team {
	return &models.Team{ID: r.ID, Name: r.Name, TZ: r.TZ, RevisitDays: r.RevisitDays,
		Hours: hoursOf(r.MorningMin, r.QuietFromMin, r.QuietToMin, r.DaysOff), SharedClients: r.SharedClients,
		Currency: r.Currency, CreatedAt: r.CreatedAt.UTC()}
}

func hoursOf(morning, quietFrom, quietTo, daysOff int) models.WorkingHours {
	return models.WorkingHours{Morning: models.ClockTime(morning), QuietFrom: models.ClockTime(quietFrom),
		QuietTo: models.ClockTime(quietTo), DaysOff: models.Weekdays(daysOff)}
}

// CreateTeam adds a team. A taken name is ECONFLICT.
func (db *DB) CreateTeam(ctx context.Context, name, tz string) (*models.Team, error) {
	name = strings.TrimSpace(name)
	if err := models.ValidateTeamName(name); err != nil {
		return nil, err
	}
	h := models.DefaultWorkingHours()
	row := teamRow{Name: name, TZ: tz, RevisitDays: models.DefaultRevisitDays, MorningMin: int(h.Morning),
		QuietFromMin: int(h.QuietFrom), QuietToMin: int(h.QuietTo), DaysOff: int(h.DaysOff)}
	// A savepoint inside the caller's transaction: a taken name is an
	// expected failure.
	if err := db.tx(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error }); err != nil {
		return nil, fmt.Errorf("create team %q: %w", name, translate(err, "", "err_team_exists"))
	}
	return row.model(), nil
}

// Team returns a team by id.
func (db *DB) Team(ctx context.Context, id int64) (*models.Team, error) {
	var row teamRow
	if err := db.conn(ctx).First(&row, id).Error; err != nil {
		return nil, fmt.Errorf("get team %d: %w", id, translate(err, "err_team_not_found", ""))
	}
	return row.model(), nil
}

// TeamByName finds a team by name, ignoring case.
func (db *DB) TeamByName(ctx context.Context, name string) (*models.Team, error) {
	var row teamRow
	err := db.conn(ctx).Where("LOWER(name) = LOWER(?)", strings.TrimSpace(name)).First(&row).Error
	if err != nil {
		return nil, fmt.Errorf("get team %q: %w", name, translate(err, "err_team_not_found", ""))
	}
	return row.model(), nil
}

// Teams lists all teams by name.
func (db *DB) Teams(ctx context.Context) ([]*models.Team, error) {
	var rows []teamRow
	if err := db.conn(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	out := make([]*models.Team, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// TeamSettings are the settings a manager may change; nil fields stay.
type TeamSettings struct {
	TZ          *string
	RevisitDays *int
	Hours       *models.WorkingHours
	// SharedClients turns on or off that all reps see all the team's clients.
	SharedClients *bool
	// Currency is the team's currency, an ISO 4217 code ("CNY").
	Currency *string
}

// UpdateTeamSettings changes a team's settings and returns the team. Only
// a manager of the team (or an admin, or System) may.
func (db *DB) UpdateTeamSettings(ctx context.Context, viewer *models.User, teamID int64, s TeamSettings) (*models.Team, error) {
	if !viewer.CanManage(teamID) {
		return nil, models.Errorf(models.EFORBIDDEN, "err_settings_managers_only", nil)
	}
	updates := map[string]any{}
	if s.TZ != nil {
		updates["tz"] = *s.TZ
	}
	if s.RevisitDays != nil {
		if *s.RevisitDays < 1 || *s.RevisitDays > models.MaxRevisitDays {
			return nil, models.Errorf(models.EINVALID, "err_revisit_days", map[string]any{"Max": models.MaxRevisitDays})
		}
		updates["revisit_days"] = *s.RevisitDays
	}
	if h := s.Hours; h != nil {
		if err := h.Validate(); err != nil {
			return nil, err
		}
		updates["morning_min"], updates["quiet_from_min"], updates["quiet_to_min"], updates["days_off"] =
			int(h.Morning), int(h.QuietFrom), int(h.QuietTo), int(h.DaysOff)
	}
	if s.SharedClients != nil {
		updates["shared_clients"] = *s.SharedClients
	}
	if s.Currency != nil {
		code, ok := models.ParseCurrency(*s.Currency)
		if !ok {
			return nil, models.Errorf(models.EINVALID, "err_currency", map[string]any{"Value": *s.Currency})
		}
		updates["currency"] = code
	}
	if len(updates) > 0 {
		if err := db.conn(ctx).Model(&teamRow{}).Where("id = ?", teamID).Updates(updates).Error; err != nil {
			return nil, fmt.Errorf("update settings of team %d: %w", teamID, err)
		}
	}
	return db.Team(ctx, teamID)
}
