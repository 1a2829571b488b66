package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/outbox"
	"salesbot/models"
)

// Follow-up buttons carry "fu:<action>:<id>" under a follow-up's own
// message (pressing edits that message) and "fl:<action>:<id>" under the
// /followups list (pressing edits the list). Actions: d done, h snooze an
// hour, m tomorrow morning, w next week, v log a visit, x cancel (the
// button under a /remind confirmation).

// listButtonsMax is how many follow-ups of a list get buttons (5 each;
// Telegram allows 100 per message).
const listButtonsMax = 10

// teamOf returns the user's first team (nil when they have none).
func (b *Bot) teamOf(ctx context.Context, u *models.User) (*models.Team, error) {
	id := u.PrimaryTeam()
	if id == 0 {
		return nil, nil
	}
	return b.store.Team(ctx, id)
}

// hoursOf is the working hours that apply to the user.
func (b *Bot) hoursOf(ctx context.Context, u *models.User) (models.WorkingHours, *models.Team, error) {
	team, err := b.teamOf(ctx, u)
	if err != nil {
		return models.WorkingHours{}, nil, err
	}
	if team == nil {
		return models.DefaultWorkingHours(), nil, nil
	}
	return team.Hours, team, nil
}

func (b *Bot) dateOptions(r *Request, h models.WorkingHours) dates.Options {
	return dates.Options{Location: r.Loc, MorningHour: h.Morning.Hour(), MorningMinute: h.Morning.Minute(),
		MonthFirst: b.cat.Language(r.Lang).MonthFirst}
}

// --- rendering -----------------------------------------------------------

// followUpTitle is a follow-up in one line.
func (b *Bot) followUpTitle(lang string, f *models.FollowUp) string {
	data := map[string]any{"Client": f.ClientName, "Text": f.Text}
	switch f.Kind {
	case models.KindRevisit:
		return b.cat.T(lang, "followup_title_revisit", data)
	case models.KindPlan:
		return b.cat.T(lang, "followup_title_plan", data)
	}
	return b.cat.T(lang, "followup_title_reminder", data)
}

