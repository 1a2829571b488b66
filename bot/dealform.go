package bot

// The deal form (/deal without text): one question a step, buttons for the
// choices (the client from recent ones, the close month, the budget, the
// customer's procurement step), free text for the rest as the quick /deal
// reads it (quantities, amounts, competitors, the next step and its date).
// Save is offered on every step once the client and the title are known.

import (
	"context"
	"strings"
	"unicode/utf8"

	"salesbot/internal/quick"
	"salesbot/models"
)

// dealDraft is a deal being entered, kept in the form state.
type dealDraft struct {
	clientChoice
	Deal models.Deal `json:"deal"`
}

var dealDrafts = draftStore[models.Deal, dealDraft]{"d", nil, func(d *dealDraft) *models.Deal { return &d.Deal }}

// dealCloseMonths is how many months from this one the close step offers.
const dealCloseMonths = 6

func (b *Bot) dealForm() *Form {
	steps := clientSteps(b, dealDrafts, "deal_q_client", "deal_q_client_type", func(d *dealDraft) (*clientChoice, setClientFunc) {
		return &d.clientChoice, d.clientChoice.set
	})
	text := func(id string, numbers bool, parse func(r *Request, d *models.Deal, a string) error) *Step {
		return &Step{ID: id, Text: true, Optional: true, NumbersAreText: numbers,
			Prompt: func(r *Request, _ *FormState) string { return r.t("deal_q_"+id, nil) },
			Parse: func(_ context.Context, r *Request, st *FormState, a string) error {
				return dealDrafts.update(st, func(d *dealDraft) error { return parse(r, &d.Deal, strings.TrimSpace(a)) })
			}}
	}
	title := text("title", true, func(_ *Request, d *models.Deal, a string) error {
		switch {
		case a == "":
			return models.Errorf(models.EINVALID, "err_deal_no_title", nil)
		case utf8.RuneCountInString(a) > models.MaxDealTitle:
			return models.Errorf(models.EINVALID, "err_deal_too_long", map[string]any{"Max": models.MaxDealTitle})
		}
		d.Title = a
		return nil
	})
	title.Optional = false
	units := text("units", true, func(_ *Request, d *models.Deal, a string) error {
		q, err := quick.ParseQuantity(a)
		d.Units = q.Units
		return err
	})
	value := text("value", true, func(_ *Request, d *models.Deal, a string) error {
		v, err := quick.ParseAmount(a)
		d.Value = models.Money{Minor: v.Minor, Currency: v.Currency}
		return err
	})
	closeStep := text("close", true, func(r *Request, d *models.Deal, a string) error {
		m, ok := models.ParseMonthKey(a)
		if !ok || a == "" {
			if m, ok = quick.ParseMonth(a, r.Now, r.Loc); !ok {
				return models.Errorf(models.EINVALID, "err_deal_month", map[string]any{"Text": a})
			}
		}
		d.CloseMonth = m
		return nil
	})
	closeStep.Columns = 3
	closeStep.Choices = func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
		m := models.MonthOf(r.Now, r.Loc)
		var cs []Choice
		for i := 0; i < dealCloseMonths; i++ {
			k := models.AddMonths(m, i).Key()
			cs = append(cs, Choice{k, k})
		}
		return cs, nil
	}
	budget := text("budget", false, func(_ *Request, d *models.Deal, a string) error {
		if st := models.BudgetStatus(a); st == models.BudgetKnown || st == models.BudgetApproved || st == models.BudgetNone {
			d.Budget = st
			return nil
		}
		st, v, err := quick.ParseBudget(a)
		if err != nil {
			return err
		}
		d.Budget, d.BudgetAmount = st, models.Money{Minor: v.Minor, Currency: v.Currency}
		return nil
	})
	budget.NumbersAreText = true
	budget.Choices = func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
		var cs []Choice
		for _, s := range models.BudgetStatuses {
			cs = append(cs, Choice{budgetKeys.label(r.cat, r.Lang, s), string(s)})
		}
		return cs, nil
	}
	budget.Columns = 3
	step := &Step{ID: "step", Optional: true, Columns: 2,
		Prompt: func(r *Request, _ *FormState) string { return r.t("deal_q_step", nil) },
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			var cs []Choice
			for _, s := range models.ProcurementSteps {
				cs = append(cs, Choice{stepKeys.label(r.cat, r.Lang, s), string(s)})
			}
			return cs, nil
		},
		Read: func(s string) (string, bool) { st, ok := models.ParseProcurementStep(s); return string(st), ok },
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			return dealDrafts.update(st, func(d *dealDraft) error {
				s := models.ProcurementStep(a)
				if s.Index() < 0 {
					return models.Errorf(models.EINVALID, "form_choose", nil)
				}
				d.Deal.Step = s
				return nil
			})
		}}
	competitors := text("competitors", false, func(r *Request, d *models.Deal, a string) error {
		a, _ = r.cat.cutCompetitorWord(a)
		cs, err := quick.ParseCompetitors(a)
		d.Competitors = cs
		return err
	})
	next := text("next", false, func(r *Request, d *models.Deal, a string) error {
		t, at, err := quick.ParseNextStep(a, r.Now, r.Loc)
		if err != nil {
			return err
		}
		if utf8.RuneCountInString(t) > models.MaxDealText {
			return models.Errorf(models.EINVALID, "err_deal_too_long", map[string]any{"Max": models.MaxDealTitle})
		}
		d.NextStep, d.NextStepAt = t, at
		return nil
	})
	steps = append(steps, title, units, value, closeStep, budget, step, competitors, next)
	return &Form{
		Kind:     "deal",
		Steps:    steps,
		Done:     b.dealFormDone,
		Describe: func(r *Request, st *FormState) string { return b.describeDeal(r, dealDrafts.of(st)) },
		Subject:  func(st *FormState) string { d := dealDrafts.of(st); return firstNonEmpty(d.ClientName, d.Typed) },
		CanSave: func(st *FormState) bool {
			d := dealDrafts.of(st)
			return (d.ClientID != 0 || d.NewClient) && d.Deal.Title != ""
		},
	}
}

