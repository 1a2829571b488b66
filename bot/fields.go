package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"salesbot/internal/quick"
	"salesbot/models"
)

// The front end of the field tables (models.VisitFields and the others):
// form steps, confirmation lines, Edit buttons and stored drafts are
// derived here from a record's specs. Catalogue keys follow the record's
// kind ("visit", "objection", "client", "contact") and the field's step:
// <kind>_q_<step> asks for it, field_<kind>_<step> labels it (Edit button,
// "Label: value" lines, export header). In errors and in how a quick entry
// was read a field is named by its label as running text ("next step"),
// or by field_<name> where a language words it otherwise or the field has
// no label.

// recordKeys are the catalogue keys of one kind of record's fields, made
// from its table (and listed for the catalogue test, as keys.go's tables).
type recordKeys struct {
	prompts, labels map[string]string
}

func keysOfFields[R any](kind string, specs []models.FieldSpec[R]) *recordKeys {
	k := &recordKeys{prompts: map[string]string{}, labels: map[string]string{}}
	for i := range specs {
		f := &specs[i]
		step := f.StepID()
		if f.Has(models.UseShow) || f.Has(models.UseEdit) {
			k.labels[step] = "field_" + kind + "_" + step
			tableKeys = append(tableKeys, k.labels[step])
		}
		if (f.Has(models.UseAsk) || f.Has(models.UseEdit)) && f.Set != nil {
			k.prompts[step] = kind + "_q_" + step
			tableKeys = append(tableKeys, k.prompts[step])
		}
		// A text field names itself in errors, a field a quick entry reads
		// names itself in the reading.
		if f.Kind != models.CustomField && (f.Kind == models.TextField || len(f.Keywords) > 0) {
			n := nouns[f.Name]
			if n.label == "" {
				n.label = k.labels[step]
			}
			nouns[f.Name] = n
		}
	}
	return k
}

// nouns are the labels that name fields in running text, by field name
// (the first record with a label for the name gives it).
var nouns = map[models.Field]struct{ label string }{}

// nounKey is the key of a field's own noun, which a language defines when
// its label as running text would not do (and every language for a field
// without a label).
func nounKey(f models.Field) string { return "field_" + string(f) }

// fieldNoun names a field in the user's language in running text: "the
// next step is too long", "I read: next step …".
func (r *Request) fieldNoun(f models.Field) string {
	label := nouns[f].label
	if label == "" || r.cat.Has(r.Lang, nounKey(f)) {
		return r.t(nounKey(f), nil)
	}
	return r.language().InText(r.t(label, nil))
}

// The nouns every language must define are those of fields without a
// label; the catalogue test asks for them with the tables' keys.
func init() {
	for f, n := range nouns {
		if n.label == "" {
			tableKeys = append(tableKeys, nounKey(f))
		}
	}
}

func (k *recordKeys) prompt(step string) string { return k.prompts[step] }
func (k *recordKeys) label(step string) string  { return k.labels[step] }

var (
	visitKeys   = keysOfFields("visit", models.VisitFields)
	objKeys     = keysOfFields("objection", models.ObjectionFields)
	clientKeys  = keysOfFields("client", models.ClientFields)
	contactKeys = keysOfFields("contact", models.ContactFields)
)

// enumLabel renders a code of an enum in the user's language.
func (r *Request) enumLabel(e models.Enum, code string) string {
	switch e {
	case models.EnumMethod:
		return r.method(models.Method(code))
	case models.EnumStage:
		return r.stage(models.Stage(code))
	case models.EnumAttitude:
		return r.attitude(models.Attitude(code))
	case models.EnumCategory:
		return r.category(models.ObjectionCategory(code))
	case models.EnumGrade:
		return r.grade(models.Grade(code))
	}
	return code
}

// fieldValue renders a generic field's value ("" for none, and for custom
// fields, which their front end renders).
func fieldValue[R any](r *Request, f *models.FieldSpec[R], rec *R) string {
	if f.Kind == models.TimeField {
		if t := f.Time(rec); t != nil && !t.IsZero() {
			return r.time(*t)
		}
		return ""
	}
	if f.Get == nil {
		return ""
	}
	v := f.Get(rec)
	if v == "" {
		return ""
	}
	switch f.Kind {
	case models.ChoiceField:
		return r.enumLabel(f.Enum, v)
	case models.MinutesField:
		return r.t("minutes", map[string]any{"N": v})
	}
	return v
}

// fieldLine is "Label: value", shortened to fit a message.
func fieldLine(r *Request, label, value string) string {
	return r.t("field_line", map[string]any{"Label": label, "Value": clip(value, readingLen)})
}

