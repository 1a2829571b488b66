package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/quick"
	"salesbot/models"
)

// The visit form asks the fields of models.VisitFields in order; the
// client, the contacts met and the next visit have steps of their own
// here, the others are derived from the table. "client_pick" and
// "next_date" are reached by a jump, and the fields the table does not
// ask (notes, place, duration) by an Edit button only.
func (b *Bot) visitForm() *Form {
	custom := map[models.Field][]*Step{
		models.FieldClient:    b.visitClientSteps(),
		models.FieldWhen:      {b.whenStep()},
		models.FieldContacts:  {b.contactsStep()},
		models.FieldNextVisit: b.nextVisitSteps(),
		models.FieldDeal:      {b.visitDealStep()},
	}
	steps := formSteps(visitKeys, visitDrafts, custom)
	withAttitude(steps)
	return &Form{
		Kind:     "visit",
		Steps:    append(steps, b.againStep()),
		Done:     b.visitDone,
		Describe: func(r *Request, st *FormState) string { return b.describeVisit(r, visitDrafts.of(st)) },
		Subject:  func(st *FormState) string { d := visitDrafts.of(st); return firstNonEmpty(d.ClientName, d.Typed) },
		// Once the client is known the rest is optional: Save on every step.
		CanSave: func(st *FormState) bool { d := visitDrafts.of(st); return d.ClientID != 0 || d.NewClient },
	}
}

// numberedStageAndAttitude reads a stage's button number with an attitude
// ("4 warm", "5 热心"): the stage buttons are numbered in the stages' order.
func numberedStageAndAttitude(text string) (models.Stage, models.Attitude, bool) {
	num, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	n, ok := buttonNumber(strings.TrimRight(num, ".,"))
	codes := models.EnumStage.Codes()
	if !ok || n < 1 || n > len(codes) {
		return "", "", false
	}
	a, ok := models.ParseAttitude(strings.TrimSpace(rest))
	if !ok {
		return "", "", false
	}
	return models.Stage(codes[n-1]), a, true
}

// withAttitude lets the stage step take the attitude too ("demo warm",
// "报价 热心"), answering both in one message: the form then goes on
// after the attitude step.
func withAttitude(steps []*Step) {
	var stage *Step
	after := ""
	for i, s := range steps {
		switch s.ID {
		case string(models.FieldStage):
			stage = s
		case string(models.FieldAttitude):
			if i+1 < len(steps) {
				after = steps[i+1].ID
			}
		}
	}
	if stage == nil || after == "" {
		return
	}
	read, parse := stage.Read, stage.Parse
	stage.Read = func(text string) (string, bool) {
		if v, ok := read(text); ok {
			return v, true
		}
		st, a, ok := models.ParseStageAndAttitude(text)
		if !ok {
			st, a, ok = numberedStageAndAttitude(text)
		}
		return string(st) + "+" + string(a), ok
	}
	stage.Parse = func(ctx context.Context, r *Request, st *FormState, a string) error {
		code, att, both := strings.Cut(a, "+")
		if err := parse(ctx, r, st, code); err != nil || !both {
			return err
		}
		return visitDrafts.update(st, func(d *visitDraft) error {
			d.Visit.Attitude = models.Attitude(att)
			if !st.Single {
				st.Jump = after
			}
			return nil
		})
	}
}

// visitClientSteps ask for the client. The form skips them when it starts
// with its client (Log visit under a follow-up); Edit still reaches them.
func (b *Bot) visitClientSteps() []*Step {
	steps := clientSteps(b, visitDrafts, "visit_q_client", "visit_q_client_type", func(d *visitDraft) (*clientChoice, setClientFunc) { return &d.clientChoice, d.setClient })
	steps[0].When = func(st *FormState) bool { d := visitDrafts.of(st); return d.ClientID == 0 && !d.NewClient }
	return steps
}

