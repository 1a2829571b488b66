package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// visitDraft is a visit being logged or edited, kept in the form state, so
// a restart mid-form loses nothing. The quick command fills one too and
// asks, through the same form steps, only what it lacks.
type visitDraft struct {
	EditID int64 `json:"edit,omitempty"`
	// Quick: from "/visit CLIENT; ..."; the confirmation shows how each
	// part was read.
	Quick bool `json:"quick,omitempty"`
	clientChoice
	Method        models.Method       `json:"method,omitempty"`
	Contacts      []draftContact      `json:"contacts,omitempty"`
	Stage         models.Stage        `json:"stage,omitempty"`
	Attitude      models.Attitude     `json:"attitude,omitempty"`
	TalkingPoints string              `json:"points,omitempty"`
	ClientView    string              `json:"view,omitempty"`
	NextStep      string              `json:"next_step,omitempty"`
	Notes         string              `json:"notes,omitempty"`
	Place         string              `json:"place,omitempty"`
	Lat           *float64            `json:"lat,omitempty"`
	Lon           *float64            `json:"lon,omitempty"`
	Live          bool                `json:"live,omitempty"`
	DurationMin   int                 `json:"duration,omitempty"`
	NextAt        *time.Time          `json:"next_at,omitempty"`
	NoFollowUp    bool                `json:"no_follow_up,omitempty"`
	Attachments   []models.Attachment `json:"attachments,omitempty"`
	Parts         []quick.Part        `json:"parts,omitempty"`
	// RevisitDays is the team's interval, looked up for the next-visit step,
	// and RuleAt the follow-up the one-week rule would make for a visit now
	// (the team's working hours applied).
	RevisitDays int        `json:"revisit_days,omitempty"`
	RuleAt      *time.Time `json:"rule_at,omitempty"`
}

type draftContact struct {
	ID    int64                 `json:"id,omitempty"`
	Name  string                `json:"name"`
	Roles []models.DecisionRole `json:"roles,omitempty"`
}

const draftKey = "v"

func visitDraftOf(st *FormState) *visitDraft {
	d := &visitDraft{}
	if s := st.Get(draftKey); s != "" {
		_ = json.Unmarshal([]byte(s), d) // a draft this version cannot read starts empty
	}
	return d
}

func (d *visitDraft) store(st *FormState) {
	data, _ := json.Marshal(d)
	st.Set(draftKey, string(data))
}

// update reads the draft, lets fn change it and stores it back.
func updateVisit(st *FormState, fn func(d *visitDraft) error) error {
	d := visitDraftOf(st)
	if err := fn(d); err != nil {
		return err
	}
	d.store(st)
	return nil
}

// setClient points the draft at another client; contacts picked from the
// old one stay as names, so nothing typed is lost.
func (d *visitDraft) setClient(id int64, name string, teamID int64) {
	if id != d.ClientID || id == 0 {
		for i := range d.Contacts {
			d.Contacts[i].ID = 0
		}
	}
	d.clientChoice.set(id, name, teamID)
}

func (d *visitDraft) addContact(c draftContact) {
	for i := range d.Contacts {
		have := &d.Contacts[i]
		if c.ID != 0 && have.ID == c.ID || c.ID == 0 && models.Fold(have.Name) == models.Fold(c.Name) {
			have.Roles = models.AddRoles(have.Roles, c.Roles...)
			return
		}
	}
	d.Contacts = append(d.Contacts, c)
}

