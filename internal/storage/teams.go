package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"salesbot/models"
)

type teamRow struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	TZ          string
	RevisitDays int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (teamRow) TableName() string { return "teams" }

func (r *teamRow) model() *models.Team {
	return &models.Team{ID: r.ID, Name: r.Name, TZ: r.TZ, RevisitDays: r.RevisitDays, CreatedAt: r.CreatedAt.UTC()}
}

// CreateTeam adds a team. A taken name is ECONFLICT.
func (db *DB) CreateTeam(ctx context.Context, name, tz string) (*models.Team, error) {
	name = strings.TrimSpace(name)
	if err := models.ValidateTeamName(name); err != nil {
		return nil, err
	}
	row := teamRow{Name: name, TZ: tz, RevisitDays: models.DefaultRevisitDays}
	if err := db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("create team %q: %w", name, translate(err, "", "err_team_exists"))
	}
	return row.model(), nil
}

// Team returns a team by id.
func (db *DB) Team(ctx context.Context, id int64) (*models.Team, error) {
	var row teamRow
	if err := db.gorm.WithContext(ctx).First(&row, id).Error; err != nil {
		return nil, fmt.Errorf("get team %d: %w", id, translate(err, "err_team_not_found", ""))
	}
	return row.model(), nil
}

// TeamByName finds a team by name, ignoring case.
func (db *DB) TeamByName(ctx context.Context, name string) (*models.Team, error) {
	var row teamRow
	err := db.gorm.WithContext(ctx).Where("LOWER(name) = LOWER(?)", strings.TrimSpace(name)).First(&row).Error
	if err != nil {
		return nil, fmt.Errorf("get team %q: %w", name, translate(err, "err_team_not_found", ""))
	}
	return row.model(), nil
}

// Teams lists all teams by name.
func (db *DB) Teams(ctx context.Context) ([]*models.Team, error) {
	var rows []teamRow
	if err := db.gorm.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	out := make([]*models.Team, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}