// whenStep asks when the visit took place: now, or a time typed as people
// say it ("today 10:30", "昨天下午3点"), never ahead of now.
func (b *Bot) whenStep() *Step {
	return &Step{ID: "when", Text: true, Optional: true,
		Prompt: func(r *Request, _ *FormState) string { return r.t("visit_q_when", nil) },
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			return []Choice{{r.t("visit_when_now", nil), "now"}}, nil
		},
		Parse: func(_ context.Context, r *Request, st *FormState, a string) error {
			return visitDrafts.update(st, func(d *visitDraft) error {
				at := r.Now.UTC()
				if a != "now" {
					var err error
					at, _, err = quick.ReadWhen(a, r.Now, r.Loc)
					if te := (*dates.TimeError)(nil); errors.As(err, &te) {
						return models.Errorf(models.EINVALID, "err_when_time_impossible", map[string]any{"Input": te.Text})
					}
					if err != nil {
						return models.Errorf(models.EINVALID, "err_when_unreadable", map[string]any{"Value": a})
					}
				}
				if err := models.CheckVisitTime(at, r.Now); err != nil {
					return err
				}
				d.At = &at
				return nil
			})
		},
		// Skipped, a new visit is now and an edited one keeps its time.
		OnSkip: func(*FormState) {}}
}

// againStep asks, only when the visit would double one logged within the
// hour with the same parts, whether to log it again; nothing is stored
// before Yes.
func (b *Bot) againStep() *Step {
	return &Step{ID: "again", When: never,
		Prompt: func(r *Request, st *FormState) string {
			d := visitDrafts.of(st)
			at := d.at(r.Now)
			if d.SameAt != nil {
				at = *d.SameAt
			}
			return r.t("visit_q_again", map[string]any{"Client": d.ClientName, "At": r.time(at)})
		},
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			return []Choice{{r.t("visit_again_yes", nil), "yes"}, {r.t("visit_again_no", nil), "no"}}, nil
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			return visitDrafts.update(st, func(d *visitDraft) error {
				d.Again, d.Drop = a == "yes", a != "yes"
				return nil
			})
		}}
}

// contactsStep collects the contacts met: the client's as buttons, or
// typed with their roles, until Done.
func (b *Bot) contactsStep() *Step {
	return &Step{ID: "contacts", Text: true, Optional: true, Columns: 2,
		Prompt:  b.contactsPrompt,
		Choices: b.contactChoices,
		Parse:   b.parseContactAnswer,
		OnSkip:  func(*FormState) {}}
}

// nextVisitSteps ask for the next visit: the team's rule, a quick choice,
// or (through "pick") a typed date.
func (b *Bot) nextVisitSteps() []*Step {
	return []*Step{
		{ID: "next", Text: true, Optional: true, Columns: 2,
			Prompt:  b.nextPrompt,
			Choices: b.nextChoices,
			Parse:   b.parseNext,
			OnSkip: func(st *FormState) {
				_ = visitDrafts.update(st, func(d *visitDraft) error { d.NextAt, d.NoFollowUp = nil, false; return nil })
			}},
		{ID: "next_date", Text: true, When: never,
			Prompt: func(r *Request, st *FormState) string { return r.t("visit_q_next_date", nil) },
			Parse:  b.parseNext},
	}
}

// never is the When of a step reached only by a jump or an Edit button.
func never(*FormState) bool { return false }

// nextPrompt shows the follow-up the team's rule would make.
func (b *Bot) nextPrompt(r *Request, st *FormState) string {
	d := visitDrafts.of(st)
	if d.RuleAt != nil {
		return r.t("visit_q_next", map[string]any{"Default": r.time(*d.RuleAt)})
	}
	days := models.RevisitInterval(d.RevisitDays)
	return r.t("visit_q_next", map[string]any{"Default": r.time(d.at(r.Now).In(r.Loc).AddDate(0, 0, days))})
}

