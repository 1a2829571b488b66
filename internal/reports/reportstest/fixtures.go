// Package reportstest writes teams, people, clients, visits and objections
// through storage, for report tests and benchmarks that need records
// without going through the commands that log them: the scenario through
// storage's ordinary writes, the benchmark data with its bulk insert.
package reportstest

import (
	"strings"
	"testing"

	"salesbot/internal/storage"
	"salesbot/models"
)

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
		if _, err := db.ResolveObjection(t.Context(), storage.System, saved.ID, worked); err != nil {
			t.Fatalf("resolve objection: %v", err)
		}
	}
	return saved.ID
}

// Member adds an active user (Telegram id and chat tgID) to a team with a
// role and returns the user's id.
func Member(t testing.TB, db *storage.DB, teamID, tgID int64, name, lang string, role models.Role) int64 {
	t.Helper()
	u := &models.User{TelegramID: tgID, ChatID: tgID, Name: name, Username: strings.ToLower(strings.Fields(name + " x")[0]), Lang: lang, Active: true}
	if err := db.InsertBulk(t.Context(), &storage.Bulk{Users: []*models.User{u}}); err != nil {
		t.Fatalf("add user %q: %v", name, err)
	}
	if err := db.AddMember(t.Context(), teamID, u.ID, role); err != nil {
		t.Fatal(err)
	}
	return u.ID
}
