package models

import (
	"strconv"
	"time"
)

// A record's fields are declared once, in a table of FieldSpecs (VisitFields,
// ObjectionFields, ClientFields, ContactFields), the way the command table
// declares the commands: the limits that Validate checks, the quick entry's
// keywords, the form's steps, the confirmation's lines, the Edit buttons and
// the export's columns are all read from it. A new field of a visit is a
// struct field, one row here, a migration, and its words in the catalogue.

// FieldKind is how a field holds its value, and so how it is asked for.
type FieldKind int

// Field kinds.
const (
	// TextField is free text of at most Max characters.
	TextField FieldKind = iota
	// ChoiceField is one of the codes of its Enum.
	ChoiceField
	// MinutesField is a whole number of minutes, at most a day.
	MinutesField
	// TimeField is an instant (the next visit); Time reads it.
	TimeField
	// BoolField is yes or no ("1" or "").
	BoolField
	// CustomField has no value of its own on the record (the visit's
	// client and contacts met, an export's owner name): each front end
	// asks and shows it by hand. A front end may also ask a field of
	// another kind by hand (a client's name is matched against the team).
	CustomField
)

// FieldUse says where a field appears.
type FieldUse uint8

// Field uses.
const (
	// UseAsk: the form asks it in its turn (without it, only Edit reaches
	// the step).
	UseAsk FieldUse = 1 << iota
	// UseEdit: an Edit button changes it.
	UseEdit
	// UseShow: the confirmation and the notice of a cancelled form list it.
	UseShow
	// UseExport: it is a column of the export.
	UseExport
	// UseLine: the one-line form of a record (the client card's last
	// visits, the client's history) shows it.
	UseLine
)

// Enum names a fixed list of codes that a choice field takes.
type Enum string

// The enums of choice fields.
const (
	EnumMethod   Enum = "method"
	EnumStage    Enum = "stage"
	EnumAttitude Enum = "attitude"
	EnumCategory Enum = "category"
	EnumGrade    Enum = "grade"
)

// Codes are the enum's values in the order they are offered (a visit's
// stage also offers "lost", last).
func (e Enum) Codes() []string {
	switch e {
	case EnumMethod:
		return codes(Methods)
	case EnumStage:
		return append(codes(Stages), string(StageLost))
	case EnumAttitude:
		return codes(Attitudes)
	case EnumCategory:
		return codes(ObjectionCategories)
	case EnumGrade:
		return codes(Grades)
	}
	return nil
}

// Parse reads a code of the enum as people type it ("demo", "报价").
func (e Enum) Parse(s string) (string, bool) {
	switch e {
	case EnumMethod:
		return code(ParseMethod(s))
	case EnumStage:
		return code(ParseStage(s))
	case EnumAttitude:
		return code(ParseAttitude(s))
	case EnumCategory:
		return code(ParseObjectionCategory(s))
	case EnumGrade:
		return code(ParseGrade(s))
	}
	return "", false
}

func code[T ~string](v T, ok bool) (string, bool) { return string(v), ok }

