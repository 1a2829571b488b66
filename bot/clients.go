package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// clientDraft is a client card being added or edited (form "client"):
// its fields (models.ClientFields) in Client, and what the form keeps
// besides.
type clientDraft struct {
	Client     models.Client `json:"-"`
	EditID     int64         `json:"edit,omitempty"`
	TeamID     int64         `json:"team,omitempty"`
	Typed      string        `json:"typed,omitempty"`
	Candidates []int64       `json:"candidates,omitempty"`
	OpenID     int64         `json:"open,omitempty"` // "I meant this existing client"
}

// clientDrafts keeps the client form's draft.
var clientDrafts = draftStore[models.Client, clientDraft]{"c", models.ClientFields, func(d *clientDraft) *models.Client { return &d.Client }}

// The client form (/client add, and the card's Edit buttons) asks the
// fields of models.ClientFields; the name is matched against the team's
// clients by hand, and once the user picks an existing client instead the
// rest is not asked.
func (b *Bot) clientForm() *Form {
	custom := map[models.Field][]*Step{models.FieldClientName: {
		{ID: "name", Text: true,
			Prompt: func(r *Request, st *FormState) string { return r.t("client_q_name", nil) },
			Parse:  b.parseClientName},
		{ID: "pick", When: never, Columns: 1,
			Prompt: func(r *Request, st *FormState) string {
				return r.t("client_q_pick", map[string]any{"Name": clientDrafts.of(st).Typed})
			},
			Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
				d := clientDrafts.of(st)
				return b.candidateChoices(ctx, r, d.Typed, d.Candidates)
			},
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				return clientDrafts.update(st, func(d *clientDraft) error {
					if id, ok := parseID(a); ok {
						d.OpenID = id
					} else {
						d.Client.Name = d.Typed
					}
					return nil
				})
			}},
	}}
	steps := formSteps(clientKeys, clientDrafts, custom)
	adding := func(st *FormState) bool { return clientDrafts.of(st).OpenID == 0 }
	for _, s := range steps {
		if s.ID != "name" && s.When == nil {
			s.When = adding
		}
	}
	return &Form{Kind: "client", Steps: steps, Done: b.clientDone,
		Describe: func(r *Request, st *FormState) string {
			d := clientDrafts.of(st)
			if name := firstNonEmpty(d.Client.Name, d.Typed); name != "" {
				return "• " + fieldLine(r, r.t(visitKeys.label("client"), nil), name)
			}
			return ""
		}}
}

// parseClientName checks a new or changed client name against the team:
// the same name is refused (with how to open it), a close one is asked
// about.
func (b *Bot) parseClientName(ctx context.Context, r *Request, st *FormState, a string) error {
	return clientDrafts.update(st, func(d *clientDraft) error {
		name := strings.TrimSpace(a)
		if models.NameKey(name) == "" {
			return models.Errorf(models.EINVALID, "err_client_name_empty", nil)
		}
		if err := models.CheckText(models.FieldClientName, name, models.MaxNameLen); err != nil {
			return err
		}
		var err error
		if d.TeamID, err = b.entryTeam(r, d.TeamID); err != nil {
			return err
		}
		exact, near, err := b.matchForWrite(ctx, r, d.TeamID, name)
		if err != nil {
			return err
		}
		if exact != nil && exact.ID != d.EditID {
			return models.Errorf(models.ECONFLICT, "err_client_exists_named", map[string]any{"Name": exact.Name})
		}
		if d.EditID == 0 && len(near) > 0 {
			d.Typed, d.Candidates = name, nil
			for _, m := range near {
				d.Candidates = append(d.Candidates, m.Client.ID)
			}
			st.Jump = "pick"
			return nil
		}
		d.Client.Name = name
		return nil
	})
}

