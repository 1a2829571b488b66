package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/quick"
	"salesbot/models"
)

// The visit form: client, method, contacts met, stage, attitude, talking
// points, the client's view, next step, next visit. "client_pick",
// "next_date" and "notes" are reached by a jump or an Edit button only.
func (b *Bot) visitForm() *Form {
	never := func(*FormState) bool { return false }
	text := func(id string, set func(d *visitDraft, v string)) *Step {
		return &Step{ID: id, Text: true, Optional: true,
			Prompt: func(r *Request, st *FormState) string { return b.visitPrompt(r, st, id) },
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				return updateVisit(st, func(d *visitDraft) error { set(d, strings.TrimSpace(a)); return nil })
			},
			OnSkip: func(st *FormState) { _ = updateVisit(st, func(d *visitDraft) error { set(d, ""); return nil }) },
		}
	}
	return &Form{
		Kind: "visit",
		Steps: []*Step{
			{ID: "client", Text: true, Columns: 2,
				// Skipped when the form starts with its client (Log visit
				// under a follow-up); Edit still reaches it.
				When:    func(st *FormState) bool { d := visitDraftOf(st); return d.ClientID == 0 && !d.NewClient },
				Prompt:  func(r *Request, st *FormState) string { return r.t("visit_q_client", nil) },
				Choices: b.recentClientChoices,
				Parse:   b.parseVisitClient},
			{ID: "client_pick", When: never, Columns: 1,
				Prompt: func(r *Request, st *FormState) string {
					return r.t("visit_q_client_pick", map[string]any{"Name": visitDraftOf(st).Typed})
				},
				Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
					d := visitDraftOf(st)
					return b.candidateChoices(ctx, r, d.Typed, d.Candidates)
				},
				Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
					return updateVisit(st, func(d *visitDraft) error { return b.pickClient(ctx, r, a, &d.clientChoice, d.setClient) })
				}},
			{ID: "method", Optional: true, Columns: 2,
				Prompt: func(r *Request, st *FormState) string { return r.t("visit_q_method", nil) },
				Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
					var cs []Choice
					for _, m := range models.Methods {
						cs = append(cs, Choice{r.method(m), string(m)})
					}
					return cs, nil
				},
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					return updateVisit(st, func(d *visitDraft) error { d.Method = models.Method(a); return nil })
				},
				OnSkip: func(st *FormState) {
					_ = updateVisit(st, func(d *visitDraft) error { d.Method = ""; return nil })
				}},
			{ID: "contacts", Text: true, Optional: true, Columns: 2,
				Prompt:  b.contactsPrompt,
				Choices: b.contactChoices,
				Parse:   b.parseContactAnswer,
				OnSkip:  func(*FormState) {}},
			{ID: "stage", Optional: true, Columns: 2,
				Prompt: func(r *Request, st *FormState) string { return b.visitPrompt(r, st, "stage") },
				Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
					var cs []Choice
					for i, s := range models.Stages {
						cs = append(cs, Choice{fmt.Sprintf("%d. %s", i+1, r.stage(s)), string(s)})
					}
					return append(cs, Choice{"✗ " + r.stage(models.StageLost), string(models.StageLost)}), nil
				},
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					return updateVisit(st, func(d *visitDraft) error { d.Stage = models.Stage(a); return nil })
				},
				OnSkip: func(st *FormState) {
					_ = updateVisit(st, func(d *visitDraft) error { d.Stage = ""; return nil })
				}},
			{ID: "attitude", Optional: true, Columns: 3,
				Prompt: func(r *Request, st *FormState) string { return r.t("visit_q_attitude", nil) },
				Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
					var cs []Choice
					for _, a := range models.Attitudes {
						cs = append(cs, Choice{r.attitude(a), string(a)})
					}
					return cs, nil
				},
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					return updateVisit(st, func(d *visitDraft) error { d.Attitude = models.Attitude(a); return nil })
				},
				OnSkip: func(st *FormState) {
					_ = updateVisit(st, func(d *visitDraft) error { d.Attitude = ""; return nil })
				}},
			text("points", func(d *visitDraft, v string) { d.TalkingPoints = v }),
			text("view", func(d *visitDraft, v string) { d.ClientView = v }),
			text("next_step", func(d *visitDraft, v string) { d.NextStep = v }),
			{ID: "next", Text: true, Optional: true, Columns: 2,
				Prompt:  func(r *Request, st *FormState) string { return b.visitPrompt(r, st, "next") },
				Choices: b.nextChoices,
				Parse:   b.parseNext,
				OnSkip: func(st *FormState) {
					_ = updateVisit(st, func(d *visitDraft) error { d.NextAt, d.NoFollowUp = nil, false; return nil })
				}},
			{ID: "next_date", Text: true, When: never,
				Prompt: func(r *Request, st *FormState) string { return r.t("visit_q_next_date", nil) },
				Parse:  b.parseNext},
			func() *Step {
				s := text("notes", func(d *visitDraft, v string) { d.Notes = v })
				s.When = never
				return s
			}(),
		},
		Done:     b.visitDone,
		Describe: func(r *Request, st *FormState) string { return b.describeVisit(r, visitDraftOf(st)) },
	}
}

