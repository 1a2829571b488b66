package reports

import (
	"context"
	"time"

	"salesbot/models"
)

// maxTargetMonths bounds the months a Targets sheet covers (a long
// export's period): each month is one Attainment.
const maxTargetMonths = 24

// targetSheet lists, for each month the period touches, every target with
// its attainment as of the end of the period (or now), as the export's
// viewer may see it (storage.Attainment's rule): the team's lines
// first (a team export; its Rep cell is the enum "scope" label of
// "team"), then each rep's (one rep's only, for a rep). Amounts are
// numbers in major units for value, counts otherwise.
func (b *Builder) targetSheet(ctx context.Context, sc ExportScope, l ExportLabels) (Sheet, error) {
	sh := newSheet(l, "targets",
		Column{"Month", KindText, 9}, Column{"Rep", KindText, 16}, Column{"Target", KindText, 24},
		Column{"Goal", KindNumber, 14}, Column{"Currency", KindText, 9}, Column{"Done", KindNumber, 14},
		Column{"Pace", KindNumber, 14}, Column{"% of goal", KindInt, 10}, Column{"Status", KindText, 12},
		Column{"Default", KindBool, 9}, Column{"Working days gone", KindInt, 12}, Column{"Working days", KindInt, 12},
	)
	if sc.Viewer == nil {
		return sh, nil // nobody: nothing to see
	}
	loc := sc.Team.Location()
	_, to, err := models.DateBounds(sc.To, loc)
	if err != nil {
		return Sheet{}, err
	}
	asOf := b.clock.Now()
	if !asOf.Before(to) {
		asOf = to.Add(-time.Microsecond)
	}
	first, err := models.StartOfDate(sc.From, loc)
	if err != nil {
		return Sheet{}, err
	}
	month, last := models.MonthOf(first, loc), models.MonthOf(asOf, loc)
	for n := 0; !last.Before(month) && n < maxTargetMonths; n++ {
		// As the viewer sees it: a rep gets their own lines only.
		a, err := b.db.Attainment(ctx, sc.Viewer, sc.Team, month, asOf)
		if err != nil {
			return Sheet{}, err
		}
		rows := func(name string, ra models.RepAttainment) {
			for _, ln := range ra.Lines {
				// Money as an Amount (the Deals sheet's cells), counts as numbers.
				var goal, done, pace any = float64(ln.Target), float64(ln.Actual), float64(ln.Pace)
				if ln.Metric == models.MetricValue {
					goal, done, pace = Amount(float64(ln.Target)/100), Amount(float64(ln.Actual)/100), Amount(float64(ln.Pace)/100)
				}
				sh.Rows = append(sh.Rows, []any{month.Key(), name, l.enum("metric", string(ln.Metric)), goal, ln.Currency,
					done, pace, int(ln.Percent()), l.enum("pace", string(ln.Status)), ln.Default, a.Elapsed, a.WorkingDays})
			}
		}
		if sc.RepID == 0 && a.Team != nil {
			rows(l.enum("scope", string(models.ScopeTeam)), *a.Team)
		}
		for _, ra := range a.Reps {
			if sc.RepID == 0 || ra.RepID == sc.RepID {
				rows(ra.Name, ra)
			}
		}
		month = models.AddMonths(month, 1)
	}
	return sh, nil
}