func (b *Bot) clientDone(ctx context.Context, r *Request, st *FormState) error {
	d := clientDrafts.of(st)
	if d.OpenID != 0 {
		c, err := b.visibleClient(ctx, r, d.OpenID)
		if err != nil {
			return err
		}
		return b.showCard(ctx, r, c)
	}
	if d.EditID != 0 {
		c, err := b.store.Client(ctx, r.User, d.EditID)
		if err != nil {
			return err
		}
		if !r.User.CanEditClient(c) {
			r.say("button_stale", nil)
			return nil
		}
		for _, f := range models.ClientFields {
			if f.Has(models.UseEdit) && f.Set != nil && (f.Name != models.FieldClientName || d.Client.Name != "") {
				f.Set(c, f.Get(&d.Client))
			}
		}
		if err := b.store.UpdateClient(ctx, c); err != nil {
			return err
		}
		r.say("client_updated", map[string]any{"Client": c.Name})
		return b.showCard(ctx, r, c)
	}
	c := &d.Client
	c.TeamID, c.OwnerID, c.GradeAsked = d.TeamID, r.User.ID, true
	var err error
	if c.TeamID, err = b.entryTeam(r, c.TeamID); err != nil {
		return err
	}
	if err := b.store.CreateClient(ctx, c); err != nil {
		return err
	}
	r.say("client_added", map[string]any{"Client": c.Name})
	return b.showCard(ctx, r, c)
}

// cmdClient is /client NAME (the card), /client add [NAME], and /client
// alone (recent clients as buttons).
func (b *Bot) cmdClient(ctx context.Context, r *Request) error {
	args := strings.TrimSpace(r.Args)
	first, rest, _ := strings.Cut(args, " ")
	if r.cat.wordIs(wordClientAdd, first) {
		return b.addClient(ctx, r, strings.TrimSpace(rest))
	}
	if name, who, ok := r.cat.cutOwner(args); ok {
		return b.clientOwner(ctx, r, name, who)
	}
	if on, name, who, ok := cutShare(r.cat, args); ok {
		return b.clientShare(ctx, r, on, name, who)
	}
	c, err := b.clientNamed(ctx, r, args, clientArg{Prefix: "c:v:", Usage: "usage_client", Cols: 2})
	if c == nil || err != nil {
		return err
	}
	return b.showCard(ctx, r, c)
}

func (b *Bot) addClient(ctx context.Context, r *Request, name string) error {
	team, err := b.writeTeam(r)
	if err != nil {
		return err
	}
	st := &FormState{Data: map[string]string{}}
	clientDrafts.store(st, &clientDraft{TeamID: team})
	if name == "" {
		return b.StartForm(ctx, r, "client", st.Data)
	}
	// The name was given: check it as the first step would, then go on.
	if err := b.parseClientName(ctx, r, st, name); err != nil {
		return err
	}
	f := b.forms["client"]
	_, s := f.step("name")
	st.Kind = "client"
	return b.advance(ctx, r, f, st, s)
}

// showCard sends the client card with its buttons.
func (b *Bot) showCard(ctx context.Context, r *Request, c *models.Client) error {
	text, visits, contacts, err := b.cardText(ctx, r, c)
	if err != nil {
		return err
	}
	buttons := b.cardButtons(r, c)
	if row := visitButtons(r, visits); len(row) > 0 {
		buttons = append(grid(row, 5), buttons...)
	}
	if row := contactButtons(r, c, contacts); len(row) > 0 {
		buttons = append(grid(row, 3), buttons...)
	}
	r.reply(text, buttons)
	return nil
}

// cardLimit is how many visits and objections a card shows.
const cardLimit = 3

