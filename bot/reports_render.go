package bot

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"salesbot/internal/chart"
	"salesbot/internal/outbox"
	"salesbot/models"
)

// reportText renders report pieces in one language and zone.
type reportText struct {
	cat  *Catalogue
	lang string
	loc  *time.Location
}

func (b *Bot) reportText(lang string, loc *time.Location) reportText {
	if loc == nil {
		loc = time.UTC
	}
	return reportText{cat: b.cat, lang: b.cat.Normalize(lang), loc: loc}
}

func (p reportText) t(key string, data map[string]any) string { return p.cat.T(p.lang, key, data) }

func (p reportText) language() *Language { return p.cat.Language(p.lang) }

func (p reportText) stage(s models.Stage) string { return reportStageKeys.label(p.cat, p.lang, s) }

func (p reportText) attitude(a models.Attitude) string {
	if a == models.AttitudeNone {
		return ""
	}
	return reportAttitudeKeys.label(p.cat, p.lang, a)
}

func (p reportText) category(c models.ObjectionCategory) string {
	return reportCategoryKeys.label(p.cat, p.lang, c)
}

// day renders a civil date: "Tue 24 Nov" / "11月24日 周二".
func (p reportText) day(date string) string {
	t, err := models.StartOfDate(date, time.UTC)
	if err != nil {
		return date
	}
	return p.language().FormatDay(t, time.UTC)
}

func (p reportText) clock(t time.Time) string { return t.In(p.loc).Format("15:04") }

func (p reportText) names(refs []models.RepRef) string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Name
	}
	return p.language().List(out)
}

func pct(p models.PlanProgress) int {
	n, _ := p.Completion()
	return n
}

// textLen is a text's length as Telegram counts it at worst (UTF-16 units).
func textLen(s string) int { return len(utf16.Encode([]rune(s))) }

// packMessages joins blocks (separated by a blank line) into messages of at
// most limit characters, never splitting a block unless the block alone is
// longer than a message; such a block is split at line ends.
func packMessages(blocks []string, limit int) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	// add puts s after sep in the current message, or starts the next one.
	add := func(s, sep string) {
		if cur != "" && textLen(cur)+textLen(sep)+textLen(s) > limit {
			flush()
		}
		if cur == "" {
			cur = s
		} else {
			cur += sep + s
		}
	}
	for _, blk := range blocks {
		if blk == "" {
			continue
		}
		if textLen(blk) > limit {
			flush()
			for _, line := range strings.Split(blk, "\n") {
				for textLen(line) > limit { // a single monster line: cut it
					r := []rune(line)
					n := min(len(r), limit/2)
					out, line = append(out, string(r[:n])), string(r[n:])
				}
				add(line, "\n")
			}
			flush()
			continue
		}
		add(blk, "\n\n")
	}
	flush()
	return out
}

func textMessages(texts []string) []outbox.Message {
	out := make([]outbox.Message, len(texts))
	for i, t := range texts {
		out[i] = outbox.Message{Text: t}
	}
	return out
}

// DigestMessages renders a daily digest: totals and team-wide flags first,
// then one block per active rep. lateDue, when set, is when a digest sent
// late was due.
func (b *Bot) DigestMessages(lang string, d *models.DailyDigest, lateDue time.Time) []outbox.Message {
	return textMessages(packMessages(b.digestBlocks(lang, d, lateDue), MaxMessageLen))
}

