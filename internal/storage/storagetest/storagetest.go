// Package storagetest opens real, migrated databases for tests: a SQLite
// file in the test's temp dir always, and PostgreSQL when
// SALESBOT_TEST_POSTGRES_DSN is set, each test in a schema of its own.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "SALESBOT_TEST_POSTGRES_DSN"

// SQLite opens a migrated SQLite database in t.TempDir().
func SQLite(t testing.TB, clk clock.Clock) *storage.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "salesbot.db"), clk)
}

// SQLitePath returns a fresh database path in t.TempDir(), for tests that
// reopen the same file.
func SQLitePath(t testing.TB) string { return filepath.Join(t.TempDir(), "salesbot.db") }

// PostgresDSN returns the DSN of a fresh schema for this test, dropped at
// cleanup, or skips the test (visibly) when PostgreSQL is not configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error
		if db, err := admin.DB(); err == nil {
			_ = db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a migrated PostgreSQL database in its own schema, or skips.
func Postgres(t testing.TB, clk clock.Clock) *storage.DB {
	t.Helper()
	return open(t, PostgresDSN(t), clk)
}

func open(t testing.TB, dsn string, clk clock.Clock) *storage.DB {
	t.Helper()
	db, err := storage.Open(dsn, clk)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// Each runs fn as a subtest on SQLite and on PostgreSQL (skipped when not
// configured).
func Each(t *testing.T, clk clock.Clock, fn func(t *testing.T, db *storage.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, clk)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, clk)) })
}

// Raw opens a plain gorm connection to dsn (a SQLite file or a postgres://
// URL), closed at cleanup, for tests that count rows of a database that
// another process wrote. Storage itself exposes no raw handle: the schema
// has one owner, and a test that reads tables directly says so here.
func Raw(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	var d gorm.Dialector = sqlite.Open(dsn)
	if storage.IsPostgresDSN(dsn) {
		d = postgres.Open(dsn)
	}
	g, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if db, err := g.DB(); err == nil {
			_ = db.Close()
		}
	})
	return g
}
