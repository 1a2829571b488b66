package storage

import (
	"time"

	"gorm.io/gorm"
)

// migrateSalesRecords creates the client cards, contacts, visits with their
// contacts and attachments, objections and weekly plans. Indexes serve the
// lists and counts by team, client, rep and time.
func migrateSalesRecords(tx *gorm.DB) error {
	type client struct {
		ID     int64  `gorm:"primaryKey"`
		TeamID int64  `gorm:"not null;uniqueIndex:idx_clients_team_key,priority:1;index:idx_clients_team_owner,priority:1"`
		Name   string `gorm:"size:200;not null"`
		// NameKey is the name folded for matching (case, width, spacing,
		// punctuation); one client per key in a team.
		NameKey    string `gorm:"size:200;not null;uniqueIndex:idx_clients_team_key,priority:2"`
		Industry   string `gorm:"size:100;not null"`
		Address    string `gorm:"size:300;not null"`
		Size       string `gorm:"size:50;not null"`
		Source     string `gorm:"size:100;not null"`
		OwnerID    int64  `gorm:"not null;index:idx_clients_team_owner,priority:2"`
		Grade      string `gorm:"size:1;not null"`
		Stage      string `gorm:"size:16;not null"`
		Notes      string `gorm:"type:text;not null"`
		GradeAsked bool   `gorm:"not null"`
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	type contact struct {
		ID        int64  `gorm:"primaryKey"`
		ClientID  int64  `gorm:"not null;index"`
		Name      string `gorm:"size:100;not null"`
		Title     string `gorm:"size:100;not null"`
		Phone     string `gorm:"size:50;not null"`
		Roles     string `gorm:"size:100;not null"` // comma-separated decision roles
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type visit struct {
		ID            int64     `gorm:"primaryKey"`
		TeamID        int64     `gorm:"not null;index:idx_visits_team_at,priority:1"`
		ClientID      int64     `gorm:"not null;index:idx_visits_client_at,priority:1"`
		RepID         int64     `gorm:"not null;index:idx_visits_rep_at,priority:1"`
		At            time.Time `gorm:"not null;index:idx_visits_team_at,priority:2;index:idx_visits_client_at,priority:2;index:idx_visits_rep_at,priority:2"`
		Method        string    `gorm:"size:16;not null"`
		Place         string    `gorm:"size:300;not null"`
		Lat           *float64
		Lon           *float64
		LiveLocation  bool   `gorm:"not null"`
		DurationMin   int    `gorm:"not null"`
		TalkingPoints string `gorm:"type:text;not null"`
		ClientView    string `gorm:"type:text;not null"`
		StageBefore   string `gorm:"size:16;not null"`
		Stage         string `gorm:"size:16;not null"`
		Attitude      string `gorm:"size:16;not null"`
		NextStep      string `gorm:"type:text;not null"`
		NextVisitAt   *time.Time
		NoFollowUp    bool   `gorm:"not null"`
		Notes         string `gorm:"type:text;not null"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
		// DeletedAt marks an undone visit; it stays for the record.
		DeletedAt *time.Time `gorm:"index"`
	}
	type visitContact struct {
		VisitID   int64 `gorm:"primaryKey;autoIncrement:false"`
		ContactID int64 `gorm:"primaryKey;autoIncrement:false;index"`
	}
	type attachment struct {
		ID        int64  `gorm:"primaryKey"`
		VisitID   int64  `gorm:"not null;index"`
		Kind      string `gorm:"size:16;not null"`
		FileID    string `gorm:"size:200;not null"`
		FileName  string `gorm:"size:200;not null"`
		Caption   string `gorm:"type:text;not null"`
		CreatedAt time.Time
	}
	type objection struct {
		ID           int64     `gorm:"primaryKey"`
		TeamID       int64     `gorm:"not null;index:idx_objections_team_at,priority:1"`
		ClientID     int64     `gorm:"not null;index:idx_objections_client_at,priority:1"`
		RepID        int64     `gorm:"not null;index:idx_objections_rep_at,priority:1"`
		VisitID      *int64    `gorm:"index"`
		At           time.Time `gorm:"not null;index:idx_objections_team_at,priority:2;index:idx_objections_client_at,priority:2;index:idx_objections_rep_at,priority:2"`
		Category     string    `gorm:"size:16;not null"`
		Words        string    `gorm:"type:text;not null"`
		Answer       string    `gorm:"type:text;not null"`
		Resolved     bool      `gorm:"not null"`
		WorkedAnswer string    `gorm:"type:text;not null"`
		ResolvedAt   *time.Time
		CreatedAt    time.Time
		UpdatedAt    time.Time
		DeletedAt    *time.Time
	}
	type plannedVisit struct {
		ID        int64  `gorm:"primaryKey"`
		TeamID    int64  `gorm:"not null;index:idx_planned_team_week,priority:1"`
		RepID     int64  `gorm:"not null;index:idx_planned_rep_week,priority:1"`
		ClientID  int64  `gorm:"not null"`
		WeekStart string `gorm:"size:10;not null;index:idx_planned_team_week,priority:2;index:idx_planned_rep_week,priority:2"`
		Day       string `gorm:"size:10;not null"`
		Purpose   string `gorm:"size:500;not null"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return tx.Migrator().CreateTable(&client{}, &contact{}, &visit{}, &visitContact{}, &attachment{}, &objection{}, &plannedVisit{})
}
