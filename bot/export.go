package bot

import (
	"context"
	"strings"
	"time"

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
		l.Sheets[s] = reports.SheetLabels{Name: exportSheetKeys.label(cat, lang, s),
			Headers: strings.Split(exportHeaderKeys.label(cat, lang, s), "|")}
	}
	enums := map[string]func(c *Catalogue, lang, value string) string{
		"stage": reportStageKeys.stringLabel, "attitude": reportAttitudeKeys.stringLabel, "method": reportMethodKeys.stringLabel,
		"category": reportCategoryKeys.stringLabel, "fukind": reportFUKindKeys.stringLabel, "fustate": reportFUStateKeys.stringLabel}
	l.Enum = func(kind, value string) string {
		label, ok := enums[kind]
		if !ok {
			return value // grades are letters in every language
		}
		return label(cat, lang, value)
	}
	return l
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
	if d, err := reportDay(text, now, loc); err == nil {
		return d, today, nil
	}
	words := strings.Fields(text)
	for i := 1; i < len(words); i++ {
		f, err1 := reportDay(strings.Join(words[:i], " "), now, loc)
		t, err2 := reportDay(strings.Join(words[i:], " "), now, loc)
		if err1 == nil && err2 == nil {
			return f, t, nil
		}
	}
	return "", "", models.Errorf(models.EINVALID, "export_bad_range", map[string]any{"Value": text})
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
	sc := reports.ExportScope{Team: team}
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
