package bot

import (
	"context"
	"encoding/json"
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

// objectionDraft is an objection being logged (form "objection").
type objectionDraft struct {
	Quick bool `json:"quick,omitempty"`
	clientChoice
	Category models.ObjectionCategory `json:"category,omitempty"`
	Words    string                   `json:"words,omitempty"`
	Answer   string                   `json:"answer,omitempty"`
	Parts    []quick.Part             `json:"parts,omitempty"`
	// ResolveID is the objection a "resolve" form records the answer of.
	ResolveID int64 `json:"resolve,omitempty"`
}

func objectionDraftOf(st *FormState) *objectionDraft {
	d := &objectionDraft{}
	if s := st.Get("o"); s != "" {
		_ = json.Unmarshal([]byte(s), d)
	}
	return d
}

func (d *objectionDraft) store(st *FormState) {
	data, _ := json.Marshal(d)
	st.Set("o", string(data))
}

func updateObjection(st *FormState, fn func(d *objectionDraft) error) error {
	d := objectionDraftOf(st)
	if err := fn(d); err != nil {
		return err
	}
	d.store(st)
	return nil
}

func (d *objectionDraft) check() error {
	for _, err := range []error{
		models.CheckText(models.FieldClientName, d.ClientName, models.MaxNameLen),
		models.CheckText(models.FieldWords, d.Words, models.MaxTextLen),
		models.CheckText(models.FieldAnswer, d.Answer, models.MaxTextLen),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// The objection form: client, category, the client's words, the answer.
func (b *Bot) objectionForm() *Form {
	never := func(*FormState) bool { return false }
	text := func(id string, field models.Field, set func(d *objectionDraft, v string)) *Step {
		return &Step{ID: id, Text: true, Optional: true,
			Prompt: func(r *Request, st *FormState) string { return r.t("objection_q_"+id, nil) },
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				if err := models.CheckText(field, a, models.MaxTextLen); err != nil {
					return err
				}
				return updateObjection(st, func(d *objectionDraft) error { set(d, strings.TrimSpace(a)); return nil })
			},
			OnSkip: func(st *FormState) {
				_ = updateObjection(st, func(d *objectionDraft) error { set(d, ""); return nil })
			},
		}
	}
	return &Form{
		Kind: "objection",
		Steps: []*Step{
			{ID: "client", Text: true, Columns: 2,
				Prompt:  func(r *Request, st *FormState) string { return r.t("objection_q_client", nil) },
				Choices: b.recentClientChoices,
				Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
					return updateObjection(st, func(d *objectionDraft) error {
						jump, err := b.resolveClient(ctx, r, a, &d.clientChoice, d.set)
						if jump {
							st.Jump = "client_pick"
						}
						return err
					})
				}},
			{ID: "client_pick", When: never, Columns: 1,
				Prompt: func(r *Request, st *FormState) string {
					return r.t("visit_q_client_pick", map[string]any{"Name": objectionDraftOf(st).Typed})
				},
				Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
					d := objectionDraftOf(st)
					return b.candidateChoices(ctx, r, d.Typed, d.Candidates)
				},
				Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
					return updateObjection(st, func(d *objectionDraft) error {
						return b.pickClient(ctx, r, a, &d.clientChoice, d.set)
					})
				}},
			{ID: "category", Columns: 2,
				Prompt: func(r *Request, st *FormState) string { return r.t("objection_q_category", nil) },
				Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
					var cs []Choice
					for _, c := range models.ObjectionCategories {
						cs = append(cs, Choice{r.category(c), string(c)})
					}
					return cs, nil
				},
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					return updateObjection(st, func(d *objectionDraft) error { d.Category = models.ObjectionCategory(a); return nil })
				}},
			text("words", models.FieldWords, func(d *objectionDraft, v string) { d.Words = v }),
			text("answer", models.FieldAnswer, func(d *objectionDraft, v string) { d.Answer = v }),
		},
		Done: b.objectionDone,
		Describe: func(r *Request, st *FormState) string {
			d := objectionDraftOf(st)
			var lines []string
			for _, kv := range []struct{ key, v string }{
				{"sum_client", firstNonEmpty(d.ClientName, d.Typed)}, {"sum_category", string(d.Category)},
				{"sum_words", d.Words}, {"sum_answer", d.Answer},
			} {
				if kv.v != "" {
					if kv.key == "sum_category" {
						kv.v = r.category(d.Category)
					}
					lines = append(lines, "• "+r.t(kv.key, map[string]any{"Value": kv.v}))
				}
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
		st := &FormState{Data: map[string]string{}}
		(&objectionDraft{clientChoice: clientChoice{TeamID: team}}).store(st)
		return b.StartForm(ctx, r, "objection", st.Data)
	}
	q := quick.ParseObjection(r.Args)
	d := &objectionDraft{Quick: true, clientChoice: clientChoice{TeamID: team, ClientName: strings.TrimSpace(q.Client)}, Category: q.Category,
		Words: q.Words, Answer: q.Answer, Parts: q.Parts}
	if err := d.check(); err != nil {
		var de *models.Error
		if errors.As(err, &de) && de.Key == "err_field_long" {
			de.Key = "err_field_long_objection"
		}
		return err
	}
	st := &FormState{Kind: "objection"}
	d.store(st)
	return b.objectionDone(ctx, r, st)
}

