// Package bot is salesbot's Telegram layer: it turns updates into plain
// requests, checks who may do what, calls the domain and storage, and
// renders answers from the language catalogue. It holds no business rules.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/clock"
	"salesbot/internal/inbox"
	"salesbot/internal/outbox"
	"salesbot/internal/reports"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Sender takes what the bot says: the durable outbox (outbox.Queue). With
// the update's transaction in ctx, the messages commit with the handler's
// rows and are sent after the commit.
type Sender interface {
	Enqueue(ctx context.Context, updateID int64, msgs ...outbox.Message) error
}

// Config is what the bot needs to know about its deployment.
type Config struct {
	// Admins are Telegram user ids that are admins from the first start.
	Admins []int64
	// DefaultTZ is the zone of new teams and of users who set none.
	DefaultTZ string
	// BotUsername makes invite links (t.me/<name>?start=<code>).
	BotUsername string
	InviteTTL   time.Duration
	// RateLimit bounds each person's messages and presses (zero: the
	// default, 20 in 10 s).
	RateLimit RateLimit
}

// Bot handles Telegram updates.
type Bot struct {
	cfg      Config
	store    *storage.DB
	cat      *Catalogue
	clock    clock.Clock
	send     Sender
	log      *slog.Logger
	commands []*command
	byName   map[string]*command
	// callbacks maps the kind before ":" in callback data to its handler.
	callbacks map[string]callbackFunc
	// hooks see, in order, every message that is not a command; the first
	// that handles it wins (a waiting form, a check-in location, ...).
	hooks  []messageHook
	forms  forms
	defLoc *time.Location
	// reports builds digests, summaries and exports.
	reports *reports.Builder
	// limiter is the per-person rate limit on what the bot handles.
	limiter *userLimiter
}

// callbackFunc handles a pressed button; payload is the data after "kind:".
type callbackFunc func(ctx context.Context, r *Request, payload string) error

// messageHook handles a non-command message if it is for it.
type messageHook func(ctx context.Context, r *Request) (handled bool, err error)

// Parts are what the bot works with, made before it.
type Parts struct {
	Store     *storage.DB
	Catalogue *Catalogue
	Clock     clock.Clock
	// Send delivers what the bot says (the outbox).
	Send Sender
	// Reports builds digests, summaries and exports; the report sending
	// shares it.
	Reports *reports.Builder
	Log     *slog.Logger
}

// New builds the bot's handlers.
func New(cfg Config, p Parts) *Bot {
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = models.DefaultInviteTTL
	}
	b := &Bot{cfg: cfg, store: p.Store, cat: p.Catalogue, clock: p.Clock, send: p.Send, log: p.Log,
		defLoc: models.LoadLocation(cfg.DefaultTZ), reports: p.Reports, limiter: newUserLimiter(cfg.RateLimit)}
	b.commands = b.commandTable()
	b.callbacks = b.callbackTable()
	b.hooks = b.hookTable()
	b.forms = b.formTable()
	b.byName = map[string]*command{}
	for _, c := range b.commands {
		b.byName[c.name] = c
		for _, a := range c.aliases {
			b.byName[a] = c
		}
	}
	return b
}

// Request is one update as the handlers see it: who, where, what.
type Request struct {
	UpdateID int64
	Profile  storage.Profile
	// User is nil for a stranger.
	User   *models.User
	ChatID int64
	Lang   string
	Loc    *time.Location
	Now    time.Time

	Text    string
	Command string // without the slash and @botname, lower case
	Args    string

	CallbackID   string
	CallbackData string
	MessageID    int // the message a pressed button belongs to

	// Location is a shared location or venue; Attachment a photo, voice
	// message or document (Telegram file ids; nothing is downloaded).
	Location   *Location
	Attachment *Attachment

	// names caches member names looked up while rendering.
	names map[int64]string
	// form is the user's open form as read with the user (nil: none),
	// while formKnown; the form's writes (saveForm, deleteForm) keep it.
	form      *storage.SavedForm
	formKnown bool

	cat *Catalogue
	out []outbox.Message
}

// Handle is the go-telegram/bot handler for every update.
func (b *Bot) Handle(ctx context.Context, _ *tgbot.Bot, upd *tgmodels.Update) {
	r := b.request(upd)
	if r == nil {
		return // an update kind salesbot does not use (edits, channel posts...)
	}
	b.serve(ctx, r)
}