func (b *Bot) digestBlocks(lang string, d *models.DailyDigest, lateDue time.Time) []string {
	p := b.reportText(lang, d.Loc)
	tt := d.Totals
	head := []string{p.t("digest_title", map[string]any{"Team": d.TeamName, "Day": p.day(d.Date)})}
	if !lateDue.IsZero() {
		head = append(head, p.t("report_late", map[string]any{"Due": p.language().FormatTime(lateDue, p.loc)}))
	}
	head = append(head, p.t("digest_totals", map[string]any{"Visits": tt.Visits, "Objections": tt.Objections, "Active": tt.ActiveReps,
		"Reps": tt.Reps, "Managers": tt.Managers > 0}))
	if d.FollowUps {
		head = append(head, p.t("digest_totals_followups", map[string]any{"Done": tt.FollowUpsDone, "Closed": tt.RevisitsClosed,
			"Overdue": tt.FollowUpsOverdue, "Past": d.Past}))
	}
	if tt.Plan.Planned > 0 {
		head = append(head, p.t("digest_totals_plan", map[string]any{"Done": tt.Plan.Done, "Planned": tt.Plan.Planned, "Pct": pct(tt.Plan)}))
	} else {
		head = append(head, p.t("digest_totals_noplan", nil))
	}
	blocks := []string{strings.Join(head, "\n")}
	var flags []string
	if len(d.Flagged) > 0 {
		lines := []string{p.t("digest_flagged_header", nil)}
		for _, f := range d.Flagged {
			lines = append(lines, p.t("digest_flagged_line", map[string]any{"Client": f.Client, "Rep": f.Rep, "Stage": p.stage(f.Stage)}))
		}
		flags = append(flags, strings.Join(lines, "\n"))
	}
	if len(d.StageChanges) > 0 {
		flags = append(flags, p.changes("digest_changes_header", d.StageChanges))
	}
	if len(d.Idle) > 0 {
		flags = append(flags, p.t("digest_idle", map[string]any{"Names": p.names(d.Idle), "Past": d.Past}))
	}
	if len(d.Unreachable) > 0 {
		flags = append(flags, p.t("digest_unreachable", map[string]any{"Names": p.names(d.Unreachable)}))
	}
	if len(flags) > 0 {
		blocks = append(blocks, strings.Join(flags, "\n\n"))
	}
	if d.Month != nil {
		blocks = append(blocks, p.targetsBlock("digest_targets_header", d.Month))
	}
	for _, rd := range d.Reps {
		blocks = append(blocks, p.repDay(rd, d.FollowUps))
	}
	return blocks
}

func (p reportText) changes(header string, cs []models.StageChange) string {
	lines := []string{p.t(header, nil)}
	for _, c := range cs {
		lines = append(lines, p.t("digest_change_line", map[string]any{"Client": c.Client, "From": p.stage(c.From), "To": p.stage(c.To), "Rep": c.Rep}))
	}
	return strings.Join(lines, "\n")
}

func (p reportText) repDay(rd models.RepDay, followUps bool) string {
	lines := []string{p.t("digest_rep_header", map[string]any{"Name": rd.Rep.Name})}
	if len(rd.Visits) > 0 {
		lines = append(lines, p.t("digest_rep_visits", map[string]any{"Count": len(rd.Visits)}))
		for _, v := range rd.Visits {
			data := map[string]any{"Time": p.clock(v.At), "Client": v.Client, "Stage": p.stage(v.Stage), "Attitude": p.attitude(v.Attitude)}
			if reached := v.StageReached(); reached != v.Stage {
				// a step the stage rule refused is not shown as progress
				data["Stage"], data["Said"] = p.stage(reached), p.stage(v.Stage)
			}
			lines = append(lines, p.t("digest_visit_line", data))
		}
	}
	if len(rd.Objections) > 0 {
		lines = append(lines, p.t("digest_rep_objections", map[string]any{"Count": len(rd.Objections)}))
		for _, o := range rd.Objections {
			lines = append(lines, p.t("digest_objection_line", map[string]any{"Client": o.Client, "Category": p.category(o.Category),
				"Words": squeeze(o.Words, 120), "Resolved": o.Resolved}))
		}
	}
	if followUps {
		lines = append(lines, p.t("digest_rep_followups", map[string]any{"Done": rd.FollowUpsDone, "Closed": rd.RevisitsClosed, "Overdue": rd.FollowUpsOverdue}))
	}
	if rd.Plan.Planned > 0 {
		lines = append(lines, p.t("digest_rep_plan", map[string]any{"Done": rd.Plan.Done, "Planned": rd.Plan.Planned,
			"Overdue": rd.Plan.Overdue, "Unplanned": rd.Plan.Unplanned}))
	} else {
		lines = append(lines, p.t("digest_rep_noplan", nil))
	}
	return strings.Join(lines, "\n")
}

