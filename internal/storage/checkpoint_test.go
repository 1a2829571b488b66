package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

// The checkpointer keeps the WAL small although no commit checkpoints
// (wal_autocheckpoint is only the far fallback): after each checkpointEvery
// writes it has copied the WAL back, and the writers start it over.
func TestCheckpointerKeepsTheWALSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "salesbot.db")
	db := openSQLiteAt(t, path)
	ctx := context.Background()
	ran := make(chan struct{})
	db.ckpt.ran = ran
	if err := db.gorm.Exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	const rounds = 30
	for r := 0; r < rounds; r++ {
		for i := 0; i < checkpointEvery; i++ {
			err := db.write(ctx, func(g *gorm.DB) *gorm.DB {
				return g.Exec("INSERT INTO scratch (b) VALUES (randomblob(3000))")
			}).Error
			if err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: no checkpoint after %d writes", r, checkpointEvery)
		}
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Without the checkpointer the WAL holds every page written: ~30 MB.
	if max := int64(4 << 20); st.Size() > max {
		t.Errorf("WAL is %d bytes after %d writes, want at most %d", st.Size(), rounds*checkpointEvery, max)
	}
	t.Logf("WAL %d bytes after %d writes", st.Size(), rounds*checkpointEvery)
}
