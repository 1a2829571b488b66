package bot

import (
	"fmt"
	"strings"
	"time"

	"salesbot/internal/chart"
	"salesbot/internal/outbox"
	"salesbot/models"
)

// monthName renders a month: "Nov 2026" / "2026年11月".
func (p reportText) monthName(m models.Month) string {
	return p.t("pl_month", map[string]any{"Year": m.Year, "Mon": int(m.Mon), "Name": p.language().Months[m.Mon-1]})
}

// hundredths writes hundredths of a unit with at most one decimal:
// 1200 → "12", 1250 → "12.5".
func hundredths(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	tenths := (v + 5) / 10
	s := fmt.Sprintf("%d", tenths/10)
	if tenths%10 != 0 {
		s = fmt.Sprintf("%d.%d", tenths/10, tenths%10)
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// units writes a count of units given in hundredths: "12.5 units", "1 unit".
func (p reportText) units(h int64) string {
	return p.t("pl_units", map[string]any{"N": hundredths(h), "One": h == 100})
}

// amounts writes sums in several currencies: "3,200,000 CNY + 50,000 USD".
func amounts(a models.Amounts) string {
	cs := a.Currencies()
	if len(cs) == 0 {
		return "0"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = money(models.Money{Minor: a[c], Currency: c})
	}
	return strings.Join(parts, " + ")
}

// totals writes deals, units and value: "3 deals · 70 units · 5,000,000 CNY".
func (p reportText) totals(t models.DealTotals) string {
	parts := []string{p.t("pl_deals", map[string]any{"N": t.Deals}), p.units(t.Units * 100)}
	if len(t.Value.Currencies()) > 0 {
		parts = append(parts, amounts(t.Value))
	}
	return strings.Join(parts, " · ")
}

// weighted writes the weighted units and value: "27 units · 2,100,000 CNY".
func (p reportText) weighted(t models.DealTotals) string {
	s := p.units(t.WeightedUnits)
	if len(t.WeightedValue.Currencies()) > 0 {
		s += " · " + amounts(t.WeightedValue)
	}
	return s
}

// gap says how far a forecast is from its target: "20 short", "3 ahead".
func (p reportText) gap(gap int64, write func(int64) string) string {
	switch {
	case gap > 0:
		return p.t("pl_gap_short", map[string]any{"N": write(gap)})
	case gap < 0:
		return p.t("pl_gap_ahead", map[string]any{"N": write(-gap)})
	}
	return p.t("pl_gap_met", nil)
}

// forecast writes a forecast against its target: units (won + weighted)
// and value.
func (p reportText) forecast(f models.Forecast) string {
	data := map[string]any{"F": p.units(f.Units()), "Won": hundredths(f.Won.Units * 100), "W": hundredths(f.Closing.WeightedUnits)}
	key := "pl_fc_units"
	if f.Goal.Units > 0 {
		key = "pl_fc_units_goal"
		data["Goal"] = p.units(f.Goal.Units * 100)
		data["Gap"] = p.gap(f.UnitsGap(), p.units)
	}
	parts := []string{p.t(key, data)}
	if g := f.Goal.Value; !g.IsZero() {
		cur := g.Currency
		write := func(v int64) string { return money(models.Money{Minor: v, Currency: cur}) }
		parts = append(parts, p.t("pl_fc_value_goal", map[string]any{"F": write(f.Value(cur)), "Goal": write(g.Minor),
			"Gap": p.gap(f.ValueGap(), write)}))
	} else {
		all := models.Amounts{}
		all.AddAll(f.Won.Value)
		all.AddAll(f.Closing.WeightedValue)
		if len(all.Currencies()) > 0 {
			parts = append(parts, p.t("pl_fc_value", map[string]any{"F": amounts(all)}))
		}
	}
	return strings.Join(parts, p.t("pl_fc_sep", nil))
}

// PipelineMessages renders a pipeline: the text, then the chart (funnel by
// stage, forecast against target per rep) with the key numbers in its
// caption.
func (b *Bot) PipelineMessages(lang string, pl *models.Pipeline) ([]outbox.Message, error) {
	p := b.reportText(lang, pl.Loc)
	msgs := textMessages(packMessages(p.pipelineBlocks(pl), MaxMessageLen))
	png, err := chart.PipelinePNG(p.pipelineChart(pl))
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("pipeline-%s.png", pl.Month.Key())
	return append(msgs, outbox.Message{Text: p.pipelineCaption(pl), Photo: &outbox.File{Name: name, Data: png}}), nil
}

func (p reportText) pipelineTitle(pl *models.Pipeline) string {
	key := "pl_title"
	if pl.RepID != 0 {
		key = "pl_title_own"
	}
	return p.t(key, map[string]any{"Team": pl.TeamName, "Month": p.monthName(pl.Month)})
}

func (p reportText) pipelineBlocks(pl *models.Pipeline) []string {
	head := []string{p.pipelineTitle(pl)}
	if pl.Open.Deals == 0 {
		head = append(head, p.t("pl_open_none", nil))
	} else {
		head = append(head, p.t("pl_open", map[string]any{"Totals": p.totals(pl.Open), "Weighted": p.weighted(pl.Open)}))
	}
	blocks := []string{strings.Join(head, "\n")}
	if pl.Open.Deals > 0 {
		lines := []string{p.t("pl_stages_header", nil)}
		for _, s := range pl.ByStage {
			if s.Open.Deals == 0 {
				continue
			}
			lines = append(lines, p.t("pl_stage_line", map[string]any{"Stage": p.stage(s.Stage), "Pct": s.Pct,
				"Totals": p.totals(s.Open), "Weighted": p.weighted(s.Open)}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	if pl.RepID == 0 && pl.Open.Deals > 0 {
		lines := []string{p.t("pl_reps_header", nil)}
		for _, r := range pl.ByRep {
			if r.Open.Deals == 0 {
				continue
			}
			lines = append(lines, p.t("pl_rep_line", map[string]any{"Name": r.Rep.Name, "Totals": p.totals(r.Open), "Weighted": p.weighted(r.Open)}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	lines := []string{p.t("pl_forecast_header", map[string]any{"Month": p.monthName(pl.Month)})}
	if pl.RepID == 0 {
		for _, r := range pl.ByRep {
			lines = append(lines, p.t("pl_forecast_line", map[string]any{"Name": r.Rep.Name, "Text": p.forecast(r.Forecast)}))
		}
		lines = append(lines, p.t("pl_forecast_team", map[string]any{"Text": p.forecast(pl.Forecast)}))
	} else {
		lines = append(lines, p.t("pl_forecast_own", map[string]any{"Text": p.forecast(pl.Forecast)}))
	}
	if pl.Overdue > 0 {
		lines = append(lines, p.t("pl_overdue", map[string]any{"N": pl.Overdue}))
	}
	blocks = append(blocks, strings.Join(lines, "\n"))
	return blocks
}

func (p reportText) pipelineChart(pl *models.Pipeline) chart.Pipeline {
	key := "pl_chart_title"
	if pl.RepID != 0 {
		key = "pl_chart_title_own"
	}
	c := chart.Pipeline{
		Title:       p.t(key, map[string]any{"Team": pl.TeamName, "Month": p.monthName(pl.Month)}),
		FunnelTitle: p.t("pl_chart_funnel", nil),
		RepsTitle:   p.t("pl_chart_forecast", map[string]any{"Month": p.monthName(pl.Month)}),
		Legend:      [3]string{p.t("pl_chart_won", nil), p.t("pl_chart_weighted", nil), p.t("pl_chart_target", nil)},
		Empty:       p.t("chart_empty", nil),
	}
	byDeals := pl.Open.Units == 0
	for _, s := range pl.ByStage {
		v := float64(s.Open.Units)
		if byDeals {
			v = float64(s.Open.Deals)
		}
		text := p.t("pl_deals", map[string]any{"N": s.Open.Deals})
		if !byDeals {
			text += " · " + p.units(s.Open.Units*100)
		}
		c.Stages = append(c.Stages, chart.FunnelStage{Label: fmt.Sprintf("%s %d%%", p.stage(s.Stage), s.Pct), Value: v, Text: text})
	}
	for _, r := range pl.ByRep {
		f := r.Forecast
		if f.Units() == 0 && f.Goal.Units == 0 && r.Open.Deals == 0 {
			continue
		}
		c.Reps = append(c.Reps, chart.RepForecast{Name: r.Rep.Name, Won: float64(f.Won.Units), Weighted: float64(f.Closing.WeightedUnits) / 100,
			Target: float64(f.Goal.Units), HasTarget: f.Goal.Units > 0, Text: hundredths(f.Units())})
	}
	return c
}

// pipelineCaption carries the key numbers, so the photo reads without the
// picture (Telegram allows 1024 characters).
func (p reportText) pipelineCaption(pl *models.Pipeline) string {
	var reps []string
	if pl.RepID == 0 {
		for _, r := range pl.ByRep {
			f := r.Forecast
			if f.Goal.Units > 0 {
				reps = append(reps, fmt.Sprintf("%s %s/%d", r.Rep.Name, hundredths(f.Units()), f.Goal.Units))
			} else if f.Units() > 0 {
				reps = append(reps, fmt.Sprintf("%s %s", r.Rep.Name, hundredths(f.Units())))
			}
		}
	}
	c := p.t("pl_caption", map[string]any{"Team": pl.TeamName, "Month": p.monthName(pl.Month), "Deals": pl.Open.Deals,
		"Units": p.units(pl.Open.Units * 100), "Weighted": p.weighted(pl.Open), "Forecast": p.forecast(pl.Forecast),
		"Reps": strings.Join(reps, " · ")})
	if r := []rune(c); len(r) > 1024 {
		c = string(r[:1023]) + "…"
	}
	return c
}

// maxReviewDeals is how many won (and lost) deals the review lists.
const maxReviewDeals = 15

// MonthMessages renders a month's review. lateDue, when set, is when a
// review sent late was due.
func (b *Bot) MonthMessages(lang string, m *models.MonthReview, lateDue time.Time) []outbox.Message {
	return textMessages(packMessages(b.reportText(lang, m.Loc).monthBlocks(m, lateDue), MaxMessageLen))
}

// dealList is a block of the month review: its header (key, with the
// number of deals), then a line per deal (line) up to maxReviewDeals, then
// how many more there are.
func (p reportText) dealList(key string, deals []models.ClosedDeal, line func(models.ClosedDeal) string) string {
	lines := []string{p.t(key, map[string]any{"N": len(deals)})}
	for i, d := range deals {
		if i == maxReviewDeals {
			lines = append(lines, p.t("mr_more", map[string]any{"N": len(deals) - i}))
			break
		}
		lines = append(lines, line(d))
	}
	return strings.Join(lines, "\n")
}

func (p reportText) monthBlocks(m *models.MonthReview, lateDue time.Time) []string {
	key := "mr_title"
	if m.RepID != 0 {
		key = "mr_title_own"
	}
	head := []string{p.t(key, map[string]any{"Team": m.TeamName, "Month": p.monthName(m.Month), "ToDate": m.ToDate})}
	if !lateDue.IsZero() {
		head = append(head, p.t("report_late", map[string]any{"Due": p.language().FormatTime(lateDue, p.loc)}))
	}
	head = append(head, p.t("mr_won", map[string]any{"N": len(m.Won), "Totals": p.totals(m.WonTotals)}),
		p.t("mr_lost", map[string]any{"N": len(m.Lost)}))
	blocks := []string{strings.Join(head, "\n")}
	if len(m.Reps) > 0 {
		lines := []string{p.t("mr_reps_header", nil)}
		for _, r := range m.Reps {
			lines = append(lines, p.t("mr_rep_line", map[string]any{"Name": r.Rep.Name, "Text": p.attainment(r, m.ToDate), "Won": r.Won.Deals, "Lost": r.Lost}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	if len(m.Won) > 0 {
		blocks = append(blocks, p.dealList("mr_won_header", m.Won, func(d models.ClosedDeal) string {
			units := ""
			if d.Units > 0 && !titleSaysUnits(d.Title, d.Units) {
				units = p.units(d.Units * 100)
			}
			return p.t("mr_won_line", map[string]any{"Client": d.Client, "Title": d.Title, "Units": units,
				"Value": money(d.Value), "HasValue": !d.Value.IsZero(), "Rep": d.Owner, "Team": m.RepID == 0})
		}))
	}
	if len(m.Lost) > 0 {
		blocks = append(blocks, p.dealList("mr_lost_header", m.Lost, func(d models.ClosedDeal) string {
			return p.t("mr_lost_line", map[string]any{"Client": d.Client, "Title": d.Title,
				"Reason": lostKeys.label(p.cat, p.lang, d.LostReason), "To": d.LostTo, "Words": squeeze(d.LostWords, 120),
				"Rep": d.Owner, "Team": m.RepID == 0})
		}))
	}
	var why []string
	if len(m.LostReasons) > 0 {
		parts := make([]string, len(m.LostReasons))
		for i, rc := range m.LostReasons {
			parts[i] = fmt.Sprintf("%s %d", lostKeys.label(p.cat, p.lang, rc.Reason), rc.Count)
		}
		why = append(why, p.t("mr_reasons", map[string]any{"List": strings.Join(parts, " · ")}))
	}
	if len(m.Competitors) > 0 {
		parts := make([]string, len(m.Competitors))
		for i, c := range m.Competitors {
			parts[i] = p.t("mr_competitor", map[string]any{"Name": c.Name, "Deals": c.Deals, "LostTo": c.LostTo})
		}
		why = append(why, p.t("mr_competitors", map[string]any{"List": strings.Join(parts, " · ")}))
	}
	if len(why) > 0 {
		blocks = append(blocks, strings.Join(why, "\n"))
	}
	if n := m.Next; n != nil {
		closing := n.Forecast.Closing
		blocks = append(blocks, p.t("mr_next", map[string]any{"Month": p.monthName(n.Month), "Deals": closing.Deals,
			"Units": p.units(closing.Units * 100), "Forecast": p.forecast(n.Forecast)}))
	}
	return blocks
}

// attainment is a rep's month against their targets, metric by metric:
// "units 20/42 (47%) · visits 30/40 (75%), pace 36 — behind".
func (p reportText) attainment(r models.RepReview, toDate bool) string {
	if len(r.Lines) == 0 {
		s := p.t("mr_att_none", map[string]any{"Units": p.units(r.Won.Units * 100)})
		if len(r.Won.Value.Currencies()) > 0 {
			s += " · " + amounts(r.Won.Value)
		}
		return s
	}
	parts := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		write := func(v int64) string { return fmt.Sprintf("%d", v) }
		pace := write
		if l.Metric == models.MetricValue {
			cur := l.Currency
			write = func(v int64) string { return money(models.Money{Minor: v, Currency: cur}) }
			// Pace in whole currency units, as /me and the digest write it.
			pace = func(v int64) string { return write(wholeMinor(v)) }
		}
		parts[i] = p.t("mr_att_line", map[string]any{"Metric": metricKeys.label(p.cat, p.lang, l.Metric),
			"Actual": write(l.Actual), "Target": write(l.Target), "Pct": l.Percent(),
			"ToDate": toDate, "Pace": pace(l.Pace), "Status": paceKeys.label(p.cat, p.lang, l.Status)})
	}
	return strings.Join(parts, " · ")
}

// Labels of the targets' metrics and pace statuses in the review.
var (
	metricKeys = keysFor("mr_metric_", models.TargetMetrics...)
	paceKeys   = keysFor("mr_pace_", models.Ahead, models.OnPace, models.Behind)
)
