package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestTeamsAndInvites(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		team, err := db.CreateTeam(ctx, "North", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		if team.RevisitDays != 7 || team.TZ != "Asia/Shanghai" {
			t.Fatalf("team defaults: %+v", team)
		}
		if _, err := db.CreateTeam(ctx, "North", "UTC"); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("duplicate team: got %v, want conflict", err)
		}
		admin, err := db.TouchUser(ctx, storage.Profile{TelegramID: 100, ChatID: 100, Name: "Ann"}, true)
		if err != nil || admin == nil || !admin.IsAdmin {
			t.Fatalf("configured admin not created: %+v %v", admin, err)
		}
		stranger, err := db.TouchUser(ctx, storage.Profile{TelegramID: 200, ChatID: 200, Name: "Bob"}, false)
		if err != nil || stranger != nil {
			t.Fatalf("stranger must not be stored: %+v %v", stranger, err)
		}
		if n, _ := db.CountUsers(ctx); n != 1 {
			t.Fatalf("users = %d, want 1 (strangers are not stored)", n)
		}

		inv, err := db.CreateInvite(ctx, team.ID, models.RoleRep, admin.ID, 7*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !inv.ExpiresAt.Equal(t0.Add(7 * 24 * time.Hour)) {
			t.Fatalf("expires %v, want %v", inv.ExpiresAt, t0.Add(7*24*time.Hour))
		}
		bob, used, err := db.Join(ctx, " "+inv.Code+" ", storage.Profile{TelegramID: 200, ChatID: 200, Name: "Bob", Lang: "zh"})
		if err != nil {
			t.Fatal(err)
		}
		if used.TeamName != "North" || bob.RoleIn(team.ID) != models.RoleRep || bob.Lang != "zh" || !bob.Active {
			t.Fatalf("joined user: %+v, invite %+v", bob, used)
		}
		if _, _, err := db.Join(ctx, inv.Code, storage.Profile{TelegramID: 300, Name: "Cy"}); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("second use: got %v, want conflict", err)
		}
		if _, _, err := db.Join(ctx, "NOPE", storage.Profile{TelegramID: 300, Name: "Cy"}); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("unknown code: got %v, want not found", err)
		}
		members, err := db.Members(ctx, team.ID)
		if err != nil || len(members) != 1 || members[0].User.Name != "Bob" {
			t.Fatalf("members = %+v, %v", members, err)
		}
		if err := db.SetActive(ctx, bob.ID, false); err != nil {
			t.Fatal(err)
		}
		again, err := db.TouchUser(ctx, storage.Profile{TelegramID: 200, ChatID: 200, Name: "Bob"}, false)
		if err != nil || again == nil || again.Active || again.Role() != models.RoleNone {
			t.Fatalf("deactivated user: %+v %v", again, err)
		}
	})
}

func TestInviteExpires(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk.Set(t0)
		team, _ := db.CreateTeam(ctx, "South", "UTC")
		inv, err := db.CreateInvite(ctx, team.ID, models.RoleManager, 1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		_, _, err = db.Join(ctx, inv.Code, storage.Profile{TelegramID: 5, Name: "Late"})
		if models.ErrorCode(err) != models.EEXPIRED {
			t.Fatalf("expired code: got %v, want expired", err)
		}
		if n, _ := db.CountUsers(ctx); n != 0 {
			t.Fatalf("a refused join must store nothing, users = %d", n)
		}
	})
}

// Two people racing for one code: exactly one gets in.
func TestInviteRace(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		team, _ := db.CreateTeam(ctx, "Race", "UTC")
		inv, _ := db.CreateInvite(ctx, team.ID, models.RoleRep, 1, time.Hour)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = db.Join(ctx, inv.Code, storage.Profile{TelegramID: int64(1000 + i), Name: fmt.Sprint("u", i)})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case models.ErrorCode(err) == models.ECONFLICT:
			default:
				t.Errorf("unexpected error (locking?): %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d joins succeeded with one code, want 1", ok)
		}
	})
}