func (b *Bot) contactsPrompt(r *Request, st *FormState) string {
	d := visitDrafts.of(st)
	var met []string
	for _, c := range d.Contacts {
		met = append(met, r.person(c.Name, c.Title, c.Roles))
	}
	so := ""
	if len(met) > 0 {
		so = r.list(met)
	}
	return r.t("visit_q_contacts", map[string]any{"Chosen": so})
}

// contactChoices offers the client's contacts, each chosen one marked ✓
// (a tap takes it off again), then the people typed in, then Done: a
// button keeps its place while the step is asked again. A client's only
// contact is chosen already the first time the form asks, since that is
// who a rep usually met.
func (b *Bot) contactChoices(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
	d := visitDrafts.of(st)
	var contacts []models.Contact
	if d.ClientID != 0 {
		var err error
		if contacts, err = b.store.Contacts(ctx, r.User, d.ClientID); err != nil {
			return nil, err
		}
	}
	if d.ClientID != 0 && d.Offered != d.ClientID && !st.Single {
		d.Offered = d.ClientID
		if len(d.Contacts) == 0 && len(contacts) == 1 {
			c := contacts[0]
			d.addContact(draftContact{ID: c.ID, Name: c.Name, Title: c.Title, Roles: c.Roles})
		}
		visitDrafts.store(st, d)
	}
	chosen := map[int64]bool{}
	for _, c := range d.Contacts {
		chosen[c.ID] = c.ID != 0
	}
	var cs []Choice
	for _, c := range contacts {
		label := r.contact(c.Name, c.Roles)
		if chosen[c.ID] {
			label = "✓ " + label
		}
		cs = append(cs, Choice{label, idValue(c.ID)})
	}
	for _, c := range d.Contacts {
		if c.ID == 0 {
			cs = append(cs, Choice{"✓ " + r.person(c.Name, c.Title, c.Roles), "rm:" + c.Name})
		}
	}
	return append(cs, Choice{r.t("visit_contacts_done", nil), "done"}), nil
}

