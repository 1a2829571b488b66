package bot

import (
	"context"
	"strconv"
	"strings"

	"salesbot/internal/chart"
	"salesbot/internal/quick"
	"salesbot/models"
)

// Labels of the target metrics and pace statuses, one key per value.
var (
	targetMetricKeys = keysFor("tmetric_", models.TargetMetrics...)
	targetLineKeys   = keysFor("target_line_", models.TargetMetrics...)
	targetStatusKeys = keysFor("tstatus_", models.Ahead, models.OnPace, models.Behind)
	// targetScopeKeys name the team's rows of the export's Targets sheet.
	targetScopeKeys = keysOf(map[models.TargetScope]string{models.ScopeTeam: "target_team_label"})
)

// targetTeam is the team /target acts on: the first team the user manages
// (their entries team first), else their entries team as a rep.
func (b *Bot) targetTeam(ctx context.Context, r *Request) (team *models.Team, manages bool, err error) {
	managed, err := b.managedTeams(ctx, r.User)
	if err != nil {
		return nil, false, err
	}
	if len(managed) > 0 {
		return managed[0], true, nil
	}
	id, err := b.writeTeam(r)
	if err != nil {
		return nil, false, err
	}
	team, err = b.store.Team(ctx, id)
	return team, false, err
}

// cmdTarget is /target: show the month's targets and attainment (a
// manager: the team's; a rep: their own), or set one (managers):
// "/target @rita units 42", "/target team value 5M", "/target @rita units
// 42 2027-03", "/target @rita units off".
func (b *Bot) cmdTarget(ctx context.Context, r *Request) error {
	team, manages, err := b.targetTeam(ctx, r)
	if err != nil {
		return err
	}
	loc := team.Location()
	in, err := quick.ParseTargetArgs(r.Args, r.Now, loc)
	if err != nil {
		return err
	}
	month := in.Month
	if month.IsZero() {
		month = models.MonthOf(r.Now, loc)
	}
	if (in.Set() || in.Who != "") && !manages {
		// Reps see their own targets; setting and others' are managers'.
		r.say("err_target_managers_only", nil)
		return nil
	}
	var who *models.User
	if in.Who != "" {
		u, t, err := b.memberArg(ctx, r, in.Who)
		if err != nil {
			return err
		}
		who, team = u, t
	}
	if !in.Set() {
		return b.showTargets(ctx, r, team, month, who, in.Team)
	}
	t := models.Target{TeamID: team.ID, Scope: models.ScopeTeam, Month: month, Metric: in.Metric, Amount: in.Amount, Currency: in.Currency}
	if t.Metric == models.MetricValue {
		// Shown as storage saves it: in the team's currency when none was typed.
		m := models.Money{Minor: t.Amount, Currency: t.Currency}
		m.InCurrency(team.Currency)
		t.Currency = m.Currency
	}
	whoName := r.t("target_who_team", map[string]any{"Team": team.Name})
	switch {
	case who != nil:
		t.Scope, t.UserID, whoName = models.ScopeRep, who.ID, who.Name
	case !in.Team:
		r.say("err_target_need_who", nil)
		return nil
	}
	data := map[string]any{"Who": whoName, "Metric": targetMetricKeys.label(r.cat, r.Lang, t.Metric), "Month": b.monthLabel(r.Lang, month)}
	if in.Clear {
		ok, err := b.store.ClearTarget(ctx, r.User, t)
		if err != nil {
			return err
		}
		if !ok {
			r.say("target_none_to_clear", data)
			return nil
		}
		r.say("target_cleared", data)
	} else {
		if err := b.store.SetTarget(ctx, r.User, t); err != nil {
			return err
		}
		data["Amount"] = targetAmount(t.Metric, t.Amount, t.Currency)
		r.say("target_saved", data)
	}
	return b.showTargets(ctx, r, team, month, who, who == nil)
}

// showTargets answers with a month's attainment: the team's and every
// rep's (onlyTeam: the team's line; who: that rep's), or for a rep their
// own.
func (b *Bot) showTargets(ctx context.Context, r *Request, team *models.Team, month models.Month, who *models.User, onlyTeam bool) error {
	a, err := b.store.Attainment(ctx, r.User, team, month, r.Now)
	if err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	head := map[string]any{"Team": team.Name, "Month": b.monthLabel(r.Lang, month), "Elapsed": a.Elapsed, "Days": a.WorkingDays}
	var lines []string
	if a.Team == nil {
		lines = append(lines, p.t("target_header_own", head))
	} else {
		lines = append(lines, p.t("target_header", head))
	}
	if a.Team != nil && who == nil {
		lines = append(lines, p.repTargetLine(p.t("target_team_label", nil), *a.Team, true))
	}
	if !onlyTeam {
		for _, ra := range a.Reps {
			if who == nil || ra.RepID == who.ID {
				lines = append(lines, p.repTargetLine(ra.Name, ra, true))
			}
		}
	}
	if a.Team != nil {
		lines = append(lines, p.t("target_footer_manager", nil))
	} else {
		lines = append(lines, p.t("target_footer_rep", nil))
	}
	r.reply(strings.Join(lines, "\n"), nil)
	return nil
}

