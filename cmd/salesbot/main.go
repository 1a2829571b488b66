// Command salesbot runs the salesbot Telegram bot.
//
//	salesbot [run]     the bot, by long polling (needs TELEGRAM_BOT_TOKEN)
//	salesbot console   try the bot in a terminal, no token needed
//	salesbot migrate   bring the database schema up to date
//	salesbot job NAME  run one periodic job once (followups, reports, expire-forms)
//	salesbot export    write a team's records as an Excel workbook
//	salesbot version   print the version
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"salesbot/bot"
	"salesbot/internal/app"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
	"salesbot/reminders"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "salesbot:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in how salesbot was started (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const topUsage = `salesbot — a Telegram bot for B2B sales teams.

Usage:
  salesbot [run] [flags]      run the bot by long polling or webhook (needs a token)
  salesbot console [flags]    try the bot in this terminal; no token, no network
  salesbot migrate [flags]    bring the database schema up to date
  salesbot job [flags] NAME   run one periodic job once (followups, reports, expire-forms)
  salesbot export [flags]     write a team's records as an Excel workbook (and CSV)
  salesbot version            print the version

Run "salesbot COMMAND --help" for a command's flags.
`

// Main runs salesbot with the given arguments; tests call it directly.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return cmdRun(ctx, args, stderr)
	case "console":
		return cmdConsole(ctx, args, stdin, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args, stdout, stderr)
	case "job":
		return cmdJob(ctx, args, stdout, stderr)
	case "export":
		return cmdExport(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "salesbot", version)
		return nil
	case "help":
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	fmt.Fprint(stderr, topUsage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// common are the settings every mode shares.
type common struct {
	db       string
	stateDir string
	tz       string
	admins   string
	logLevel string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", envOr("SALESBOT_DB", "salesbot.db"), "SQLite file path or postgres:// URL (env SALESBOT_DB)")
	fs.StringVar(&c.stateDir, "state-dir", envOr("SALESBOT_STATE_DIR", os.Getenv("STATE_DIRECTORY")), "where this host keeps what is not in the database (crash files); default: beside a SQLite file, the user's cache directory for PostgreSQL (env SALESBOT_STATE_DIR, or systemd's STATE_DIRECTORY)")
	fs.StringVar(&c.tz, "tz", envOr("SALESBOT_TZ", "UTC"), "default time zone of new teams, IANA name (env SALESBOT_TZ)")
	fs.StringVar(&c.admins, "admins", os.Getenv("SALESBOT_ADMINS"), "comma-separated Telegram user ids of admins (env SALESBOT_ADMINS)")
	fs.StringVar(&c.logLevel, "log-level", envOr("SALESBOT_LOG_LEVEL", "info"), "debug, info, warn or error (env SALESBOT_LOG_LEVEL)")
}

func (c *common) validate() (admins []int64, err error) {
	loc, ok := models.ParseZone(c.tz)
	if !ok {
		return nil, usageError{fmt.Sprintf("SALESBOT_TZ/--tz %q is not an IANA time zone (example: Asia/Shanghai)", c.tz)}
	}
	c.tz = loc.String()
	for _, f := range strings.Split(c.admins, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageError{fmt.Sprintf("SALESBOT_ADMINS/--admins: %q is not a Telegram user id (example: 123456789,987654321)", f)}
		}
		admins = append(admins, id)
	}
	return admins, nil
}

func (c *common) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// sending are the settings of everything that talks to the Bot API.
type sending struct {
	tokenFile, apiURL   string
	global, chat, group float64
	// user is the messages one person may send in 10 s (0: no limit).
	user              float64
	dispatchEvery     time.Duration
	dispatchEveryText string
}

func (s *sending) register(fs *flag.FlagSet) {
	fs.StringVar(&s.tokenFile, "token-file", "", "file holding the bot token (env TELEGRAM_BOT_TOKEN_FILE; the flag beats TELEGRAM_BOT_TOKEN, the environment's token beats its file)")
	fs.StringVar(&s.apiURL, "api-url", envOr("TELEGRAM_API_URL", app.DefaultAPIURL), "Bot API base URL (env TELEGRAM_API_URL)")
	fs.Float64Var(&s.global, "rate-global", envFloat("SALESBOT_RATE_GLOBAL", 30), "messages per second in total (env SALESBOT_RATE_GLOBAL)")
	fs.Float64Var(&s.chat, "rate-chat", envFloat("SALESBOT_RATE_CHAT", 1), "messages per second to one chat (env SALESBOT_RATE_CHAT)")
	fs.Float64Var(&s.group, "rate-group", envFloat("SALESBOT_RATE_GROUP", 20), "messages per minute to one group (env SALESBOT_RATE_GROUP)")
	fs.Float64Var(&s.user, "rate-user", envFloat("SALESBOT_RATE_USER", 20), "messages and button presses one person may send in 10 seconds; 0 turns the limit off (env SALESBOT_RATE_USER)")
	fs.StringVar(&s.dispatchEveryText, "dispatch-every", envOr("SALESBOT_DISPATCH_EVERY", "10s"), "how often due follow-ups are looked for (env SALESBOT_DISPATCH_EVERY)")
}

func (s *sending) validate() error {
	d, err := time.ParseDuration(s.dispatchEveryText)
	if err != nil || d < time.Second || d > 10*time.Minute {
		return usageError{fmt.Sprintf("SALESBOT_DISPATCH_EVERY/--dispatch-every %q: a duration from 1s to 10m, e.g. 10s", s.dispatchEveryText)}
	}
	s.dispatchEvery = d
	if s.user < 0 {
		return usageError{"--rate-user must be 0 (off) or above"}
	}
	for name, v := range map[string]float64{"rate-global": s.global, "rate-chat": s.chat, "rate-group": s.group} {
		if v <= 0 {
			return usageError{fmt.Sprintf("--%s must be above 0", name)}
		}
	}
	return nil
}

func (s *sending) config(c *common, token string, admins []int64) app.Config {
	return app.Config{
		Token: token, DB: c.db, APIURL: s.apiURL, Admins: admins, DefaultTZ: c.tz,
		Limits:        outbox.Limits{Global: s.global, PerChat: s.chat, PerGroup: s.group / 60},
		DispatchEvery: s.dispatchEvery,
		UserRate:      userRate(s.user),
	}
}

// userRate turns --rate-user into the bot's per-person limit.
func userRate(per10s float64) bot.RateLimit {
	if per10s == 0 {
		return bot.RateLimit{Burst: -1}
	}
	return bot.RateLimit{Burst: max(1, int(per10s)), Per: 10 * time.Second}
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

// botFlags are the flags of the subcommands that start the bot (run, job):
// the common ones and those for talking to the Bot API.
type botFlags struct {
	c    common
	send sending
}

func (f *botFlags) register(fs *flag.FlagSet) {
	f.c.register(fs)
	f.send.register(fs)
}

// check validates the flags and returns the configured admins.
func (f *botFlags) check() ([]int64, error) {
	admins, err := f.c.validate()
	if err != nil {
		return nil, err
	}
	return admins, f.send.validate()
}

// start reads the token and builds the app; adjust (may be nil) sets what
// only one subcommand configures.
func (f *botFlags) start(ctx context.Context, admins []int64, stderr io.Writer, adjust func(*app.Config) error) (*app.App, error) {
	token, err := readToken(f.send.tokenFile)
	if err != nil {
		return nil, err
	}
	cfg := f.send.config(&f.c, token, admins)
	cfg.CrashDir = crashDir(f.c.db, f.c.stateDir)
	if adjust != nil {
		if err := adjust(&cfg); err != nil {
			return nil, err
		}
	}
	a, err := app.New(ctx, cfg, nil, f.c.logger(stderr))
	if err != nil {
		return nil, err
	}
	// A panic that escapes or a fatal runtime error is written there too,
	// so the next start knows the process crashed rather than was killed.
	if out := a.CrashOutput(); out != nil {
		debug.SetCrashOutput(out, debug.CrashOptions{})
	}
	return a, nil
}

// crashDir is where runs keep their crash files (package crashlog): one
// directory per database, so that runs of other databases on this host
// are not mistaken for this one's.
func crashDir(db, stateDir string) string {
	if !storage.IsPostgresDSN(db) && stateDir == "" {
		return db + ".crashes"
	}
	if stateDir == "" {
		stateDir = filepath.Join(os.TempDir(), "salesbot")
		if dir, err := os.UserCacheDir(); err == nil {
			stateDir = filepath.Join(dir, "salesbot")
		}
	}
	sum := sha256.Sum256([]byte(db))
	return filepath.Join(stateDir, "crashes-"+hex.EncodeToString(sum[:6]))
}

func cmdRun(ctx context.Context, args []string, stderr io.Writer) error {
	var (
		f     botFlags
		serve serving
	)
	fs := newFlagSet("run", "Usage: salesbot [run] [flags]\n\nRuns the bot by long polling, or by webhook with --webhook URL --listen ADDR.\nNeeds TELEGRAM_BOT_TOKEN or --token-file.\n\nFlags:\n", stderr)
	f.register(fs)
	serve.register(fs)
	workers := fs.Int("workers", 8, "chats handled at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	admins, err := f.check()
	if err != nil {
		return err
	}
	a, err := f.start(ctx, admins, stderr, func(cfg *app.Config) (err error) {
		cfg.Workers = *workers
		cfg.Serve, err = serve.config()
		return err
	})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

const jobUsage = `Usage: salesbot job [flags] NAME