// followUpText is the body of a follow-up's message: what to do, and when
// it was due if it comes late.
func (b *Bot) followUpText(lang string, loc *time.Location, f *models.FollowUp) string {
	data := map[string]any{"Client": f.ClientName, "Text": f.Text}
	key := "followup_msg_reminder"
	switch f.Kind {
	case models.KindRevisit:
		key = "followup_msg_revisit"
	case models.KindPlan:
		key = "followup_msg_plan"
	}
	lines := []string{b.cat.T(lang, key, data)}
	if f.Late {
		lines = append(lines, b.cat.T(lang, "followup_late", map[string]any{"Due": b.cat.Language(lang).FormatTime(f.DueAt, loc)}))
	}
	if f.MaybeSentBefore {
		lines = append(lines, b.cat.T(lang, "followup_maybe_repeat", nil))
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) followUpButtons(lang, kind string, id int64) [][]outbox.Button {
	data := func(action string) string { return fmt.Sprintf("%s:%s:%d", kind, action, id) }
	return [][]outbox.Button{
		{{Text: b.cat.T(lang, "followup_btn_done", nil), Data: data("d")}, {Text: b.cat.T(lang, "followup_btn_hour", nil), Data: data("h")}},
		{{Text: b.cat.T(lang, "followup_btn_morning", nil), Data: data("m")}, {Text: b.cat.T(lang, "followup_btn_week", nil), Data: data("w")}},
		{{Text: b.cat.T(lang, "followup_btn_visit", nil), Data: data("v")}},
	}
}

// FollowUpMessage is the message that delivers a due follow-up to its
// owner (the dispatcher's renderer). Late is decided as of now; the
// "you may have got this once already" line is added by the outbox, only
// to a copy sent after an interrupted send.
func (b *Bot) FollowUpMessage(f *models.FollowUp, lang string, loc *time.Location, now time.Time) outbox.Message {
	lang = b.cat.Normalize(lang)
	g := *f
	g.Late = f.IsLate(now)
	return outbox.Message{Text: b.followUpText(lang, loc, &g), Buttons: b.followUpButtons(lang, "fu", f.ID),
		RepeatNote: b.cat.T(lang, "followup_maybe_repeat", nil)}
}

// --- /remind -------------------------------------------------------------

// /remind WHEN TEXT
func (b *Bot) cmdRemind(ctx context.Context, r *Request) error {
	if r.Args == "" {
		r.say("usage_remind", nil)
		return nil
	}
	hours, team, err := b.hoursOf(ctx, r.User)
	if err != nil {
		return err
	}
	res, err := dates.Parse(r.Args, r.Now, b.dateOptions(r, hours))
	if te := (*dates.TimeError)(nil); errors.As(err, &te) {
		r.say("err_remind_time_impossible", map[string]any{"Input": te.Text})
		return nil
	}
	if errors.Is(err, dates.ErrNoDate) {
		r.say("err_remind_when", map[string]any{"Input": r.Args})
		return nil
	}
	if err != nil {
		return err
	}
	text := strings.TrimSpace(res.Rest)
	if text == "" {
		r.say("err_remind_no_text", map[string]any{"When": res.Text})
		return nil
	}
	if err := models.ValidateReminderText(text); err != nil {
		return err
	}
	if !res.Time.After(r.Now) {
		r.say("err_remind_past", map[string]any{"At": r.time(res.Time), "Text": text})
		return nil
	}
	f := &models.FollowUp{OwnerID: r.User.ID, Kind: models.KindReminder, Text: text, DueAt: res.Time.UTC(), Exact: true}
	if team != nil {
		f.TeamID = team.ID
	}
	f, err = b.store.CreateFollowUp(ctx, f)
	if err != nil {
		return err
	}
	r.reply(r.t("remind_ok", map[string]any{"At": r.time(f.DueAt), "Text": text}),
		[][]outbox.Button{{{Text: r.t("remind_btn_cancel", nil), Data: fmt.Sprintf("fu:x:%d", f.ID)}}})
	return nil
}

// --- /followups ----------------------------------------------------------

// sectionKeys head the /followups sections, by models.DueSection.
var sectionKeys = [...]string{
	models.DueOverdue: "followups_overdue", models.DueToday: "followups_today",
	models.DueThisWeek: "followups_week", models.DueLater: "followups_later",
}

// /followups [team], alias /todo
func (b *Bot) cmdFollowUps(ctx context.Context, r *Request) error {
	if r.cat.wordIs(wordFollowUpsTeam, r.Args) {
		return b.teamFollowUps(ctx, r)
	}
	text, buttons, err := b.followUpList(ctx, r, "")
	if err != nil {
		return err
	}
	r.reply(text, buttons)
	return nil
}

// followUpList renders the user's open follow-ups, with note (the result
// of a button) on top.
func (b *Bot) followUpList(ctx context.Context, r *Request, note string) (string, [][]outbox.Button, error) {
	list, err := b.store.OpenFollowUps(ctx, r.User)
	if err != nil {
		return "", nil, err
	}
	var lines []string
	if note != "" {
		lines = append(lines, note, "")
	}
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.ID
	}
	// The numbers on screen are what /done N and /snooze N mean from now on.
	if err := b.store.SaveShownList(ctx, r.User.ID, shownFollowUps, ids); err != nil {
		return "", nil, err
	}
	if len(list) == 0 {
		lines = append(lines, r.t("followups_none", nil))
		return strings.Join(lines, "\n"), nil, nil
	}
	lines = append(lines, r.t("followups_header", map[string]any{"Count": len(list)}))
	var buttons [][]outbox.Button
	last := models.DueSection(-1)
	for i, f := range list {
		sec := models.DueSectionOf(f.DueAt, r.Now, r.Loc)
		if sec != last {
			lines = append(lines, "", r.t(sectionKeys[sec], nil))
			last = sec
		}
		when := r.time(f.DueAt)
		if sec == models.DueToday {
			when = f.DueAt.In(r.Loc).Format("15:04")
		}
		lines = append(lines, r.t("followups_line", map[string]any{"N": i + 1, "When": when, "Title": b.followUpTitle(r.Lang, f)}))
		if i < listButtonsMax {
			n := strconv.Itoa(i + 1)
			data := func(action string) string { return fmt.Sprintf("fl:%s:%d", action, f.ID) }
			buttons = append(buttons, []outbox.Button{
				{Text: n + " ✅", Data: data("d")}, {Text: n + " ⏰", Data: data("h")}, {Text: n + " 🌅", Data: data("m")},
				{Text: n + " 📅", Data: data("w")}, {Text: n + " 📝", Data: data("v")},
			})
		}
	}
	lines = append(lines, "")
	if len(list) > listButtonsMax {
		lines = append(lines, r.t("followups_more", map[string]any{"Shown": listButtonsMax}))
	}
	lines = append(lines, r.t("followups_legend", nil))
	return strings.Join(lines, "\n"), buttons, nil
}

