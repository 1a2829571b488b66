// Package reportstest writes clients, visits and objections straight into
// the tables, for report tests and benchmarks that need records without
// going through the commands that log them.
package reportstest

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

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

// Client adds a client card and returns its id.
func Client(t testing.TB, db *storage.DB, teamID, ownerID int64, name string, stage models.Stage) int64 {
	t.Helper()
	row := ClientRow{TeamID: teamID, Name: name, NameKey: strings.ToLower(name), OwnerID: ownerID, Stage: string(stage), Grade: "B"}
	if err := db.Gorm().Create(&row).Error; err != nil {
		t.Fatalf("add client %q: %v", name, err)
	}
	return row.ID
}

// Visit adds a visit and moves the client's stage as the visit did.
func Visit(t testing.TB, db *storage.DB, v models.Visit) int64 {
	t.Helper()
	row := VisitRow{TeamID: v.TeamID, ClientID: v.ClientID, RepID: v.RepID, At: v.At.UTC(), Method: string(v.Method),
		StageBefore: string(v.StageBefore), Stage: string(v.Stage), Attitude: string(v.Attitude), NextStep: v.NextStep, Notes: v.Notes, CreatedAt: v.At.UTC()}
	if row.Method == "" {
		row.Method = string(models.MethodInPerson)
	}
	err := db.Gorm().Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if v.Stage != models.StageNone {
			return tx.Model(&ClientRow{}).Where("id = ?", v.ClientID).Update("stage", string(v.Stage)).Error
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add visit: %v", err)
	}
	return row.ID
}

// Objection adds an objection.
func Objection(t testing.TB, db *storage.DB, o models.Objection) int64 {
	t.Helper()
	row := ObjectionRow{TeamID: o.TeamID, ClientID: o.ClientID, RepID: o.RepID, At: o.At.UTC(), Category: string(o.Category),
		Words: o.Words, Answer: o.Answer, Resolved: o.Resolved, WorkedAnswer: o.WorkedAnswer, CreatedAt: o.At.UTC()}
	if o.VisitID != 0 {
		row.VisitID = &o.VisitID
	}
	if err := db.Gorm().Create(&row).Error; err != nil {
		t.Fatalf("add objection: %v", err)
	}
	return row.ID
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