// failKey keys the slot in which a handler's context carries a failure to
// store what the handler decided (its replies): the update's transaction
// must then roll back instead of committing effects without their replies.
type failKey struct{}

// Process runs one update through go-telegram/bot's routing (tg runs
// Handle and any handler registered on it) in the update's transaction,
// which ctx carries. It returns an error when what the handler decided
// could not be stored, and one wrapping inbox.ErrPanicked when the handler
// panicked: the caller must roll back (a panic's writes are undone) and,
// for a panic, answer with Apologize.
func (b *Bot) Process(ctx context.Context, tg *tgbot.Bot, upd *tgmodels.Update) (err error) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("handler panicked", "update_id", upd.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", inbox.ErrPanicked, p)
		}
	}()
	var failed error
	tg.ProcessUpdate(context.WithValue(ctx, failKey{}, &failed), upd)
	return failed
}

// fail records, for Process, that the update's outcome could not be stored.
func fail(ctx context.Context, err error) {
	if slot, ok := ctx.Value(failKey{}).(*error); ok && *slot == nil {
		*slot = err
	}
}

// Apologize queues, for an update whose handler panicked (its writes were
// rolled back), an apology to its sender; the bot goes on.
func (b *Bot) Apologize(ctx context.Context, upd *tgmodels.Update) error {
	chatID := chatOf(upd)
	if chatID == 0 {
		return nil
	}
	return b.send.Enqueue(ctx, upd.ID, outbox.Message{ChatID: chatID, Text: b.cat.T(b.langOf(ctx, upd), "panic_apology", nil)})
}

// langOf is the language to answer an update in when no request exists.
func (b *Bot) langOf(ctx context.Context, upd *tgmodels.Update) string {
	lang := b.cat.Fallback()
	if from := senderOf(upd); from != nil {
		lang = b.cat.Normalize(from.LanguageCode)
		if u, err := b.store.UserByTelegramID(ctx, from.ID); err == nil && u.Lang != "" {
			lang = u.Lang
		}
	}
	return lang
}

// GiveUp queues, for an update the bot could not process (the process died
// each time it tried), a notice to its sender quoting what they sent.
func (b *Bot) GiveUp(ctx context.Context, upd *tgmodels.Update) error {
	chatID := chatOf(upd)
	if chatID == 0 {
		return nil
	}
	lang := b.langOf(ctx, upd)
	what := ""
	switch {
	case upd.Message != nil:
		what = strings.TrimSpace(upd.Message.Text)
		if what == "" {
			what = strings.TrimSpace(upd.Message.Caption)
		}
	case upd.CallbackQuery != nil:
		what = b.cat.T(lang, "gave_up_button", nil)
	}
	if what == "" {
		what = b.cat.T(lang, "gave_up_attachment", nil)
	}
	text := b.cat.T(lang, "gave_up", map[string]any{"What": clip(what, 500)})
	return b.send.Enqueue(ctx, upd.ID, outbox.Message{ChatID: chatID, Text: text})
}

func senderOf(upd *tgmodels.Update) *tgmodels.User {
	switch {
	case upd.Message != nil:
		return upd.Message.From
	case upd.CallbackQuery != nil:
		return &upd.CallbackQuery.From
	}
	return nil
}

func chatOf(upd *tgmodels.Update) int64 {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID
	case upd.CallbackQuery != nil && upd.CallbackQuery.Message.Message != nil:
		return upd.CallbackQuery.Message.Message.Chat.ID
	case upd.CallbackQuery != nil:
		return upd.CallbackQuery.From.ID
	}
	return 0
}

// ChatOf returns the chat an update belongs to, 0 if none. The inbox uses
// it to keep each chat's updates in order.
func ChatOf(upd *tgmodels.Update) int64 { return chatOf(upd) }

func (b *Bot) request(upd *tgmodels.Update) *Request {
	from := senderOf(upd)
	if from == nil || from.IsBot {
		return nil
	}
	r := &Request{UpdateID: upd.ID, ChatID: chatOf(upd), Now: b.clock.Now(), cat: b.cat}
	r.Profile = storage.Profile{
		TelegramID: from.ID, ChatID: r.ChatID, Username: from.Username,
		Name: strings.TrimSpace(from.FirstName + " " + from.LastName), Lang: b.cat.Normalize(from.LanguageCode),
	}
	switch {
	case upd.Message != nil:
		if upd.Message.Chat.Type != "" && upd.Message.Chat.Type != tgmodels.ChatTypePrivate {
			return nil // salesbot works in private chats only
		}
		r.Text = strings.TrimSpace(upd.Message.Text)
		if r.Text == "" {
			r.Text = strings.TrimSpace(upd.Message.Caption)
		}
		if strings.HasPrefix(r.Text, "/") {
			r.Command, r.Args = splitCommand(r.Text)
		}
		r.Location = locationOf(upd.Message)
		r.Attachment = attachmentOf(upd.Message)
	case upd.CallbackQuery != nil:
		r.CallbackID = upd.CallbackQuery.ID
		r.CallbackData = upd.CallbackQuery.Data
		if m := upd.CallbackQuery.Message.Message; m != nil {
			r.MessageID = m.ID
		}
	}
	return r
}