// cardText is the card, the visits it lists in their order (a button each
// shows the whole visit) and its contacts (a button each changes one).
func (b *Bot) cardText(ctx context.Context, r *Request, c *models.Client) (string, []shownVisit, []models.Contact, error) {
	lines := []string{r.t("card_title", map[string]any{"Client": c.Name, "Grade": r.grade(c.Grade)})}
	lines = append(lines, r.t("card_stage", map[string]any{"Stage": r.stage(c.Stage)}))
	lines = append(lines, r.t("card_owner", map[string]any{"Owner": b.userName(ctx, r, c.OwnerID)}))
	lines = append(lines, shownLines(r, clientKeys, models.ClientFields, c, nil)...)
	if c.NeedsNewPlan() {
		lines = append(lines, r.t("card_needs_new_plan", map[string]any{"N": c.NoProgressVisits}))
	}
	contacts, err := b.store.Contacts(ctx, r.User, c.ID)
	if err != nil {
		return "", nil, nil, err
	}
	if len(contacts) > 0 {
		lines = append(lines, r.t("card_contacts", nil))
		for _, ct := range contacts {
			l := "• " + r.contact(ct.Name, ct.Roles)
			for _, extra := range []string{ct.Title, ct.Phone} {
				if extra != "" {
					l += " · " + extra
				}
			}
			lines = append(lines, l)
		}
	}
	dealLines, err := b.dealCardLines(ctx, r, c)
	if err != nil {
		return "", nil, nil, err
	}
	lines = append(lines, dealLines...)
	// Reps see their own entries; managers the team's.
	repID := int64(0)
	if !r.User.SeesTeam(c.TeamID) {
		repID = r.User.ID
	}
	visits, err := b.store.Visits(ctx, storage.VisitFilter{Viewer: r.User, ClientID: c.ID, RepID: repID, Limit: cardLimit})
	if err != nil {
		return "", nil, nil, err
	}
	total, err := b.store.CountVisits(ctx, storage.VisitFilter{Viewer: r.User, ClientID: c.ID, RepID: repID})
	if err != nil {
		return "", nil, nil, err
	}
	var shown []shownVisit
	if len(visits) == 0 {
		lines = append(lines, r.t("card_no_visits", nil))
	} else {
		lines = append(lines, r.t("card_visits", map[string]any{"N": len(visits), "Total": total}))
		for i, v := range visits {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, b.visitLine(ctx, r, v, repID == 0)))
			shown = append(shown, shownVisit{i + 1, v.ID})
		}
	}
	// The open revisit follow-up (the one-week rule), as stored.
	open, err := b.store.ClientOpenFollowUps(ctx, r.User, c.ID, repID)
	if err != nil {
		return "", nil, nil, err
	}
	for _, f := range open {
		if f.Kind != models.KindRevisit {
			continue
		}
		key := "card_next_visit"
		if f.DueAt.Before(r.Now) {
			key = "card_next_visit_overdue"
		}
		lines = append(lines, r.t(key, map[string]any{"At": r.time(f.DueAt)}))
		break
	}
	objs, err := b.store.Objections(ctx, storage.ObjectionFilter{Viewer: r.User, ClientID: c.ID, RepID: repID, Limit: cardLimit})
	if err != nil {
		return "", nil, nil, err
	}
	if len(objs) > 0 {
		lines = append(lines, r.t("card_objections", nil))
		for _, o := range objs {
			lines = append(lines, "• "+objectionText(r, o))
		}
	}
	return strings.Join(lines, "\n"), shown, contacts, nil
}

// shownVisit is a visit listed under a number (a card, a history page).
type shownVisit struct {
	N  int
	ID int64
}

// visitButtons open the visits of a list, under their numbers ("v:s:ID").
func visitButtons(r *Request, vs []shownVisit) []outbox.Button {
	var bs []outbox.Button
	for _, v := range vs {
		bs = append(bs, outbox.Button{Text: r.t("btn_visit_n", map[string]any{"N": v.N}), Data: fmt.Sprintf("v:s:%d", v.ID)})
	}
	return bs
}

// lineLen bounds a text inside a list line (cards, lists, history).
const lineLen = 120

// visitLine is a visit in one line: "Mon 23 Nov 2026 09:00 · in person ·
// demo / trial · warm — next: send quote": the fields of models.VisitFields
// that the one-line form shows, choices after the time, texts at the end.
func (b *Bot) visitLine(ctx context.Context, r *Request, v *models.Visit, withRep bool) string {
	parts := []string{r.time(v.At)}
	if withRep {
		parts = append(parts, b.userName(ctx, r, v.RepID))
	}
	var texts []string
	for i := range models.VisitFields {
		f := &models.VisitFields[i]
		value := fieldValue(r, f, v)
		if !f.Has(models.UseLine) || value == "" {
			continue
		}
		switch {
		case f.Name == models.FieldStage && v.Progressed() && v.StageBefore != models.StageNone:
			parts = append(parts, r.stage(v.StageBefore)+" → "+value)
		case f.Name == models.FieldNextStep:
			texts = append(texts, r.t("line_next", map[string]any{"Text": clip(value, lineLen)}))
		case f.Kind == models.TextField:
			texts = append(texts, r.t("read_field", map[string]any{"Field": r.fieldNoun(f.Name), "Value": clip(value, lineLen)}))
		default:
			parts = append(parts, value)
		}
	}
	return strings.Join(append([]string{strings.Join(parts, " · ")}, texts...), " — ")
}

