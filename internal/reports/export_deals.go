package reports

import (
	"context"
	"strings"
	"time"

	"salesbot/internal/storage"
	"salesbot/models"
)

// dealSheet lists the deals of the scope that were open at some time in
// the period (storage.ExportDeals): one row a deal, typed cells (units
// and amounts as numbers, the currency apart, the close month as a month,
// times as dates), labels in the reader's language, competitors as
// "Brand X (X1, unhappy, rep Li)" joined by "; ".
func (b *Builder) dealSheet(ctx context.Context, sc storage.RecordScope, l ExportLabels) (Sheet, error) {
	deals, err := b.db.ExportDeals(ctx, sc)
	sh := newSheet(l, "deals",
		Column{"Deal", KindInt, 7}, Column{"Client", KindText, 24}, Column{"Title", KindText, 24}, Column{"Rep", KindText, 16},
		Column{"Product/model", KindText, 18}, Column{"Units", KindInt, 8}, Column{"Value", KindMoney, 14}, Column{"Currency", KindText, 9},
		Column{"Expected close", KindMonth, 10}, Column{"Stage", KindText, 16}, Column{"Procurement step", KindText, 18},
		Column{"Budget", KindText, 10}, Column{"Budget amount", KindMoney, 14}, Column{"Competitors", KindText, 36},
		Column{"Next step", KindText, 24}, Column{"Next step on", KindTime, 17}, Column{"State", KindText, 8},
		Column{"Lost reason", KindText, 14}, Column{"Lost to", KindText, 16}, Column{"Why lost", KindText, 30},
		Column{"Created", KindTime, 17}, Column{"Closed", KindTime, 17},
	)
	return fill(sh, deals, err, func(d *models.DealRecord) []any {
		comps := make([]string, len(d.Competitors))
		for i, c := range d.Competitors {
			comps[i] = c.Text(l.RepWord)
		}
		var month any = ""
		if !d.CloseMonth.IsZero() {
			month = MonthCell(d.CloseMonth)
		}
		budget := ""
		if d.Budget != models.BudgetUnknown {
			budget = l.enum("dbudget", string(d.Budget))
		}
		return []any{int(d.ID), d.Client, d.Title, d.Owner, d.Product, int(d.Units), amountCell(d.Value), d.Value.Currency,
			month, l.enum("stage", string(d.Stage)), l.enum("dstep", string(d.Step)), budget, amountCell(d.BudgetAmount),
			strings.Join(comps, "; "), d.NextStep, orEmpty(&d.NextStepAt), l.enum("dstate", string(d.State)),
			l.enum("dlost", string(d.LostReason)), d.LostTo, d.LostWords, d.CreatedAt.UTC(), orEmpty(&d.ClosedAt)}
	})
}

// amountCell is an amount as a number cell, empty for none.
func amountCell(m models.Money) any {
	if m.IsZero() {
		return ""
	}
	return Amount(float64(m.Minor) / 100)
}

// monthTime is the first day of a month cell, for a spreadsheet date.
func monthTime(m MonthCell) time.Time { return time.Date(m.Year, m.Mon, 1, 0, 0, 0, 0, time.UTC) }
