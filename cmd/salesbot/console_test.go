package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/models"
)

// Files the bot sends are saved into --files and their paths printed;
// ":location", ":photo", ":voice" send what a phone would (issue 11, item 14).
func TestConsoleSavesFilesAndSendsLocations(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	files := filepath.Join(dir, "out")
	var out, errOut bytes.Buffer
	in := strings.Join([]string{
		"/visit Acme; demo; warm",
		":location 31.23 121.47",
		":photo shelf.jpg the new display",
		":voice 12",
		":location north pole",
		":nope",
		"/export",
		"/export",
	}, "\n") + "\n"
	if err := Main(context.Background(), []string{"console", "--db", db, "--as", "ann", "--files", files}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("console: %v\n%s", err, errOut.String())
	}
	got := out.String()
	mustHave(t, got, "Attached to your visit to Acme", "console: a location is LAT LON in degrees, e.g. :location 31.23 121.47",
		":photo FILE [caption]")
	if n := strings.Count(got, "Attached to your visit to Acme"); n != 3 {
		t.Fatalf("attached %d times, want 3 (location, photo, voice):\n%s", n, got)
	}
	paths := regexp.MustCompile(`saved to (\S+)\]`).FindAllStringSubmatch(got, -1)
	if len(paths) < 2 {
		t.Fatalf("no saved paths in:\n%s", got)
	}
	seen := map[string]bool{}
	for _, m := range paths {
		p := m[1]
		if seen[p] {
			t.Fatalf("%s printed twice: the second export overwrote the first", p)
		}
		seen[p] = true
		st, err := os.Stat(p)
		if err != nil || st.Size() == 0 || filepath.Dir(p) != files {
			t.Fatalf("saved file %s: %v %v", p, st, err)
		}
	}
}

// A follow-up that falls due while the console waits for input prints at
// once, without a line being typed.
func TestConsolePrintsDueFollowUpsWithoutInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	runConsole(t, db, "ann", "/help") // makes ann the demo admin
	store, err := storage.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := store.UserByTelegramID(ctx, consoleUserID("ann"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateFollowUp(ctx, &models.FollowUp{TeamID: u.PrimaryTeam(), OwnerID: u.ID, Kind: models.KindReminder,
		Text: "call Li", DueAt: time.Now().Add(-time.Minute), Exact: true}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	stdin, typing := io.Pipe() // nobody types
	stdout, screen := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"console", "--db", db, "--as", "ann"}, stdin, screen, io.Discard)
		screen.Close()
	}()
	// A guard, not a measurement: give up rather than hang if it never comes.
	guard := time.AfterFunc(30*time.Second, func() { stdout.Close() })
	defer guard.Stop()
	lines := bufio.NewScanner(stdout)
	found := false
	for lines.Scan() {
		if strings.Contains(lines.Text(), "🔔 Reminder: call Li") {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("the due reminder was never printed")
	}
	go io.Copy(io.Discard, stdout) //nolint:errcheck // drain the rest
	typing.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The demo team is named in the first user's language.
func TestConsoleDemoTeamInUsersLanguage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zh.db")
	var out, errOut bytes.Buffer
	if err := Main(context.Background(), []string{"console", "--db", db, "--as", "wang", "--lang", "zh"}, strings.NewReader("/team\n"), &out, &errOut); err != nil {
		t.Fatalf("console: %v\n%s", err, errOut.String())
	}
	mustHave(t, out.String(), "演示团队")
	if strings.Contains(out.String(), "Demo team") {
		t.Fatalf("English team name for a Chinese user:\n%s", out.String())
	}
}
