package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// objectionDraft is an objection being logged (form "objection"): its
// fields (models.ObjectionFields) in Objection, and what the form keeps
// besides.
type objectionDraft struct {
	Objection models.Objection `json:"-"`
	Quick     bool             `json:"quick,omitempty"`
	clientChoice
	Parts []quick.Part `json:"parts,omitempty"`
	// ResolveID is the objection a "resolve" form records the answer of.
	ResolveID int64 `json:"resolve,omitempty"`
}

// objectionDrafts keeps the objection and resolve forms' drafts.
var objectionDrafts = draftStore[models.Objection, objectionDraft]{"o", models.ObjectionFields, func(d *objectionDraft) *models.Objection { return &d.Objection }}

func (d *objectionDraft) check() error {
	if err := models.CheckText(models.FieldClientName, d.ClientName, models.MaxNameLen); err != nil {
		return err
	}
	return models.CheckFields(models.ObjectionFields, &d.Objection)
}

// The objection form asks the fields of models.ObjectionFields: the
// client (by hand, as the visit form does), category, the client's words,
// the answer.
func (b *Bot) objectionForm() *Form {
	custom := map[models.Field][]*Step{models.FieldClient: clientSteps(b, objectionDrafts, "objection_q_client", "objection_q_client_type",
		func(d *objectionDraft) (*clientChoice, setClientFunc) { return &d.clientChoice, d.set })}
	return &Form{
		Kind:  "objection",
		Steps: formSteps(objKeys, objectionDrafts, custom),
		Done:  b.objectionDone,
		// Save on every step once the client and the category (the one
		// required answer) are known, as the visit form's: the client's
		// words and the answer stay optional.
		CanSave: func(st *FormState) bool {
			d := objectionDrafts.of(st)
			return (d.ClientID != 0 || d.NewClient) && d.Objection.Category != ""
		},
		Describe: func(r *Request, st *FormState) string {
			d := objectionDrafts.of(st)
			lines := shownLines(r, objKeys, models.ObjectionFields, &d.Objection, func(f *models.FieldSpec[models.Objection]) (string, bool) {
				if f.Name == models.FieldClient {
					return labelled(r, objKeys, f, firstNonEmpty(d.ClientName, d.Typed)), true
				}
				return "", false
			})
			for i := range lines {
				lines[i] = "• " + lines[i]
			}
			return strings.Join(lines, "\n")
		},
	}
}

