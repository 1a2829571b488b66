package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations is the schema's history, oldest first. A migration is never
// edited once released: it declares the tables as they were at that version
// (its own struct types), so an old database upgrades through every step
// and keeps its rows. Add a new entry for every change.
var migrations = []*gormigrate.Migration{
	{
		ID: "0001_people_and_inbox",
		Migrate: func(tx *gorm.DB) error {
			type team struct {
				ID          int64  `gorm:"primaryKey"`
				Name        string `gorm:"size:64;not null;uniqueIndex"`
				TZ          string `gorm:"size:64;not null"`
				RevisitDays int    `gorm:"not null"`
				CreatedAt   time.Time
				UpdatedAt   time.Time
			}
			type user struct {
				ID         int64  `gorm:"primaryKey"`
				TelegramID int64  `gorm:"not null;uniqueIndex"`
				ChatID     int64  `gorm:"not null"`
				Name       string `gorm:"size:128;not null"`
				Username   string `gorm:"size:64;not null"`
				Lang       string `gorm:"size:8;not null"`
				TZ         string `gorm:"size:64;not null"`
				IsAdmin    bool   `gorm:"not null"`
				Active     bool   `gorm:"not null"`
				LastSeen   *time.Time
				CreatedAt  time.Time
				UpdatedAt  time.Time
			}
			type member struct {
				ID        int64  `gorm:"primaryKey"`
				TeamID    int64  `gorm:"not null;uniqueIndex:idx_members_team_user,priority:1"`
				UserID    int64  `gorm:"not null;uniqueIndex:idx_members_team_user,priority:2;index"`
				Role      string `gorm:"size:16;not null"`
				Team      *team  `gorm:"foreignKey:TeamID"`
				User      *user  `gorm:"foreignKey:UserID"`
				CreatedAt time.Time
			}
			type invite struct {
				ID        int64  `gorm:"primaryKey"`
				Code      string `gorm:"size:32;not null;uniqueIndex"`
				TeamID    int64  `gorm:"not null;index"`
				Role      string `gorm:"size:16;not null"`
				CreatedBy int64  `gorm:"not null"`
				ExpiresAt time.Time
				UsedBy    *int64
				UsedAt    *time.Time
				Team      *team `gorm:"foreignKey:TeamID"`
				CreatedAt time.Time
			}
			// The inbox of Telegram updates: stored before the poller's offset
			// moves past them, handled, then marked done.
			type update struct {
				UpdateID   int64  `gorm:"primaryKey;autoIncrement:false;index:idx_updates_state_id,priority:2"`
				ChatID     int64  `gorm:"not null"`
				Payload    string `gorm:"type:text;not null"`
				State      string `gorm:"size:16;not null;index:idx_updates_state_id,priority:1"`
				Attempts   int    `gorm:"not null"`
				ReceivedAt time.Time
				DoneAt     *time.Time
			}
			if err := tx.Migrator().CreateTable(&team{}, &user{}, &member{}, &invite{}); err != nil {
				return err
			}
			return tx.Migrator().CreateTable(&update{})
		},
	},
	{
		ID: "0002_forms",
		Migrate: func(tx *gorm.DB) error {
			// A half-filled form per user, so a restart loses nothing.
			type form struct {
				UserID    int64  `gorm:"primaryKey;autoIncrement:false"`
				Kind      string `gorm:"size:32;not null"`
				State     string `gorm:"type:text;not null"`
				CreatedAt time.Time
				UpdatedAt time.Time `gorm:"index"`
			}
			return tx.Migrator().CreateTable(&form{})
		},
	},
	{
		ID:      "0003_clients_visits_objections_plans",
		Migrate: migrateSalesRecords,
	},
	{
		ID:      "0004_visit_records",
		Migrate: migrateVisitRecords,
	},
	{
		ID:      "0005_follow_ups",
		Migrate: migrateFollowUps,
	},
	{
		ID:      "0006_reports",
		Migrate: migrateReports,
	},
	{
		ID:      "0006a_follow_ups_done_index",
		Migrate: migrateFollowUpsDoneIndex,
	},
	{
		ID:      "0007_shown_lists",
		Migrate: migrateShownLists,
	},
	{
		ID:      "0008_access_memberships",
		Migrate: migrateAccess,
	},
	{
		ID:      "0009_send_budget",
		Migrate: migrateSendBudget,
	},
	{
		// Which visit closed a revisit follow-up (the next visit to the
		// client does), so reports count the follow-ups a person completed
		// apart from those a visit closed, and undoing that visit can open
		// them again.
		ID:      "0010_follow_ups_closed_by_visit",
		Migrate: addColumn("follow_ups", "closed_by_visit_id", "BIGINT"),
	},
	{
		ID:      "0011_client_name_grams",
		Migrate: migrateClientGrams,
	},
	{
		ID:      "0012_outgoing",
		Migrate: migrateOutgoing,
	},
	{
		ID:      "0013_deals",
		Migrate: migrateDeals,
	},
	{
		ID:      "0014_client_sharing",
		Migrate: migrateClientSharing,
	},
	{
		ID:      "0015_follow_ups_and_reports_through_outbox",
		Migrate: migrateThroughOutbox,
	},
	{
		ID:      "0016_update_crashes",
		Migrate: migrateUpdateCrashes,
	},
	{
		ID:      "0017_targets",
		Migrate: migrateTargets,
	},
	{
		ID:      "0018_deal_links",
		Migrate: migrateDealLinks,
	},
	{
		ID:      "0019_pipeline",
		Migrate: migratePipeline,
	},
	{
		// A contact deleted from the card keeps its row, so the visits that
		// met it still name it; one changed on the card is marked, so undoing
		// the visit that added it keeps the card (issue 11, item 9).
		ID: "0020_forms11",
		Migrate: func(tx *gorm.DB) error {
			type contact struct {
				DeletedAt *time.Time
				EditedAt  *time.Time
			}
			m := tx.Table("contacts").Migrator()
			for _, col := range []string{"DeletedAt", "EditedAt"} {
				// EditedAt came after this step was first merged: a column
				// there already is skipped, so the step can be run again by
				// hand on a development database that ran the first version.
				if m.HasColumn(&contact{}, col) {
					continue
				}
				if err := m.AddColumn(&contact{}, col); err != nil {
					return err
				}
			}
			return nil
		},
	},
	{
		// Amounts typed without a currency are in the team's (issue 13).
		ID:      "0022_team_currency",
		Migrate: addColumn("teams", "currency", "VARCHAR(3) NOT NULL DEFAULT ''"),
	},
}

