package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"salesbot/internal/storage"
)

// The SQLite file and its -wal and -shm hold clients and phone numbers:
// only their owner may read them, including a file an older version made
// world-readable.
func TestSQLiteFilesArePrivate(t *testing.T) {
	for _, existing := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "salesbot.db")
		if existing {
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		db, err := storage.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTeam(context.Background(), "North", "UTC"); err != nil {
			t.Fatal(err)
		}
		// While the database is open and written, WAL mode keeps -wal and
		// -shm beside it.
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatalf("existing=%v: %v", existing, err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("existing=%v: %s has mode %v, want 0600", existing, filepath.Base(p), st.Mode().Perm())
			}
		}
		db.Close()
	}
}