// check refuses fields longer than they can be stored, naming the field.
func (d *visitDraft) check() error {
	checks := []error{
		models.CheckText(models.FieldClientName, d.ClientName, models.MaxNameLen),
		models.CheckText(models.FieldTalkingPoints, d.TalkingPoints, models.MaxTextLen),
		models.CheckText(models.FieldClientView, d.ClientView, models.MaxTextLen),
		models.CheckText(models.FieldNextStep, d.NextStep, models.MaxTextLen),
		models.CheckText(models.FieldNotes, d.Notes, models.MaxTextLen),
		models.CheckText(models.FieldPlace, d.Place, models.MaxPlaceLen),
	}
	for _, c := range d.Contacts {
		checks = append(checks, models.CheckText(models.FieldContactName, c.Name, models.MaxShortLen))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

func draftFromQuick(q *quick.Visit) *visitDraft {
	d := &visitDraft{
		Quick: true, clientChoice: clientChoice{ClientName: strings.TrimSpace(q.Client)}, Method: q.Method, Stage: q.Stage, Attitude: q.Attitude,
		TalkingPoints: q.TalkingPoints, ClientView: q.ClientView, NextStep: q.NextStep, Place: q.Place,
		DurationMin: q.DurationMin, NextAt: q.NextVisitAt, NoFollowUp: q.NoFollowUp,
		Notes: strings.Join(q.Notes, "\n"), Parts: q.Parts,
	}
	for _, c := range q.Contacts {
		d.addContact(draftContact{Name: c.Name, Roles: c.Roles})
	}
	return d
}

func draftFromVisit(v *models.Visit, c *models.Client, contacts []models.Contact) *visitDraft {
	d := &visitDraft{
		EditID: v.ID, clientChoice: clientChoice{TeamID: v.TeamID, ClientID: v.ClientID, ClientName: c.Name}, Method: v.Method, Stage: v.Stage,
		Attitude: v.Attitude, TalkingPoints: v.TalkingPoints, ClientView: v.ClientView, NextStep: v.NextStep,
		Notes: v.Notes, Place: v.Place, Lat: v.Lat, Lon: v.Lon, Live: v.LiveLocation, DurationMin: v.DurationMin,
		NextAt: v.NextVisitAt, NoFollowUp: v.NoFollowUp,
	}
	for _, ct := range contacts {
		d.Contacts = append(d.Contacts, draftContact{ID: ct.ID, Name: ct.Name, Roles: ct.Roles})
	}
	return d
}

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
		days := d.RevisitDays
		if days <= 0 {
			days = models.DefaultRevisitDays
		}
		return r.t("visit_q_next", map[string]any{"Default": r.time(r.Now.In(r.Loc).AddDate(0, 0, days))})
	}
	return r.t("visit_q_"+id, nil)
}

