package bot

import (
	"context"
	"log/slog"
	"strings"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/models"
)

// command is one slash command: who may use it and what runs.
//
// Adding a command: write a handler `func (b *Bot) cmdX(ctx, r) error` that
// parses r.Args, calls storage/domain code and answers with r.say; add its
// strings (cmd_x, usage_x, ...) to both catalogues; add a row here. Help,
// the Telegram command menu and role checks follow from the row.
type command struct {
	name    string
	aliases []string
	role    models.Role // the least role that may use it
	group   string      // what people do with it: its heading in /help ("help_group_" + group)
	// forNewcomers hides the command from /help of people who are in a
	// team already (/join: they got in; an invite link still works).
	forNewcomers bool
	run          func(ctx context.Context, r *Request) error
}

// helpKey is the catalogue key of the command's line in /help and the
// menu; the catalogue test checks it for every row of commandTable.
func (c *command) helpKey() string { return "cmd_" + c.name }

// groupKey is the catalogue key of the command's group heading in /help.
func (c *command) groupKey() string { return "help_group_" + c.group }

func (b *Bot) commandTable() []*command {
	return []*command{
		{name: "start", role: models.RoleRep, group: "start", run: b.cmdStart},
		{name: "help", role: models.RoleRep, group: "start", run: b.cmdHelp},
		{name: "cancel", role: models.RoleRep, group: "start", run: b.cmdCancel},
		{name: "join", role: models.RoleRep, group: "start", forNewcomers: true, run: b.join},
		{name: "lang", role: models.RoleRep, group: "start", run: b.cmdLang},
		{name: "tz", role: models.RoleRep, group: "start", run: b.cmdTZ},
		{name: "team", role: models.RoleRep, group: "start", run: b.cmdTeam},
		{name: "visit", role: models.RoleRep, group: "visits", run: b.cmdVisit},
		{name: "objection", role: models.RoleRep, group: "visits", run: b.cmdObjection},
		{name: "undo", role: models.RoleRep, group: "visits", run: b.cmdUndo},
		{name: "client", role: models.RoleRep, group: "visits", run: b.cmdClient},
		{name: "clients", role: models.RoleRep, group: "visits", run: b.cmdClients},
		{name: "history", role: models.RoleRep, group: "visits", run: b.cmdHistory},
		{name: "objections", role: models.RoleRep, group: "visits", run: b.cmdObjections},
		{name: "deal", role: models.RoleRep, group: "visits", run: b.cmdDeal},
		{name: "deals", role: models.RoleRep, group: "visits", run: b.cmdDeals},
		{name: "remind", role: models.RoleRep, group: "followups", run: b.cmdRemind},
		{name: "followups", aliases: []string{"todo"}, role: models.RoleRep, group: "followups", run: b.cmdFollowUps},
		{name: "done", role: models.RoleRep, group: "followups", run: b.cmdDone},
		{name: "snooze", role: models.RoleRep, group: "followups", run: b.cmdSnooze},
		{name: "away", role: models.RoleRep, group: "followups", run: b.cmdAway},
		{name: "plan", role: models.RoleRep, group: "plans", run: b.cmdPlan},
		{name: "me", role: models.RoleRep, group: "plans", run: b.cmdMe},
		{name: "target", aliases: []string{"targets"}, role: models.RoleRep, group: "plans", run: b.cmdTarget},
		{name: "pipeline", role: models.RoleRep, group: "plans", run: b.cmdPipeline},
		{name: "month", role: models.RoleRep, group: "plans", run: b.cmdMonth},
		{name: "export", role: models.RoleRep, group: "plans", run: b.cmdExport},
		{name: "invite", role: models.RoleManager, group: "team", run: b.cmdInvite},
		{name: "promote", role: models.RoleManager, group: "team", run: b.cmdPromote},
		{name: "deactivate", role: models.RoleManager, group: "team", run: b.cmdDeactivate},
		{name: "settings", role: models.RoleManager, group: "team", run: b.cmdSettings},
		{name: "digest", role: models.RoleManager, group: "reports", run: b.cmdDigest},
		{name: "week", role: models.RoleManager, group: "reports", run: b.cmdWeek},
		{name: "schedule", role: models.RoleManager, group: "reports", run: b.cmdSchedule},
		{name: "newteam", role: models.RoleAdmin, group: "admin", run: b.cmdNewTeam},
	}
}

