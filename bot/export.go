package bot

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"salesbot/internal/dates"
	"salesbot/internal/outbox"
	"salesbot/internal/reports"
	"salesbot/models"
)

// ExportLabels are an export's sheet names, headers and value words in a
// language (the CLI export uses them too).
func ExportLabels(cat *Catalogue, lang string) reports.ExportLabels {
	lang = cat.Normalize(lang)
	l := reports.ExportLabels{Sheets: map[string]reports.SheetLabels{},
		Yes: cat.T(lang, "export_yes", nil), No: cat.T(lang, "export_no", nil)}
	for _, s := range exportSheetIDs {
		l.Sheets[s] = reports.SheetLabels{Name: exportSheetKeys.label(cat, lang, s)}
	}
	for _, id := range []string{"followups", "deals", "targets"} {
		sl := l.Sheets[id]
		sl.Headers = strings.Split(exportHeaderKeys.label(cat, lang, id), "|")
		l.Sheets[id] = sl
	}
	l.RepWord = cat.T(lang, "deal_competitor_rep", nil)
	for _, s := range []struct {
		sheet string
		cols  map[string]string
	}{{"visits", exportColumns(visitKeys, models.VisitFields, "visits")},
		{"objections", exportColumns(objKeys, models.ObjectionFields, "objections")},
		{"clients", exportColumns(clientKeys, models.ClientFields, "clients")}} {
		sl := l.Sheets[s.sheet]
		sl.Columns = map[string]string{}
		for id, key := range s.cols {
			sl.Columns[id] = cat.T(lang, key, nil)
		}
		l.Sheets[s.sheet] = sl
	}
	enums := map[string]func(c *Catalogue, lang, value string) string{
		"stage": reportStageKeys.stringLabel, "attitude": reportAttitudeKeys.stringLabel, "method": reportMethodKeys.stringLabel,
		"category": reportCategoryKeys.stringLabel, "fukind": reportFUKindKeys.stringLabel, "fustate": reportFUStateKeys.stringLabel,
		"metric": targetMetricKeys.stringLabel, "pace": targetStatusKeys.stringLabel, "scope": targetScopeKeys.stringLabel,
		"dstep": stepKeys.stringLabel, "dbudget": budgetKeys.stringLabel, "dstate": exportDealStateKeys.stringLabel, "dlost": lostKeys.stringLabel}
	l.Enum = func(kind, value string) string {
		label, ok := enums[kind]
		if !ok {
			return value // grades are letters in every language
		}
		return label(cat, lang, value)
	}
	return l
}

// exportColumnKeys head the export's columns whose words are not the
// field's label (the lead columns, and where the export says it its own
// way: "Stage reached", "Minutes").
var exportColumnKeys = keysOf(map[string]string{
	"visits.date": "export_visits_date", "visits.rep": "export_visits_rep", "visits.stage_before": "export_visits_stage_before",
	"visits.stage_reached": "export_visits_stage_reached", "visits.stage": "export_visits_stage", "visits.attitude": "export_visits_attitude", "visits.duration": "export_visits_duration",
	"visits.client_view": "export_visits_client_view",
	"objections.date":    "export_objections_date", "objections.rep": "export_objections_rep", "objections.answer": "export_objections_answer",
	"objections.resolved": "export_objections_resolved", "objections.worked_answer": "export_objections_worked_answer",
	"objections.resolved_at": "export_objections_resolved_at",
	"clients.client_name":    "export_clients_client_name", "clients.grade": "export_clients_grade", "clients.stage": "export_clients_stage",
	"clients.owner": "export_clients_owner", "clients.visits_in_period": "export_clients_visits_in_period",
	"clients.last_visit": "export_clients_last_visit", "clients.created": "export_clients_created",
})

// exportColumns are the header keys of a record sheet's columns, by column
// id: the sheet's own words where it has them, else the field's label (so
// a new field is headed by its label without more words).
func exportColumns[R any](keys *recordKeys, specs []models.FieldSpec[R], sheet string) map[string]string {
	out := map[string]string{}
	for _, id := range []string{"date", "rep"} {
		if k, ok := exportColumnKeys.key(sheet + "." + id); ok {
			out[id] = k
		}
	}
	for i := range specs {
		f := &specs[i]
		if !f.Has(models.UseExport) {
			continue
		}
		if k, ok := exportColumnKeys.key(sheet + "." + string(f.Name)); ok {
			out[string(f.Name)] = k
		} else if k := keys.label(f.StepID()); k != "" {
			out[string(f.Name)] = k
		}
	}
	return out
}

