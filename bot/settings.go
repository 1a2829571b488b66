package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"salesbot/internal/dates"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// /settings [team] [KEY VALUE]
func (b *Bot) cmdSettings(ctx context.Context, r *Request) error {
	fields := strings.Fields(r.Args)
	keyAt, key := -1, word("")
	for i, f := range fields {
		if w, ok := r.cat.wordOf(f, settingWords...); ok {
			keyAt, key = i, w
			break
		}
	}
	teamName := r.Args
	if keyAt >= 0 {
		teamName = strings.Join(fields[:keyAt], " ")
	}
	team, err := b.managedTeamFor(ctx, r, strings.TrimSpace(teamName))
	if models.ErrorCode(err) == models.ENOTFOUND && keyAt < 0 && len(fields) > 0 {
		return b.unknownSetting(ctx, r, fields)
	}
	if err != nil {
		return err
	}
	if keyAt < 0 {
		page, err := b.settingsPage(ctx, r, team)
		if err != nil {
			return err
		}
		r.reply(page, nil)
		return nil
	}
	return b.changeSetting(ctx, r, team, key, fields[keyAt], strings.Join(fields[keyAt+1:], " "))
}

// unknownSetting answers "/settings foo bar" without a setting word: it
// names an unknown key (after a team's name, if it starts with one), not a
// team "foo bar".
func (b *Bot) unknownSetting(ctx context.Context, r *Request, fields []string) error {
	unknown := fields[0]
	for i := 1; i < len(fields); i++ {
		if t, err := b.teamFor(ctx, r, strings.Join(fields[:i], " ")); err == nil && t != nil {
			unknown = fields[i]
			break
		}
	}
	r.say("err_settings_key", map[string]any{"Key": unknown, "Teams": b.visibleTeamNames(ctx, r)})
	return nil
}

// changeSetting sets the team's key (typed as typed) to value and answers
// with the page; a value that does not read is answered with an example.
func (b *Bot) changeSetting(ctx context.Context, r *Request, team *models.Team, key word, typed, value string) error {
	bad := func(example string) error {
		if strings.TrimSpace(value) == "" {
			r.say("err_settings_no_value", map[string]any{"Key": typed, "Example": example})
			return nil
		}
		r.say("err_settings_value", map[string]any{"Key": typed, "Value": value, "Example": example})
		return nil
	}
	switch key {
	case wordSettingTarget:
		return b.settingsTarget(ctx, r, team, value)
	case wordSettingProb:
		stage, pct, ok := parseProbability(value)
		if !ok {
			return bad("/settings probability demo 40")
		}
		if err := b.store.SetStageProbability(ctx, r.User, team.ID, stage, pct); err != nil {
			return err
		}
		return b.settingsSaved(ctx, r, team)
	}
	setting := teamSettings[key]
	var s storage.TeamSettings
	hours := team.Hours
	if !setting.read(r.cat, value, &s, &hours) {
		return bad(setting.example)
	}
	if hours != team.Hours {
		s.Hours = &hours
	}
	team, err := b.store.UpdateTeamSettings(ctx, r.User, team.ID, s)
	if err != nil {
		return err
	}
	return b.settingsSaved(ctx, r, team)
}

// teamSetting is a /settings key kept on the team: how a value is read
// into the change to save (false: it does not read) and an example of one.
type teamSetting struct {
	example string
	read    func(c *Catalogue, value string, s *storage.TeamSettings, hours *models.WorkingHours) bool
}

// setting is the teamSetting whose value parse reads and set applies (to
// the team's columns, or to a copy of its working hours).
func setting[T any](example string, parse func(*Catalogue, string) (T, bool), set func(*storage.TeamSettings, *models.WorkingHours, T)) teamSetting {
	return teamSetting{example: example, read: func(c *Catalogue, value string, s *storage.TeamSettings, hours *models.WorkingHours) bool {
		v, ok := parse(c, value)
		if ok {
			set(s, hours, v)
		}
		return ok
	}}
}

// teamSettings are the settingWords kept on the team's row (target and
// probability are changeSetting's own cases).
var teamSettings = map[word]teamSetting{
	wordSettingTZ: setting("/settings tz Asia/Shanghai", anyLanguage(zoneName),
		func(s *storage.TeamSettings, _ *models.WorkingHours, name string) { s.TZ = &name }),
	wordSettingRevisit: setting("/settings revisit 7", parseRevisitDays,
		func(s *storage.TeamSettings, _ *models.WorkingHours, days int) { s.RevisitDays = &days }),
	wordSettingMorning: setting("/settings morning 08:30", anyLanguage(models.ParseClockTime),
		func(_ *storage.TeamSettings, h *models.WorkingHours, c models.ClockTime) { h.Morning = c }),
	wordSettingQuiet: setting("/settings quiet 21:00-08:00", parseQuietHours,
		func(_ *storage.TeamSettings, h *models.WorkingHours, q [2]models.ClockTime) {
			h.QuietFrom, h.QuietTo = q[0], q[1]
		}),
	wordSettingDaysOff: setting("/settings daysoff sat sun", parseWeekdays,
		func(_ *storage.TeamSettings, h *models.WorkingHours, days models.Weekdays) { h.DaysOff = days }),
	wordSettingShared: setting("/settings shared on", parseOnOff,
		func(s *storage.TeamSettings, _ *models.WorkingHours, on bool) { s.SharedClients = &on }),
	wordSettingCurr: setting("/settings currency CNY", anyLanguage(quick.ParseCurrency),
		func(s *storage.TeamSettings, _ *models.WorkingHours, code string) { s.Currency = &code }),
}