// monthLabel is "November 2026" / "2026年11月".
func (b *Bot) monthLabel(lang string, m models.Month) string {
	return b.reportText(lang, nil).monthLabel(m)
}

// targetAmount writes a target's amount: a count, or money.
func targetAmount(m models.TargetMetric, amount int64, currency string) string {
	if m == models.MetricValue {
		return money(models.Money{Minor: amount, Currency: currency})
	}
	return strconv.FormatInt(amount, 10)
}

// metricLine is one metric against its target: "18/42 units, pace 32 —
// behind" (marked, with a "*" for a default target).
func (p reportText) metricLine(l models.MetricLine, mark bool) string {
	actual, target, pace := strconv.FormatInt(l.Actual, 10), strconv.FormatInt(l.Target, 10), strconv.FormatInt(l.Pace, 10)
	if l.Metric == models.MetricValue {
		// Pace in whole currency units: cents of a pace are noise.
		actual, target, pace = money(models.Money{Minor: l.Actual}), money(models.Money{Minor: l.Target, Currency: l.Currency}), money(models.Money{Minor: wholeMinor(l.Pace)})
	}
	k, _ := targetLineKeys.key(l.Metric)
	m := ""
	if mark && l.Default {
		m = p.t("target_default_mark", nil)
	}
	return p.t(k, map[string]any{"Actual": actual, "Target": target, "Mark": m, "Pace": pace,
		"Status": targetStatusKeys.label(p.cat, p.lang, l.Status), "Pct": l.Percent()})
}

// repTargetLine is a rep's (or the team's) month on one line: "Rita 18/42
// units, pace 32 — behind · 3/42 visits, …".
func (p reportText) repTargetLine(name string, ra models.RepAttainment, mark bool) string {
	parts := make([]string, 0, len(ra.Lines))
	for _, l := range ra.Lines {
		parts = append(parts, p.metricLine(l, mark))
	}
	if len(parts) == 0 {
		parts = append(parts, p.t("target_none", nil))
	}
	return p.t("target_rep_line", map[string]any{"Name": name, "Lines": strings.Join(parts, p.t("target_sep", nil))})
}

// monthLabel is "November 2026" / "2026年11月".
func (p reportText) monthLabel(m models.Month) string {
	return p.t("target_month", map[string]any{"Year": m.Year, "Num": int(m.Mon), "Name": p.language().Months[m.Mon-1]})
}

// targetsBlock is the month-to-date block of the digest and the summary:
// a header, the team's line, and a line per rep.
func (p reportText) targetsBlock(header string, a *models.MonthAttainment) string {
	if a == nil || len(a.Reps) == 0 {
		return ""
	}
	lines := []string{p.t(header, map[string]any{"Month": p.monthLabel(a.Month), "Elapsed": a.Elapsed, "Days": a.WorkingDays})}
	if a.Team != nil && len(a.Team.Lines) > 0 {
		lines = append(lines, p.repTargetLine(p.t("target_team_label", nil), *a.Team, false))
	}
	for _, ra := range a.Reps {
		lines = append(lines, p.repTargetLine(ra.Name, ra, false))
	}
	return strings.Join(lines, "\n")
}

// settingsTargetsText lists a team's standing targets for /settings.
func (b *Bot) settingsTargetsText(ctx context.Context, r *Request, team *models.Team) (string, error) {
	ts, err := b.store.Targets(ctx, r.User, team.ID, models.Month{})
	if err != nil {
		return "", err
	}
	each := map[models.TargetMetric]models.Target{}
	whole := map[models.TargetMetric]models.Target{}
	for _, t := range ts {
		if !t.Month.IsZero() {
			continue
		}
		switch t.Scope {
		case models.ScopeEachRep:
			each[t.Metric] = t
		case models.ScopeTeam:
			whole[t.Metric] = t
		}
	}
	list := func(m map[models.TargetMetric]models.Target, defaults bool) string {
		var parts []string
		for _, metric := range models.TargetMetrics {
			name := targetMetricKeys.label(r.cat, r.Lang, metric)
			if t, ok := m[metric]; ok {
				parts = append(parts, name+" "+targetAmount(metric, t.Amount, t.Currency))
			} else if defaults && metric == models.MetricVisits {
				parts = append(parts, r.t("settings_target_visits_default", map[string]any{"Name": name, "N": models.DefaultVisitsPerDay}))
			} else if defaults && metric == models.MetricExistingVisits {
				parts = append(parts, name+" "+strconv.Itoa(models.DefaultExistingVisits))
			}
		}
		if len(parts) == 0 {
			return r.t("settings_none", nil)
		}
		return strings.Join(parts, " · ")
	}
	return r.t("settings_targets", map[string]any{"Each": list(each, true), "Team": list(whole, false)}), nil
}

