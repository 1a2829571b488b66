package bot

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"salesbot/internal/dates"
	"salesbot/models"
)

// reportDay reads the day a report command asks about, in loc: today when
// empty. Reports look back, so a day named without a year that would lie
// in the future ("mon", "11-23") is taken as the latest past one.
func reportDay(text string, now time.Time, loc *time.Location) (string, error) {
	today := models.CivilDate(now, loc)
	text = strings.TrimSpace(text)
	if text == "" {
		return today, nil
	}
	if utf8.RuneCountInString(text) > dates.MaxRangeLen {
		return "", models.Errorf(models.EINVALID, "err_report_day", map[string]any{"Value": clip(text, 60)})
	}
	t, err := dates.ParseDay(text, now, dates.Options{Location: loc})
	if err != nil {
		return "", models.Errorf(models.EINVALID, "err_report_day", map[string]any{"Value": text})
	}
	day := models.CivilDate(t, loc)
	if day > today && !yearRE.MatchString(text) {
		if week := models.AddDays(day, -7); week <= today && models.AddDays(today, 7) > day {
			day = week
		} else {
			y := t.AddDate(-1, 0, 0)
			day = models.CivilDate(y, loc)
		}
	}
	return day, nil
}

var yearRE = regexp.MustCompile(`\d{4}`)

// digestTeams are the teams whose reports a user may read: the ones they
// manage (every team, for admins).
func (b *Bot) digestTeams(ctx context.Context, r *Request) ([]*models.Team, error) {
	teams, err := b.managedTeams(ctx, r.User)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	return teams, nil
}

// splitTeamArg takes a leading team name off args when it names one of the
// teams (for managers of several teams: "/digest South yesterday").
func splitTeamArg(args string, teams []*models.Team) ([]*models.Team, string) {
	lower := strings.ToLower(strings.TrimSpace(args))
	for _, t := range teams {
		name := strings.ToLower(t.Name)
		if lower == name || strings.HasPrefix(lower, name+" ") {
			return []*models.Team{t}, strings.TrimSpace(strings.TrimSpace(args)[len(t.Name):])
		}
	}
	return teams, args
}

// notTeamNorDay answers a report argument that reads as neither one of
// the user's teams nor a day: "/digest Nope" is most likely a team name,
// so it says which teams there are, not only that "Nope" is no day.
// dayErr is reportDay's error, returned when the text looks like a day.
func (b *Bot) notTeamNorDay(ctx context.Context, r *Request, rest string, dayErr error) error {
	word, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if word == "" || strings.ContainsAny(word, "0123456789") {
		return dayErr // "2026-13-01", "11-31": a day, mistyped
	}
	teams, err := b.digestTeams(ctx, r)
	if err != nil {
		return err
	}
	names := make([]string, len(teams))
	for i, t := range teams {
		names[i] = t.Name
	}
	return models.Errorf(models.ENOTFOUND, "err_report_team", map[string]any{"Value": word, "Teams": r.list(names),
		"Command": "/" + r.Command, "Example": names[0]})
}

// /digest [team] [date]: the daily digest on demand, for each team the user
// manages.
func (b *Bot) cmdDigest(ctx context.Context, r *Request) error {
	return b.eachReportTeam(ctx, r, func(team *models.Team, rest string) error {
		day, err := reportDay(rest, r.Now, team.Location())
		if err != nil {
			return b.notTeamNorDay(ctx, r, rest, err)
		}
		d, err := b.reports.DailyDigest(ctx, r.User, team, day)
		if err != nil {
			return err
		}
		r.out = append(r.out, b.DigestMessages(r.Lang, d, time.Time{})...)
		return nil
	})
}

// eachReportTeam runs report for each team of /digest or /week: the one
// named at the start of the arguments, else each the user manages; rest is
// what follows the team's name.
func (b *Bot) eachReportTeam(ctx context.Context, r *Request, report func(team *models.Team, rest string) error) error {
	teams, err := b.digestTeams(ctx, r)
	if err != nil {
		return err
	}
	teams, rest := splitTeamArg(r.Args, teams)
	for _, team := range teams {
		if err := report(team, rest); err != nil {
			return err
		}
	}
	return nil
}

// /week [team] [date]: the weekly summary of the week that ended, or of the
// week containing date, with its chart.
func (b *Bot) cmdWeek(ctx context.Context, r *Request) error {
	return b.eachReportTeam(ctx, r, func(team *models.Team, rest string) error {
		loc := team.Location()
		week := models.WeekOf(r.Now, loc).Prev()
		if strings.TrimSpace(rest) != "" {
			day, err := reportDay(rest, r.Now, loc)
			if err != nil {
				return b.notTeamNorDay(ctx, r, rest, err)
			}
			week = models.WeekOfDate(day)
		}
		s, err := b.reports.WeeklySummary(ctx, r.User, team, week)
		if err != nil {
			return err
		}
		msgs, err := b.SummaryMessages(r.Lang, s, time.Time{})
		if err != nil {
			return err
		}
		r.out = append(r.out, msgs...)
		return nil
	})
}