// Location is a point the user shared.
type Location struct {
	Lat, Lon float64
	// Live is a live location (the phone keeps updating it): stronger
	// proof of presence than a point picked on the map.
	Live bool
	// Venue is the place's title and address when a venue was sent.
	Venue string
}

// Attachment is a file the user sent.
type Attachment struct {
	Kind     string // "photo", "voice", "document", "video"
	FileID   string
	FileName string
}

func attachmentOf(m *tgmodels.Message) *Attachment {
	switch {
	case len(m.Photo) > 0:
		return &Attachment{Kind: "photo", FileID: m.Photo[len(m.Photo)-1].FileID}
	case m.Voice != nil:
		return &Attachment{Kind: "voice", FileID: m.Voice.FileID}
	case m.Document != nil:
		return &Attachment{Kind: "document", FileID: m.Document.FileID, FileName: m.Document.FileName}
	case m.Video != nil:
		return &Attachment{Kind: "video", FileID: m.Video.FileID, FileName: m.Video.FileName}
	}
	return nil
}

func locationOf(m *tgmodels.Message) *Location {
	switch {
	case m.Venue != nil:
		return &Location{Lat: m.Venue.Location.Latitude, Lon: m.Venue.Location.Longitude,
			Venue: strings.TrimSpace(m.Venue.Title + ", " + m.Venue.Address)}
	case m.Location != nil:
		return &Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude, Live: m.Location.LivePeriod > 0}
	}
	return nil
}

// splitCommand reads "/Invite@salesbot rep North" as ("invite", "rep North").
func splitCommand(text string) (cmd, args string) {
	// Any white space ends the command: "/visit\nAcme\ndemo" is /visit.
	head, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		head, rest = text[:i], text[i:]
	}
	head = strings.TrimPrefix(head, "/")
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(rest)
}

func (b *Bot) isConfiguredAdmin(tgID int64) bool { return slices.Contains(b.cfg.Admins, tgID) }

func (b *Bot) serve(ctx context.Context, r *Request) {
	user, form, err := b.store.TouchSender(ctx, r.Profile, b.isConfiguredAdmin(r.Profile.TelegramID))
	if err != nil {
		b.log.Error("load user", "update_id", r.UpdateID, "err", err)
		r.Lang = r.Profile.Lang
		r.say("internal_error", nil)
		b.flush(ctx, r)
		return
	}
	if user != nil && user.Active {
		r.User = user
		r.form, r.formKnown = form, true
	}
	r.Lang = r.Profile.Lang
	if user != nil && user.Lang != "" {
		r.Lang = user.Lang
	}
	r.Loc = b.userLoc(r.User)

	// The handler runs in a savepoint: one that fails with an internal
	// error leaves none of its writes (nor the replies that described
	// them), so the update has either all its effects or none.
	before := len(r.out)
	var domainErr error
	err = b.store.InTx(ctx, func(ctx context.Context) error {
		err := b.route(ctx, r)
		var de *models.Error
		if err != nil && !(errors.As(err, &de) && de.Code != models.EINTERNAL) {
			return err
		}
		domainErr = err
		return nil
	})
	if err != nil {
		r.out = r.out[:before]
		r.formKnown = false // what the handler did to the form is undone too
		b.renderError(r, err)
	} else if domainErr != nil {
		b.renderError(r, domainErr)
	}
	b.flush(ctx, r)
}

func (b *Bot) userLoc(u *models.User) *time.Location { return u.Location(b.defLoc) }

