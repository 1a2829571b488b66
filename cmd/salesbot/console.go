package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

Follow-ups and scheduled digests print when they fall due, without waiting
for you to type. Files the bot sends (exports, charts) are saved into
--files and their paths printed. Lines starting with ":" are the console's
own, for what a phone would send instead of text:

  :location LAT LON [live]   a location (live: a live location), e.g. :location 31.23 121.47
  :venue LAT LON NAME        a venue (a picked place with a name)
  :photo FILE [caption]      a photo
  :file FILE [caption]       a document
  :voice [SECONDS]           a voice note
  :help                      this list

Flags:
`

func cmdConsole(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseConsole(args, stderr)
	if err != nil {
		return err
	}
	// The fake Bot API lives as long as this session; the database's inbox
	// remembers the last update id, so the fake continues after it.
	last, err := lastUpdateID(o.db)
	if err != nil {
		return err
	}
	fake := tgfake.New(tgfake.WithBotUsername("salesbot_console_bot"), tgfake.WithLastUpdateID(last))
	defer fake.Close()
	me := tgfake.User{ID: consoleUserID(o.as), FirstName: o.as, Username: consoleUsername(o.as), LanguageCode: o.lang}
	done := app.NewHandled()
	a, err := startConsoleApp(ctx, o, fake, me, done, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	defer background(ctx, func(ctx context.Context) { _ = a.Run(ctx) })()

	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintf(stdout, "salesbot console — you are %s. Type /help (:help for locations and photos); Ctrl-D to quit.\n", o.as)
	}
	con := &console{fake: fake, me: me, out: stdout, done: done, files: o.files, interactive: interactive}
	defer background(ctx, con.watch)()
	return con.read(ctx, stdin)
}

// consoleOptions are the console's flags, checked.
type consoleOptions struct {
	common
	adminIDs        []int64
	as, lang, files string
	cat             *bot.Catalogue
}

// parseConsole reads the console's flags; --lang must name a catalogue language.
func parseConsole(args []string, stderr io.Writer) (*consoleOptions, error) {
	o := &consoleOptions{}
	fs := newFlagSet("console", consoleUsage, stderr)
	o.register(fs)
	fs.StringVar(&o.as, "as", envOr("USER", "me"), "who you are in this session (any name; the same name is the same user)")
	cat, err := bot.NewCatalogue()
	if err != nil {
		return nil, fmt.Errorf("can't load language catalogue: %w", err)
	}
	o.cat = cat
	langs := strings.Join(cat.Languages(), " or ")
	fs.StringVar(&o.lang, "lang", "", langs+": the language your Telegram app reports (and sets /lang)")
	fs.StringVar(&o.files, "files", "salesbot-files", "folder where files the bot sends (exports, charts) are saved")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if code, ok := cat.Match(o.lang); o.lang != "" && (!ok || code != o.lang) {
		return nil, usageError{fmt.Sprintf("--lang %q: use %s", o.lang, langs)}
	}
	if o.adminIDs, err = o.validate(); err != nil {
		return nil, err
	}
	if o.logLevel == "info" && os.Getenv("SALESBOT_LOG_LEVEL") == "" {
		o.logLevel = "warn" // keep the conversation readable
	}
	return o, nil
}

// startConsoleApp builds the bot against fake, without limits a terminal
// cannot reach, and seeds an empty database with me's demo team.
func startConsoleApp(ctx context.Context, o *consoleOptions, fake *tgfake.Server, me tgfake.User, done *app.Handled, stderr io.Writer) (*app.App, error) {
	a, err := app.New(ctx, app.Config{
		Token: "console:token", DB: o.db, APIURL: fake.URL(), Admins: o.adminIDs, DefaultTZ: o.tz,
		PollTimeout: 10 * time.Second, OnUpdateDone: done.Add,
		// The fake Bot API in this process has no flood limits to keep.
		Limits: outbox.Limits{Global: 1e6, GlobalBurst: 1000, PerChat: 1e6, ChatBurst: 1000, PerGroup: 1e6, GroupBurst: 1000},
		// One person at a terminal; a piped script is not a flood.
		UserRate: bot.RateLimit{Burst: -1},
	}, nil, o.logger(stderr))
	if err != nil {
		return nil, err
	}
	appLang := o.cat.Normalize(me.LanguageCode)
	if err := seedConsole(ctx, a, me, o.tz, appLang, o.lang, o.cat.T(appLang, "console_demo_team", nil)); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// background runs fn in a goroutine; the returned stop cancels fn's
// context and waits for it to return.
func background(ctx context.Context, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { defer close(finished); fn(ctx) }()
	return func() {
		cancel()
		<-finished
	}
}

// read sends each line of in to the bot until in ends.
func (c *console) read(ctx context.Context, in io.Reader) error {
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if c.interactive {
			fmt.Fprint(c.out, "you> ")
		}
		if !lines.Scan() {
			break
		}
		line := strings.TrimSpace(lines.Text())
		if line == "" {
			continue
		}
		if err := c.say(ctx, line); err != nil {
			return err
		}
		if c.interactive {
			c.mu.Lock()
			c.prompted = true
			c.mu.Unlock()
		}
	}
	return lines.Err()
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
// user becomes admin and manager of a demo team, named in their language.
func seedConsole(ctx context.Context, a *app.App, me tgfake.User, tz, appLang, lang, demoTeam string) error {
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
		team, err := a.DB.TeamByName(ctx, demoTeam)
		if models.ErrorCode(err) == models.ENOTFOUND {
			team, err = a.DB.CreateTeam(ctx, demoTeam, tz)
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
	fake        *tgfake.Server
	me          tgfake.User
	out         io.Writer
	done        *app.Handled
	files       string // folder for files the bot sends
	interactive bool

	// mu is held while a line is handled and while anything prints, so
	// what the bot sends on its own (a due follow-up, a digest) prints
	// between reply blocks, never inside one.
	mu       sync.Mutex
	prompted bool // "you> " is on screen (interactive)
	seen     int  // Sent records already printed
	// buttons of the newest bot message that has any, for number presses
	lastButtons   [][]tgfake.Button
	lastButtonsID int
}

// say sends one line as the user (or presses a numbered button, or sends
// what a ":" line describes), waits until the bot has handled it, and
// prints what the bot sent.
func (c *console) say(ctx context.Context, line string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prompted = false
	if !c.interactive {
		fmt.Fprintf(c.out, "you> %s\n", line) // piped input: show what was said
	}
	var id int64
	if strings.HasPrefix(line, ":") {
		var msg string
		if id, msg = c.special(line); id == 0 {
			fmt.Fprintln(c.out, msg)
			return nil
		}
	}
	if n, err := strconv.Atoi(line); err == nil && id == 0 && c.lastButtonsID != 0 {
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

const specialHelp = `Console lines for what a phone sends instead of text:
  :location LAT LON [live]   e.g. :location 31.23 121.47 (live: a live location, proof of presence)
  :venue LAT LON NAME        e.g. :venue 31.23 121.47 Acme HQ
  :photo FILE [caption]      e.g. :photo shelf.jpg the new display
  :file FILE [caption]       e.g. :file offer.pdf
  :voice [SECONDS]           e.g. :voice 12