// shownLines are the "Label: value" lines of a record's shown fields that
// have a value. custom renders the fields its front end shows by hand
// (handled; "" leaves the field out).
func shownLines[R any](r *Request, keys *recordKeys, specs []models.FieldSpec[R], rec *R, custom func(f *models.FieldSpec[R]) (string, bool)) []string {
	var lines []string
	for i := range specs {
		f := &specs[i]
		if !f.Has(models.UseShow) {
			continue
		}
		line, handled := "", false
		if custom != nil {
			line, handled = custom(f)
		}
		if !handled && f.Kind != models.CustomField {
			line = labelled(r, keys, f, fieldValue(r, f, rec))
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// labelled is a field's "Label: value" line, "" for no value.
func labelled[R any](r *Request, keys *recordKeys, f *models.FieldSpec[R], value string) string {
	if value == "" {
		return ""
	}
	return fieldLine(r, r.t(keys.label(f.StepID()), nil), value)
}

// editSteps are the steps the Edit buttons of a record offer.
func editSteps[R any](specs []models.FieldSpec[R]) []string {
	var out []string
	for i := range specs {
		if specs[i].Has(models.UseEdit) {
			out = append(out, specs[i].StepID())
		}
	}
	return out
}

func isEditStep[R any](specs []models.FieldSpec[R], step string) bool {
	for _, s := range editSteps(specs) {
		if s == step {
			return true
		}
	}
	return false
}

// choiceColumns is how many buttons a choice field puts in a row (default 2).
var choiceColumns = map[models.Field]int{models.FieldAttitude: 3}

// enumChoices offers an enum's codes as buttons; stages are numbered in
// their order, with lost apart.
func enumChoices(r *Request, e models.Enum) []Choice {
	var cs []Choice
	for i, code := range e.Codes() {
		label := r.enumLabel(e, code)
		if e == models.EnumStage {
			if models.Stage(code) == models.StageLost {
				label = "✗ " + label
			} else {
				label = fmt.Sprintf("%d. %s", i+1, label)
			}
		}
		cs = append(cs, Choice{label, code})
	}
	return cs
}

// formSteps are a record's form steps in the table's order: the steps its
// front end writes by hand for a field (custom, keyed by field name: the
// client, the contacts met, a name matched against the team), else one
// generic step for each field the form asks or Edit reaches. rec finds the
// record inside the stored draft.
func formSteps[R, D any](keys *recordKeys, drafts draftStore[R, D], custom map[models.Field][]*Step) []*Step {
	specs, rec := drafts.specs, drafts.rec
	var steps []*Step
	for i := range specs {
		f := &specs[i]
		if hand, ok := custom[f.Name]; ok {
			steps = append(steps, hand...)
			continue
		}
		if !f.Has(models.UseAsk) && !f.Has(models.UseEdit) || f.Set == nil {
			continue
		}
		id := f.StepID()
		s := &Step{ID: id, Optional: !f.Required,
			Prompt: func(r *Request, _ *FormState) string { return r.t(keys.prompt(id), nil) },
			Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
				a = strings.TrimSpace(a)
				if f.Kind == models.MinutesField {
					m, ok := quick.ParseMinutes(a)
					if !ok {
						return models.Errorf(models.EINVALID, "err_duration", map[string]any{"Value": a})
					}
					a = m
				}
				if err := f.Check(a); err != nil {
					return err
				}
				return drafts.update(st, func(d *D) error { f.Set(rec(d), a); return nil })
			},
			OnSkip: func(st *FormState) { _ = drafts.update(st, func(d *D) error { f.Set(rec(d), ""); return nil }) },
		}
		switch f.Kind {
		case models.ChoiceField:
			e := f.Enum
			s.Choices = func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) { return enumChoices(r, e), nil }
			s.Read = e.Parse
			s.Columns = choiceColumns[f.Name]
		default:
			s.Text = true
			s.NumbersAreText = f.Kind == models.MinutesField || f.Numeric
		}
		if !f.Has(models.UseAsk) {
			s.When = never // reached by Edit only
		}
		steps = append(steps, s)
	}
	return steps
}

// draftStore keeps a form's draft D of a record R in the form state under
// one key, as JSON, so a restart mid-form loses nothing: the record's
// fields (specs, found in the draft by rec) under their step ids beside
// the draft's own JSON fields (the record itself is `json:"-"`).
type draftStore[R, D any] struct {
	key   string
	specs []models.FieldSpec[R]
	rec   func(*D) *R
}

// of reads the draft; a draft this version cannot read starts empty.
func (k draftStore[R, D]) of(st *FormState) *D {
	d := new(D)
	if s := st.Get(k.key); s != "" {
		if unmarshalDraft([]byte(s), d, k.specs, k.rec(d)) != nil {
			d = new(D)
		}
	}
	return d
}

func (k draftStore[R, D]) store(st *FormState, d *D) {
	data, _ := marshalDraft(d, k.specs, k.rec(d))
	st.Set(k.key, string(data))
}

// update reads the draft, lets fn change it and stores it back.
func (k draftStore[R, D]) update(st *FormState, fn func(d *D) error) error {
	d := k.of(st)
	if err := fn(d); err != nil {
		return err
	}
	k.store(st, d)
	return nil
}

// state is a form of kind holding draft d: what a quick entry hands to the
// form's done step, or a form starts with.
func (k draftStore[R, D]) state(kind string, d *D) *FormState {
	st := &FormState{Kind: kind}
	k.store(st, d)
	return st
}

// startForm begins a form of kind with draft d.
func startForm[R, D any](ctx context.Context, b *Bot, r *Request, kind string, drafts draftStore[R, D], d *D) error {
	return b.StartForm(ctx, r, kind, drafts.state(kind, d).Data)
}

// marshalDraft writes a draft as one JSON object: the draft's own fields
// (extra, a struct) and the record's generic fields under their step ids,
// the layout drafts have always been stored in.
func marshalDraft[R any](extra any, specs []models.FieldSpec[R], rec *R) ([]byte, error) {
	data, err := json.Marshal(extra)
	if err != nil {
		return nil, err
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for i := range specs {
		f := &specs[i]
		if f.Get == nil || f.Set == nil {
			continue
		}
		if v := f.Get(rec); v != "" {
			m[f.StepID()], _ = json.Marshal(v)
		}
	}
	return json.Marshal(m)
}

// unmarshalDraft reads what marshalDraft wrote (a number is read as its
// decimal text: durations were once stored as numbers).
func unmarshalDraft[R any](data []byte, extra any, specs []models.FieldSpec[R], rec *R) error {
	if err := json.Unmarshal(data, extra); err != nil {
		return err
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for i := range specs {
		f := &specs[i]
		raw, ok := m[f.StepID()]
		if !ok || f.Set == nil {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				continue
			}
			s = n.String()
		}
		f.Set(rec, s)
	}
	return nil
}