// /followups team: managers see their teams' overdue follow-ups and who
// cannot be reached.
func (b *Bot) teamFollowUps(ctx context.Context, r *Request) error {
	if !r.User.Role().AtLeast(models.RoleManager) {
		r.say("followups_team_forbidden", nil)
		return nil
	}
	teams, err := b.managedTeams(ctx, r.User)
	if err != nil {
		return err
	}
	if len(teams) == 0 {
		return models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	const max = 50
	var blocks []string
	for _, team := range teams {
		over, err := b.store.TeamOverdueFollowUps(ctx, r.User, team.ID, r.Now, max)
		if err != nil {
			return err
		}
		var lines []string
		if len(over) == 0 {
			lines = append(lines, r.t("followups_team_none", map[string]any{"Team": team.Name}))
		} else {
			lines = append(lines, r.t("followups_team_header", map[string]any{"Team": team.Name, "Count": len(over)}))
			for i, o := range over {
				lines = append(lines, r.t("followups_team_line", map[string]any{"N": i + 1, "Owner": o.OwnerName,
					"When": r.time(o.FollowUp.DueAt), "Title": b.followUpTitle(r.Lang, o.FollowUp)}))
			}
		}
		un, err := b.store.UnreachableMembers(ctx, team.ID)
		if err != nil {
			return err
		}
		if len(un) > 0 {
			names := make([]string, len(un))
			for i, u := range un {
				names[i] = u.Name
			}
			lines = append(lines, r.t("followups_team_unreachable", map[string]any{"Names": r.list(names)}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	r.reply(strings.Join(blocks, "\n\n"), nil)
	return nil
}

// shownFollowUps names the /followups list in the shown-lists store.
const shownFollowUps = "followups"

// nthFollowUp resolves the N of /done N and /snooze N: the Nth line of the
// /followups list last shown to this user (a list changes as follow-ups are
// done; the numbers the user read do not). Before any list was shown it is
// the Nth of the list as it would be shown now. A number whose follow-up
// is closed since is answered, and nil returned with a nil error.
func (b *Bot) nthFollowUp(ctx context.Context, r *Request, arg string) (f *models.FollowUp, answered bool, err error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(arg), "#"))
	if err != nil {
		return nil, false, nil
	}
	ids, shown, err := b.store.ShownList(ctx, r.User.ID, shownFollowUps)
	if err != nil {
		return nil, false, err
	}
	if !shown {
		list, err := b.store.OpenFollowUps(ctx, r.User)
		if err != nil {
			return nil, false, err
		}
		if n < 1 || n > len(list) {
			return nil, false, models.Errorf(models.ENOTFOUND, "err_followup_number", map[string]any{"N": n, "Count": len(list)})
		}
		return list[n-1], false, nil
	}
	if n < 1 || n > len(ids) {
		return nil, false, models.Errorf(models.ENOTFOUND, "err_followup_number_shown", map[string]any{"N": n, "Count": len(ids)})
	}
	f, err = b.store.FollowUp(ctx, r.User, ids[n-1])
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && f.OwnerID != r.User.ID) {
		return nil, false, models.Errorf(models.ENOTFOUND, "err_followup_number_shown", map[string]any{"N": n, "Count": len(ids)})
	}
	if err != nil {
		return nil, false, err
	}
	if !f.State.Open() {
		r.say("followup_number_closed", map[string]any{"N": n, "Title": b.followUpTitle(r.Lang, f),
			"State": closedStateKeys.label(r.cat, r.Lang, f.State)})
		return nil, true, nil
	}
	return f, false, nil
}

// /done N
func (b *Bot) cmdDone(ctx context.Context, r *Request) error {
	f, answered, err := b.nthFollowUp(ctx, r, r.Args)
	if err != nil || answered {
		return err
	}
	if f == nil {
		r.say("usage_done", nil)
		return nil
	}
	if _, _, err := b.store.CompleteFollowUp(ctx, f.ID, r.User.ID); err != nil {
		return err
	}
	r.reply(r.t("done_ok", map[string]any{"Title": b.followUpTitle(r.Lang, f)}), b.undoDoneButton(r, "fu", f))
	return nil
}

// /snooze N WHEN
func (b *Bot) cmdSnooze(ctx context.Context, r *Request) error {
	num, when, _ := strings.Cut(strings.TrimSpace(r.Args), " ")
	f, answered, err := b.nthFollowUp(ctx, r, num)
	if err != nil || answered {
		return err
	}
	when = strings.TrimSpace(when)
	if f == nil || when == "" {
		r.say("usage_snooze", nil)
		return nil
	}
	hours, _, err := b.hoursOf(ctx, r.User)
	if err != nil {
		return err
	}
	res, err := dates.Parse(when, r.Now, b.dateOptions(r, hours))
	if te := (*dates.TimeError)(nil); errors.As(err, &te) {
		r.say("err_snooze_time_impossible", map[string]any{"Input": te.Text, "N": num})
		return nil
	}
	if err != nil || strings.TrimSpace(res.Rest) != "" {
		r.say("err_snooze_when", map[string]any{"Input": when})
		return nil
	}
	if !res.Time.After(r.Now) {
		r.say("err_snooze_past", map[string]any{"At": r.time(res.Time)})
		return nil
	}
	if models.CheckSnooze(f.DueAt, res.Time) != nil {
		r.say("err_snooze_earlier", map[string]any{"Due": r.time(f.DueAt), "To": r.time(res.Time)})
		return nil
	}
	g, err := b.store.SnoozeFollowUp(ctx, f.ID, r.User.ID, res.Time, true)
	if err != nil {
		return err
	}
	r.say("snooze_ok", map[string]any{"Title": b.followUpTitle(r.Lang, f), "Until": r.time(g.DueAt)})
	return nil
}

// --- buttons -------------------------------------------------------------

func (b *Bot) cbFollowUp(ctx context.Context, r *Request, payload string) error {
	return b.followUpButton(ctx, r, payload, false)
}

func (b *Bot) cbFollowUpList(ctx context.Context, r *Request, payload string) error {
	return b.followUpButton(ctx, r, payload, true)
}

// followUpButton applies a pressed follow-up button and edits the message
// it was under: the follow-up's own message shows its new state (no more
// buttons), a list is shown again with a note on top.
func (b *Bot) followUpButton(ctx context.Context, r *Request, payload string, inList bool) error {
	action, idText, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || !strings.Contains("dhmwxvu", action) || len(action) != 1 {
		r.say("button_stale", nil)
		return nil
	}
	f, err := b.store.FollowUp(ctx, r.User, id)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && f.OwnerID != r.User.ID) {
		r.say("button_stale", nil) // gone, or someone else's
		return nil
	}
	if err != nil {
		return err
	}
	if action == "v" {
		return b.logVisitFrom(ctx, r, f)
	}
	var (
		status   string
		undo     [][]outbox.Button // the Undo of a Done just pressed
		reopened bool
	)
	switch {
	case action == "u":
		_, changed, err := b.store.ReopenFollowUp(ctx, f.ID, r.User.ID)
		if err != nil {
			return err
		}
		if !changed && f.State.Open() {
			status = r.t("followup_open_already", nil)
		} else if !changed {
			status = r.t("followup_closed", map[string]any{"State": closedStateKeys.label(r.cat, r.Lang, f.State)})
		} else {
			status, reopened = r.t("followup_status_reopened", map[string]any{"Due": r.time(f.DueAt)}), true
		}
	case !f.State.Open():
		status = r.t("followup_closed", map[string]any{"State": closedStateKeys.label(r.cat, r.Lang, f.State)})
	case action == "d":
		if _, _, err := b.store.CompleteFollowUp(ctx, f.ID, r.User.ID); err != nil {
			return err
		}
		status = r.t("followup_status_done", map[string]any{"At": r.time(r.Now)})
		undo = b.undoDoneButton(r, kindOf(inList), f)
	case action == "x":
		if err := b.store.CancelFollowUp(ctx, f.ID, r.User.ID); err != nil {
			return err
		}
		status = r.t("followup_status_cancelled", nil)
	case action == "h" || action == "m" || action == "w":
		hours, _, err := b.hoursOf(ctx, r.User)
		if err != nil {
			return err
		}
		to, exact := hours.SnoozeTo(models.SnoozeChoice(action[0]), f.DueAt, r.Now, r.Loc)
		g, err := b.store.SnoozeFollowUp(ctx, f.ID, r.User.ID, to, exact)
		if err != nil {
			return err
		}
		status = r.t("followup_status_snoozed", map[string]any{"Until": r.time(g.DueAt)})
	}
	if inList {
		note := status + " — " + b.followUpTitle(r.Lang, f)
		text, buttons, err := b.followUpList(ctx, r, note)
		if err != nil {
			return err
		}
		r.reply(text, append(buttons, undo...))
		r.editLast(r.MessageID)
		return nil
	}
	body := b.followUpText(r.Lang, r.Loc, f)
	if action == "x" {
		body = r.t("remind_ok", map[string]any{"At": r.time(f.DueAt), "Text": f.Text})
	}
	buttons := undo
	if reopened {
		buttons = b.followUpButtons(r.Lang, "fu", f.ID) // open again: its buttons are back
	}
	r.reply(body+"\n"+status, buttons)
	r.editLast(r.MessageID)
	return nil
}

func kindOf(inList bool) string {
	if inList {
		return "fl"
	}
	return "fu"
}

// undoDoneButton is the one button under a Done's confirmation: it takes the
// Done back (kind "fu" edits that message, "fl" the list it was under).
func (b *Bot) undoDoneButton(r *Request, kind string, f *models.FollowUp) [][]outbox.Button {
	return [][]outbox.Button{{{Text: r.t("followup_btn_undo_done", nil),
		Data: fmt.Sprintf("%s:u:%d", kind, f.ID)}}}
}

// logVisitFrom starts the visit form with the follow-up's client filled in
// (the rep goes straight to how the visit went). Saving the visit
// completes the client's open revisit follow-up.
func (b *Bot) logVisitFrom(ctx context.Context, r *Request, f *models.FollowUp) error {
	d := &visitDraft{clientChoice: clientChoice{TeamID: f.TeamID}}
	if f.ClientID != 0 {
		c, err := b.store.Client(ctx, r.User, f.ClientID)
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return err
		}
		if err == nil {
			if ok, err := b.canSee(ctx, r, c); err != nil {
				return err
			} else if ok {
				d.setClient(c.ID, c.Name, c.TeamID)
			}
		}
	}
	var err error
	if d.TeamID, err = b.entryTeam(r, d.TeamID); err != nil {
		return err
	}
	return startForm(ctx, b, r, "visit", visitDrafts, d)
}