// squeeze puts free text quoted in a report on one line, shortened.
func squeeze(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func (p reportText) weekData(w models.Week) map[string]any {
	_, n := w.ISO()
	return map[string]any{"Num": n, "From": p.day(w.Monday), "To": p.day(w.Sunday())}
}

// SummaryMessages renders a weekly summary: the text (totals first, split
// between blocks) and then the chart as a photo whose caption carries the
// key numbers.
func (b *Bot) SummaryMessages(lang string, s *models.WeeklySummary, lateDue time.Time) ([]outbox.Message, error) {
	p := b.reportText(lang, s.Loc)
	msgs := textMessages(packMessages(p.summaryBlocks(s, lateDue), MaxMessageLen))
	png, err := chart.WeeklyPNG(p.chartData(s))
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("week-%s.png", s.Week.String())
	msgs = append(msgs, outbox.Message{Text: p.caption(s), Photo: &outbox.File{Name: name, Data: png}})
	return msgs, nil
}

func (p reportText) summaryBlocks(s *models.WeeklySummary, lateDue time.Time) []string {
	wd := p.weekData(s.Week)
	wd["Team"] = s.TeamName
	head := []string{p.t("summary_title", wd)}
	if !lateDue.IsZero() {
		head = append(head, p.t("report_late", map[string]any{"Due": p.language().FormatTime(lateDue, p.loc)}))
	}
	tt := s.Totals
	if tt.Planned > 0 {
		head = append(head, p.t("summary_totals", map[string]any{"Done": tt.Done, "Planned": tt.Planned, "Pct": pct(tt),
			"Missed": tt.Missed, "Pending": tt.Pending, "Unplanned": tt.Unplanned}))
	} else {
		head = append(head, p.t("summary_totals_noplan", nil))
	}
	head = append(head, p.t("summary_visits", map[string]any{"Visits": s.Visits, "Objections": s.ObjectionCount}))
	blocks := []string{strings.Join(head, "\n")}
	if len(s.Reps) > 0 {
		lines := []string{p.t("summary_reps_header", nil)}
		for _, r := range s.Reps {
			lines = append(lines, p.t("summary_rep_line", map[string]any{"Name": r.Rep.Name, "Done": r.Result.Done, "Planned": r.Result.Planned,
				"Missed": r.Result.Missed, "Unplanned": r.Result.Unplanned, "Visits": r.Visits}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	var mix []string
	if list := p.stageList(s.ByStage); list != "" {
		mix = append(mix, p.t("summary_by_stage", map[string]any{"List": list}))
	}
	if list := p.attitudeList(s.ByAttitude); list != "" {
		mix = append(mix, p.t("summary_by_attitude", map[string]any{"List": list}))
	}
	if len(mix) > 0 {
		blocks = append(blocks, strings.Join(mix, "\n"))
	}
	if len(s.StageChanges) > 0 {
		blocks = append(blocks, p.changes("summary_changes_header", s.StageChanges))
	}
	if len(s.Objections) > 0 {
		lines := []string{p.t("summary_objections_header", nil)}
		for i, o := range s.Objections {
			if i == 5 {
				break
			}
			lines = append(lines, p.t("summary_objection_line", map[string]any{"Category": p.category(o.Category), "Count": o.Count, "Resolved": o.Resolved}))
			for _, a := range o.Answers {
				lines = append(lines, p.t("summary_objection_answer", map[string]any{"Answer": squeeze(a, 160)}))
			}
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	nd := p.weekData(s.Next)
	if len(s.Plans) == 0 {
		blocks = append(blocks, p.t("summary_plans_header", nd)+"\n"+p.t("plan_empty", nil))
	} else {
		blocks = append(blocks, p.t("summary_plans_header", nd))
	}
	for _, rp := range s.Plans {
		lines := []string{p.t("summary_plan_rep", map[string]any{"Name": rp.Rep.Name, "Count": len(rp.Items)})}
		for _, it := range rp.Items {
			lines = append(lines, p.t("summary_plan_line", map[string]any{"Day": p.day(it.Day), "Client": it.Client, "Purpose": squeeze(it.Purpose, 120)}))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	if len(s.NoPlan) > 0 {
		blocks = append(blocks, p.t("summary_noplan", map[string]any{"Names": p.names(s.NoPlan)}))
	}
	if s.Month != nil {
		blocks = append(blocks, p.targetsBlock("summary_targets_header", s.Month))
	}
	return blocks
}

func (p reportText) stageList(by map[models.Stage]int) string {
	var parts []string
	for _, st := range append(append([]models.Stage{}, models.Stages...), models.StageLost) {
		if n := by[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.stage(st), n))
		}
	}
	return strings.Join(parts, " · ")
}

func (p reportText) attitudeList(by map[models.Attitude]int) string {
	var parts []string
	for _, a := range models.Attitudes {
		if n := by[a]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.attitude(a), n))
		}
	}
	return strings.Join(parts, " · ")
}

func (p reportText) objectionList(s *models.WeeklySummary) string {
	var parts []string
	for _, o := range s.Objections {
		parts = append(parts, fmt.Sprintf("%s %d", p.category(o.Category), o.Count))
	}
	if len(parts) == 0 {
		return p.t("summary_caption_none", nil)
	}
	return p.language().List(parts)
}

// caption carries the key numbers, so the photo reads without the picture
// (Telegram allows 1024 characters).
func (p reportText) caption(s *models.WeeklySummary) string {
	_, n := s.Week.ISO()
	tt := s.Totals
	key := "summary_caption"
	if tt.Planned == 0 {
		key = "summary_caption_noplan"
	}
	c := p.t(key, map[string]any{"Team": s.TeamName, "Num": n, "Done": tt.Done, "Planned": tt.Planned, "Pct": pct(tt),
		"Missed": tt.Missed, "Unplanned": tt.Unplanned, "Visits": s.Visits, "Objections": p.objectionList(s)})
	if t := p.targetsCaption(s.Month); t != "" {
		c += "\n" + t
	}
	if r := []rune(c); len(r) > 1024 {
		c = string(r[:1023]) + "…"
	}
	return c
}

func (p reportText) chartData(s *models.WeeklySummary) chart.Weekly {
	wd := p.weekData(s.Week)
	wd["Team"] = s.TeamName
	w := chart.Weekly{
		Title:           p.t("chart_title", wd),
		Legend:          [3]string{p.t("chart_planned", nil), p.t("chart_done", nil), p.t("chart_visits", nil)},
		RepsTitle:       p.t("chart_reps", nil),
		ObjectionsTitle: p.t("chart_objections", nil),
		Empty:           p.t("chart_empty", nil),
	}
	for _, r := range s.Reps {
		w.Reps = append(w.Reps, chart.RepBars{Name: r.Rep.Name, Planned: r.Result.Planned, Done: r.Result.Done, Visits: r.Visits})
	}
	objs := append([]models.ObjectionStat(nil), s.Objections...)
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].Count > objs[j].Count })
	for _, o := range objs {
		w.Objections = append(w.Objections, chart.Bar{Label: p.category(o.Category), Value: o.Count})
	}
	w.Targets = p.targetsChart(s.Month)
	return w
}

// PlanReminderText asks a rep for next week's plan; it is the text of a
// plan follow-up, in the rep's language and zone.
func (b *Bot) PlanReminderText(lang string, week models.Week, deadline time.Time, loc *time.Location) string {
	p := b.reportText(lang, loc)
	d := p.weekData(week)
	d["Due"] = p.language().FormatTime(deadline, loc)
	return p.t("plan_reminder", d)
}