func (b *Bot) cardButtons(r *Request, c *models.Client) [][]outbox.Button {
	id := strconv.FormatInt(c.ID, 10)
	var row1 []outbox.Button
	if r.User.CanEditClient(c) {
		row1 = append(row1,
			outbox.Button{Text: r.t("btn_grade", nil), Data: "c:g:" + id},
			outbox.Button{Text: r.t("btn_stage", nil), Data: "c:s:" + id})
	}
	row1 = append(row1, outbox.Button{Text: r.t("btn_add_contact", nil), Data: "c:c:" + id})
	row2 := []outbox.Button{}
	if r.User.CanEditClient(c) {
		row2 = append(row2, outbox.Button{Text: r.t("btn_edit", nil), Data: "c:e:" + id})
	}
	row2 = append(row2, outbox.Button{Text: r.t("btn_history", nil), Data: "hn:" + id})
	return [][]outbox.Button{row1, row2}
}

// askGradeOnce asks for the grade of a client an entry created, once.
func (b *Bot) askGradeOnce(ctx context.Context, r *Request, c *models.Client) error {
	first, err := b.store.MarkGradeAsked(ctx, c.ID)
	if err != nil || !first {
		return err
	}
	askGrade(r, c)
	return nil
}

// askGrade asks for the grade of a client just created.
func askGrade(r *Request, c *models.Client) {
	r.reply(r.t("client_ask_grade", map[string]any{"Client": c.Name}), gradeButtons(r, c.ID, true))
}

func gradeButtons(r *Request, id int64, later bool) [][]outbox.Button {
	var bs []outbox.Button
	for _, g := range models.Grades {
		bs = append(bs, outbox.Button{Text: r.grade(g), Data: fmt.Sprintf("c:G:%d:%s", id, g)})
	}
	rows := grid(bs, 2)
	if later {
		rows = append(rows, []outbox.Button{{Text: r.t("btn_later", nil), Data: fmt.Sprintf("c:G:%d:-", id)}})
	}
	return rows
}

// cbClient handles the card's buttons: "c:v:ID" open, "c:g:ID" / "c:G:ID:A"
// grade, "c:s:ID" / "c:S:ID:stage" stage, "c:c:ID" add a contact, "c:e:ID"
// / "c:f:ID:field" edit.
func (b *Bot) cbClient(ctx context.Context, r *Request, action string, id int64, arg string) error {
	c, err := b.buttonClient(ctx, r, id)
	if c == nil || err != nil {
		return err
	}
	editing := action == "g" || action == "G" || action == "s" || action == "S" || action == "e" || action == "f"
	if editing && !r.User.CanEditClient(c) {
		r.say("client_not_yours", map[string]any{"Client": c.Name})
		return nil
	}
	switch action {
	case "v":
		return b.showCard(ctx, r, c)
	case "g":
		r.reply(r.t("client_q_grade_of", map[string]any{"Client": c.Name}), gradeButtons(r, c.ID, false))
		return nil
	case "G":
		return b.setGrade(ctx, r, c, arg)
	case "s":
		var bs []outbox.Button
		for _, s := range append(append([]models.Stage{}, models.Stages...), models.StageLost) {
			bs = append(bs, outbox.Button{Text: r.stage(s), Data: fmt.Sprintf("c:S:%d:%s", c.ID, s)})
		}
		r.reply(r.t("client_q_stage", map[string]any{"Client": c.Name, "Stage": r.stage(c.Stage)}), grid(bs, 2))
		return nil
	case "S":
		return b.setStage(ctx, r, c, arg)
	case "c":
		return startForm(ctx, b, r, "contact", contactDrafts, &contactDraft{ClientID: c.ID})
	case "e":
		rows := editButtons(r, clientKeys, editSteps(models.ClientFields), 3, fmt.Sprintf("c:f:%d:", c.ID))
		r.reply(r.t("client_edit_which", map[string]any{"Client": c.Name}), rows)
		return nil
	case "f":
		return b.editClientField(ctx, r, c, arg)
	}
	r.say("button_stale", nil)
	return nil
}

