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
		// No setting word: "/settings foo bar" names an unknown key (after
		// a team's name, if it starts with one), not a team "foo bar".
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
	value := strings.Join(fields[keyAt+1:], " ")
	var s storage.TeamSettings
	hours := team.Hours
	bad := func(example string) error {
		if strings.TrimSpace(value) == "" {
			r.say("err_settings_no_value", map[string]any{"Key": fields[keyAt], "Example": example})
			return nil
		}
		r.say("err_settings_value", map[string]any{"Key": fields[keyAt], "Value": value, "Example": example})
		return nil
	}
	switch key {
	case wordSettingTarget:
		return b.settingsTarget(ctx, r, team, value)
	case wordSettingTZ:
		loc, ok := models.ParseZone(value)
		if !ok {
			return bad("/settings tz Asia/Shanghai")
		}
		name := loc.String()
		s.TZ = &name
	case wordSettingRevisit:
		days, err := strconv.Atoi(r.cat.cutUnit(wordUnitDays, value))
		if err != nil {
			return bad("/settings revisit 7")
		}
		s.RevisitDays = &days
	case wordSettingMorning:
		c, ok := models.ParseClockTime(value)
		if !ok {
			return bad("/settings morning 08:30")
		}
		hours.Morning = c
		s.Hours = &hours
	case wordSettingQuiet:
		if r.cat.wordIs(wordQuietOff, value) {
			hours.QuietFrom, hours.QuietTo = 0, 0
		} else {
			from, to, found := strings.Cut(r.cat.rangeDashes(value), "-")
			f, ok1 := models.ParseClockTime(from)
			t, ok2 := models.ParseClockTime(to)
			if !found || !ok1 || !ok2 {
				return bad("/settings quiet 21:00-08:00")
			}
			hours.QuietFrom, hours.QuietTo = f, t
		}
		s.Hours = &hours
	case wordSettingShared:
		var on bool
		switch w, _ := r.cat.wordOf(value, wordScheduleOn, wordScheduleOff); w {
		case wordScheduleOn:
			on = true
		case wordScheduleOff:
		default:
			return bad("/settings shared on")
		}
		s.SharedClients = &on
	case wordSettingCurr:
		code, ok := quick.ParseCurrency(value)
		if !ok {
			return bad("/settings currency CNY")
		}
		s.Currency = &code
	case wordSettingProb:
		stage, pct, ok := parseProbability(value)
		if !ok {
			return bad("/settings probability demo 40")
		}
		if err := b.store.SetStageProbability(ctx, team.ID, stage, pct); err != nil {
			return err
		}
	case wordSettingDaysOff:
		days, ok := parseWeekdays(r.cat, value)
		if !ok {
			return bad("/settings daysoff sat sun")
		}
		hours.DaysOff = days
		s.Hours = &hours
	}
	team, err = b.store.UpdateTeamSettings(ctx, team.ID, s)
	if err != nil {
		return err
	}
	return b.settingsSaved(ctx, r, team)
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
