package storage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// The prefixes of a /visit typed without ";" are looked up in one
// statement on idx_clients_team_key in a team of 20,000 clients (rows and
// planner statistics as in use, nothing forced): no scan of clients, and
// the answer is the line's client, as a rep who owns it sees it.
func TestUnseparatedLookupIsOneIndexedStatement(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		north, err := db.CreateTeam(ctx, "North", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		i, err := db.CreateInvite(ctx, north.ID, models.RoleRep, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rep, _, err := db.Join(ctx, i.Code, storage.Profile{TelegramID: 901, ChatID: 901, Name: "Ann"})
		if err != nil {
			t.Fatal(err)
		}
		cs := make([]*models.Client, 20000)
		for i := range cs {
			cs[i] = &models.Client{TeamID: north.ID, Name: fmt.Sprintf("Client %d Trading", i), OwnerID: rep.ID}
		}
		if err := db.InsertBulk(ctx, &storage.Bulk{Clients: cs}); err != nil {
			t.Fatal(err)
		}
		if err := storage.Gorm(db).Exec("ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
		c := capture(t, db)
		found, err := db.LookupClientNames(ctx, rep, []int64{north.ID}, quick.NamePrefixes("Client 12345 Trading met Li demo warm"))
		if err != nil {
			t.Fatal(err)
		}
		if l := found["client12345trading"]; len(found) != 1 || l == nil || l.Exact == nil || l.Exact.Name != "Client 12345 Trading" {
			t.Fatalf("found %v", found)
		}
		c.mu.Lock()
		queries := append([]string(nil), c.sql...)
		c.mu.Unlock()
		if len(queries) != 1 {
			t.Fatalf("%d statements, want 1: %q", len(queries), queries)
		}
		plan := explainAsIs(t, db, queries[0])
		t.Logf("%s\n  %s", queries[0], strings.ReplaceAll(plan, "\n", "\n  "))
		if strings.Contains(plan, "SCAN clients") || strings.Contains(plan, "Seq Scan on clients") || !strings.Contains(plan, "idx_clients_team_key") {
			t.Errorf("not on idx_clients_team_key:\n%s", plan)
		}
	})
}

// explainAsIs is the plan of query as the planner picks it.
func explainAsIs(t *testing.T, db *storage.DB, query string) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == storage.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := storage.Gorm(db).Raw(prefix + query).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(lines, "\n")
}