// buttonClient loads the client a button names; one that is gone or not
// the user's to see answers "button_stale" and returns nil.
func (b *Bot) buttonClient(ctx context.Context, r *Request, id int64) (*models.Client, error) {
	c, err := b.visibleClient(ctx, r, id)
	if err != nil {
		return nil, sayIfGone(r, err, "button_stale")
	}
	return c, nil
}

// sayIfGone is what to return when reading the record a button is about
// failed with err: nil, having said key, when the record is gone (or not
// the user's to see: ENOTFOUND), else err.
func sayIfGone(r *Request, err error, key string) error {
	if models.ErrorCode(err) == models.ENOTFOUND {
		r.say(key, nil)
		return nil
	}
	return err
}

// setGrade is "c:G:ID:A": the grade pressed, or "-" for later.
func (b *Bot) setGrade(ctx context.Context, r *Request, c *models.Client, arg string) error {
	if arg == "-" {
		r.reply(r.t("client_grade_later", map[string]any{"Client": c.Name}), nil)
		r.editLast(r.MessageID)
		return nil
	}
	g, ok := models.ParseGrade(arg)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	c.Grade, c.GradeAsked = g, true
	if err := b.store.UpdateClient(ctx, c); err != nil {
		return err
	}
	r.reply(r.t("client_grade_set", map[string]any{"Client": c.Name, "Grade": r.grade(g)}), nil)
	r.editLast(r.MessageID)
	return nil
}

// setStage is "c:S:ID:stage": the card sets the stage, a step back and
// reopening a lost client included.
func (b *Bot) setStage(ctx context.Context, r *Request, c *models.Client, arg string) error {
	to := models.Stage(arg)
	if !to.Valid() {
		r.say("button_stale", nil)
		return nil
	}
	before := c.Stage
	c, err := b.store.SetStage(ctx, r.User, c.ID, to)
	if err != nil {
		return err
	}
	r.reply(r.t("client_stage_set", map[string]any{"Client": c.Name, "From": r.stage(before), "To": r.stage(c.Stage)}), nil)
	r.editLast(r.MessageID)
	return nil
}

// editClientField is "c:f:ID:field": the client form asks that field again.
func (b *Bot) editClientField(ctx context.Context, r *Request, c *models.Client, field string) error {
	if !isEditStep(models.ClientFields, field) {
		r.say("button_stale", nil)
		return nil
	}
	st := &FormState{}
	clientDrafts.store(st, &clientDraft{EditID: c.ID, TeamID: c.TeamID, Client: *c})
	r.reply(r.t("client_editing", map[string]any{"Field": r.t(clientKeys.label(field), nil), "Client": c.Name}), nil)
	r.editLast(r.MessageID)
	return b.AskStep(ctx, r, "client", field, st)
}

// contactDraft is a contact being added from the card (form "contact"):
// its fields (models.ContactFields) in Contact, and what the form keeps
// besides.
type contactDraft struct {
	Contact  models.Contact        `json:"-"`
	ClientID int64                 `json:"client"`
	Roles    []models.DecisionRole `json:"roles,omitempty"`
	// EditID is the contact an Edit button of the card changes (one step).
	EditID int64 `json:"edit,omitempty"`
}

// contactDrafts keeps the contact form's draft.
var contactDrafts = draftStore[models.Contact, contactDraft]{"k", models.ContactFields, func(d *contactDraft) *models.Contact { return &d.Contact }}