// settingsTarget is "/settings target [team] METRIC AMOUNT|off": the
// standing default for each rep (or the team's own), every month.
func (b *Bot) settingsTarget(ctx context.Context, r *Request, team *models.Team, value string) error {
	in, err := quick.ParseTargetArgs(value, r.Now, team.Location())
	if err != nil {
		return err
	}
	switch {
	case !in.Set() || in.Who != "":
		r.say("err_target_settings", nil)
		return nil
	case !in.Month.IsZero():
		r.say("err_target_settings_month", nil)
		return nil
	}
	t := models.Target{TeamID: team.ID, Scope: models.ScopeEachRep, Metric: in.Metric, Amount: in.Amount, Currency: in.Currency}
	if in.Team {
		t.Scope = models.ScopeTeam
	}
	if in.Clear {
		if _, err := b.store.ClearTarget(ctx, r.User, t); err != nil {
			return err
		}
	} else if err := b.store.SetTarget(ctx, r.User, t); err != nil {
		return err
	}
	return b.settingsSaved(ctx, r, team)
}

// chartMetric is the metric the summary's chart and caption show: units
// when any rep has a units target, else value, else visits (which always
// has the process's default).
func chartMetric(a *models.MonthAttainment) (models.TargetMetric, bool) {
	if a == nil || len(a.Reps) == 0 {
		return "", false
	}
	for _, m := range []models.TargetMetric{models.MetricUnits, models.MetricValue, models.MetricVisits} {
		for _, r := range a.Reps {
			if _, ok := r.Line(m); ok {
				return m, true
			}
		}
	}
	return "", false
}

// targetsCaption is the caption's line of attainment per rep: "units Nov
// 2026: Rita 18/42 (pace 32), Bob 5/30 (pace 23)".
func (p reportText) targetsCaption(a *models.MonthAttainment) string {
	m, ok := chartMetric(a)
	if !ok {
		return ""
	}
	var items []string
	for _, r := range a.Reps {
		l, ok := r.Line(m)
		if !ok {
			continue
		}
		actual, target, pace := strconv.FormatInt(l.Actual, 10), strconv.FormatInt(l.Target, 10), strconv.FormatInt(l.Pace, 10)
		if m == models.MetricValue {
			actual, target, pace = money(models.Money{Minor: l.Actual}), money(models.Money{Minor: l.Target, Currency: l.Currency}), money(models.Money{Minor: wholeMinor(l.Pace)})
		}
		items = append(items, p.t("target_caption_item", map[string]any{"Name": r.Name, "Actual": actual, "Target": target, "Pace": pace}))
	}
	return p.t("summary_caption_targets", map[string]any{"Metric": targetMetricKeys.label(p.cat, p.lang, m),
		"Month": p.monthLabel(a.Month), "List": p.language().List(items)})
}

// targetsChart is the chart's panel of attainment per rep against target
// (nil without targets to show).
func (p reportText) targetsChart(a *models.MonthAttainment) *chart.Targets {
	m, ok := chartMetric(a)
	if !ok {
		return nil
	}
	pacePct := 0
	if a.WorkingDays > 0 {
		pacePct = a.Elapsed * 100 / a.WorkingDays
	}
	t := &chart.Targets{Title: p.t("chart_targets", map[string]any{"Metric": targetMetricKeys.label(p.cat, p.lang, m),
		"Month": p.monthLabel(a.Month), "Pace": pacePct}), PacePct: pacePct}
	for _, r := range a.Reps {
		l, ok := r.Line(m)
		if !ok {
			continue
		}
		label := strconv.FormatInt(l.Actual, 10) + "/" + strconv.FormatInt(l.Target, 10)
		if m == models.MetricValue {
			label = compactMoney(l.Actual) + "/" + compactMoney(l.Target)
		}
		t.Reps = append(t.Reps, chart.TargetBar{Name: r.Name, Pct: int(l.Percent()), Label: label, Behind: l.Status == models.Behind})
	}
	return t
}

// compactMoney writes a chart's amount short: 3.2M, 850k, 900.
func compactMoney(minor int64) string {
	major := float64(minor) / 100
	short := func(v float64, suffix string) string {
		return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + suffix
	}
	switch {
	case major >= 1e6:
		return short(major/1e6, "M")
	case major >= 1e3:
		return short(major/1e3, "k")
	}
	return strconv.FormatFloat(major, 'f', 0, 64)
}

// meTargets is /me's month: the user's own targets, done and pace, one
// metric a line ("" when they have none in the team).
func (b *Bot) meTargets(ctx context.Context, r *Request, team *models.Team) (string, error) {
	a, err := b.store.Attainment(ctx, r.User, team, models.MonthOf(r.Now, team.Location()), r.Now)
	if err != nil {
		return "", err
	}
	own, ok := a.Rep(r.User.ID)
	if !ok || len(own.Lines) == 0 {
		return "", nil
	}
	p := b.reportText(r.Lang, team.Location())
	lines := []string{p.t("me_targets_header", map[string]any{"Month": p.monthLabel(a.Month), "Elapsed": a.Elapsed, "Days": a.WorkingDays})}
	for _, l := range own.Lines {
		lines = append(lines, "• "+p.metricLine(l, false))
	}
	return strings.Join(lines, "\n"), nil
}

// wholeMinor rounds minor units to whole major units, half up.
func wholeMinor(minor int64) int64 { return (minor + 50) / 100 * 100 }
