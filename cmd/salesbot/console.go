package main

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"salesbot/bot"
	"salesbot/internal/app"
	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

const consoleUsage = `Usage: salesbot console [flags]

Try salesbot in this terminal: no token, no network. Each line you type is a
message to the bot from --as; the bot's replies print below it. Buttons show
as numbered choices: type the number to press one. Works with piped input too
(one reply block per line, then exits at the end of input).

On an empty database the first console user becomes the admin of a demo team.
Use --as with another name and the same --db to act as someone else.

Flags:
`

// DemoTeam is the team the first console user runs.
const DemoTeam = "Demo team"

func cmdConsole(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("console", consoleUsage, stderr)
	c.register(fs)
	as := fs.String("as", envOr("USER", "me"), "who you are in this session (any name; the same name is the same user)")
	cat, err := bot.NewCatalogue()
	if err != nil {
		return fmt.Errorf("can't load language catalogue: %w", err)
	}
	langs := strings.Join(cat.Languages(), " or ")
	lang := fs.String("lang", "", langs+": the language your Telegram app reports (and sets /lang)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if code, ok := cat.Match(*lang); *lang != "" && (!ok || code != *lang) {
		return usageError{fmt.Sprintf("--lang %q: use %s", *lang, langs)}
	}
	admins, err := c.validate()
	if err != nil {
		return err
	}
	if c.logLevel == "info" && os.Getenv("SALESBOT_LOG_LEVEL") == "" {
		c.logLevel = "warn" // keep the conversation readable
	}
	log := c.logger(stderr)

	// The fake Bot API lives as long as this session; the database's inbox
	// remembers the last update id, so the fake continues after it.
	last, err := lastUpdateID(c.db)
	if err != nil {
		return err
	}
	fake := tgfake.New(tgfake.WithBotUsername("salesbot_console_bot"), tgfake.WithLastUpdateID(last))
	defer fake.Close()
	me := tgfake.User{ID: consoleUserID(*as), FirstName: *as, Username: consoleUsername(*as), LanguageCode: *lang}

	done := app.NewHandled()
	a, err := app.New(ctx, app.Config{
		Token: "console:token", DB: c.db, APIURL: fake.URL(), Admins: admins, DefaultTZ: c.tz,
		PollTimeout: 10 * time.Second, OnUpdateDone: done.Add,
		// The fake Bot API in this process has no flood limits to keep.
		Limits: outbox.Limits{Global: 1e6, GlobalBurst: 1000, PerChat: 1e6, ChatBurst: 1000, PerGroup: 1e6, GroupBurst: 1000},
	}, nil, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seedConsole(ctx, a, me, c.tz, cat.Normalize(me.LanguageCode), *lang); err != nil {
		return err
	}

	runCtx, stopRun := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- a.Run(runCtx) }()
	defer func() {
		stopRun()
		<-runErr
	}()

	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintf(stdout, "salesbot console — you are %s. Type /help; Ctrl-D to quit.\n", *as)
	}
	con := &console{fake: fake, me: me, out: stdout, done: done}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if interactive {
			fmt.Fprint(stdout, "you> ")
		}
		if !in.Scan() {
			break
		}
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		if !interactive {
			fmt.Fprintf(stdout, "you> %s\n", line)
		}
		if err := con.say(ctx, line); err != nil {
			return err
		}
	}
	return in.Err()
}

func lastUpdateID(dsn string) (int64, error) {
	db, err := storage.Open(dsn, nil)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		return 0, err
	}
	return db.LastUpdateID(context.Background())
}

// seedConsole makes an empty database usable at once: the first console
// user becomes admin and manager of a demo team.
func seedConsole(ctx context.Context, a *app.App, me tgfake.User, tz, appLang, lang string) error {
	n, err := a.DB.CountUsers(ctx)
	if err != nil {
		return err
	}
	profile := storage.Profile{TelegramID: me.ID, ChatID: me.ID, Name: me.FirstName, Username: me.Username, Lang: appLang}
	if n == 0 {
		u, err := a.DB.TouchUser(ctx, profile, true)
		if err != nil {
			return err
		}
		team, err := a.DB.TeamByName(ctx, DemoTeam)
		if models.ErrorCode(err) == models.ENOTFOUND {
			team, err = a.DB.CreateTeam(ctx, DemoTeam, tz)
		}
		if err != nil {
			return err
		}
		if err := a.DB.AddMember(ctx, team.ID, u.ID, models.RoleManager); err != nil {
			return err
		}
	}
	if lang != "" {
		if u, err := a.DB.UserByTelegramID(ctx, me.ID); err == nil {
			return a.DB.SetUserLang(ctx, u.ID, lang)
		}
	}
	return nil
}

// consoleUserID gives each --as name a stable fake Telegram id.
func consoleUserID(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(name)))
	return int64(h.Sum64()%1_000_000_000) + 1_000_000_000
}

func consoleUsername(name string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(name) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type console struct {
	fake *tgfake.Server
	me   tgfake.User
	out  io.Writer
	done *app.Handled
	seen int // Sent records already printed
	// buttons of the newest bot message that has any, for number presses
	lastButtons   [][]tgfake.Button
	lastButtonsID int
}

// say sends one line as the user (or presses a numbered button), waits
// until the bot has handled it, and prints what the bot sent.
func (c *console) say(ctx context.Context, line string) error {
	var id int64
	if n, err := strconv.Atoi(line); err == nil && c.lastButtonsID != 0 {
		if b, ok := nthButton(c.lastButtons, n); ok {
			id = c.fake.PressButton(c.me, c.lastButtonsID, b.Data)
		}
	}
	if id == 0 {
		id = c.fake.SendText(c.me, line)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.done.Wait(wait, id); err != nil {
		return fmt.Errorf("the bot did not answer within 30s: %w", err)
	}
	c.print()
	return nil
}

func nthButton(rows [][]tgfake.Button, n int) (tgfake.Button, bool) {
	i := 0
	for _, row := range rows {
		for _, b := range row {
			i++
			if i == n && b.Data != "" {
				return b, true
			}
		}
	}
	return tgfake.Button{}, false
}

func (c *console) print() {
	sent := c.fake.SentSince(c.seen)
	c.seen += len(sent)
	for _, s := range sent {
		if s.ChatID != c.me.ID {
			continue
		}
		prefix := "bot> "
		switch s.Method {
		case "answerCallbackQuery", "deleteMessage":
			continue
		case "editMessageText", "editMessageReplyMarkup":
			prefix = "bot (edited)> "
		case "sendDocument", "sendPhoto":
			name := s.FileName
			if name == "" {
				name = s.FileID
			}
			fmt.Fprintf(c.out, "bot> [file %s, %d bytes]\n", name, len(s.File))
		}
		if s.Text != "" {
			fmt.Fprintln(c.out, prefix+strings.ReplaceAll(s.Text, "\n", "\n     "))
		}
		if len(s.Buttons) > 0 {
			c.lastButtons, c.lastButtonsID = s.Buttons, s.MessageID
			i := 0
			for _, row := range s.Buttons {
				var cells []string
				for _, b := range row {
					i++
					cells = append(cells, fmt.Sprintf("[%d] %s", i, b.Text))
				}
				fmt.Fprintln(c.out, "     "+strings.Join(cells, "  "))
			}
		} else if s.Method == "editMessageText" && s.MessageID == c.lastButtonsID {
			c.lastButtons, c.lastButtonsID = nil, 0
		}
	}
}
