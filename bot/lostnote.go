package bot

// Filing a deal as lost is a short form, so that "why we lose" can be
// counted: the reason from the list (buttons; skipped when typed with
// the command), then for a loss to a competitor which one (the deal's
// competitors as buttons, or a name typed; skipped when typed with the
// command), then the client's words
// (skipped when typed with the command). The deal is filed as lost the
// moment the reason is known; what follows is added to it, and Skip keeps
// it filed with what it has. A command ends the form, nothing to lose.

import (
	"context"
	"slices"
	"strconv"
	"unicode/utf8"

	"salesbot/models"
)

// askLostReason starts the lost-deal form for a deal still open: words
// and competitor typed with the command are kept for it.
func (b *Bot) askLostReason(ctx context.Context, r *Request, dealID int64, words, to string) error {
	d, err := b.store.Deal(ctx, r.User, dealID)
	if err != nil {
		return err
	}
	if d.State != models.DealOpen {
		return models.Errorf(models.ECONFLICT, "err_deal_closed", map[string]any{"Title": d.Title})
	}
	return b.StartForm(ctx, r, "lostwhy", map[string]string{
		"deal": strconv.FormatInt(d.ID, 10), "title": d.Title, "words": words, "to": to})
}

// askLostNote starts the lost-deal form for deal d, just filed as lost by
// a reason button or typed with its reason but no competitor: it asks the
// rest (the client's words filed with it are not asked again).
func (b *Bot) askLostNote(ctx context.Context, r *Request, d *models.Deal) error {
	return b.StartForm(ctx, r, "lostwhy", map[string]string{
		"deal": strconv.FormatInt(d.ID, 10), "title": d.Title, "reason": string(d.LostReason), "filed": "1",
		"words": d.LostWords, "typed_words": d.LostWords})
}

func (b *Bot) lostNoteForm() *Form {
	return &Form{
		Kind:  "lostwhy",
		Steps: []*Step{b.lostReasonStep(), b.lostToStep(), lostWordsStep()},
		Done:  b.lostNoteDone,
		// What is filed stays filed: a cancel has nothing to take back.
		Describe:      func(*Request, *FormState) string { return "" },
		Subject:       func(st *FormState) string { return st.Get("title") },
		EndsOnCommand: true,
		// A cancel or an expiry says what stands, not "nothing was saved".
		Closing: func(r *Request, st *FormState) string {
			if st.Get("filed") == "" {
				return r.t("deal_lost_unfiled_closed", map[string]any{"Title": st.Get("title")})
			}
			return r.t("deal_lost_note_closed", map[string]any{"Title": st.Get("title")})
		},
	}
}

// lostDealID is the deal the lost-deal form is about.
func lostDealID(st *FormState) int64 {
	id, _ := strconv.ParseInt(st.Get("deal"), 10, 64)
	return id
}

// lostReasonStep asks why the deal was lost (unless it is filed already)
// and files it as lost the moment the reason is known.
func (b *Bot) lostReasonStep() *Step {
	return &Step{ID: "reason",
		When: func(st *FormState) bool { return st.Get("filed") == "" },
		Prompt: func(r *Request, st *FormState) string {
			return r.t("deal_lost_ask", map[string]any{"Title": st.Get("title"), "ID": st.Get("deal")})
		},
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			out := make([]Choice, len(models.LostReasons))
			for i, reason := range models.LostReasons {
				out[i] = Choice{lostKeys.label(r.cat, r.Lang, reason), string(reason)}
			}
			return out, nil
		},
		Read: func(s string) (string, bool) { lr, ok := models.ParseLostReason(s); return string(lr), ok },
		Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
			lr := models.LostReason(a)
			if !slices.Contains(models.LostReasons, lr) {
				return models.Errorf(models.EINVALID, "err_deal_lost_reason", nil)
			}
			d, err := b.store.CloseDeal(ctx, r.User, lostDealID(st), func(d *models.Deal) error {
				return d.Lost(b.clock.Now(), lr, st.Get("words"), st.Get("to"))
			})
			if err != nil {
				if models.ErrorCode(err) == models.EINTERNAL {
					return err
				}
				// Closed or gone meanwhile: say so and ask nothing more.
				b.renderError(r, err)
				st.Set("gone", "1")
				return nil
			}
			b.sayClosed(ctx, r, d)
			st.Set("reason", a)
			st.Set("filed", "1")
			// Typed with the command, these are filed already.
			st.Set("typed_words", st.Get("words"))
			st.Set("typed_to", st.Get("to"))
			return nil
		}}
}

// lostToStep asks which competitor won a deal lost to one, unless typed
// with the command: the deal's competitors as buttons, or a name typed.
func (b *Bot) lostToStep() *Step {
	return &Step{ID: "to", Text: true, Optional: true,
		When: func(st *FormState) bool {
			return st.Get("gone") == "" && st.Get("reason") == string(models.LostCompetitor) && st.Get("typed_to") == ""
		},
		Prompt: func(r *Request, st *FormState) string {
			return r.t("deal_lost_to_q", map[string]any{"Title": st.Get("title")})
		},
		Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
			d, err := b.store.Deal(ctx, r.User, lostDealID(st))
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
}

// lostWordsStep asks the client's words, unless typed with the command.
func lostWordsStep() *Step {
	return &Step{ID: "words", Text: true, Optional: true, NumbersAreText: true,
		When: func(st *FormState) bool { return st.Get("gone") == "" && st.Get("typed_words") == "" },
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
}

// lostNoteDone adds to the lost deal what the form asked after the reason
// (the competitor, the client's words); when nothing was given at all it
// says the deal stays filed without a note.
func (b *Bot) lostNoteDone(ctx context.Context, r *Request, st *FormState) error {
	if st.Get("gone") != "" || st.Get("filed") == "" {
		return nil
	}
	// Only what this form asked for; the rest was filed with the reason.
	to, words := st.Get("to"), st.Get("words")
	if to == st.Get("typed_to") {
		to = ""
	}
	if words == st.Get("typed_words") {
		words = ""
	}
	if to == "" && words == "" {
		if st.Get("typed_to") == "" && st.Get("typed_words") == "" {
			r.say("deal_lost_note_none", map[string]any{"Title": st.Get("title")})
		}
		return nil
	}
	d, err := b.store.NoteLostDeal(ctx, r.User, lostDealID(st), func(d *models.Deal) error {
		return d.NoteLost(b.clock.Now(), to, words)
	})
	if err != nil {
		return err
	}
	b.sayClosed(ctx, r, d)
	return nil
}
