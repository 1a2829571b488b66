package bot

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/models"
)

// dealReportTeams are the teams /pipeline and /month speak of, and whose:
// the teams the user manages (the team's report), or — for a rep — their
// teams (their own). Named at the start of args it is that team; else the
// managed teams, or a rep's entries team. rest is what follows the name.
func (b *Bot) dealReportTeams(ctx context.Context, r *Request) (teams []*models.Team, rest string, err error) {
	managed, err := b.managedTeams(ctx, r.User)
	if err != nil {
		return nil, "", err
	}
	all := append([]*models.Team(nil), managed...)
	seen := map[int64]bool{}
	for _, t := range managed {
		seen[t.ID] = true
	}
	for _, m := range r.User.ActiveMemberships() {
		if !seen[m.TeamID] {
			t, err := b.store.Team(ctx, m.TeamID)
			if err != nil {
				return nil, "", err
			}
			all = append(all, t)
		}
	}
	if len(all) == 0 {
		return nil, "", models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	if named, rest := splitTeamArg(r.Args, all); rest != r.Args {
		return named, rest, nil
	}
	if len(managed) > 0 {
		return managed, r.Args, nil
	}
	primary := r.User.PrimaryTeam()
	for _, t := range all {
		if t.ID == primary {
			return []*models.Team{t}, r.Args, nil
		}
	}
	return all[:1], r.Args, nil
}

// monthArg reads the month of /pipeline (past false: a month without a
// year is the next such month, this one included) or of /month (past: the
// latest such month, this one included). Empty is this month; "next",
// "last" and "this" (下月, 上月, 本月) count from now; /month also takes a
// day ("yesterday", "2026-11-15"): that day's month.
func monthArg(c *Catalogue, text string, now time.Time, loc *time.Location, past bool) (models.Month, bool) {
	text = strings.TrimSpace(text)
	this := models.MonthOf(now, loc)
	if text == "" {
		return this, true
	}
	if utf8.RuneCountInString(text) > 40 {
		return models.Month{}, false
	}
	switch w, _ := c.wordOf(text, wordMonthThis, wordMonthNext, wordMonthLast); w {
	case wordMonthThis:
		return this, true
	case wordMonthNext:
		return models.AddMonths(this, 1), true
	case wordMonthLast:
		return models.AddMonths(this, -1), true
	}
	if m, ok := quick.ParseMonth(text, now, loc); ok {
		if past && this.Before(m) && !yearRE.MatchString(text) {
			m.Year--
		}
		return m, true
	}
	if past {
		if day, err := reportDay(text, now, loc); err == nil {
			t, err := models.StartOfDate(day, loc)
			if err == nil {
				return models.MonthOf(t, loc), true
			}
		}
	}
	return models.Month{}, false
}

// notTeamNorMonth answers an argument of /pipeline or /month that is no
// month: one word without digits is most likely a team's name, so it
// says which teams there are; anything else is a mistyped month (key).
func (b *Bot) notTeamNorMonth(ctx context.Context, r *Request, rest, key string) error {
	rest = strings.TrimSpace(rest)
	first, _, _ := strings.Cut(rest, " ")
	_, isWord := r.cat.wordOf(first, wordMonthThis, wordMonthNext, wordMonthLast)
	_, isMonth := quick.ParseMonth(first, r.Now, time.UTC)
	if first == "" || strings.ContainsAny(first, "0123456789") || isWord || isMonth {
		return models.Errorf(models.EINVALID, key, map[string]any{"Value": clip(rest, 60)})
	}
	rest = first
	var names []string
	for _, m := range r.User.ActiveMemberships() {
		names = append(names, m.TeamName)
	}
	if r.User.IsAdmin {
		if teams, err := b.store.Teams(ctx); err == nil {
			names = names[:0]
			for _, t := range teams {
				names = append(names, t.Name)
			}
		}
	}
	if len(names) == 0 {
		return models.Errorf(models.EINVALID, key, map[string]any{"Value": clip(rest, 60)})
	}
	return models.Errorf(models.ENOTFOUND, "err_pl_team", map[string]any{"Value": clip(rest, 60), "Teams": r.list(names),
		"Command": "/" + r.Command, "Example": names[0]})
}

// /pipeline [team] [month]: open deals by stage and by rep, weighted by
// the team's stage probabilities, and the month's forecast against the
// target, with a chart. Managers see their teams'; a rep sees their own.
func (b *Bot) cmdPipeline(ctx context.Context, r *Request) error {
	return b.eachTeamMonth(ctx, r, false, "err_pipeline_month", func(team *models.Team, rep int64, month models.Month) ([]outbox.Message, error) {
		p, err := b.reports.Pipeline(ctx, r.User, team, rep, month)
		if err != nil {
			return nil, err
		}
		return b.PipelineMessages(r.Lang, p)
	})
}

// /month [team] [month or day]: the month's review on demand (this month
// so far without an argument; "/month last" the one that ended).
// Managers get their teams'; a rep their own.
func (b *Bot) cmdMonth(ctx context.Context, r *Request) error {
	return b.eachTeamMonth(ctx, r, true, "err_month_arg", func(team *models.Team, rep int64, month models.Month) ([]outbox.Message, error) {
		m, err := b.reports.MonthReview(ctx, r.User, team, rep, month)
		if err != nil {
			return nil, err
		}
		return b.MonthMessages(r.Lang, m, time.Time{}), nil
	})
}

// eachTeamMonth answers a deal report per team the request names, for the
// month it names (past: "last" means the month that ended): a manager's
// for the whole team, a rep's for themselves. badMonth is the error key
// when the argument is neither a team nor a month.
func (b *Bot) eachTeamMonth(ctx context.Context, r *Request, past bool, badMonth string,
	report func(team *models.Team, rep int64, month models.Month) ([]outbox.Message, error)) error {
	teams, rest, err := b.dealReportTeams(ctx, r)
	if err != nil {
		return err
	}
	for _, team := range teams {
		month, ok := monthArg(r.cat, rest, r.Now, team.Location(), past)
		if !ok {
			return b.notTeamNorMonth(ctx, r, rest, badMonth)
		}
		var rep int64
		if !r.User.CanManage(team.ID) {
			rep = r.User.ID
		}
		msgs, err := report(team, rep, month)
		if err != nil {
			return err
		}
		r.out = append(r.out, msgs...)
	}
	return nil
}