// cmdObjection is /objection: the form, or the quick entry
// "/objection CLIENT; category; "words"; answer: ...".
func (b *Bot) cmdObjection(ctx context.Context, r *Request) error {
	team, err := b.writeTeam(r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(r.Args) == "" {
		return startForm(ctx, b, r, "objection", objectionDrafts, &objectionDraft{clientChoice: clientChoice{TeamID: team}})
	}
	q := quick.ParseObjection(r.Args)
	d := &objectionDraft{Quick: true, clientChoice: clientChoice{TeamID: team, ClientName: strings.TrimSpace(q.Client)}, Parts: q.Parts,
		Objection: models.Objection{Category: q.Category, Words: q.Words, Answer: q.Answer}}
	if err := d.check(); err != nil {
		var de *models.Error
		if errors.As(err, &de) && de.Key == "err_field_long" {
			de.Key = "err_field_long_objection"
		}
		return err
	}
	return b.objectionDone(ctx, r, objectionDrafts.state("objection", d))
}

// objectionDone saves the objection, asking first what the quick entry
// lacks (client, a choice between close names, category).
func (b *Bot) objectionDone(ctx context.Context, r *Request, st *FormState) error {
	d := objectionDrafts.of(st)
	if asked, err := b.settleClient(ctx, r, st, "objection", &d.clientChoice, d.set, func() { objectionDrafts.store(st, d) }); asked || err != nil {
		return err
	}
	if d.Objection.Category == "" {
		r.say("objection_need_category", nil)
		objectionDrafts.store(st, d)
		return b.AskStep(ctx, r, "objection", "category", st)
	}
	in := &storage.NewObjection{Objection: d.Objection}
	in.Objection.ClientID, in.Objection.RepID = d.ClientID, r.User.ID
	// Linked to that day's visit by this rep to the client, in the rep's zone.
	y, m, day := r.Now.In(r.Loc).Date()
	in.LinkFrom = time.Date(y, m, day, 0, 0, 0, 0, r.Loc)
	in.LinkTo = in.LinkFrom.AddDate(0, 0, 1)
	if d.ClientID == 0 {
		in.NewClient = &models.Client{TeamID: d.TeamID, Name: d.ClientName, OwnerID: r.User.ID}
	}
	o, c, err := b.store.SaveObjection(ctx, in)
	if err != nil {
		return err
	}
	lines := []string{r.t("objection_saved", map[string]any{"Client": c.Name, "Category": r.category(o.Category)})}
	if d.Quick {
		lines = append(lines, r.t("visit_read_header", nil))
		for _, p := range d.Parts {
			lines = append(lines, r.t("read_line", map[string]any{"Text": clip(p.Text, echoLen), "Reading": clip(objectionReading(r, p, c, o), readingLen)}))
		}
	} else {
		// The client and category are in the first line.
		lines = append(lines, shownLines(r, objKeys, models.ObjectionFields, o, func(f *models.FieldSpec[models.Objection]) (string, bool) {
			return "", f.Name == models.FieldClient || f.Name == models.FieldCategory
		})...)
	}
	if o.VisitID != 0 {
		v, err := b.store.Visit(ctx, r.User, o.VisitID)
		if err == nil {
			lines = append(lines, r.t("objection_linked", map[string]any{"At": r.time(v.At)}))
		}
	}
	id := strconv.FormatInt(o.ID, 10)
	r.reply(strings.Join(lines, "\n"), [][]outbox.Button{{
		{Text: r.t("btn_resolved", nil), Data: "o:r:" + id},
		{Text: r.t("btn_undo", nil), Data: "o:u:" + id},
	}})
	if o.ClientCreated {
		return b.askGradeOnce(ctx, r, c)
	}
	return nil
}

func objectionReading(r *Request, p quick.Part, c *models.Client, o *models.Objection) string {
	switch p.Kind {
	case quick.KindClient:
		if o.ClientCreated {
			return r.t("read_client_new", map[string]any{"Client": c.Name})
		}
		return r.t("read_client", map[string]any{"Client": r.clientLabel(c)})
	case quick.KindCategory:
		return readField(r, models.FieldCategory, r.category(models.ObjectionCategory(p.Value)))
	case quick.KindAnswer:
		return readField(r, models.FieldAnswer, p.Value)
	}
	if p.Reason == quick.ReasonTwice {
		return r.t("read_words_twice", map[string]any{"Text": p.Value})
	}
	return readField(r, models.FieldWords, p.Value)
}

// objectionText is an objection in one line.
func objectionText(r *Request, o *models.Objection) string {
	s := r.category(o.Category)
	if o.Words != "" {
		s += " — " + r.t("quoted", map[string]any{"Text": clip(o.Words, lineLen)})
	}
	if o.Answer != "" {
		s += " · " + r.t("line_answer", map[string]any{"Text": clip(o.Answer, lineLen)})
	}
	if o.Resolved {
		return s + " · " + r.t("objection_resolved_with", map[string]any{"Text": clip(o.WorkedAnswer, lineLen)})
	}
	return s + " · " + r.t("objection_open", nil)
}

// objectionsShown is how many /objections lists.
const objectionsShown = 10

// cmdObjections is /objections [client]: the newest objections (the rep's
// own, or a manager's team's), with a button to mark each open one resolved.
func (b *Bot) cmdObjections(ctx context.Context, r *Request) error {
	f := storage.ObjectionFilter{Viewer: r.User, Limit: objectionsShown}
	title := r.t("objections_header", nil)
	if name := strings.TrimSpace(r.Args); name != "" {
		c, err := b.clientNamed(ctx, r, name, clientArg{Prefix: "c:v:"})
		if c == nil || err != nil {
			return err
		}
		f.ClientID = c.ID
		if !r.User.SeesTeam(c.TeamID) {
			f.RepID = r.User.ID
		}
		title = r.t("objections_header_client", map[string]any{"Client": c.Name})
	} else {
		cf, team, err := b.clientsFilter(ctx, r, "")
		if err != nil {
			return err
		}
		f.TeamIDs = cf.TeamIDs
		if !team {
			f.RepID = r.User.ID
		}
	}
	objs, err := b.store.Objections(ctx, f)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		r.say("objections_none", nil)
		return nil
	}
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = o.ClientID
	}
	clients, err := b.store.ClientsByID(ctx, r.User, ids) // one read, not one an objection
	if err != nil {
		return err
	}
	lines := []string{title}
	var buttons []outbox.Button
	for i, o := range objs {
		client := "?"
		if c := clients[o.ClientID]; c != nil {
			client = c.Name
		}
		lines = append(lines, fmt.Sprintf("%d. %s · %s · %s", i+1, r.day(o.At), client, objectionText(r, o)))
		if !o.Resolved {
			buttons = append(buttons, outbox.Button{Text: r.t("btn_resolved_n", map[string]any{"N": i + 1}), Data: fmt.Sprintf("o:r:%d", o.ID)})
		}
	}
	r.reply(strings.Join(lines, "\n"), grid(buttons, 3))
	return nil
}