// callbackTable routes pressed buttons by the kind in their data
// ("kind:payload"). Data must stay within Telegram's 64 bytes: use short
// kinds and ids, never names.
func (b *Bot) callbackTable() map[string]callbackFunc {
	return map[string]callbackFunc{
		"lang": b.cbLang,
		"f":    b.cbForm,
		"v":    b.cbVisit,
		"c":    b.cbClient,
		"ct":   b.cbContact,
		"cl":   b.cbClients,
		"h":    b.cbHistory,
		"hn":   b.cbHistoryNew,
		"o":    b.cbObjection,
		"fu":   b.cbFollowUp,
		"fl":   b.cbFollowUpList,
		"pl":   b.cbPlan,
		"jn":   b.cbJoin,
		"ra":   b.cbReassign,
		"dl":   b.cbDealLost,
		"as":   b.cbAskShare,
		"sh":   b.cbShare,
	}
}

// formTable lists the tap-through forms by kind.
func (b *Bot) formTable() forms {
	fs := forms{}
	for _, f := range []*Form{b.visitForm(), b.clientForm(), b.contactForm(), b.objectionForm(), b.resolveForm(), b.planForm(), b.dealForm(), b.referralForm(), b.lostNoteForm()} {
		fs[f.Kind] = f
	}
	return fs
}

// hookTable lists what looks at plain messages (not commands), in order.
func (b *Bot) hookTable() []messageHook {
	// Check-ins first: a photo's caption is not an answer to the form.
	return []messageHook{b.checkinHook, b.formHook}
}

// callback handles a pressed inline button.
func (b *Bot) callback(ctx context.Context, r *Request) error {
	if r.User == nil {
		r.say("stranger", nil)
		return nil
	}
	kind, payload, _ := strings.Cut(r.CallbackData, ":")
	if h, ok := b.callbacks[kind]; ok && payloadFits(kind, payload) {
		return h(ctx, r, payload)
	}
	r.say("button_stale", nil)
	return nil
}

// helpText lists the commands u may use, in the table's order, under a
// heading for each group (what people do with them).
func (b *Bot) helpText(lang string, u *models.User) string {
	role := u.Role()
	var sb strings.Builder
	sb.WriteString(b.cat.T(lang, "help_header", nil))
	group := ""
	for _, c := range b.commands {
		if !role.AtLeast(c.role) || (c.forNewcomers && len(u.ActiveMemberships()) > 0) {
			continue
		}
		if c.group != group {
			group = c.group
			sb.WriteString("\n\n" + b.cat.T(lang, c.groupKey(), nil))
		}
		sb.WriteString("\n/" + c.name + " — " + b.cat.T(lang, c.helpKey(), nil))
	}
	return sb.String()
}

// /cancel with no form waiting (route cancels a waiting one).
func (b *Bot) cmdCancel(_ context.Context, r *Request) error {
	r.say("form_none", nil)
	return nil
}

func (b *Bot) cmdHelp(_ context.Context, r *Request) error {
	r.reply(b.helpText(r.Lang, r.User), nil)
	return nil
}

func (b *Bot) cmdStart(ctx context.Context, r *Request) error {
	if r.Args != "" {
		return b.join(ctx, r) // t.me/<bot>?start=<code> arrives as "/start <code>"
	}
	r.say("welcome", map[string]any{"Name": r.User.Name, "Role": b.roleName(r, r.User.Role()), "Teams": r.list(teamNames(r.User))})
	r.reply(b.helpText(r.Lang, r.User), nil)
	return nil
}

func teamNames(u *models.User) []string {
	names := make([]string, 0, len(u.Memberships))
	for _, m := range u.Memberships {
		names = append(names, m.TeamName)
	}
	return names
}

func (b *Bot) roleName(r *Request, role models.Role) string { return r.role(role) }

// RegisterCommands publishes the command menu in every language. Telegram
// shows one menu to everyone, so it lists what every member may use; /help
// shows each role its own list. A failure is logged, never fatal.
func (b *Bot) RegisterCommands(ctx context.Context, tg *tgbot.Bot) {
	for i, lang := range b.cat.Languages() {
		var cmds []tgmodels.BotCommand
		for _, c := range b.commands {
			if c.role == models.RoleRep {
				cmds = append(cmds, tgmodels.BotCommand{Command: c.name, Description: b.cat.T(lang, c.helpKey(), nil)})
			}
		}
		params := &tgbot.SetMyCommandsParams{Commands: cmds}
		if i > 0 {
			params.LanguageCode = lang
		}
		if _, err := tg.SetMyCommands(ctx, params); err != nil {
			b.log.Warn("register command menu", "lang", lang, "err", err)
		}
	}
}

// Logger returns the bot's logger with the given attributes.
func (b *Bot) Logger() *slog.Logger { return b.log }