func (b *Bot) route(ctx context.Context, r *Request) error {
	switch v, until := b.limiter.check(r.Profile.TelegramID, r.Now); v {
	case limitTell:
		r.say("slow_down", map[string]any{"N": b.limiter.cfg.Burst, "Secs": int(b.limiter.cfg.Per.Seconds()), "Until": r.time(until)})
		return nil
	case limitQuiet:
		return nil
	}
	if r.CallbackID != "" {
		return b.callback(ctx, r)
	}
	if r.User == nil {
		// Strangers and deactivated users may only join.
		if (r.Command == "start" || r.Command == "join") && r.Args != "" {
			return b.join(ctx, r)
		}
		r.say("stranger", nil)
		return nil
	}
	if r.Command == "" {
		for _, hook := range b.hooks {
			if handled, err := hook(ctx, r); handled || err != nil {
				return err
			}
		}
		r.say("unknown_text", nil)
		return nil
	}
	if _, ok := b.byName[r.Command]; !ok {
		r.say("unknown_command", map[string]any{"Command": "/" + r.Command})
		return nil
	}
	// A command while a form waits is held back: the form asks first.
	if held, err := b.formBeforeCommand(ctx, r); held || err != nil {
		return err
	}
	return b.runCommand(ctx, r)
}

// runCommand runs r.Command for the user, if their role allows it.
func (b *Bot) runCommand(ctx context.Context, r *Request) error {
	cmd, ok := b.byName[r.Command]
	if !ok {
		r.say("unknown_command", map[string]any{"Command": "/" + r.Command})
		return nil
	}
	if !r.User.Role().AtLeast(cmd.role) {
		r.say("forbidden", map[string]any{"Command": "/" + cmd.name, "Role": r.role(cmd.role)})
		return nil
	}
	return cmd.run(ctx, r)
}

// renderError shows a domain error in the user's words; anything else is
// logged and answered with a generic apology, never with err.Error().
func (b *Bot) renderError(r *Request, err error) {
	var de *models.Error
	if errors.As(err, &de) && de.Code != models.EINTERNAL {
		data := map[string]any{}
		for k, v := range de.Data {
			switch x := v.(type) {
			case time.Time:
				v = r.time(x)
			case models.Field:
				v = r.fieldNoun(x)
			}
			data[k] = v
		}
		if id, ok := sharedOwner(de); ok {
			r.reply(r.t(de.Key, data), askShareButtons(r, id))
			return
		}
		r.say(de.Key, data)
		return
	}
	b.log.Error("handle update", "update_id", r.UpdateID, "command", r.Command, "err", err)
	r.say("internal_error", nil)
}

// MaxMessageLen is Telegram's limit for one message's text.
const MaxMessageLen = 4096

// flush queues the request's replies (after the callback's answer, which
// stops the button's spinner) in the update's transaction.
func (b *Bot) flush(ctx context.Context, r *Request) {
	msgs := make([]outbox.Message, 0, len(r.out)+1)
	if r.CallbackID != "" {
		msgs = append(msgs, outbox.Message{ChatID: r.ChatID, AnswerCallback: r.CallbackID})
	}
	for _, m := range r.out {
		if m.ChatID == 0 {
			m.ChatID = r.ChatID
		}
		msgs = append(msgs, m)
	}
	if err := b.send.Enqueue(ctx, r.UpdateID, msgs...); err != nil {
		b.log.Error("queue replies", "update_id", r.UpdateID, "chat_id", r.ChatID, "err", err)
		fail(ctx, fmt.Errorf("queue replies: %w", err))
	}
}

// t renders a catalogue message in the request's language.
func (r *Request) t(key string, data map[string]any) string { return r.cat.T(r.Lang, key, data) }

// say queues a catalogue message as a reply.
func (r *Request) say(key string, data map[string]any) { r.reply(r.t(key, data), nil) }

// reply queues a text with optional buttons.
// A text Telegram would refuse as too long is cut (with "…") rather than lost.
func (r *Request) reply(text string, buttons [][]outbox.Button) {
	r.out = append(r.out, outbox.Message{Text: clip(text, MaxMessageLen-96), Buttons: buttons})
}

// clip shortens s to at most n characters for display, ending in "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// editLast makes the newest queued reply an edit of messageID instead of a
// new message (a pressed button's question turns into its answer).
func (r *Request) editLast(messageID int) {
	if len(r.out) > 0 && messageID != 0 {
		r.out[len(r.out)-1].EditMessageID = messageID
	}
}

// time renders an instant in the request's language and zone.
func (r *Request) time(t time.Time) string { return r.language().FormatTime(t, r.Loc) }

func tooLong(s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return models.Errorf(models.EINVALID, "too_long", map[string]any{"Len": n, "Max": max})
	}
	return nil
}