func (b *Bot) recentClientChoices(ctx context.Context, r *Request, _ *FormState) ([]Choice, error) {
	recent, err := b.store.RecentClients(ctx, r.User.ID, 6)
	if err != nil {
		return nil, err
	}
	var cs []Choice
	for _, c := range recent {
		if r.User.RoleIn(c.TeamID) != models.RoleNone {
			cs = append(cs, Choice{c.Name, idValue(c.ID)})
		}
	}
	return cs, nil
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

// clientChoice is the client part of a visit or objection draft: an
// existing client, a new name (once NewClient is confirmed), or a typed
// name close to existing clients waiting for a pick (Typed, Candidates).
type clientChoice struct {
	TeamID     int64   `json:"team,omitempty"`
	ClientID   int64   `json:"client,omitempty"`
	ClientName string  `json:"client_name,omitempty"`
	NewClient  bool    `json:"new_client,omitempty"`
	Typed      string  `json:"typed,omitempty"`
	Candidates []int64 `json:"candidates,omitempty"`
}

func (cc *clientChoice) set(id int64, name string, teamID int64) {
	cc.ClientID, cc.ClientName, cc.TeamID, cc.NewClient = id, name, teamID, id == 0
	cc.Typed, cc.Candidates = "", nil
}

// setClientFunc records a draft's client (a draft may do more than
// clientChoice.set, e.g. forget contacts of the previous client).
type setClientFunc func(id int64, name string, teamID int64)

// resolveClient reads a client answer for a visit or objection: a button
// ("id:N") picks that client; a typed name is matched in the team: the
// same name is that client, a close one is asked about (jump, with
// cc.Typed and cc.Candidates set), a new one becomes a new client.
func (b *Bot) resolveClient(ctx context.Context, r *Request, answer string, cc *clientChoice, set setClientFunc) (jump bool, err error) {
	if id, ok := parseID(answer); ok {
		c, err := b.store.Client(ctx, id)
		if err != nil || r.User.RoleIn(c.TeamID) == models.RoleNone {
			return false, models.Errorf(models.EINVALID, "form_choose", nil)
		}
		set(c.ID, c.Name, c.TeamID)
		return false, nil
	}
	name := strings.TrimSpace(answer)
	if models.NameKey(name) == "" {
		return false, models.Errorf(models.EINVALID, "err_client_name_empty", nil)
	}
	if err := models.CheckText(models.FieldClientName, name, models.MaxNameLen); err != nil {
		return false, err
	}
	if cc.TeamID == 0 {
		if cc.TeamID, err = b.writeTeam(r); err != nil {
			return false, err
		}
	}
	exact, near, err := b.matchForWrite(ctx, cc.TeamID, name)
	if err != nil {
		return false, err
	}
	switch {
	case exact != nil:
		set(exact.ID, exact.Name, exact.TeamID)
	case len(near) > 0:
		ids := make([]int64, len(near))
		for i, m := range near {
			ids[i] = m.Client.ID
		}
		cc.Typed, cc.Candidates = name, ids
		return true, nil
	default:
		set(0, name, cc.TeamID)
	}
	return false, nil
}

// settleClient makes sure a draft's client is known before it is saved
// (a quick entry may name none, or a name close to several): it asks the
// form's "client" or "client_pick" step instead, and reports asked.
func (b *Bot) settleClient(ctx context.Context, r *Request, st *FormState, kind string, cc *clientChoice, set setClientFunc, store func()) (asked bool, err error) {
	if cc.ClientID != 0 || cc.NewClient {
		return false, nil
	}
	if cc.ClientName == "" {
		r.say(kind+"_need_client", nil)
		return true, b.AskStep(ctx, r, kind, "client", st)
	}
	jump, err := b.resolveClient(ctx, r, cc.ClientName, cc, set)
	if err != nil {
		return true, err
	}
	store()
	if jump {
		return true, b.AskStep(ctx, r, kind, "client_pick", st)
	}
	return false, nil
}

// candidateChoices offers the close clients and "new client".
func (b *Bot) candidateChoices(ctx context.Context, r *Request, typed string, ids []int64) ([]Choice, error) {
	var cs []Choice
	for _, id := range ids {
		c, err := b.store.Client(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		cs = append(cs, Choice{r.clientLabel(c), idValue(c.ID)})
	}
	return append(cs, Choice{r.t("visit_new_client", map[string]any{"Name": typed}), "new"}), nil
}

// pickClient reads the client_pick step: one of the close names' buttons,
// or "new" for the name as typed.
func (b *Bot) pickClient(ctx context.Context, r *Request, a string, cc *clientChoice, set setClientFunc) error {
	if a == "new" {
		set(0, cc.Typed, cc.TeamID)
		return nil
	}
	_, err := b.resolveClient(ctx, r, a, cc, set)
	return err
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

func (b *Bot) nextChoices(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
	d := visitDraftOf(st)
	team := d.TeamID
	if team == 0 {
		team = r.User.PrimaryTeam()
	}
	days := models.DefaultRevisitDays
	hours := models.DefaultWorkingHours()
	if t, err := b.store.Team(ctx, team); err == nil {
		if t.RevisitDays > 0 {
			days = t.RevisitDays
		}
		hours = t.Hours
	}
	d.RevisitDays = days
	if at, _, ok := models.RevisitDue(&models.Visit{At: r.Now}, days, hours, r.Loc); ok {
		d.RuleAt = &at
	}
	d.store(st)
	def := r.t("visit_next_default_week", nil)
	if days != 7 {
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

// cmdVisit is /visit: without text the form, with text the quick entry.
func (b *Bot) cmdVisit(ctx context.Context, r *Request) error {
	team, err := b.writeTeam(r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(r.Args) == "" {
		st := &FormState{}
		(&visitDraft{clientChoice: clientChoice{TeamID: team}}).store(st)
		return b.StartForm(ctx, r, "visit", st.Data)
	}
	if err := tooLong(r.Args, MaxMessageLen); err != nil {
		return err
	}
	d := draftFromQuick(quick.ParseVisit(r.Args, r.Now, r.Loc))
	d.TeamID = team
	if err := d.check(); err != nil {
		return err
	}
	st := &FormState{Kind: "visit"}
	d.store(st)
	return b.visitDone(ctx, r, st)
}

// visitDone saves the draft, first asking (through the form's steps) what
// it still lacks: the client, a choice between close names, or a next
// visit that is not in the past.
func (b *Bot) visitDone(ctx context.Context, r *Request, st *FormState) error {
	d := visitDraftOf(st)
	if asked, err := b.settleClient(ctx, r, st, "visit", &d.clientChoice, d.setClient, func() { d.store(st) }); asked || err != nil {
		return err
	}
	if d.NextAt != nil && !d.NextAt.After(r.Now) {
		past := *d.NextAt
		d.NextAt = nil
		d.store(st)
		r.say("err_next_visit_past", map[string]any{"At": r.time(past)})
		return b.AskStep(ctx, r, "visit", "next", st)
	}
	if err := d.check(); err != nil {
		return err
	}
	return b.saveVisit(ctx, r, d)
}

func (b *Bot) saveVisit(ctx context.Context, r *Request, d *visitDraft) error {
	in := &storage.NewVisit{
		Visit: models.Visit{
			ID: d.EditID, ClientID: d.ClientID, RepID: r.User.ID, Method: d.Method, Place: d.Place, Lat: d.Lat, Lon: d.Lon,
			LiveLocation: d.Live, DurationMin: d.DurationMin, TalkingPoints: d.TalkingPoints, ClientView: d.ClientView,
			Stage: d.Stage, Attitude: d.Attitude, NextStep: d.NextStep, NextVisitAt: d.NextAt, NoFollowUp: d.NoFollowUp,
			Notes: d.Notes,
		},
		Attachments: d.Attachments,
	}
	if d.ClientID == 0 {
		team := d.TeamID
		if team == 0 {
			var err error
			if team, err = b.writeTeam(r); err != nil {
				return err
			}
		}
		in.NewClient = &models.Client{TeamID: team, Name: d.ClientName, OwnerID: r.User.ID}
	}
	for _, c := range d.Contacts {
		in.Contacts = append(in.Contacts, models.Contact{ID: c.ID, Name: c.Name, Roles: c.Roles})
	}
	var (
		saved *storage.SavedVisit
		err   error
	)
	if d.EditID != 0 {
		saved, err = b.store.UpdateVisit(ctx, in)
	} else {
		saved, err = b.store.SaveVisit(ctx, in)
	}
	if err != nil {
		return err
	}
	b.visitConfirmation(ctx, r, d, saved)
	if saved.Visit.ClientCreated && d.EditID == 0 && saved.Client.Grade == models.GradeNone {
		return b.askGradeOnce(ctx, r, saved.Client)
	}
	return nil
}

// visitConfirmation says what was saved, how each typed part was read,
// the follow-up it implies, and the three-visits flag; Edit and Undo
// buttons follow.
func (b *Bot) visitConfirmation(ctx context.Context, r *Request, d *visitDraft, s *storage.SavedVisit) {
	v, c := s.Visit, s.Client
	key := "visit_saved"
	if d.EditID != 0 {
		key = "visit_updated"
	}
	lines := []string{r.t(key, map[string]any{"Client": c.Name, "At": r.time(v.At)})}
	if d.Quick && d.EditID == 0 {
		lines = append(lines, r.t("visit_read_header", nil))
		lines = append(lines, b.readParts(r, d, s)...)
	} else {
		lines = append(lines, b.visitSummary(r, d, s)...)
	}
	if l := b.stageLine(r, s); l != "" {
		lines = append(lines, l)
	}
	lines = append(lines, b.followUpLine(ctx, r, s))
	if c.NeedsNewPlan() {
		lines = append(lines, r.t("visit_needs_new_plan", map[string]any{"N": c.NoProgressVisits, "Client": c.Name}))
	}
	if d.EditID == 0 {
		lines = append(lines, r.t("visit_checkin_hint", map[string]any{"Minutes": int(models.CheckInWindow / time.Minute)}))
	}
	id := strconv.FormatInt(v.ID, 10)
	r.reply(strings.Join(lines, "\n"), [][]outbox.Button{{
		{Text: r.t("btn_edit", nil), Data: "v:e:" + id},
		{Text: r.t("btn_undo", nil), Data: "v:u:" + id},
	}})
}

// A confirmation echoes what was typed and how it was read; long texts are
// shown shortened (they are stored whole), so the message stays within
// Telegram's limit.
const (
	echoLen    = 60
	readingLen = 300
)

// readParts shows how each part of a quick visit was read.
func (b *Bot) readParts(r *Request, d *visitDraft, s *storage.SavedVisit) []string {
	var lines []string
	for _, p := range d.Parts {
		var reading string
		switch p.Kind {
		case quick.KindClient:
			if s.Visit.ClientCreated {
				reading = r.t("read_client_new", map[string]any{"Client": s.Client.Name})
			} else {
				reading = r.t("read_client", map[string]any{"Client": r.clientLabel(s.Client)})
			}
		case quick.KindContact:
			var met []string
			for _, c := range p.Contacts {
				met = append(met, r.contact(c.Name, c.Roles))
			}
			reading = r.t("read_contact", map[string]any{"Met": r.list(met)})
		case quick.KindStage:
			reading = r.t("read_stage", map[string]any{"Stage": r.stage(models.Stage(p.Value))})
		case quick.KindAttitude:
			reading = r.t("read_attitude", map[string]any{"Attitude": r.attitude(models.Attitude(p.Value))})
		case quick.KindMethod:
			reading = r.t("read_method", map[string]any{"Method": r.method(models.Method(p.Value))})
		case quick.KindNextStep, quick.KindTalkingPoints, quick.KindClientView, quick.KindPlace:
			reading = r.t("read_"+string(p.Kind), map[string]any{"Text": p.Value})
		case quick.KindDuration:
			reading = r.t("read_duration", map[string]any{"Minutes": p.Value})
		case quick.KindNextVisit:
			reading = r.t("read_next_visit", map[string]any{"At": r.time(p.At)})
		case quick.KindNoFollowUp:
			reading = r.t("read_no_follow_up", nil)
		default:
			reason := p.Reason
			if reason == "" {
				reason = quick.ReasonUnknown
			}
			reading = r.t("read_note_"+reason, nil)
		}
		lines = append(lines, r.t("read_line", map[string]any{"Text": clip(p.Text, echoLen), "Reading": clip(reading, readingLen)}))
	}
	return lines
}

// visitSummary lists a visit's fields (form and edits).
func (b *Bot) visitSummary(r *Request, d *visitDraft, s *storage.SavedVisit) []string {
	v := s.Visit
	var lines []string
	add := func(key string, value string) {
		if value != "" {
			lines = append(lines, r.t(key, map[string]any{"Value": clip(value, readingLen)}))
		}
	}
	if v.Method != "" {
		add("sum_method", r.method(v.Method))
	}
	var met []string
	for _, c := range s.Contacts {
		met = append(met, r.contact(c.Name, c.Roles))
	}
	add("sum_met", r.list(met))
	if v.Attitude != "" {
		add("sum_attitude", r.attitude(v.Attitude))
	}
	add("sum_points", v.TalkingPoints)
	add("sum_view", v.ClientView)
	add("sum_next_step", v.NextStep)
	if v.DurationMin > 0 {
		add("sum_duration", strconv.Itoa(v.DurationMin))
	}
	add("sum_notes", v.Notes)
	if l := placeLine(r, v.Place, v.Lat != nil, v.LiveLocation); l != "" {
		lines = append(lines, l)
	}
	if n := len(d.Attachments); n > 0 {
		lines = append(lines, r.t("sum_attachments", map[string]any{"N": n}))
	}
	return lines
}

// placeLine says where the visit took place and how strong that proof is.
func placeLine(r *Request, place string, point, live bool) string {
	switch {
	case live:
		return r.t("place_live", nil)
	case point && place != "":
		return r.t("place_venue", map[string]any{"Place": place})
	case point:
		return r.t("place_point", nil)
	case place != "":
		return r.t("sum_place", map[string]any{"Value": place})
	}
	return ""
}

// stageLine says what the visit did to the client's stage.
func (b *Bot) stageLine(r *Request, s *storage.SavedVisit) string {
	v, c := s.Visit, s.Client
	data := map[string]any{"From": r.stage(v.StageBefore), "To": r.stage(v.Stage), "Current": r.stage(c.Stage), "Client": c.Name}
	switch s.Outcome {
	case models.OutcomeAdvanced:
		if v.StageBefore == models.StageNone {
			return r.t("stage_first", data)
		}
		return r.t("stage_advanced", data)
	case models.OutcomeSame:
		return r.t("stage_same", data)
	case models.OutcomeNotBack:
		return r.t("stage_not_back", data)
	case models.OutcomeMarkedLost:
		return r.t("stage_marked_lost", data)
	case models.OutcomeLostStays:
		return r.t("stage_lost_stays", data)
	}
	return ""
}

// followUpLine shows the revisit follow-up the visit write left, as
// stored (the one-week rule moved out of quiet hours and days off), in the
// user's zone.
func (b *Bot) followUpLine(ctx context.Context, r *Request, s *storage.SavedVisit) string {
	f := s.FollowUp
	switch {
	case f == nil:
		return r.t("followup_none", nil)
	case s.Visit.NextVisitAt == nil:
		days := models.DefaultRevisitDays
		if t, err := b.store.Team(ctx, s.Visit.TeamID); err == nil && t.RevisitDays > 0 {
			days = t.RevisitDays
		}
		return r.t("followup_rule", map[string]any{"At": r.time(f.DueAt), "Days": days})
	}
	return r.t("followup_at", map[string]any{"At": r.time(f.DueAt)})
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

// ownVisit loads a live visit of the user for an Edit or Undo button; a
// visit that is gone or someone else's answers "button_stale".
func (b *Bot) ownVisit(ctx context.Context, r *Request, id int64) (*models.Visit, bool, error) {
	v, err := b.store.Visit(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, v.RepID == r.User.ID, nil
}

// visitFields are the fields Edit offers, as form step ids.
var visitFields = []string{"client", "method", "contacts", "stage", "attitude", "points", "view", "next_step", "next", "notes"}

// cbVisit handles "v:e:ID" (edit menu), "v:f:ID:STEP" (edit a field) and
// "v:u:ID" (undo).
func (b *Bot) cbVisit(ctx context.Context, r *Request, payload string) error {
	action, rest, _ := strings.Cut(payload, ":")
	id, field, ok := cbID(rest)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	v, mine, err := b.ownVisit(ctx, r, id)
	if err != nil {
		return err
	}
	if !mine {
		r.say("button_stale", nil)
		return nil
	}
	switch action {
	case "e":
		var rows [][]outbox.Button
		var row []outbox.Button
		for _, f := range visitFields {
			row = append(row, outbox.Button{Text: r.t("field_visit_"+f, nil), Data: fmt.Sprintf("v:f:%d:%s", id, f)})
			if len(row) == 2 {
				rows, row = append(rows, row), nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		r.reply(r.t("visit_edit_which", nil), rows)
		return nil
	case "f":
		if !isVisitField(field) {
			r.say("button_stale", nil)
			return nil
		}
		c, err := b.store.Client(ctx, v.ClientID)
		if err != nil {
			return err
		}
		contacts, err := b.store.VisitContacts(ctx, v)
		if err != nil {
			return err
		}
		st := &FormState{}
		draftFromVisit(v, c, contacts).store(st)
		r.reply(r.t("visit_editing", map[string]any{"Field": r.t("field_visit_"+field, nil), "Client": c.Name}), nil)
		r.editLast(r.MessageID)
		return b.AskStep(ctx, r, "visit", field, st)
	case "u":
		return b.undoVisit(ctx, r, v, r.MessageID)
	}
	r.say("button_stale", nil)
	return nil
}

func isVisitField(f string) bool {
	for _, v := range visitFields {
		if v == f {
			return true
		}
	}
	return false
}

// undoVisit takes back one of the user's visits logged within the undo
// window; confirmID, when set, is the confirmation that turns into the
// notice.
func (b *Bot) undoVisit(ctx context.Context, r *Request, v *models.Visit, confirmID int) error {
	if r.Now.Sub(v.CreatedAt) > models.UndoWindow {
		return models.Errorf(models.EINVALID, "err_undo_too_old", map[string]any{"At": v.CreatedAt})
	}
	c, err := b.store.Client(ctx, v.ClientID)
	if err != nil {
		return err
	}
	s, err := b.store.UndoVisit(ctx, v.ID)
	if err != nil {
		return err
	}
	text := r.t("visit_undone", map[string]any{"Client": c.Name, "At": r.time(v.At)})
	if s.ClientDeleted {
		text += "\n" + r.t("undo_client_removed", nil)
	}
	r.reply(text, nil)
	r.editLast(confirmID)
	return nil
}

// cmdUndo is /undo: the user's last visit or objection of the last 24 hours.
func (b *Bot) cmdUndo(ctx context.Context, r *Request) error {
	kind, id, err := b.store.LastEntry(ctx, r.User.ID, r.Now.Add(-models.UndoWindow))
	if err != nil {
		return err
	}
	switch kind {
	case storage.EntryVisit:
		v, err := b.store.Visit(ctx, id)
		if err != nil {
			return err
		}
		return b.undoVisit(ctx, r, v, 0)
	case storage.EntryObjection:
		o, err := b.store.Objection(ctx, id)
		if err != nil {
			return err
		}
		return b.undoObjection(ctx, r, o, 0)
	}
	r.say("undo_nothing", map[string]any{"Hours": int(models.UndoWindow / time.Hour)})
	return nil
}