// anyLanguage is a parser that reads the same in every language.
func anyLanguage[T any](parse func(string) (T, bool)) func(*Catalogue, string) (T, bool) {
	return func(_ *Catalogue, s string) (T, bool) { return parse(s) }
}

// zoneName reads a time zone ("Asia/Shanghai") as its canonical name.
func zoneName(s string) (string, bool) {
	loc, ok := models.ParseZone(s)
	if !ok {
		return "", false
	}
	return loc.String(), true
}

// parseRevisitDays reads "7", "7 days", "7天".
func parseRevisitDays(c *Catalogue, s string) (int, bool) {
	days, err := strconv.Atoi(c.cutUnit(wordUnitDays, s))
	return days, err == nil
}

// parseQuietHours reads "21:00-08:00" (any dash) as from and to, or "off"
// as none (0, 0).
func parseQuietHours(c *Catalogue, s string) ([2]models.ClockTime, bool) {
	if c.wordIs(wordQuietOff, s) {
		return [2]models.ClockTime{}, true
	}
	from, to, found := strings.Cut(c.rangeDashes(s), "-")
	f, ok1 := models.ParseClockTime(from)
	t, ok2 := models.ParseClockTime(to)
	return [2]models.ClockTime{f, t}, found && ok1 && ok2
}

// parseOnOff reads "on" or "off" in the user's words.
func parseOnOff(c *Catalogue, s string) (bool, bool) {
	switch w, _ := c.wordOf(s, wordScheduleOn, wordScheduleOff); w {
	case wordScheduleOn:
		return true, true
	case wordScheduleOff:
		return false, true
	}
	return false, false
}

// settingsPage is what /settings shows of a team: its settings, then its
// standing targets.
func (b *Bot) settingsPage(ctx context.Context, r *Request, team *models.Team) (string, error) {
	targets, err := b.settingsTargetsText(ctx, r, team)
	if err != nil {
		return "", err
	}
	return b.settingsText(ctx, r, team) + "\n" + targets, nil
}

// settingsSaved answers a change of /settings: saved, then the page.
func (b *Bot) settingsSaved(ctx context.Context, r *Request, team *models.Team) error {
	page, err := b.settingsPage(ctx, r, team)
	if err != nil {
		return err
	}
	r.reply(r.t("settings_saved", nil)+"\n"+page, nil)
	return nil
}

// parseWeekdays reads "sat sun", "sat,sun", "周六 周日", "none".
func parseWeekdays(c *Catalogue, s string) (models.Weekdays, bool) {
	s = strings.TrimSpace(s)
	switch {
	case c.wordIs(wordDaysOffNone, s):
		return 0, true
	case s == "":
		return 0, false
	}
	var w models.Weekdays
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '、' || r == '，' }) {
		d, ok := dates.ParseWeekday(f)
		if !ok {
			return 0, false
		}
		w |= models.WeekdaysOf(d)
	}
	return w, true
}

// parseProbability reads "demo 40", "demo 40%", "产品演示 40": a stage and
// a percent, 0 to 100.
func parseProbability(s string) (models.Stage, int, bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return models.StageNone, 0, false
	}
	pct, err := strconv.Atoi(strings.TrimRight(f[len(f)-1], "%％"))
	if err != nil || pct < 0 || pct > 100 {
		return models.StageNone, 0, false
	}
	stage, ok := models.ParseStage(strings.Join(f[:len(f)-1], " "))
	if !ok || stage.Index() < 0 {
		return models.StageNone, 0, false
	}
	return stage, pct, true
}

// probabilitiesText lists a team's stage probabilities in stage order.
func (b *Bot) probabilitiesText(ctx context.Context, r *Request, teamID int64) string {
	probs, err := b.store.StageProbabilities(ctx, teamID)
	if err != nil {
		probs = models.DefaultStageProbabilities()
	}
	parts := make([]string, len(models.Stages))
	for i, s := range models.Stages {
		parts[i] = fmt.Sprintf("%s %d%%", r.stage(s), probs.Of(s))
	}
	return r.t("settings_probabilities", map[string]any{"List": strings.Join(parts, " · ")})
}

func (b *Bot) settingsText(ctx context.Context, r *Request, t *models.Team) string {
	revisit := r.t("settings_revisit_days", map[string]any{"Days": models.RevisitInterval(t.RevisitDays)})
	quiet := r.t("settings_none", nil)
	if t.Hours.QuietFrom != t.Hours.QuietTo {
		quiet = t.Hours.QuietFrom.String() + "–" + t.Hours.QuietTo.String()
	}
	off := r.t("settings_none", nil)
	if ds := t.Hours.DaysOff.Days(); len(ds) > 0 {
		names := make([]string, len(ds))
		for i, d := range ds {
			names[i] = r.language().Weekday(d)
		}
		off = r.list(names)
	}
	shared := r.t("settings_shared_off", nil)
	if t.SharedClients {
		shared = r.t("settings_shared_on", nil)
	}
	currency := t.Currency
	if currency == "" {
		currency = r.t("settings_currency_none", nil)
	}
	return r.t("settings_show", map[string]any{"Team": t.Name, "TZ": t.Location().String(), "Revisit": revisit,
		"Morning": t.Hours.Morning.String(), "Quiet": quiet, "DaysOff": off, "Shared": shared, "Currency": currency}) +
		"\n" + b.probabilitiesText(ctx, r, t.ID)
}