// cutCompetitorWord drops a leading "vs"/"竞品" typed at the competitors
// step out of habit.
func (c *Catalogue) cutCompetitorWord(a string) (string, bool) {
	for _, w := range c.wordsOf(wordDealVs) {
		if rest, ok := strings.CutPrefix(strings.ToLower(a), w); ok && (rest == "" || rest[0] == ' ' || w[0] >= 0x80) {
			return strings.TrimSpace(a[len(w):]), true
		}
	}
	return a, false
}

// dealFormDone saves the deal the form collected (a client named for the
// first time is created with it), first asking for the client and the
// title when they are missing.
func (b *Bot) dealFormDone(ctx context.Context, r *Request, st *FormState) error {
	d := dealDrafts.of(st)
	if asked, err := b.settleClient(ctx, r, st, "deal", &d.clientChoice, d.clientChoice.set, func() { dealDrafts.store(st, d) }); asked || err != nil {
		return err
	}
	if d.Deal.Title == "" {
		dealDrafts.store(st, d)
		return b.AskStep(ctx, r, "deal", "title", st)
	}
	c := &models.Client{ID: d.ClientID, Name: d.ClientName}
	if c.ID == 0 {
		team, err := b.entryTeam(r, d.TeamID)
		if err != nil {
			return err
		}
		c.TeamID, c.OwnerID = team, r.User.ID
	}
	deal := d.Deal
	return b.createDeal(ctx, r, c, &deal)
}

// sayDealSaved confirms a new deal with its fields.
func (b *Bot) sayDealSaved(r *Request, client string, d *models.Deal) {
	lines := []string{r.t("deal_saved", map[string]any{"Client": client, "Title": d.Title})}
	lines = append(lines, dealDetails(r, d)...)
	lines = append(lines, r.t("deal_saved_hint", map[string]any{"Client": client}))
	r.reply(strings.Join(lines, "\n"), nil)
}

// describeDeal is what a cancelled or expired deal form had collected.
func (b *Bot) describeDeal(r *Request, d *dealDraft) string {
	var lines []string
	if name := firstNonEmpty(d.ClientName, d.Typed); name != "" {
		lines = append(lines, r.t("deal_f_client", map[string]any{"V": name}))
	}
	if d.Deal.Title != "" {
		lines = append(lines, r.t("deal_f_title", map[string]any{"V": d.Deal.Title}))
	}
	return strings.Join(append(lines, dealDetails(r, &d.Deal)...), "\n")
}
