package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// console runs `salesbot console` with piped input, as a person would script it.
func runConsole(t *testing.T, db, as string, lines ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args := []string{"console", "--db", db, "--as", as}
	err := Main(context.Background(), args, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errOut)
	if err != nil {
		t.Fatalf("console as %s: %v\nstderr: %s", as, err, errOut.String())
	}
	return out.String()
}

func mustHave(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("console output:\n%s\nwant it to contain %q", out, w)
		}
	}
}

// The scripted session: the admin invites, a second user joins and
// sees their help, a third without a code is refused, the used code is
// refused the second time, and /lang zh switches to Chinese.
func TestScriptedConsoleSession(t *testing.T) {
	t.Setenv("SALESBOT_DB", "")
	db := filepath.Join(t.TempDir(), "console.db")

	out := runConsole(t, db, "Ann", "/invite rep")
	mustHave(t, out, "you> /invite rep", "bot> Invite to Demo team as rep")
	code := regexp.MustCompile(`Code: ([A-Z0-9]+)`).FindStringSubmatch(out)
	if code == nil {
		t.Fatalf("no code in:\n%s", out)
	}

	out = runConsole(t, db, "Bob", "/join "+code[1], "/help")
	mustHave(t, out, "bot> Welcome to Demo team, Bob! You joined as rep.", "/team — members of your team")
	if strings.Contains(out, "/invite") {
		t.Fatalf("a rep's help shows /invite:\n%s", out)
	}

	out = runConsole(t, db, "Carl", "/start", "/join "+code[1])
	mustHave(t, out, "bot> Hi! salesbot is for invited sales teams.", "bot> That invite code was used already")

	out = runConsole(t, db, "Bob", "/lang zh", "/help")
	mustHave(t, out, "bot> 语言已切换为中文。", "bot> 你可以使用:")

	// Buttons print as numbers, and a number presses one.
	out = runConsole(t, db, "Bob", "/lang", "1")
	mustHave(t, out, "[1] English  [2] 中文", "bot (edited)> Language set to English.")

	// The first user is the demo team's admin, the next ones are not.
	out = runConsole(t, db, "Ann", "/team")
	mustHave(t, out, "Demo team — 2 members:", "Ann (@ann) — manager", "Bob (@bob) — rep")
}

func TestRunWithoutTokenSaysHow(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("TELEGRAM_BOT_TOKEN_FILE", "")
	var errOut bytes.Buffer
	err := Main(context.Background(), []string{"run", "--db", filepath.Join(t.TempDir(), "x.db")}, nil, &bytes.Buffer{}, &errOut)
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("run without token: err=%v", err)
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "--token-file", "salesbot console"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("message %q does not mention %q", err, want)
		}
	}
}

func TestBadTimeZoneIsAStartupError(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:x")
	err := Main(context.Background(), []string{"run", "--tz", "Mars/Base"}, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `"Mars/Base" is not an IANA time zone`) {
		t.Fatalf("err = %v", err)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range []string{"run", "console", "migrate"} {
		var errOut bytes.Buffer
		err := Main(context.Background(), []string{cmd, "--help"}, nil, &bytes.Buffer{}, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage: salesbot") || !strings.Contains(errOut.String(), "-db") {
			t.Fatalf("%s --help: %v\n%s", cmd, err, errOut.String())
		}
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"version"}, nil, &out, &out); err != nil || !strings.HasPrefix(out.String(), "salesbot ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

func TestMigrateCommand(t *testing.T) {
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "m.db")
	if err := Main(context.Background(), []string{"migrate", "--db", db}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "schema is at "+storage.LatestSchemaVersion()) {
		t.Fatalf("migrate said %q", out.String())
	}
}

// `salesbot job followups` sends what is due, once, and exits.
func TestJobSubcommandRunsOnce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "job.db")
	fake := tgfake.New()
	defer fake.Close()
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:job-token")
	t.Setenv("SALESBOT_DB", "")

	store, err := storage.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := store.TouchUser(ctx, storage.Profile{TelegramID: 77, ChatID: 77, Name: "Ann"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateFollowUp(ctx, &models.FollowUp{OwnerID: u.ID, Kind: models.KindReminder, Text: "call Li",
		DueAt: time.Now().Add(-time.Minute), Exact: true}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Main(ctx, append([]string{"job", "--db", db, "--api-url", fake.URL()}, args...), strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}
	out, err := run()
	if err != nil || out != "expire-forms\nfollowups\nprune\nreports\n" {
		t.Fatalf("job list: %q %v", out, err)
	}
	if out, err := run("followups"); err != nil || out != "followups: done\n" {
		t.Fatalf("job followups: %q %v", out, err)
	}
	if out, err := run("followups"); err != nil || out != "followups: done\n" {
		t.Fatalf("second run: %q %v", out, err)
	}
	sent := fake.SentTo(77)
	if len(sent) != 1 || sent[0].Text != "🔔 Reminder: call Li" {
		t.Fatalf("sent %+v", sent)
	}
	_, err = run("nope")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "no such job") {
		t.Fatalf("unknown job: %v", err)
	}
}

// Flags beat the environment for every setting, the token included:
// --token-file wins over TELEGRAM_BOT_TOKEN, which wins over
// TELEGRAM_BOT_TOKEN_FILE. `salesbot job` without a name needs no token.
func TestTokenFlagBeatsEnvironment(t *testing.T) {
	dir := t.TempDir()
	fake := tgfake.New()
	defer fake.Close()
	t.Setenv("SALESBOT_DB", filepath.Join(dir, "t.db"))
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("TELEGRAM_BOT_TOKEN_FILE", "")
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Main(context.Background(), append([]string{"job", "--api-url", fake.URL()}, args...), strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}
	if out, err := run(); err != nil || out != "expire-forms\nfollowups\nprune\nreports\n" {
		t.Fatalf("job list without a token: %q %v", out, err)
	}
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("1:from-flag-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:from-env")
	missing := filepath.Join(dir, "missing")
	if _, err := run("--token-file", missing, "followups"); err == nil || !strings.Contains(err.Error(), "can't read the token file") {
		t.Fatalf("--token-file given but the environment's token used: %v", err)
	}
	if _, err := run("--token-file", file, "followups"); err != nil {
		t.Fatal(err)
	}
	if !fake.CalledWithToken("1:from-flag-file") || fake.CalledWithToken("1:from-env") {
		t.Fatalf("the Bot API was called with the wrong token")
	}
	// Between the two variables, the token itself wins over its file.
	t.Setenv("TELEGRAM_BOT_TOKEN_FILE", missing)
	if _, err := run("followups"); err != nil {
		t.Fatalf("TELEGRAM_BOT_TOKEN with a bad TELEGRAM_BOT_TOKEN_FILE: %v", err)
	}
}