// cbObjection handles "o:r:ID" (resolved: which answer worked?), "o:w:ID"
// (the answer given worked), "o:t:ID" (type the answer that worked) and
// "o:u:ID" (undo: asks first), "o:y:ID" (undo it) and "o:k:ID" (keep it).
func (b *Bot) cbObjection(ctx context.Context, r *Request, action string, id int64, _ string) error {
	o, err := b.store.Objection(ctx, r.User, id)
	if err != nil {
		return sayIfGone(r, err, "button_stale")
	}
	mine := o.RepID == r.User.ID
	ownerOnly := action == "u" || action == "y" || action == "k"
	if !mine && (ownerOnly || !r.User.SeesTeam(o.TeamID)) {
		r.say("button_stale", nil)
		return nil
	}
	c, err := b.store.Client(ctx, r.User, o.ClientID)
	if err != nil {
		return err
	}
	switch action {
	case "r":
		if o.Resolved {
			r.say("objection_already_resolved", map[string]any{"Text": o.WorkedAnswer})
			return nil
		}
		var rows [][]outbox.Button
		if o.Answer != "" {
			rows = append(rows, []outbox.Button{{Text: r.t("btn_worked_given", map[string]any{"Text": truncate(o.Answer, 40)}), Data: fmt.Sprintf("o:w:%d", o.ID)}})
		}
		rows = append(rows, []outbox.Button{{Text: r.t("btn_worked_other", nil), Data: fmt.Sprintf("o:t:%d", o.ID)}})
		r.reply(r.t("objection_q_worked", map[string]any{"Client": c.Name, "Objection": objectionText(r, o)}), rows)
		return nil
	case "w":
		if o.Answer == "" || o.Resolved {
			r.say("button_stale", nil)
			return nil
		}
		o, err = b.store.ResolveObjection(ctx, r.User, o.ID, o.Answer)
		if err != nil {
			return err
		}
		r.reply(r.t("objection_resolved", map[string]any{"Client": c.Name, "Category": r.category(o.Category), "Text": o.WorkedAnswer}), nil)
		r.editLast(r.MessageID)
		return nil
	case "t":
		if o.Resolved {
			r.say("button_stale", nil)
			return nil
		}
		st := &FormState{}
		objectionDrafts.store(st, &objectionDraft{ResolveID: o.ID})
		return b.AskStep(ctx, r, "resolve", "worked", st)
	case "u":
		return b.askUndoObjection(ctx, r, o.ID)
	case "y":
		return b.undoObjection(ctx, r, o, r.MessageID)
	case "k":
		keepEntry(r, "undo_kept_objection", map[string]any{"Client": c.Name, "Category": r.category(o.Category)})
		return nil
	}
	r.say("button_stale", nil)
	return nil
}

// resolveForm asks for the answer that worked, typed.
func (b *Bot) resolveForm() *Form {
	return &Form{
		Kind: "resolve",
		Steps: []*Step{{ID: "worked", Text: true,
			Prompt: func(r *Request, st *FormState) string { return r.t("objection_q_worked_text", nil) },
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				if err := models.CheckText(models.FieldAnswer, a, models.MaxTextLen); err != nil {
					return err
				}
				return objectionDrafts.update(st, func(d *objectionDraft) error { d.Objection.Answer = strings.TrimSpace(a); return nil })
			}}},
		Done: func(ctx context.Context, r *Request, st *FormState) error {
			d := objectionDrafts.of(st)
			o, err := b.store.Objection(ctx, r.User, d.ResolveID)
			if err != nil {
				return err
			}
			o, err = b.store.ResolveObjection(ctx, r.User, o.ID, d.Objection.Answer)
			if err != nil {
				return err
			}
			c, err := b.store.Client(ctx, r.User, o.ClientID)
			if err != nil {
				return err
			}
			r.say("objection_resolved", map[string]any{"Client": c.Name, "Category": r.category(o.Category), "Text": o.WorkedAnswer})
			return nil
		},
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