Runs one periodic job once, as the running bot's scheduler would, and
exits: followups sends the follow-ups due now; reports sends the digests,
summaries and plan reminders that are due; expire-forms ends forms idle for
30 minutes; prune deletes handled updates older than a week. Needs the bot
token, like run. Without NAME it lists the jobs.

Flags:
`

func cmdJob(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f botFlags
	fs := newFlagSet("job", jobUsage, stderr)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	admins, err := f.check()
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		// Listing needs no token: it is how one finds out what to run.
		fmt.Fprintln(stdout, strings.Join(app.JobNames(), "\n"))
		if fs.NArg() > 1 {
			return usageError{"salesbot job takes one job name"}
		}
		return nil
	}
	a, err := f.start(ctx, admins, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	name := fs.Arg(0)
	if err := a.RunJob(ctx, name); err != nil {
		if errors.Is(err, reminders.ErrNoJob) {
			return usageError{err.Error()}
		}
		return err
	}
	fmt.Fprintf(stdout, "%s: done\n", name)
	return nil
}

// readToken finds the bot token, flags before environment as for every
// setting: --token-file (flagFile), then TELEGRAM_BOT_TOKEN, then the file
// TELEGRAM_BOT_TOKEN_FILE names. The token is never printed.
func readToken(flagFile string) (string, error) {
	file := flagFile
	if file == "" {
		if t := strings.TrimSpace(os.Getenv("TELEGRAM_BOT_TOKEN")); t != "" {
			return t, nil
		}
		file = os.Getenv("TELEGRAM_BOT_TOKEN_FILE")
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", usageError{fmt.Sprintf("can't read the token file: %v", err)}
		}
		if t := strings.TrimSpace(string(data)); t != "" {
			return t, nil
		}
		return "", usageError{fmt.Sprintf("the token file %s is empty", file)}
	}
	return "", usageError{"no bot token: set TELEGRAM_BOT_TOKEN or pass --token-file PATH (to try the bot without a token, run: salesbot console)"}
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("migrate", "Usage: salesbot migrate [flags]\n\nBrings the database schema up to date (run and console do this at start too).\n\nFlags:\n", stderr)
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema is at %s\n", v)
	return nil
}
