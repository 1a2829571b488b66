// Package reportstest writes clients, visits and objections straight into
// the tables, for report tests and benchmarks that need records without
// going through the commands that log them.
package reportstest

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/models"
)

// ClientRow is a row of clients.
type ClientRow struct {
	ID         int64 `gorm:"primaryKey"`
	TeamID     int64
	Name       string
	NameKey    string
	Industry   string
	Address    string
	Size       string
	Source     string
	OwnerID    int64
	Grade      string
	Stage      string
	Notes      string
	GradeAsked bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName is the clients table.
func (ClientRow) TableName() string { return "clients" }

// VisitRow is a row of visits.
type VisitRow struct {
	ID            int64 `gorm:"primaryKey"`
	TeamID        int64
	ClientID      int64
	RepID         int64
	At            time.Time
	Method        string
	Place         string
	LiveLocation  bool
	DurationMin   int
	TalkingPoints string
	ClientView    string
	StageBefore   string
	Stage         string
	Attitude      string
	NextStep      string
	NoFollowUp    bool
	Notes         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
}

// TableName is the visits table.
func (VisitRow) TableName() string { return "visits" }

// ObjectionRow is a row of objections.
type ObjectionRow struct {
	ID           int64 `gorm:"primaryKey"`
	TeamID       int64
	ClientID     int64
	RepID        int64
	VisitID      *int64
	At           time.Time
	Category     string
	Words        string
	Answer       string
	Resolved     bool
	WorkedAnswer string
	ResolvedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is the objections table.
func (ObjectionRow) TableName() string { return "objections" }

// Client adds a client card (through storage.CreateClient) and returns its id.
func Client(t testing.TB, db *storage.DB, teamID, ownerID int64, name string, stage models.Stage) int64 {
	t.Helper()
	c := &models.Client{TeamID: teamID, Name: name, OwnerID: ownerID, Stage: stage, Grade: models.GradeB}
	if err := db.CreateClient(t.Context(), c); err != nil {
		t.Fatalf("add client %q: %v", name, err)
	}
	return c.ID
}

// Visit logs a visit through storage.SaveVisit, which moves the client's
// stage, records the stage change and keeps the three-visits count.
func Visit(t testing.TB, db *storage.DB, v models.Visit) int64 {
	t.Helper()
	if v.Method == models.MethodNone {
		v.Method = models.MethodInPerson
	}
	saved, err := db.SaveVisit(t.Context(), &storage.NewVisit{Visit: v})
	if err != nil {
		t.Fatalf("add visit: %v", err)
	}
	return saved.Visit.ID
}

// Objection logs an objection through storage.SaveObjection (and
// ResolveObjection when it is resolved).
func Objection(t testing.TB, db *storage.DB, o models.Objection) int64 {
	t.Helper()
	resolved, worked := o.Resolved, o.WorkedAnswer
	o.Resolved, o.WorkedAnswer = false, ""
	saved, _, err := db.SaveObjection(t.Context(), &storage.NewObjection{Objection: o})
	if err != nil {
		t.Fatalf("add objection: %v", err)
	}
	if resolved {
		if _, err := db.ResolveObjection(t.Context(), saved.ID, worked); err != nil {
			t.Fatalf("resolve objection: %v", err)
		}
	}
	return saved.ID
}

// UserRow is a row of users.
type UserRow struct {
	ID         int64 `gorm:"primaryKey"`
	TelegramID int64
	ChatID     int64
	Name       string
	Username   string
	Lang       string
	TZ         string
	IsAdmin    bool
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName is the users table.
func (UserRow) TableName() string { return "users" }

// Member adds an active user (Telegram id and chat tgID) to a team with a
// role and returns the user's id.
func Member(t testing.TB, db *storage.DB, teamID, tgID int64, name, lang string, role models.Role) int64 {
	t.Helper()
	row := UserRow{TelegramID: tgID, ChatID: tgID, Name: name, Username: strings.ToLower(strings.Fields(name + " x")[0]), Lang: lang, Active: true}
	if err := db.Gorm().Create(&row).Error; err != nil {
		t.Fatalf("add user %q: %v", name, err)
	}
	if err := db.AddMember(t.Context(), teamID, row.ID, role); err != nil {
		t.Fatal(err)
	}
	return row.ID
}