// The contact form asks the fields of models.ContactFields: the name
// (with roles in brackets) and the roles by hand, title and phone.
func (b *Bot) contactForm() *Form {
	custom := map[models.Field][]*Step{
		models.FieldContactName: {{ID: "name", Text: true,
			Prompt: func(r *Request, st *FormState) string { return r.t("contact_q_name", nil) },
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				people, ok := quick.ParseContacts(a)
				if !ok || len(people) != 1 {
					return models.Errorf(models.EINVALID, "err_contact_unreadable", map[string]any{"Value": a})
				}
				if err := models.CheckText(models.FieldContactName, people[0].Name, models.MaxShortLen); err != nil {
					return err
				}
				return contactDrafts.update(st, func(d *contactDraft) error {
					// "Wu (CFO)", "李总(总经理, 决策者)": the brackets' title and
					// roles too; an edited name without them keeps the old ones.
					p := people[0]
					d.Contact.Name = p.Name
					if p.Title != "" {
						d.Contact.Title = p.Title
					}
					if len(p.Roles) > 0 || d.EditID == 0 {
						d.Roles = p.Roles
					}
					return nil
				})
			}}},
		models.FieldRoles: {b.contactRolesStep()},
	}
	return &Form{
		Kind:  "contact",
		Steps: formSteps(contactKeys, contactDrafts, custom),
		Done: func(ctx context.Context, r *Request, st *FormState) error {
			d := contactDrafts.of(st)
			c, err := b.visibleClient(ctx, r, d.ClientID)
			if err != nil {
				return err
			}
			if d.EditID != 0 {
				return b.contactEdited(ctx, r, c, d)
			}
			ct := &d.Contact
			ct.ClientID, ct.Roles = c.ID, d.Roles
			if err := b.store.SaveContact(ctx, ct); err != nil {
				return err
			}
			r.say("contact_saved", map[string]any{"Contact": r.contact(ct.Name, ct.Roles), "Client": c.Name})
			return b.showCard(ctx, r, c)
		},
		// An Edit button's change names the contact it changes.
		Subject: func(st *FormState) string {
			if d := contactDrafts.of(st); d.EditID != 0 {
				return d.Contact.Name
			}
			return ""
		},
		Describe: func(r *Request, st *FormState) string {
			d := contactDrafts.of(st)
			if d.Contact.Name == "" {
				return ""
			}
			return "• " + r.contact(d.Contact.Name, d.Roles)
		},
	}
}

// contactRolesStep asks the roles of a contact typed without them: tap
// each that applies, then Done.
func (b *Bot) contactRolesStep() *Step {
	return &Step{ID: "roles", Optional: true, Columns: 2,
		When:   func(st *FormState) bool { return len(contactDrafts.of(st).Roles) == 0 },
		Prompt: func(r *Request, st *FormState) string { return r.t("contact_q_roles", nil) },
		Choices: func(_ context.Context, r *Request, st *FormState) ([]Choice, error) {
			d := contactDrafts.of(st)
			var cs []Choice
			for _, role := range models.DecisionRoles {
				label := r.decisionRole(role)
				for _, have := range d.Roles {
					if have == role {
						label = "✓ " + label
					}
				}
				cs = append(cs, Choice{label, string(role)})
			}
			return append(cs, Choice{r.t("visit_contacts_done", nil), "done"}), nil
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			if a == "done" {
				return nil
			}
			if err := contactDrafts.update(st, func(d *contactDraft) error {
				// a tapped role that is ticked already is taken off
				role := models.DecisionRole(a)
				if i := slices.Index(d.Roles, role); i >= 0 {
					d.Roles = slices.Delete(d.Roles, i, i+1)
					return nil
				}
				d.Roles = models.AddRoles(d.Roles, role)
				return nil
			}); err != nil {
				return err
			}
			return ErrAskAgain
		},
		OnSkip: func(*FormState) {}}
}

// clientsPage is how many clients /clients shows at once.
const clientsPage = 10

// cmdClients is /clients [A|B|C|D]: the rep's clients, or a manager's
// team's, by name, a page at a time.
func (b *Bot) cmdClients(ctx context.Context, r *Request) error {
	var grade models.Grade
	if arg := strings.TrimSpace(r.Args); arg != "" {
		g, ok := models.ParseGrade(arg)
		if !ok {
			return models.Errorf(models.EINVALID, "err_grade_arg", map[string]any{"Value": arg})
		}
		grade = g
	}
	return b.clientsPage(ctx, r, grade, 0, 0)
}

