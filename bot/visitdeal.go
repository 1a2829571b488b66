package bot

// A visit is for one of its client's open deals: with one open deal the
// visit is linked to it, with several the bot asks which (or none) with
// buttons, in the quick /visit path and in the form alike (both end in
// visitDone). The visit's stage then advances the deal's stage; the
// confirmation says which deal moved and to what, and an undo or an edit
// of the visit takes it back (storage/deal_links.go).

import (
	"context"
	"strconv"

	"salesbot/internal/storage"
	"salesbot/models"
)

// openDealsOf lists a client's open deals for the user.
func (b *Bot) openDealsOf(ctx context.Context, r *Request, clientID int64) ([]*models.Deal, error) {
	deals, err := b.store.ClientDeals(ctx, r.User, clientID)
	if err != nil {
		return nil, err
	}
	var open []*models.Deal
	for _, d := range deals {
		if d.State == models.DealOpen {
			open = append(open, d)
		}
	}
	return open, nil
}

// settleDeal links the draft to its client's open deal, asking (the
// "deal" step, through ask) when there are several. It reports whether it
// asked.
func (b *Bot) settleDeal(ctx context.Context, r *Request, d *visitDraft, ask func(step string) error) (bool, error) {
	if d.DealAsked || d.ClientID == 0 {
		return false, nil
	}
	var n int // 0, 1, or more
	var first int64
	if l := d.lookedUp(); l != nil {
		// The name lookup counted them.
		n, first = l.OpenDeals, l.OpenDeal
	} else {
		open, err := b.openDealsOf(ctx, r, d.ClientID)
		if err != nil {
			return false, err
		}
		if n = len(open); n > 0 {
			first = open[0].ID
		}
	}
	switch n {
	case 0:
		d.DealAsked = true
	case 1:
		d.DealID, d.DealAsked = first, true
	default:
		return true, ask(string(models.FieldDeal))
	}
	return false, nil
}

// visitDealStep asks which of the client's open deals the visit was for:
// asked by settleDeal and by the confirmation's Edit button.
func (b *Bot) visitDealStep() *Step {
	return &Step{ID: string(models.FieldDeal), When: never, Columns: 1,
		Prompt: func(r *Request, st *FormState) string {
			return r.t("visit_q_deal", map[string]any{"Client": visitDrafts.of(st).ClientName})
		},
		Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
			d := visitDrafts.of(st)
			var cs []Choice
			if d.ClientID != 0 {
				open, err := b.openDealsOf(ctx, r, d.ClientID)
				if err != nil {
					return nil, err
				}
				for _, deal := range open {
					label := deal.Title
					if deal.Stage != models.StageNone {
						label += " · " + r.stage(deal.Stage)
					}
					if deal.ID == d.DealID {
						label = "✓ " + label
					}
					cs = append(cs, Choice{label, idValue(deal.ID)})
				}
			}
			return append(cs, Choice{r.t("visit_deal_none", nil), "none"}), nil
		},
		Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
			return visitDrafts.update(st, func(d *visitDraft) error {
				if a == "none" {
					d.DealID, d.DealAsked = 0, true
					return nil
				}
				id, ok := parseID(a)
				if !ok || d.ClientID == 0 {
					return models.Errorf(models.EINVALID, "form_choose", nil)
				}
				open, err := b.openDealsOf(ctx, r, d.ClientID)
				if err != nil {
					return err
				}
				for _, deal := range open {
					if deal.ID == id {
						d.DealID, d.DealAsked = id, true
						return nil
					}
				}
				return models.Errorf(models.EINVALID, "form_choose", nil)
			})
		}}
}

// visitDealLines say what a saved visit did to its deal: advanced (from
// and to), unchanged, not moved back, or just linked; and a deal that
// closed before the visit was saved.
func (b *Bot) visitDealLines(ctx context.Context, r *Request, s *storage.SavedVisit) []string {
	var lines []string
	if u := s.DealUnlinked; u != nil {
		lines = append(lines, r.t("visit_deal_closed", map[string]any{"Deal": u.Title}))
	}
	m := s.Deal
	if m == nil {
		if s.Visit.DealID == 0 {
			return lines
		}
		d, err := b.store.Deal(ctx, r.User, s.Visit.DealID)
		if err != nil {
			return lines
		}
		return append(lines, r.t("visit_deal_linked", map[string]any{"Deal": d.Title, "Stage": stageOrNone(r, d.Stage)}))
	}
	data := map[string]any{"Deal": m.Deal.Title, "From": stageOrNone(r, m.Before), "To": r.stage(m.Deal.Stage),
		"ID": strconv.FormatInt(m.Deal.ID, 10)}
	switch {
	case s.Visit.Stage == models.StageLost:
		return append(lines, r.t("visit_deal_lost_hint", data))
	case m.Outcome == models.OutcomeAdvanced && m.Before == models.StageNone:
		return append(lines, r.t("visit_deal_first", data))
	case m.Outcome == models.OutcomeAdvanced:
		return append(lines, r.t("visit_deal_advanced", data))
	case m.Outcome == models.OutcomeSame:
		return append(lines, r.t("visit_deal_same", data))
	case m.Outcome == models.OutcomeNotBack:
		return append(lines, r.t("visit_deal_not_back", data))
	}
	return append(lines, r.t("visit_deal_linked", map[string]any{"Deal": m.Deal.Title, "Stage": stageOrNone(r, m.Deal.Stage)}))
}

// stageOrNone is a stage's label, or "none yet".
func stageOrNone(r *Request, s models.Stage) string {
	if s == models.StageNone {
		return r.t("deal_stage_none", nil)
	}
	return r.stage(s)
}
