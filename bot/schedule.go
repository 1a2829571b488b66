package bot

import (
	"context"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/models"
)

// /schedule [team] [digest|summary|deadline|days ...]: show or change when
// the team's reports go out.
func (b *Bot) cmdSchedule(ctx context.Context, r *Request) error {
	teams, err := b.digestTeams(ctx, r)
	if err != nil {
		return err
	}
	teams, rest := splitTeamArg(r.Args, teams)
	team := teams[0]
	set, err := b.store.TeamReportSettings(ctx, team.ID)
	if err != nil {
		return err
	}
	words := strings.Fields(strings.ToLower(rest))
	if len(words) > 0 {
		if !applySchedule(r.cat, &set, words) {
			return models.Errorf(models.EINVALID, "schedule_usage", map[string]any{"Text": strings.TrimSpace(rest)})
		}
		if err := b.store.SetTeamReportSettings(ctx, r.User, team.ID, set); err != nil {
			return err
		}
		r.reply(r.t("settings_saved", nil)+"\n"+b.scheduleText(r, team, set), nil)
		return nil
	}
	r.reply(b.scheduleText(r, team, set), nil)
	return nil
}

// applySchedule changes settings by the words of /schedule; false when
// they do not read.
func applySchedule(c *Catalogue, set *models.ReportSettings, w []string) bool {
	onOff := func(s string) (bool, bool) {
		on, ok := c.wordOf(s, wordScheduleOn, wordScheduleOff)
		return on == wordScheduleOn, ok
	}
	dayTime := func(args []string) (time.Weekday, models.ClockTime, bool) {
		if len(args) != 2 {
			return 0, 0, false
		}
		d, ok := dates.ParseWeekday(args[0])
		t, ok2 := models.ParseClockTime(args[1])
		return d, t, ok && ok2
	}
	what, _ := c.wordOf(w[0], wordScheduleDigest, wordScheduleSumm, wordScheduleDead, wordScheduleDays, wordScheduleMonth)
	// daily sets a report sent at a time each day: "on", "off" or the time.
	daily := func(on *bool, at *models.ClockTime) bool {
		if len(w) != 2 {
			return false
		}
		if o, ok := onOff(w[1]); ok {
			*on = o
			return true
		}
		t, ok := models.ParseClockTime(w[1])
		*at, *on = t, true
		return ok
	}
	switch what {
	case wordScheduleMonth:
		return daily(&set.MonthOn, &set.MonthTime)
	case wordScheduleDigest:
		return daily(&set.DigestOn, &set.DigestTime)
	case wordScheduleSumm, wordScheduleDead:
		on, day, at := &set.SummaryOn, &set.SummaryDay, &set.SummaryTime
		if what == wordScheduleDead {
			on, day, at = &set.PlanReminderOn, &set.PlanDeadlineDay, &set.PlanDeadlineTime
		}
		if len(w) == 2 {
			if o, ok := onOff(w[1]); ok {
				*on = o
				return true
			}
		}
		d, t, ok := dayTime(w[1:])
		if !ok {
			return false
		}
		*day, *at, *on = d, t, true
		return true
	case wordScheduleDays:
		days, ok := parseDays(strings.Join(w[1:], " "))
		if !ok {
			return false
		}
		set.DigestDays = days
		return true
	}
	return false
}

// parseDays reads "mon-fri", "mon-sat" or "mon tue thu" (any order).
func parseDays(s string) ([]time.Weekday, bool) {
	var on [7]bool
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == '、' }) {
		a, z, isRange := strings.Cut(part, "-")
		from, ok := dates.ParseWeekday(a)
		if !ok {
			return nil, false
		}
		to := from
		if isRange {
			if to, ok = dates.ParseWeekday(z); !ok {
				return nil, false
			}
		}
		for i := models.WeekdayIndex(from); ; i = (i + 1) % 7 {
			on[i] = true
			if i == models.WeekdayIndex(to) {
				break
			}
		}
	}
	var out []time.Weekday
	for i, ok := range on {
		if ok {
			out = append(out, time.Weekday((i+1)%7))
		}
	}
	return out, len(out) > 0
}

func (b *Bot) scheduleText(r *Request, team *models.Team, s models.ReportSettings) string {
	p := b.reportText(r.Lang, team.Location())
	wd := p.language().Weekday
	var days []string
	for _, d := range s.DigestDays {
		days = append(days, wd(d))
	}
	data := map[string]any{"Team": team.Name, "TZ": team.TZ,
		"DigestOn": s.DigestOn, "DigestTime": s.DigestTime.String(), "Days": strings.Join(days, " "),
		"SummaryOn": s.SummaryOn, "SummaryDay": wd(s.SummaryDay), "SummaryTime": s.SummaryTime.String(),
		"DeadlineOn": s.PlanReminderOn, "DeadlineDay": wd(s.PlanDeadlineDay), "DeadlineTime": s.PlanDeadlineTime.String(),
		"MonthOn": s.MonthOn, "MonthTime": s.MonthTime.String()}
	return r.t("schedule_show", data)
}