// visitPrompt renders the prompts that show the current value or a default.
func (b *Bot) visitPrompt(r *Request, st *FormState, id string) string {
	d := visitDraftOf(st)
	switch id {
	case "stage":
		return r.t("visit_q_stage", nil)
	case "next":
		if d.RuleAt != nil {
			return r.t("visit_q_next", map[string]any{"Default": r.time(*d.RuleAt)})
		}
		days := models.RevisitInterval(d.RevisitDays)
		return r.t("visit_q_next", map[string]any{"Default": r.time(r.Now.In(r.Loc).AddDate(0, 0, days))})
	}
	return r.t("visit_q_"+id, nil)
}

// parseVisitClient reads the client step: a recent client's button, or a
// typed name matched against the team's clients.
func (b *Bot) parseVisitClient(ctx context.Context, r *Request, st *FormState, a string) error {
	return updateVisit(st, func(d *visitDraft) error {
		jump, err := b.resolveClient(ctx, r, a, &d.clientChoice, d.setClient)
		if jump {
			st.Jump = "client_pick"
		}
		return err
	})
}

func (b *Bot) contactsPrompt(r *Request, st *FormState) string {
	d := visitDraftOf(st)
	var met []string
	for _, c := range d.Contacts {
		met = append(met, r.contact(c.Name, c.Roles))
	}
	so := ""
	if len(met) > 0 {
		so = r.list(met)
	}
	return r.t("visit_q_contacts", map[string]any{"Chosen": so})
}

func (b *Bot) contactChoices(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
	d := visitDraftOf(st)
	var cs []Choice
	if d.ClientID != 0 {
		contacts, err := b.store.Contacts(ctx, d.ClientID)
		if err != nil {
			return nil, err
		}
		chosen := map[int64]bool{}
		for _, c := range d.Contacts {
			chosen[c.ID] = true
		}
		for _, c := range contacts {
			if !chosen[c.ID] {
				cs = append(cs, Choice{r.contact(c.Name, c.Roles), idValue(c.ID)})
			}
		}
	}
	if len(d.Contacts) > 0 {
		cs = append(cs, Choice{r.t("visit_contacts_clear", nil), "clear"})
	}
	return append(cs, Choice{r.t("visit_contacts_done", nil), "done"}), nil
}

func (b *Bot) parseContactAnswer(ctx context.Context, r *Request, st *FormState, a string) error {
	if a == "done" {
		return nil
	}
	err := updateVisit(st, func(d *visitDraft) error {
		if a == "clear" {
			d.Contacts = nil
			return nil
		}
		if id, ok := parseID(a); ok {
			contacts, err := b.store.Contacts(ctx, d.ClientID)
			if err != nil {
				return err
			}
			for _, c := range contacts {
				if c.ID == id {
					d.addContact(draftContact{ID: c.ID, Name: c.Name, Roles: c.Roles})
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
			d.addContact(draftContact{Name: p.Name, Roles: p.Roles})
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

// nextChoices offers the next visit: the team's rule (its date kept in the
// draft for the prompt), 2 days, 2 weeks, a date, or none.
func (b *Bot) nextChoices(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
	d := visitDraftOf(st)
	team := d.TeamID
	if team == 0 {
		team = r.User.PrimaryTeam()
	}
	days, hours := b.teamRevisit(ctx, team)
	d.RevisitDays = days
	if at, _, ok := models.RevisitDue(&models.Visit{At: r.Now}, days, hours, r.Loc); ok {
		d.RuleAt = &at
	}
	d.store(st)
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
	return updateVisit(st, func(d *visitDraft) error {
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
	var lines []string
	add := func(key, value string) {
		if value != "" {
			lines = append(lines, "• "+r.t(key, map[string]any{"Value": clip(value, readingLen)}))
		}
	}
	name := d.ClientName
	if name == "" {
		name = d.Typed
	}
	add("sum_client", name)
	if d.Method != "" {
		add("sum_method", r.method(d.Method))
	}
	var met []string
	for _, c := range d.Contacts {
		met = append(met, r.contact(c.Name, c.Roles))
	}
	add("sum_met", r.list(met))
	if d.Stage != "" {
		add("sum_stage", r.stage(d.Stage))
	}
	if d.Attitude != "" {
		add("sum_attitude", r.attitude(d.Attitude))
	}
	add("sum_points", d.TalkingPoints)
	add("sum_view", d.ClientView)
	add("sum_next_step", d.NextStep)
	if d.NextAt != nil {
		add("sum_next_visit", r.time(*d.NextAt))
	}
	add("sum_notes", d.Notes)
	return strings.Join(lines, "\n")
}
