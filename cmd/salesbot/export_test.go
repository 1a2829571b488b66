package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
)

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "s.db")
	db, err := storage.Open(dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	reportstest.ThreeReps(t, db, nil, "North", "Asia/Shanghai", 0)
	db.Close()

	out := filepath.Join(dir, "north.xlsx")
	// A file left from before, world-readable: the export narrows it.
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = Main(context.Background(), []string{"export", "--db", dbPath, "--team", "north", "--from", "2026-11-23", "--to", "2026-11-24", "--out", out, "--lang", "zh", "--csv"},
		nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "wrote "+out+": North, 2026-11-23 – 2026-11-24: 5 visits, 2 objections, 5 clients") {
		t.Fatalf("stdout %q", stdout.String())
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("拜访")
	if err != nil || len(rows) != 6 || rows[5][2] != "华为" {
		t.Fatalf("rows %q %v", rows, err)
	}
	for _, name := range []string{out, filepath.Join(dir, "north-clients.csv"), filepath.Join(dir, "north-visits.csv")} {
		if st, err := os.Stat(name); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v; want 0600 (exports hold phone numbers)", name, st.Mode(), err)
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "north-clients.csv"))
	if err != nil || !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF客户,分级")) {
		t.Fatalf("clients CSV %q %v", csv, err)
	}

	err = Main(context.Background(), []string{"export", "--db", dbPath, "--team", "Nowhere", "--out", out}, nil, &stdout, &stderr)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), `no team "Nowhere"`) {
		t.Fatalf("unknown team: %v", err)
	}
	err = Main(context.Background(), []string{"export", "--db", dbPath, "--team", "North"}, nil, &stdout, &stderr)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("missing --out: %v", err)
	}
}