(The bot keeps what Telegram would give it — the file's name as its id —
so FILE need not exist.)`

// special sends what a ":" line describes and returns the update id, or 0
// and what to print when the line is not one.
func (c *console) special(line string) (int64, string) {
	f := strings.Fields(line)
	cmd, args := strings.ToLower(f[0]), f[1:]
	num := func(s string) (float64, bool) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, ","), 64)
		return v, err == nil
	}
	switch cmd {
	case ":location", ":venue":
		if len(args) < 2 {
			break
		}
		lat, ok1 := num(args[0])
		lon, ok2 := num(args[1])
		if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return 0, "console: a location is LAT LON in degrees, e.g. :location 31.23 121.47"
		}
		if cmd == ":venue" {
			if len(args) < 3 {
				return 0, "console: a venue needs a name, e.g. :venue 31.23 121.47 Acme HQ"
			}
			return c.fake.SendVenue(c.me, lat, lon, strings.Join(args[2:], " "), ""), ""
		}
		live := 0
		if len(args) > 2 && strings.EqualFold(args[2], "live") {
			live = 3600
		}
		return c.fake.SendLocation(c.me, lat, lon, live), ""
	case ":photo", ":file":
		if len(args) < 1 {
			break
		}
		name, caption := filepath.Base(args[0]), strings.Join(args[1:], " ")
		if cmd == ":photo" {
			return c.fake.SendPhoto(c.me, "console-"+name, caption), ""
		}
		return c.fake.SendDocument(c.me, "console-"+name, name, caption), ""
	case ":voice":
		secs := 5
		if len(args) > 0 {
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return 0, "console: a voice note's length is whole seconds, e.g. :voice 12"
			}
			secs = n
		}
		return c.fake.SendVoice(c.me, fmt.Sprintf("console-voice-%d", time.Now().UnixNano()), secs), ""
	}
	return 0, specialHelp
}

// watch prints what the bot sends on its own — due follow-ups, scheduled
// digests and summaries — as soon as it is sent, until ctx ends.
func (c *console) watch(ctx context.Context) {
	for {
		c.mu.Lock()
		next := c.seen + 1
		c.mu.Unlock()
		if _, err := c.fake.WaitSent(ctx, next); err != nil {
			return
		}
		c.mu.Lock()
		if c.seen < next { // not printed by a reply in the meantime
			if c.prompted {
				fmt.Fprintln(c.out)
			}
			if c.print() > 0 && c.prompted {
				fmt.Fprint(c.out, "you> ")
			}
		}
		c.mu.Unlock()
	}
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

// print prints what the bot sent to this user since the last print and
// returns how many records it printed. c.mu is held.
func (c *console) print() int {
	sent := c.fake.SentSince(c.seen)
	c.seen += len(sent)
	printed := 0
	for _, s := range sent {
		if s.ChatID != c.me.ID {
			continue
		}
		printed++
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
			if path, err := c.save(name, s); err != nil {
				fmt.Fprintf(c.out, "bot> [file %s, %d bytes — console: can't save it: %v]\n", name, len(s.File), err)
			} else if path != "" {
				fmt.Fprintf(c.out, "bot> [file %s, %d bytes, saved to %s]\n", name, len(s.File), path)
			} else {
				fmt.Fprintf(c.out, "bot> [file %s]\n", name)
			}
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
	return printed
}

// save writes a file the bot sent into the files folder under its own
// name (a number added rather than overwrite an earlier one) and returns
// the path, or "" when the message carried no bytes (a file id only).
func (c *console) save(name string, s tgfake.Sent) (string, error) {
	if len(s.File) == 0 {
		return "", nil
	}
	if err := os.MkdirAll(c.files, 0o755); err != nil {
		return "", err
	}
	base := filepath.Base(name)
	if base == "." || base == "/" || base == "" {
		base = fmt.Sprintf("file-%d", s.MessageID)
		if s.Method == "sendPhoto" {
			base += ".png"
		}
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; ; i++ {
		path := filepath.Join(c.files, base)
		if i > 1 {
			path = filepath.Join(c.files, fmt.Sprintf("%s-%d%s", stem, i, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(s.File); err != nil {
			f.Close()
			return "", err
		}
		return path, f.Close()
	}
}