func TestInbox(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if id, err := db.LastUpdateID(ctx); err != nil || id != 0 {
			t.Fatalf("empty inbox last id = %d, %v", id, err)
		}
		batch := []storage.StoredUpdate{{UpdateID: 5, ChatID: 1, Payload: []byte(`{"update_id":5}`)}, {UpdateID: 6, ChatID: 2, Payload: []byte(`{"update_id":6}`)}}
		if err := db.StoreUpdates(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// Telegram repeating a batch must not duplicate or reset anything.
		if err := db.MarkUpdateDone(ctx, 5); err != nil {
			t.Fatal(err)
		}
		if err := db.StoreUpdates(ctx, append(batch, storage.StoredUpdate{UpdateID: 7, ChatID: 1, Payload: []byte(`{}`)})); err != nil {
			t.Fatal(err)
		}
		pending, err := db.PendingUpdates(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range pending {
			ids = append(ids, p.UpdateID)
		}
		if fmt.Sprint(ids) != "[6 7]" {
			t.Fatalf("pending = %v, want [6 7]", ids)
		}
		if id, _ := db.LastUpdateID(ctx); id != 7 {
			t.Fatalf("last id = %d, want 7", id)
		}
	})
}

// Concurrent writers on SQLite must wait for each other, never fail with
// "database is locked".
func TestSQLiteConcurrentWrites(t *testing.T) {
	db := storagetest.SQLite(t, clock.Real{})
	ctx := context.Background()
	team, _ := db.CreateTeam(ctx, "Busy", "UTC")
	var wg sync.WaitGroup
	errc := make(chan error, 200)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				tg := int64(i*100 + j + 1)
				if _, err := db.TouchUser(ctx, storage.Profile{TelegramID: tg, Name: "x"}, true); err != nil {
					errc <- err
				}
				if err := db.AddMember(ctx, team.ID, tg, models.RoleRep); err != nil && !errors.Is(err, context.Canceled) {
					// user ids and telegram ids differ; a missing user is a
					// foreign-key error, not a lock error
					if isLocked(err) {
						errc <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Errorf("concurrent write failed: %v", err)
	}
}

func isLocked(err error) bool {
	return err != nil && (contains(err.Error(), "locked") || contains(err.Error(), "busy"))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Migrating twice is a no-op and keeps rows; the version is the newest.
func TestMigrateKeepsRows(t *testing.T) {
	path := storagetest.SQLitePath(t)
	ctx := context.Background()
	db, err := storage.Open(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, "Keep", "UTC"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = storage.Open(path, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TeamByName(ctx, "keep"); err != nil {
		t.Fatalf("row lost across migrate: %v", err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != storage.LatestSchemaVersion() {
		t.Fatalf("schema version %q (%v), want %q", v, err, storage.LatestSchemaVersion())
	}
}

// Pruning removes old handled updates but keeps the newest row, so the
// poller's position (LastUpdateID) survives, and never touches pending ones.
func TestPruneUpdates(t *testing.T) {
	clk := clock.NewFake(t0)
	storagetest.Each(t, clk, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk.Set(t0)
		var batch []storage.StoredUpdate
		for id := int64(1); id <= 4; id++ {
			batch = append(batch, storage.StoredUpdate{UpdateID: id, ChatID: 1, Payload: []byte(`{}`)})
		}
		if err := db.StoreUpdates(ctx, batch); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{1, 2, 4} { // 3 stays pending
			if err := db.MarkUpdateDone(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(8 * 24 * time.Hour)
		n, err := db.PruneUpdates(ctx, clk.Now().Add(-7*24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("pruned %d (%v), want 2 (updates 1 and 2)", n, err)
		}
		if last, _ := db.LastUpdateID(ctx); last != 4 {
			t.Fatalf("last update id after prune = %d, want 4", last)
		}
		if p, _ := db.PendingUpdates(ctx, 10); len(p) != 1 || p[0].UpdateID != 3 {
			t.Fatalf("pending after prune = %+v, want update 3", p)
		}
	})
}
