package storage_test

import (
	"regexp"
	"testing"

	"salesbot/internal/clock"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
)

// The sender's read, on every update, looks up the user, their
// memberships, teams and form by index: no table is scanned, whatever the
// number of users and members.
func TestSenderQueryUsesIndexes(t *testing.T) {
	storagetest.Each(t, clock.NewFake(t0), func(t *testing.T, db *storage.DB) {
		plan := explain(t, db, storage.SenderQuery())
		full := regexp.MustCompile(`(?m)^(SCAN|MATERIALIZE)\b`)
		if db.Dialect() == storage.Postgres {
			full = regexp.MustCompile(`Seq Scan`)
		}
		if full.MatchString(plan) || !indexed.MatchString(plan) {
			t.Errorf("the sender's read scans:\n%s", plan)
		}
	})
}