// ExportFiles renders an export as the workbook (with a caption) followed
// by one CSV file per sheet.
func ExportFiles(cat *Catalogue, lang string, e *reports.Export, repName string) ([]outbox.Message, error) {
	lang = cat.Normalize(lang)
	l := ExportLabels(cat, lang)
	xlsx, err := e.XLSX()
	if err != nil {
		return nil, err
	}
	stem := ExportFileStem(e.Scope, repName)
	counts := e.ExportCounts()
	caption := cat.T(lang, "export_caption", map[string]any{"Team": e.Scope.Team.Name, "Rep": repName,
		"From": e.Scope.From, "To": e.Scope.To, "Visits": counts["visits"], "Objections": counts["objections"], "Clients": counts["clients"],
		"FollowUps": counts["followups"]})
	out := []outbox.Message{{Text: caption, Document: &outbox.File{Name: stem + ".xlsx", Data: xlsx}}}
	for _, sh := range e.Sheets {
		out = append(out, outbox.Message{Document: &outbox.File{Name: stem + "-" + sh.File + ".csv", Data: e.CSV(sh, l.Yes, l.No)}})
	}
	return out, nil
}

// ExportFileStem names an export's files: salesbot-North-2026-11-01-2026-11-30.
func ExportFileStem(sc reports.ExportScope, repName string) string {
	name := sc.Team.Name
	if repName != "" {
		name += "-" + repName
	}
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '_'
		case strings.ContainsRune(`/\:*?"<>|`, r), r < ' ':
			return -1
		}
		return r
	}, name)
	return "salesbot-" + clean + "-" + sc.From + "-" + sc.To
}

// exportRange reads "[from] [to]": nothing is the last 30 days, one day is
// from that day to today.
func exportRange(text string, now time.Time, loc *time.Location) (from, to string, err error) {
	today := models.CivilDate(now, loc)
	text = strings.TrimSpace(text)
	if text == "" {
		return models.AddDays(today, -29), today, nil
	}
	bad := models.Errorf(models.EINVALID, "export_bad_range", map[string]any{"Value": clip(text, 60)})
	if utf8.RuneCountInString(text) > dates.MaxRangeLen {
		return "", "", bad
	}
	if d, err := reportDay(text, now, loc); err == nil {
		return d, today, nil
	}
	isDay := func(x string) bool { _, err := reportDay(x, now, loc); return err == nil }
	if a, z, ok := dates.SplitRange(text, isDay); ok {
		f, _ := reportDay(a, now, loc)
		t, _ := reportDay(z, now, loc)
		return f, t, nil
	}
	return "", "", bad
}

// /export [team] [from] [to]: managers get their team's records, reps
// their own; nobody gets another team's.
func (b *Bot) cmdExport(ctx context.Context, r *Request) error {
	// Only the teams the user may see can be named: another team's name
	// reads as a date and is refused as one, revealing nothing.
	all, err := b.seenTeams(ctx, r.User)
	if err != nil {
		return err
	}
	named, rest := splitTeamArg(r.Args, all)
	var team *models.Team
	switch {
	case len(named) == 1 && len(all) > 0 && rest != r.Args:
		team = named[0]
	case r.User.PrimaryTeam() != 0:
		if team, err = b.store.Team(ctx, r.User.PrimaryTeam()); err != nil {
			return err
		}
	default:
		return models.Errorf(models.EINVALID, "err_need_team", map[string]any{"Teams": b.visibleTeamNames(ctx, r)})
	}
	sc := reports.ExportScope{Viewer: r.User, Team: team}
	repName := ""
	switch role := r.User.RoleIn(team.ID); {
	case r.User.CanManage(team.ID):
	case role == models.RoleRep:
		sc.RepID, repName = r.User.ID, r.User.Name
	default:
		r.say("export_forbidden", map[string]any{"Own": r.User.Role() == models.RoleRep})
		return nil
	}
	if sc.From, sc.To, err = exportRange(rest, r.Now, team.Location()); err != nil {
		return err
	}
	if sc.From > sc.To {
		return models.Errorf(models.EINVALID, "export_backwards", map[string]any{"From": sc.From, "To": sc.To})
	}
	e, err := b.reports.Export(ctx, sc, ExportLabels(b.cat, r.Lang))
	if err != nil {
		return err
	}
	msgs, err := ExportFiles(b.cat, r.Lang, e, repName)
	if err != nil {
		return err
	}
	r.out = append(r.out, msgs...)
	return nil
}
