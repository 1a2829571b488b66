package bot

// A tapped lost reason files the deal at once; then a short form asks what
// the button could not say, so that "why we lose" can be counted: for a
// loss to a competitor, which one (the deal's competitors as buttons, or
// a name typed), and the client's words. Skipped, the deal stays filed
// with its reason only; a command ends the form, nothing to lose.

import (
	"context"
	"strconv"
	"unicode/utf8"

	"salesbot/models"
)

// askLostNote starts the lost-deal note form for deal d, just filed as lost.
func (b *Bot) askLostNote(ctx context.Context, r *Request, d *models.Deal) error {
	return b.StartForm(ctx, r, "lostwhy", map[string]string{
		"deal": strconv.FormatInt(d.ID, 10), "title": d.Title, "reason": string(d.LostReason)})
}

func (b *Bot) lostNoteForm() *Form {
	dealID := func(st *FormState) int64 {
		id, _ := strconv.ParseInt(st.Get("deal"), 10, 64)
		return id
	}
	to := &Step{ID: "to", Text: true, Optional: true,
		When: func(st *FormState) bool { return st.Get("reason") == string(models.LostCompetitor) },
		Prompt: func(r *Request, st *FormState) string {
			return r.t("deal_lost_to_q", map[string]any{"Title": st.Get("title")})
		},
		Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
			d, err := b.store.Deal(ctx, r.User, dealID(st))
			if err != nil {
				return nil, err
			}
			out := make([]Choice, 0, len(d.Competitors))
			for _, c := range d.Competitors {
				out = append(out, Choice{c.Name, c.Name})
			}
			return out, nil
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			if utf8.RuneCountInString(a) > models.MaxDealTitle {
				return models.Errorf(models.EINVALID, "err_deal_too_long", map[string]any{"Max": models.MaxDealTitle})
			}
			st.Set("to", a)
			return nil
		}}
	words := &Step{ID: "words", Text: true, Optional: true, NumbersAreText: true,
		Prompt: func(r *Request, st *FormState) string {
			return r.t("deal_lost_words_q", map[string]any{"Title": st.Get("title")})
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			if err := models.CheckText(models.FieldNotes, a, models.MaxDealText); err != nil {
				return err
			}
			st.Set("words", a)
			return nil
		}}
	return &Form{
		Kind:  "lostwhy",
		Steps: []*Step{to, words},
		Done: func(ctx context.Context, r *Request, st *FormState) error {
			to, words := st.Get("to"), st.Get("words")
			if to == "" && words == "" {
				r.say("deal_lost_note_none", map[string]any{"Title": st.Get("title")})
				return nil
			}
			d, err := b.store.NoteLostDeal(ctx, r.User, dealID(st), func(d *models.Deal) error {
				return d.NoteLost(b.clock.Now(), to, words)
			})
			if err != nil {
				return err
			}
			b.sayClosed(ctx, r, d)
			return nil
		},
		// The deal is filed already: a cancel keeps it as it is.
		Describe:      func(*Request, *FormState) string { return "" },
		Subject:       func(st *FormState) string { return st.Get("title") },
		EndsOnCommand: true,
	}
}