// objectionDone saves the objection, asking first what the quick entry
// lacks (client, a choice between close names, category).
func (b *Bot) objectionDone(ctx context.Context, r *Request, st *FormState) error {
	d := objectionDraftOf(st)
	if asked, err := b.settleClient(ctx, r, st, "objection", &d.clientChoice, d.set, func() { d.store(st) }); asked || err != nil {
		return err
	}
	if d.Category == "" {
		r.say("objection_need_category", nil)
		return b.AskStep(ctx, r, "objection", "category", st)
	}
	in := &storage.NewObjection{Objection: models.Objection{ClientID: d.ClientID, RepID: r.User.ID,
		Category: d.Category, Words: d.Words, Answer: d.Answer}}
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
		if o.Words != "" {
			lines = append(lines, r.t("sum_words", map[string]any{"Value": clip(o.Words, readingLen)}))
		}
		if o.Answer != "" {
			lines = append(lines, r.t("sum_answer", map[string]any{"Value": clip(o.Answer, readingLen)}))
		}
	}
	if o.VisitID != 0 {
		v, err := b.store.Visit(ctx, o.VisitID)
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
		return r.t("read_category", map[string]any{"Category": r.category(models.ObjectionCategory(p.Value))})
	case quick.KindAnswer:
		return r.t("read_answer", map[string]any{"Text": p.Value})
	}
	if p.Reason == quick.ReasonTwice {
		return r.t("read_words_twice", map[string]any{"Text": p.Value})
	}
	return r.t("read_words", map[string]any{"Text": p.Value})
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
	f := storage.ObjectionFilter{Limit: objectionsShown}
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
	lines := []string{title}
	var buttons []outbox.Button
	for i, o := range objs {
		client := "?"
		if c, err := b.store.Client(ctx, o.ClientID); err == nil {
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
// "o:u:ID" (undo).
func (b *Bot) cbObjection(ctx context.Context, r *Request, payload string) error {
	action, rest, _ := strings.Cut(payload, ":")
	id, _, ok := cbID(rest)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	o, err := b.store.Objection(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		r.say("button_stale", nil)
		return nil
	}
	if err != nil {
		return err
	}
	mine := o.RepID == r.User.ID
	if !mine && !(action != "u" && r.User.SeesTeam(o.TeamID)) {
		r.say("button_stale", nil)
		return nil
	}
	c, err := b.store.Client(ctx, o.ClientID)
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
		o, err = b.store.ResolveObjection(ctx, o.ID, o.Answer)
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
		(&objectionDraft{ResolveID: o.ID}).store(st)
		return b.AskStep(ctx, r, "resolve", "worked", st)
	case "u":
		return b.undoObjection(ctx, r, o, r.MessageID)
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
				return updateObjection(st, func(d *objectionDraft) error { d.Answer = strings.TrimSpace(a); return nil })
			}}},
		Done: func(ctx context.Context, r *Request, st *FormState) error {
			d := objectionDraftOf(st)
			o, err := b.store.Objection(ctx, d.ResolveID)
			if err != nil {
				return err
			}
			if o.RepID != r.User.ID && !r.User.SeesTeam(o.TeamID) {
				r.say("button_stale", nil)
				return nil
			}
			o, err = b.store.ResolveObjection(ctx, o.ID, d.Answer)
			if err != nil {
				return err
			}
			c, err := b.store.Client(ctx, o.ClientID)
			if err != nil {
				return err
			}
			r.say("objection_resolved", map[string]any{"Client": c.Name, "Category": r.category(o.Category), "Text": o.WorkedAnswer})
			return nil
		},
	}
}

// undoObjection takes back one of the user's objections of the undo window.
func (b *Bot) undoObjection(ctx context.Context, r *Request, o *models.Objection, confirmID int) error {
	if o.RepID != r.User.ID {
		r.say("button_stale", nil)
		return nil
	}
	if r.Now.Sub(o.CreatedAt) > models.UndoWindow {
		return models.Errorf(models.EINVALID, "err_undo_too_old", map[string]any{"At": o.CreatedAt})
	}
	c, err := b.store.Client(ctx, o.ClientID)
	if err != nil {
		return err
	}
	_, gone, err := b.store.UndoObjection(ctx, o.ID)
	if err != nil {
		return err
	}
	text := r.t("objection_undone", map[string]any{"Client": c.Name, "Category": r.category(o.Category)})
	if gone {
		text += "\n" + r.t("undo_client_removed", nil)
	}
	r.reply(text, nil)
	r.editLast(confirmID)
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