func (b *Bot) clientsFilter(ctx context.Context, r *Request, grade models.Grade) (storage.ClientFilter, bool, error) {
	f := storage.ClientFilter{Viewer: r.User, Grade: grade, Limit: clientsPage}
	if r.User.IsAdmin {
		teams, err := b.visibleTeams(ctx, r)
		f.TeamIDs = teams
		return f, true, err
	}
	team := false
	for _, m := range r.User.ActiveMemberships() {
		if r.User.SeesTeam(m.TeamID) {
			team = true
		}
	}
	for _, m := range r.User.ActiveMemberships() {
		if !team || r.User.SeesTeam(m.TeamID) {
			f.TeamIDs = append(f.TeamIDs, m.TeamID)
		}
	}
	// A rep's list is the clients the one visibility rule lets them see
	// (owned or shared with them), not only those they own.
	return f, team, nil
}

// clientsPage shows page (from 0) of /clients; editID, when set, is the
// list message that the page replaces.
func (b *Bot) clientsPage(ctx context.Context, r *Request, grade models.Grade, page, editID int) error {
	f, team, err := b.clientsFilter(ctx, r, grade)
	if err != nil {
		return err
	}
	f.Offset = page * clientsPage
	cs, total, err := b.store.Clients(ctx, f)
	if err != nil {
		return err
	}
	gradeArg := "-"
	if grade != models.GradeNone {
		gradeArg = string(grade)
	}
	if total == 0 && page > 0 {
		// Only a Next/Prev button carries a page, and none is offered
		// on an empty list.
		r.say("button_stale", nil)
		return nil
	}
	if total == 0 {
		key := "clients_none"
		if grade != models.GradeNone {
			key = "clients_none_grade"
		}
		r.say(key, map[string]any{"Grade": string(grade)})
		return nil
	}
	pages := (total + clientsPage - 1) / clientsPage
	if page >= pages {
		r.say("button_stale", nil)
		return nil
	}
	header := "clients_header"
	if team {
		header = "clients_header_team"
	}
	lines := []string{r.t(header, map[string]any{"Total": total, "Page": page + 1, "Pages": pages, "Grade": string(grade)})}
	var nums []outbox.Button
	for i, c := range cs {
		n := f.Offset + i + 1
		parts := []string{}
		if c.Grade != models.GradeNone {
			parts = append(parts, string(c.Grade))
		}
		if c.Stage != models.StageNone {
			parts = append(parts, r.stage(c.Stage))
		}
		if c.LastVisitAt.IsZero() {
			parts = append(parts, r.t("clients_never_visited", nil))
		} else {
			parts = append(parts, r.t("clients_last_visit", map[string]any{"At": r.day(c.LastVisitAt)}))
		}
		if team || c.OwnerID != r.User.ID {
			parts = append(parts, b.userName(ctx, r, c.OwnerID))
		}
		line := fmt.Sprintf("%d. %s — %s", n, c.Name, strings.Join(parts, " · "))
		if c.NeedsNewPlan() {
			line += " ⚠️"
		}
		lines = append(lines, line)
		nums = append(nums, outbox.Button{Text: strconv.Itoa(n), Data: fmt.Sprintf("c:v:%d", c.ID)})
	}
	rows := grid(nums, 5)
	var nav []outbox.Button
	if page > 0 {
		nav = append(nav, outbox.Button{Text: r.t("btn_prev", nil), Data: fmt.Sprintf("cl:%s:%d", gradeArg, page-1)})
	}
	if page+1 < pages {
		nav = append(nav, outbox.Button{Text: r.t("btn_next", nil), Data: fmt.Sprintf("cl:%s:%d", gradeArg, page+1)})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	r.reply(strings.Join(lines, "\n"), rows)
	r.editLast(editID)
	return nil
}

// cbClients pages /clients: "cl:GRADE:PAGE" (GRADE "-" for all).
func (b *Bot) cbClients(ctx context.Context, r *Request, payload string) error {
	g, p, _ := strings.Cut(payload, ":")
	page, err := strconv.Atoi(p)
	grade := models.Grade("")
	if g != "-" {
		grade = models.Grade(g)
	}
	if err != nil || page < 0 || grade != models.GradeNone && !validGrade(grade) {
		r.say("button_stale", nil)
		return nil
	}
	return b.clientsPage(ctx, r, grade, page, r.MessageID)
}

func validGrade(g models.Grade) bool {
	for _, have := range models.Grades {
		if have == g {
			return true
		}
	}
	return false
}