// addColumn is a migration that adds one column. A new text field of a
// record is one entry:
//
//	{ID: "0014_visits_budget", Migrate: addColumn("visits", "budget", "TEXT NOT NULL DEFAULT ''")},
//
// The SQL is the same on SQLite and PostgreSQL.
func addColumn(table, column, sqlType string) func(*gorm.DB) error {
	return func(tx *gorm.DB) error {
		return tx.Exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + sqlType).Error
	}
}

// execAll runs a migration's statements in order and stops at the first
// that fails (the migration's transaction then rolls back).
func execAll(tx *gorm.DB, stmts ...string) error {
	for _, stmt := range stmts {
		if err := tx.Exec(stmt).Error; err != nil {
			return err
		}
	}
	return nil
}

// Migrate brings the schema up to date. On PostgreSQL it holds an advisory
// lock so replicas starting together migrate once; each migration runs in a
// transaction so a failed step leaves the previous version intact.
func (db *DB) Migrate(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	if db.dialect == Postgres {
		// Session-level advisory locks belong to a connection, so hold one
		// connection for lock, migrate and unlock.
		conn, err := db.sql.Conn(ctx)
		if err != nil {
			return fmt.Errorf("get connection for migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey) //nolint:errcheck // released with the connection anyway
	}
	if db.dialect == SQLite {
		// gormigrate does not check its BEGIN: a database another process
		// holds past the busy timeout would surface as a nil-row panic
		// inside it. Take the write lock once first and say so plainly.
		if err := g.Transaction(func(*gorm.DB) error { return nil }); err != nil {
			return fmt.Errorf("migrate schema: the database is busy (another salesbot on the same file?): %w", err)
		}
	}
	m := gormigrate.New(g, &gormigrate.Options{
		TableName:      "schema_migrations",
		IDColumnName:   "id",
		IDColumnSize:   255,
		UseTransaction: true,
	}, migrations)
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// migrationLockKey is an arbitrary constant shared by all replicas.
const migrationLockKey = 7_465_311_001

// SchemaVersion returns the ID of the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (string, error) {
	var id string
	err := db.gorm.WithContext(ctx).Raw("SELECT id FROM schema_migrations ORDER BY id DESC LIMIT 1").Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("read schema version: %w", err)
	}
	return id, nil
}

// LatestSchemaVersion is the ID of the newest migration this binary knows.
func LatestSchemaVersion() string { return migrations[len(migrations)-1].ID }