func (b *Bot) parseContactAnswer(ctx context.Context, r *Request, st *FormState, a string) error {
	if a == "done" {
		return nil
	}
	err := visitDrafts.update(st, func(d *visitDraft) error {
		if name, ok := strings.CutPrefix(a, "rm:"); ok {
			d.removeContact(0, name)
			return nil
		}
		if id, ok := parseID(a); ok {
			if d.removeContact(id, "") {
				return nil
			}
			contacts, err := b.store.Contacts(ctx, r.User, d.ClientID)
			if err != nil {
				return err
			}
			for _, c := range contacts {
				if c.ID == id {
					d.addContact(draftContact{ID: c.ID, Name: c.Name, Title: c.Title, Roles: c.Roles})
					return nil
				}
			}
			return models.Errorf(models.EINVALID, "form_choose", nil)
		}
		people, ok := quick.ParseContacts(a)
		if !ok {
			return models.Errorf(models.EINVALID, "err_contact_unreadable", map[string]any{"Value": a})
		}
		for _, p := range people {
			if err := models.CheckText(models.FieldContactName, p.Name, models.MaxShortLen); err != nil {
				return err
			}
			d.addContact(draftContact{Name: p.Name, Title: p.Title, Roles: p.Roles})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return ErrAskAgain
}

// teamRevisit is a team's one-week rule as the next-visit step and the
// confirmation state it: the interval in days and the working hours (the
// defaults when the team cannot be read, so a prompt is never lost to it).
func (b *Bot) teamRevisit(ctx context.Context, teamID int64) (int, models.WorkingHours) {
	t, err := b.store.Team(ctx, teamID)
	if err != nil {
		return models.DefaultRevisitDays, models.DefaultWorkingHours()
	}
	return models.RevisitInterval(t.RevisitDays), t.Hours
}

// revisitDays is the team's revisit interval: from the user's membership
// (read with the user, in this update's transaction), else the team's.
func (b *Bot) revisitDays(ctx context.Context, r *Request, teamID int64) int {
	if m, ok := r.User.Membership(teamID); ok {
		return models.RevisitInterval(m.RevisitDays)
	}
	days, _ := b.teamRevisit(ctx, teamID)
	return days
}

// nextChoices offers the next visit: the team's rule (its date kept in the
// draft for the prompt), 2 days, 2 weeks, a date, or none.
func (b *Bot) nextChoices(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
	d := visitDrafts.of(st)
	team := d.TeamID
	if team == 0 {
		team = r.User.PrimaryTeam()
	}
	days, hours := b.teamRevisit(ctx, team)
	d.RevisitDays = days
	if at, _, ok := models.RevisitDue(&models.Visit{At: d.at(r.Now)}, days, hours, r.Loc); ok {
		d.RuleAt = &at
	}
	visitDrafts.store(st, d)
	def := r.t("visit_next_default_week", nil)
	if days != models.DefaultRevisitDays {
		def = r.t("visit_next_default_days", map[string]any{"Days": days})
	}
	return []Choice{
		{def, "default"},
		{r.t("visit_next_2d", nil), "d2"},
		{r.t("visit_next_2w", nil), "w2"},
		{r.t("visit_next_pick", nil), "pick"},
		{r.t("visit_next_none", nil), "none"},
	}, nil
}

// parseNext reads the next visit: a button, or a date as people type it,
// which must lie ahead.
func (b *Bot) parseNext(_ context.Context, r *Request, st *FormState, a string) error {
	return visitDrafts.update(st, func(d *visitDraft) error {
		local := r.Now.In(r.Loc)
		set := func(t time.Time) { u := t.UTC(); d.NextAt, d.NoFollowUp = &u, false }
		switch a {
		case "default":
			d.NextAt, d.NoFollowUp = nil, false
		case "d2":
			set(local.AddDate(0, 0, 2))
		case "w2":
			set(local.AddDate(0, 0, 14))
		case "none":
			d.NextAt, d.NoFollowUp = nil, true
		case "pick":
			st.Jump = "next_date"
		default:
			at, err := b.readDate(r, a)
			if err != nil {
				return err
			}
			set(at)
		}
		return nil
	})
}

// readDate reads a future date as typed ("friday 10:00", "下周三").
func (b *Bot) readDate(r *Request, text string) (time.Time, error) {
	res, err := dates.Parse(text, r.Now, dates.Options{Location: r.Loc})
	if te := (*dates.TimeError)(nil); errors.As(err, &te) {
		return time.Time{}, models.Errorf(models.EINVALID, "err_date_time_impossible", map[string]any{"Input": te.Text})
	}
	if err != nil || res.Rest != "" {
		return time.Time{}, models.Errorf(models.EINVALID, "err_date_unreadable", map[string]any{"Value": text})
	}
	if err := models.CheckNextVisit(res.Time, r.Now); err != nil {
		return time.Time{}, err
	}
	return res.Time, nil
}

// describeVisit is what a cancelled or expired visit form had collected.
func (b *Bot) describeVisit(r *Request, d *visitDraft) string {
	v := d.record()
	lines := shownLines(r, visitKeys, models.VisitFields, &v, func(f *models.FieldSpec[models.Visit]) (string, bool) {
		switch f.Name {
		case models.FieldClient:
			return labelled(r, visitKeys, f, firstNonEmpty(d.ClientName, d.Typed)), true
		case models.FieldContacts:
			return metLine(r, d.Contacts), true
		case models.FieldDeal:
			return "", true
		}
		return "", false
	})
	for i := range lines {
		lines[i] = "• " + lines[i]
	}
	return strings.Join(lines, "\n")
}

// metLine lists the contacts met ("" for none).
func metLine(r *Request, cs []draftContact) string {
	var met []string
	for _, c := range cs {
		met = append(met, r.person(c.Name, c.Title, c.Roles))
	}
	if len(met) == 0 {
		return ""
	}
	return r.t("sum_met", map[string]any{"Value": clip(r.list(met), readingLen)})
}