func codes[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// FieldSpec declares one field of a record R.
type FieldSpec[R any] struct {
	// Name names the field in errors and catalogue keys.
	Name Field
	// Step is the field's form step and Edit button ("points"), and its
	// key in a stored draft; Name when empty.
	Step string
	Kind FieldKind
	// Max bounds a text field, in characters.
	Max int
	// Enum is the codes of a choice field.
	Enum Enum
	// Keywords name the field in a quick entry ("next: send quote",
	// "下一步: 发合同"), English and Chinese.
	Keywords []string
	Use      FieldUse
	// Required fields have no Skip in the form.
	Required bool
	// Numeric says a bare number is a value of this text field (a size, a
	// phone); in other fields a typed small number is a mistyped button.
	Numeric bool
	// Valid, when set, checks a text field's value beyond its length (a
	// phone number's digits).
	Valid func(string) error
	// Width is the field's export column width.
	Width float64
	// Get and Set read and write the value as text: a code, minutes in
	// decimal, "" for none. Custom and time fields have none.
	Get func(*R) string
	Set func(*R, string)
	// Time reads a time field (nil: none).
	Time func(*R) *time.Time
}

// StepID is the field's form step.
func (f *FieldSpec[R]) StepID() string {
	if f.Step != "" {
		return f.Step
	}
	return string(f.Name)
}

// Has reports whether the field appears where u says.
func (f *FieldSpec[R]) Has(u FieldUse) bool { return f.Use&u != 0 }

// Check refuses a value the field cannot hold, naming the field.
func (f *FieldSpec[R]) Check(value string) error {
	switch f.Kind {
	case TextField:
		if err := checkLen(f.Name, value, f.Max); err != nil || value == "" || f.Valid == nil {
			return err
		}
		return f.Valid(value)
	case MinutesField:
		if value == "" {
			return nil
		}
		if m, err := strconv.Atoi(value); err != nil || m < 0 || m > MaxMinutes {
			return Errorf(EINVALID, "err_duration", map[string]any{"Value": value})
		}
	case ChoiceField:
		key := f.Enum.unknownKey()
		if value == "" || key == "" {
			return nil
		}
		for _, c := range f.Enum.Codes() {
			if c == value {
				return nil
			}
		}
		return Errorf(EINVALID, key, map[string]any{"Value": value})
	}
	return nil
}

// unknownKey is the error for a code the enum does not have; "" where the
// code comes only from buttons and parsers and is not checked.
func (e Enum) unknownKey() string {
	switch e {
	case EnumStage:
		return "err_stage_unknown"
	case EnumCategory:
		return "err_category_unknown"
	case EnumGrade:
		return "err_grade_unknown"
	}
	return ""
}

// CheckFields checks every generic field of a record against its spec.
func CheckFields[R any](specs []FieldSpec[R], r *R) error {
	for i := range specs {
		f := &specs[i]
		if f.Get == nil {
			continue
		}
		if err := f.Check(f.Get(r)); err != nil {
			return err
		}
	}
	return nil
}

// FieldNamed is the spec of a step or field name (nil: none).
func FieldNamed[R any](specs []FieldSpec[R], step string) *FieldSpec[R] {
	for i := range specs {
		if specs[i].StepID() == step || string(specs[i].Name) == step {
			return &specs[i]
		}
	}
	return nil
}

// MaxMinutes bounds a duration: a day.
const MaxMinutes = 24 * 60

func minutes(m int) string {
	if m == 0 {
		return ""
	}
	return strconv.Itoa(m)
}

func atoi0(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Fields of a visit that have no text of their own.
const (
	FieldClient      Field = "client"
	FieldMethod      Field = "method"
	FieldContacts    Field = "contacts"
	FieldStageBefore Field = "stage_before"
	// FieldStageReached is where the visit left the client's stage (a step
	// the stage rule refused reads as the stage the client stayed at).
	FieldStageReached Field = "stage_reached"
	FieldStage        Field = "stage"
	FieldAttitude     Field = "attitude"
	FieldDuration     Field = "duration"
	FieldNextVisit    Field = "next_visit"
	// FieldWhen is when the visit took place (default: when it is logged).
	FieldWhen       Field = "when"
	FieldCategory   Field = "category"
	FieldGrade      Field = "grade"
	FieldResolved   Field = "resolved"
	FieldWorked     Field = "worked_answer"
	FieldResolvedAt Field = "resolved_at"
	FieldOwner      Field = "owner"
	FieldVisitCount Field = "visits_in_period"
	FieldLastVisit  Field = "last_visit"
	FieldCreated    Field = "created"
	FieldRoles      Field = "roles"
	// FieldDeal is the client's deal a visit was for.
	FieldDeal Field = "deal"
)

// VisitFields are a visit's fields, in the order the form asks them, the
// confirmation lists them and the export writes them: what a typical visit
// answers (client, method, contacts, stage, attitude, next step) first.
var VisitFields = []FieldSpec[Visit]{
	{Name: FieldClient, Kind: CustomField, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 24},
	{Name: FieldMethod, Kind: ChoiceField, Enum: EnumMethod, Use: UseAsk | UseEdit | UseShow | UseExport | UseLine, Width: 12,
		Keywords: fieldWords(kindVisitField, FieldMethod),
		Get:      func(v *Visit) string { return string(v.Method) }, Set: func(v *Visit, s string) { v.Method = Method(s) }},
	{Name: FieldContacts, Kind: CustomField, Use: UseAsk | UseEdit | UseShow,
		Keywords: fieldWords(kindVisitField, FieldContacts)},
	{Name: FieldStageBefore, Kind: ChoiceField, Enum: EnumStage, Use: UseExport, Width: 16,
		Get: func(v *Visit) string { return string(v.StageBefore) }},
	{Name: FieldStageReached, Kind: ChoiceField, Enum: EnumStage, Use: UseExport, Width: 16,
		Get: func(v *Visit) string { return string(v.StageReached()) }},
	{Name: FieldStage, Kind: ChoiceField, Enum: EnumStage, Use: UseAsk | UseEdit | UseShow | UseExport | UseLine, Width: 16,
		Keywords: fieldWords(kindVisitField, FieldStage),
		Get:      func(v *Visit) string { return string(v.Stage) }, Set: func(v *Visit, s string) { v.Stage = Stage(s) }},
	{Name: FieldAttitude, Kind: ChoiceField, Enum: EnumAttitude, Use: UseAsk | UseEdit | UseShow | UseExport | UseLine, Width: 10,
		Keywords: fieldWords(kindVisitField, FieldAttitude),
		Get:      func(v *Visit) string { return string(v.Attitude) }, Set: func(v *Visit, s string) { v.Attitude = Attitude(s) }},
	{Name: FieldNextStep, Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseEdit | UseShow | UseExport | UseLine, Width: 30,
		Keywords: fieldWords(kindVisitField, FieldNextStep),
		Get:      func(v *Visit) string { return v.NextStep }, Set: func(v *Visit, s string) { v.NextStep = s }},
	{Name: FieldDuration, Kind: MinutesField, Use: UseEdit | UseShow | UseExport, Width: 9,
		Keywords: fieldWords(kindVisitField, FieldDuration),
		Get:      func(v *Visit) string { return minutes(v.DurationMin) }, Set: func(v *Visit, s string) { v.DurationMin = atoi0(s) }},
	{Name: FieldPlace, Kind: TextField, Max: MaxPlaceLen, Use: UseEdit | UseShow | UseExport, Width: 24,
		Keywords: fieldWords(kindVisitField, FieldPlace),
		Get:      func(v *Visit) string { return v.Place }, Set: func(v *Visit, s string) { v.Place = s }},
	{Name: FieldTalkingPoints, Step: "points", Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 40,
		Keywords: fieldWords(kindVisitField, FieldTalkingPoints),
		Get:      func(v *Visit) string { return v.TalkingPoints }, Set: func(v *Visit, s string) { v.TalkingPoints = s }},
	{Name: FieldClientView, Step: "view", Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 40,
		Keywords: fieldWords(kindVisitField, FieldClientView),
		Get:      func(v *Visit) string { return v.ClientView }, Set: func(v *Visit, s string) { v.ClientView = s }},
	{Name: FieldNextVisit, Step: "next", Kind: TimeField, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 17,
		Keywords: fieldWords(kindVisitField, FieldNextVisit),
		Time:     func(v *Visit) *time.Time { return v.NextVisitAt }},
	// Reps often log in the evening: the visit's time is asked (default
	// now) and may lie in the past, never ahead. It is asked last, after the
	// next visit, so a typical visit saved on the way never meets it.
	{Name: FieldWhen, Kind: TimeField, Use: UseAsk | UseEdit,
		Keywords: fieldWords(kindVisitField, FieldWhen),
		Time:     func(v *Visit) *time.Time { return &v.At }},
	{Name: FieldNotes, Kind: TextField, Max: MaxTextLen, Use: UseEdit | UseShow | UseExport, Width: 30,
		Keywords: fieldWords(kindVisitField, FieldNotes),
		Get:      func(v *Visit) string { return v.Notes }, Set: func(v *Visit, s string) { v.Notes = s }},
	// The deal is settled when the visit is saved (one open deal: that one;
	// several: a question with buttons), so the form does not ask it in turn.
	{Name: FieldDeal, Kind: CustomField, Use: UseEdit | UseShow | UseExport, Width: 24},
}

// ObjectionFields are an objection's fields, as the form asks them.
var ObjectionFields = []FieldSpec[Objection]{
	{Name: FieldClient, Kind: CustomField, Use: UseAsk | UseShow | UseExport, Width: 24},
	{Name: FieldCategory, Kind: ChoiceField, Enum: EnumCategory, Use: UseAsk | UseShow | UseExport, Width: 18, Required: true,
		Keywords: fieldWords(kindObjectionField, FieldCategory),
		Get:      func(o *Objection) string { return string(o.Category) }, Set: func(o *Objection, s string) { o.Category = ObjectionCategory(s) }},
	{Name: FieldWords, Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseShow | UseExport, Width: 40,
		Keywords: fieldWords(kindObjectionField, FieldWords),
		Get:      func(o *Objection) string { return o.Words }, Set: func(o *Objection, s string) { o.Words = s }},
	{Name: FieldAnswer, Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseShow | UseExport, Width: 40,
		Keywords: fieldWords(kindObjectionField, FieldAnswer),
		Get:      func(o *Objection) string { return o.Answer }, Set: func(o *Objection, s string) { o.Answer = s }},
	{Name: FieldResolved, Kind: BoolField, Use: UseExport, Width: 10,
		Get: func(o *Objection) string { return boolText(o.Resolved) }},
	// The answer that worked is checked like the answer given (it is
	// typed the same way, in the Resolved flow).
	{Name: FieldWorked, Kind: TextField, Max: MaxTextLen, Use: UseExport, Width: 40,
		Get: func(o *Objection) string { return o.WorkedAnswer }, Set: func(o *Objection, s string) { o.WorkedAnswer = s }},
	{Name: FieldResolvedAt, Kind: TimeField, Use: UseExport, Width: 17,
		Time: func(o *Objection) *time.Time { return o.ResolvedAt }},
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// ClientFields are a client card's fields, as /client add asks them and
// the card's Edit offers them.
var ClientFields = []FieldSpec[Client]{
	{Name: FieldClientName, Step: "name", Kind: TextField, Max: MaxNameLen, Use: UseAsk | UseEdit | UseExport, Width: 24,
		Get: func(c *Client) string { return c.Name }, Set: func(c *Client, s string) { c.Name = s }},
	{Name: FieldGrade, Kind: ChoiceField, Enum: EnumGrade, Use: UseAsk | UseExport, Width: 8,
		Get: func(c *Client) string { return string(c.Grade) }, Set: func(c *Client, s string) { c.Grade = Grade(s) }},
	{Name: FieldStage, Kind: ChoiceField, Enum: EnumStage, Use: UseExport, Width: 16,
		Get: func(c *Client) string { return string(c.Stage) }},
	{Name: FieldOwner, Kind: CustomField, Use: UseExport, Width: 16},
	{Name: FieldIndustry, Kind: TextField, Max: MaxShortLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 16,
		Get: func(c *Client) string { return c.Industry }, Set: func(c *Client, s string) { c.Industry = s }},
	{Name: FieldAddress, Kind: TextField, Max: MaxPlaceLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 30,
		Get: func(c *Client) string { return c.Address }, Set: func(c *Client, s string) { c.Address = s }},
	{Name: FieldSize, Kind: TextField, Max: MaxSizeLen, Numeric: true, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 10,
		Get: func(c *Client) string { return c.Size }, Set: func(c *Client, s string) { c.Size = s }},
	{Name: FieldSource, Kind: TextField, Max: MaxShortLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 14,
		Get: func(c *Client) string { return c.Source }, Set: func(c *Client, s string) { c.Source = s }},
	{Name: FieldVisitCount, Kind: CustomField, Use: UseExport, Width: 10},
	{Name: FieldLastVisit, Kind: CustomField, Use: UseExport, Width: 17},
	{Name: FieldCreated, Kind: CustomField, Use: UseExport, Width: 17},
	{Name: FieldNotes, Kind: TextField, Max: MaxTextLen, Use: UseAsk | UseEdit | UseShow | UseExport, Width: 30,
		Get: func(c *Client) string { return c.Notes }, Set: func(c *Client, s string) { c.Notes = s }},
}

// ContactFields are a contact's fields, as the card's "add a contact" asks
// them and the card's contact buttons edit them.
var ContactFields = []FieldSpec[Contact]{
	{Name: FieldContactName, Step: "name", Kind: TextField, Max: MaxShortLen, Use: UseAsk | UseEdit,
		Get: func(c *Contact) string { return c.Name }, Set: func(c *Contact, s string) { c.Name = s }},
	{Name: FieldRoles, Kind: CustomField, Use: UseAsk | UseEdit},
	{Name: FieldTitle, Kind: TextField, Max: MaxShortLen, Use: UseAsk | UseEdit,
		Get: func(c *Contact) string { return c.Title }, Set: func(c *Contact, s string) { c.Title = s }},
	{Name: FieldPhone, Kind: TextField, Max: MaxSizeLen, Numeric: true, Valid: CheckPhone, Use: UseAsk | UseEdit,
		Get: func(c *Contact) string { return c.Phone }, Set: func(c *Contact, s string) { c.Phone = s }},
}
