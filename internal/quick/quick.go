// Package quick reads the one-message entries reps type between visits:
// "/visit Acme; met Li (buyer); demo; warm; next: send quote" and
// "/objection Acme; price; "too expensive"; answer: 12-month terms", and the
// items of a weekly plan, "/plan next mon Acme demo; wed 华为 报价". In a
// visit or objection the client comes first; the other parts are recognised
// in any order by keywords in English and Chinese. Nothing is dropped: a part
// that is not recognised is kept (as a note, or as the client's words), and
// every part reports how it was read, so the bot can show it back.
//
// The visit and objection parsers never fail and never panic; what the input
// lacks (a client, a category) is left empty for the caller to ask about. The
// plan parser names the first item it cannot read.
package quick

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"salesbot/internal/dates"
	"salesbot/models"
)

// Kind says how a part was read.
type Kind string

// Part kinds.
const (
	KindClient        Kind = "client"
	KindContact       Kind = "contact"
	KindStage         Kind = "stage"
	KindAttitude      Kind = "attitude"
	KindMethod        Kind = "method"
	KindNextStep      Kind = "next_step"
	KindNextVisit     Kind = "next_visit"
	KindWhen          Kind = "when"
	KindNoFollowUp    Kind = "no_follow_up"
	KindTalkingPoints Kind = "talking_points"
	KindClientView    Kind = "client_view"
	KindPlace         Kind = "place"
	KindDuration      Kind = "duration"
	KindNote          Kind = "note"
	KindCategory      Kind = "category"
	KindWords         Kind = "words"
	KindAnswer        Kind = "answer"
	// KindBadTime is a part holding a clock time that does not exist
	// ("tomorrow 26:00", "明天88点"): the entry is refused with the time
	// named (Visit.BadTime), never saved with the rest kept as a note.
	KindBadTime Kind = "bad_time"
)

// Why a part became a note (or, in an objection, part of the words).
const (
	ReasonUnknown = "unknown"  // no keyword matched
	ReasonTwice   = "twice"    // a field that takes one value was given again
	ReasonNoDate  = "no_date"  // a revisit without a date that could be read
	ReasonBadRole = "bad_role" // a contact's "(...)" is not a role
	ReasonBadItem = "bad_item" // "stage: xyz" with a value that is not one
	ReasonNote    = "note"     // "note: ..." said it is a note
)

// NoteReasons lists the reasons a part of a visit is kept as a note.
var NoteReasons = []string{ReasonUnknown, ReasonTwice, ReasonNoDate, ReasonBadRole, ReasonBadItem, ReasonNote}

// Part is one ";"-separated piece of the entry and how it was read.
type Part struct {
	Text string // as typed, trimmed
	Kind Kind
	// Value is the reading: the stage, attitude, method or category code,
	// the text of a text field, minutes for a duration.
	Value string
	// Contacts read from a contact part.
	Contacts []Contact
	// At is the date of a next-visit or when part.
	At time.Time
	// Reason explains a note (Reason* constants).
	Reason string
}

// Contact is a person met, as typed: "Li (buyer)", "王经理（决策者）".
type Contact struct {
	Name string
	// Title is what the brackets hold besides roles: "Wu (Head of IT)",
	// "李总(总经理, 决策者)".
	Title string
	Roles []models.DecisionRole
}

// Visit is a quick visit as read: the fields of models.VisitFields in the
// embedded Visit (its NextVisitAt, from "revisit friday" / "复访 下周三",
// may lie in the past, which the caller questions), and what a visit
// record does not hold as typed.
type Visit struct {
	models.Visit
	Client   string
	Contacts []Contact
	// Notes are the parts kept as notes, in the order typed.
	Notes []string
	Parts []Part
	// BadTime is the first impossible clock time typed ("26:00"): the
	// caller refuses the entry naming it.
	BadTime string
}

// Separators between parts: semicolons (ASCII and full width) and lines.
func splitParts(s string) []string {
	f := func(r rune) bool { return r == ';' || r == '；' || r == '\n' || r == '\r' }
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// kindOf is how a part naming a field is read: the field's name, but for
// the contacts met and notes, which a quick entry reads its own way.
func kindOf(f models.Field) Kind {
	switch f {
	case models.FieldContacts:
		return KindContact
	case models.FieldNotes:
		return KindNote
	}
	return Kind(f)
}

// prefixes maps the folded word before a ":" to the field it names, from
// the fields' keywords (models.VisitFields, models.ObjectionFields).
var prefixes = map[string]Kind{}

// visitFields are the fields of a visit a part reads generically, by kind.
var visitFields = map[Kind]*models.FieldSpec[models.Visit]{}

// bareFields are the visit's fields a part may name by its value alone,
// without a keyword: choices ("demo") and durations ("45 min").
var bareFields []*models.FieldSpec[models.Visit]

func init() {
	for i := range models.VisitFields {
		f := &models.VisitFields[i]
		for _, w := range f.Keywords {
			prefixes[models.Fold(w)] = kindOf(f.Name)
		}
		if k := kindOf(f.Name); k != KindNote && f.Set != nil {
			visitFields[k] = f
			if f.Kind == models.ChoiceField || f.Kind == models.MinutesField {
				bareFields = append(bareFields, f)
			}
		}
	}
	for i := range models.ObjectionFields {
		f := &models.ObjectionFields[i]
		for _, w := range f.Keywords {
			prefixes[models.Fold(w)] = kindOf(f.Name)
		}
	}
}

// cutPrefix reads "key: value" (ASCII or full-width colon) with a known key.
func cutPrefix(part string) (Kind, string, bool) {
	i := strings.IndexAny(part, ":：")
	if i < 0 {
		return "", "", false
	}
	kind, ok := prefixes[models.Fold(part[:i])]
	if !ok {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(part[i:])
	return kind, strings.TrimSpace(part[i+size:]), true
}

// Words that start a contact part without a colon: "met Li (buyer)",
// "见了王经理(决策者)".
var contactLeads = words("visit", "contact_lead")

// Words that start or end a revisit part without a colon.
var revisitLeads = words("visit", "revisit_lead")

// Phrases turning the follow-up off for this visit, and what says "none"
// after a revisit keyword, folded.
var (
	noFollowUp  = foldedWords("visit", "no_revisit")
	noneRevisit = foldedWords("visit", "none")
)

// ParseVisit reads a quick visit. now and loc anchor relative dates
// ("friday", "下周三") in the user's zone.
func ParseVisit(text string, now time.Time, loc *time.Location) *Visit {
	v := &Visit{}
	parts := splitParts(text)
	for i, raw := range parts {
		p := readVisitPart(raw, i == 0, now, loc)
		if i == 0 && p.Kind == KindNote && p.Reason == ReasonUnknown {
			// The client comes first. A first part that reads as something
			// else ("demo", "met Li") means the client is missing. A time
			// typed after the name without its ";" is read as a part of
			// its own.
			name, when, ok := cutTrailingWhen(raw, now, loc)
			v.Client = name
			v.Parts = append(v.Parts, Part{Text: name, Kind: KindClient, Value: name})
			if ok {
				v.apply(when)
			}
			continue
		}
		v.apply(p)
	}
	return v
}

// apply stores a part's reading in v; a second value for a one-value field
// is kept as a note saying so.
func (v *Visit) apply(p Part) {
	twice := func(set bool) bool {
		if set {
			p.Kind, p.Reason, p.Value = KindNote, ReasonTwice, p.Text
			v.Notes = append(v.Notes, p.Text)
		}
		return set
	}
	f := visitFields[p.Kind]
	switch {
	case p.Kind == KindContact:
		for _, c := range p.Contacts {
			v.Contacts = mergeContact(v.Contacts, c)
		}
	case f != nil && f.Kind == models.TextField:
		f.Set(&v.Visit, joinText(f.Get(&v.Visit), p.Value))
	case f != nil:
		if !twice(f.Get(&v.Visit) != "") {
			f.Set(&v.Visit, p.Value)
		}
	case p.Kind == KindNextVisit:
		if !twice(v.NextVisitAt != nil || v.NoFollowUp) {
			at := p.At
			v.NextVisitAt = &at
		}
	case p.Kind == KindWhen:
		if !twice(!v.At.IsZero()) {
			v.At = p.At
		}
	case p.Kind == KindNoFollowUp:
		if !twice(v.NextVisitAt != nil || v.NoFollowUp) {
			v.NoFollowUp = true
		}
	case p.Kind == KindBadTime:
		if v.BadTime == "" {
			v.BadTime = p.Value
		}
	default:
		p.Kind = KindNote
		if p.Reason == "" {
			p.Reason = ReasonUnknown
		}
		v.Notes = append(v.Notes, p.Value)
	}
	v.Parts = append(v.Parts, p)
}

func joinText(have, add string) string {
	if have == "" {
		return add
	}
	return have + "; " + add
}

// mergeContact adds c, or its roles to the contact of the same name.
func mergeContact(cs []Contact, c Contact) []Contact {
	for i := range cs {
		if models.Fold(cs[i].Name) == models.Fold(c.Name) {
			cs[i].Roles = models.AddRoles(cs[i].Roles, c.Roles...)
			if cs[i].Title == "" {
				cs[i].Title = c.Title
			}
			return cs
		}
	}
	return append(cs, c)
}

// readVisitPart reads one part of a quick visit. The first part is the
// client unless it is plainly something else: a "key: value", a stage,
// attitude or method word, a revisit, or "met NAME (role)". Durations,
// dates and bare "NAME (role)" are not looked for there, so clients named
// "3M", "Friday Foods" or "Acme (Shanghai)" stay clients.
func readVisitPart(raw string, first bool, now time.Time, loc *time.Location) Part {
	note := func(reason string) Part { return Part{Text: raw, Kind: KindNote, Value: raw, Reason: reason} }
	if kind, value, ok := cutPrefix(raw); ok {
		switch kind {
		case KindNextVisit:
			return readRevisit(raw, value, now, loc)
		case KindWhen:
			return readWhen(raw, value, now, loc)
		case KindContact:
			return readContacts(raw, value)
		case KindNote:
			return Part{Text: raw, Kind: KindNote, Value: value, Reason: ReasonNote}
		}
		if f := visitFields[kind]; f != nil {
			return readField(raw, kind, f, value)
		}
		// Objection-only prefixes ("answer:") are notes in a visit.
		return note(ReasonUnknown)
	}
	// A bare word of a choice field: "demo", "warm", "phone" (the fields'
	// words do not overlap, so the order does not matter).
	for _, f := range bareFields {
		if f.Kind == models.ChoiceField {
			if c, ok := f.Enum.Parse(raw); ok {
				return Part{Text: raw, Kind: kindOf(f.Name), Value: c}
			}
		}
	}
	if noFollowUp[models.Fold(raw)] {
		return Part{Text: raw, Kind: KindNoFollowUp}
	}
	if rest, ok := cutLead(raw, revisitLeads); ok {
		return readRevisit(raw, rest, now, loc)
	}
	if rest, ok := cutTrail(raw, revisitLeads); ok {
		if p := readRevisit(raw, rest, now, loc); p.Kind == KindNextVisit || p.Kind == KindBadTime {
			return p // "下周三复访"
		}
	}
	if rest, ok := cutLead(raw, contactLeads); ok {
		p := readContacts(raw, rest)
		if !first || p.Kind == KindContact && hasRoles(p.Contacts) {
			return p // "Met Office" first is a client; "met Li (buyer)" is not
		}
		return note(ReasonUnknown)
	}
	if first {
		return note(ReasonUnknown)
	}
	for _, f := range bareFields {
		if f.Kind == models.MinutesField {
			if m, ok := parseDuration(raw); ok {
				return Part{Text: raw, Kind: kindOf(f.Name), Value: strconv.Itoa(m)}
			}
		}
	}
	// "王经理(决策者)": a name with roles in brackets is a contact.
	if _, roles, ok := cutRoles(raw); ok && len(roles) > 0 {
		return readContacts(raw, raw)
	}
	// A part that is only a date is when the visit took place if it names
	// today or an earlier day ("yesterday 15:00", "昨天下午3点", "today
	// 10:30" — still ahead today, it is refused as a visit time), and the
	// next visit if it names a later day ("friday", "下周三").
	// A clock time that does not exist ("tomorrow 26:00", "25:61") is
	// refused, not kept as a note.
	r, err := dates.Parse(raw, now, dates.Options{Location: loc})
	if err == nil && r.HasDate && r.Rest == "" {
		if afterToday(r.Time, now, loc) {
			return Part{Text: raw, Kind: KindNextVisit, At: r.Time.UTC(), Value: r.Text}
		}
		return Part{Text: raw, Kind: KindWhen, At: r.Time.UTC(), Value: r.Text}
	}
	if p, ok := badTime(raw, err); ok {
		return p
	}
	return note(ReasonUnknown)
}

// cutTrailingWhen reads the time a visit took place typed at the end of
// the client's part without a ";" ("Acme yesterday 15:00", "小米昨天下午3点"):
// a run of date words that ends the part, follows a name and names a clock
// time or a day before today. It is read as the same words would be as a
// part of their own (a later day is the next visit; an impossible clock
// time is refused). A name that merely ends in a day word ("Ruby Tuesday",
// "USA Today") stays the name, as does a part that is all date.
func cutTrailingWhen(raw string, now time.Time, loc *time.Location) (name string, p Part, ok bool) {
	text := strings.TrimSpace(raw)
	// Each date found is a scan of the rest: a client part longer than a
	// name and a time (refused for its length whatever it ends in) is not
	// looked at, so a 4 KB part stays linear (it took 0.5 s).
	if utf8.RuneCountInString(text) > models.MaxNameLen+maxWhenLen {
		return raw, Part{}, false
	}
	opts := dates.Options{Location: loc}
	for off := 0; off < len(text); {
		r, err := dates.Find(text[off:], now, opts)
		var te *dates.TimeError
		switch {
		case errors.As(err, &te):
			// "Acme yesterday 26:00": refused naming the time, as a part
			// of its own would be.
			before := strings.TrimSuffix(text, te.Text)
			name := strings.TrimSpace(before)
			if te.Text == "" || !strings.HasSuffix(text, te.Text) || name == "" || !wordBoundary(before, te.Text) {
				return raw, Part{}, false
			}
			return name, Part{Text: te.Text, Kind: KindBadTime, Value: te.Text}, true
		case err != nil || r.Text == "":
			return raw, Part{}, false
		}
		i := strings.Index(text[off:], r.Text)
		if i < 0 {
			return raw, Part{}, false
		}
		start, end := off+i, off+i+len(r.Text)
		if strings.TrimSpace(text[end:]) != "" {
			off = end // "Friday Foods yesterday": look after "Friday"
			continue
		}
		name := strings.TrimSpace(text[:start])
		if name == "" || !wordBoundary(text[:start], r.Text) {
			return raw, Part{}, false
		}
		if !r.HasTime && !(r.HasDate && beforeToday(r.Time, now, loc)) {
			return raw, Part{}, false
		}
		when := strings.TrimSpace(text[start:])
		if p := readVisitPart(when, false, now, loc); p.Kind == KindWhen || p.Kind == KindNextVisit || p.Kind == KindBadTime {
			return name, p, true
		}
		if r.HasDate {
			return raw, Part{}, false
		}
		// A clock time alone ("Acme 15:00"): the last such time, as
		// "when: 15:00" reads it.
		return name, readWhen(when, when, now, loc), true
	}
	return raw, Part{}, false
}

// maxWhenLen bounds the time typed after a client's name ("yesterday
// afternoon 3:30", "上周五下午3点半").
const maxWhenLen = 64

// wordBoundary reports whether a date may start right after before: after
// a space, or where the script has none ("小米昨天").
func wordBoundary(before, date string) bool {
	last := lastRune(before)
	first, _ := utf8.DecodeRuneInString(date)
	alnum := func(r rune) bool { return isLatinLetter(r) || unicode.IsDigit(r) }
	return !(alnum(last) && alnum(first))
}

// beforeToday reports whether t falls on an earlier calendar day than now,
// in loc.
func beforeToday(t, now time.Time, loc *time.Location) bool {
	return !afterToday(t, now, loc) && !sameDay(t, now, loc)
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// badTime is the part for a date the dates package refused for its
// impossible clock time.
func badTime(raw string, err error) (Part, bool) {
	var te *dates.TimeError
	if !errors.As(err, &te) {
		return Part{}, false
	}
	return Part{Text: raw, Kind: KindBadTime, Value: te.Text}, true
}

// afterToday reports whether t falls on a later calendar day than now, in
// loc.
func afterToday(t, now time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	ty, tm, td := t.In(loc).Date()
	ny, nm, nd := now.In(loc).Date()
	return time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).After(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC))
}

// readWhen reads "when: yesterday 15:00", the time the visit took place.
func readWhen(raw, value string, now time.Time, loc *time.Location) Part {
	at, text, err := ReadWhen(value, now, loc)
	if p, ok := badTime(raw, err); ok {
		return p
	}
	if err != nil {
		return Part{Text: raw, Kind: KindNote, Value: raw, Reason: ReasonNoDate}
	}
	return Part{Text: raw, Kind: KindWhen, At: at, Value: text}
}

// ReadWhen reads the time a visit took place, as the quick command's
// "when:" part and the form's when step take it. A time without a day is
// the last such time ("10:30" said at 09:00 is yesterday's), since a visit
// is logged after it. A time ahead of now is returned as read, for the
// caller to refuse with models.CheckVisitTime. It returns the instant in
// UTC and the text it read; the error is a *dates.TimeError for a clock
// time that does not exist ("26:00"), and wraps dates.ErrNoDate for any
// other text that is not a time.
func ReadWhen(value string, now time.Time, loc *time.Location) (time.Time, string, error) {
	r, err := dates.Parse(value, now, dates.Options{Location: loc})
	if err != nil {
		return time.Time{}, "", err
	}
	if r.Rest != "" {
		return time.Time{}, "", fmt.Errorf("quick: %q after the visit's time: %w", r.Rest, dates.ErrNoDate)
	}
	at := r.Time
	if !r.HasDate && at.After(now) {
		at = at.AddDate(0, 0, -1)
	}
	return at.UTC(), r.Text, nil
}

// readField reads the value of "key: value" for a generic field of a visit:
// a choice by its words, a duration with its unit, a text as typed. A
// value the field cannot take is kept as a note.
func readField(raw string, kind Kind, f *models.FieldSpec[models.Visit], value string) Part {
	note := func(reason string) Part { return Part{Text: raw, Kind: KindNote, Value: raw, Reason: reason} }
	switch f.Kind {
	case models.ChoiceField:
		if c, ok := f.Enum.Parse(value); ok {
			return Part{Text: raw, Kind: kind, Value: c}
		}
		return note(ReasonBadItem)
	case models.MinutesField:
		if m, ok := parseDuration(value); ok {
			return Part{Text: raw, Kind: kind, Value: strconv.Itoa(m)}
		}
		return note(ReasonBadItem)
	}
	if value == "" {
		return note(ReasonUnknown)
	}
	return Part{Text: raw, Kind: kind, Value: value}
}

func hasRoles(cs []Contact) bool {
	for _, c := range cs {
		if len(c.Roles) > 0 {
			return true
		}
	}
	return false
}

// cutLead cuts a leading word (case-insensitive, after width folding).
func cutLead(s string, leads []string) (string, bool) {
	n := norm.NFKC.String(s)
	low := strings.ToLower(n)
	for _, l := range leads {
		if strings.HasPrefix(low, l) {
			rest := n[len(l):]
			// "revisit" must not cut "revisited"; Chinese needs no space.
			if r, _ := utf8.DecodeRuneInString(rest); isLatinLetter(r) && isLatinLetter(lastRune(l)) {
				continue
			}
			return strings.TrimLeftFunc(rest, isSep), true
		}
	}
	return "", false
}

func cutTrail(s string, trails []string) (string, bool) {
	n := norm.NFKC.String(s)
	low := strings.ToLower(n)
	for _, l := range trails {
		if strings.HasSuffix(low, l) && len(low) > len(l) {
			rest := n[:len(n)-len(l)]
			if r := lastRune(rest); isLatinLetter(r) && isLatinLetter([]rune(l)[0]) {
				continue
			}
			return strings.TrimRightFunc(rest, isSep), true
		}
	}
	return "", false
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isLatinLetter(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }

func isSep(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(":：,，-–—", r) }

// readRevisit reads the date of "revisit friday"; text after the date is
// kept in the part's value.
func readRevisit(raw, rest string, now time.Time, loc *time.Location) Part {
	if noFollowUp[models.Fold("no "+rest)] || noneRevisit[models.Fold(rest)] {
		return Part{Text: raw, Kind: KindNoFollowUp}
	}
	r, err := dates.Find(rest, now, dates.Options{Location: loc})
	if p, ok := badTime(raw, err); ok {
		return p // "revisit tomorrow 26:00": not tomorrow morning
	}
	if err != nil || !r.HasDate && !r.HasTime {
		return Part{Text: raw, Kind: KindNote, Value: raw, Reason: ReasonNoDate}
	}
	return Part{Text: raw, Kind: KindNextVisit, At: r.Time.UTC(), Value: r.Text}
}

// readContacts reads "Li (buyer) and Wang (decision maker)" / "王经理(决策者)、李工".
func readContacts(raw, list string) Part {
	var cs []Contact
	bad := false
	for _, item := range splitContacts(list) {
		name, title, roles, ok := cutContact(item)
		if !ok {
			bad = true
			name = item
		}
		name = strings.TrimSpace(name)
		if models.Fold(name) == "" {
			continue
		}
		cs = mergeContact(cs, Contact{Name: name, Title: title, Roles: roles})
	}
	if len(cs) == 0 || bad {
		// Brackets that do not close, or text after them: keep the whole
		// part as a note rather than store a contact named "Li (chef".
		reason := ReasonBadRole
		if len(cs) == 0 {
			reason = ReasonUnknown
		}
		return Part{Text: raw, Kind: KindNote, Value: raw, Reason: reason}
	}
	return Part{Text: raw, Kind: KindContact, Contacts: cs}
}

// cutRoles splits "Li (buyer, user)" into "Li" and its roles. ok is false
// when brackets hold something that is not a list of roles; a name without
// brackets is ok with no roles.
func cutRoles(item string) (string, []models.DecisionRole, bool) {
	name, title, roles, ok := cutContact(item)
	if !ok || title != "" {
		return item, nil, false
	}
	return name, roles, true
}

// titleSeparators split what a contact's brackets hold.
const titleSeparators = ",，、;；/"

// cutContact splits "Wu (Head of IT)", "李总(总经理, 决策者)", "Li (buyer,
// user)" into the name, a title (the bracketed words that are not roles,
// joined with ", ") and the roles. ok is false when the brackets do not
// close or text follows them; a name without brackets is ok.
func cutContact(item string) (name, title string, roles []models.DecisionRole, ok bool) {
	item = strings.TrimSpace(item)
	open := strings.IndexAny(item, "(（")
	if open < 0 {
		return item, "", nil, !strings.ContainsAny(item, ")）")
	}
	inner := item[open:]
	_, size := utf8.DecodeRuneInString(inner)
	inner = inner[size:]
	closeAt := strings.IndexAny(inner, ")）")
	if closeAt < 0 {
		return item, "", nil, false
	}
	after := strings.TrimSpace(inner[closeAt:])
	_, size = utf8.DecodeRuneInString(after)
	if strings.TrimSpace(after[size:]) != "" {
		return item, "", nil, false // text after the brackets
	}
	var titles []string
	for _, tok := range strings.FieldsFunc(inner[:closeAt], func(r rune) bool { return strings.ContainsRune(titleSeparators, r) }) {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if rs, ok := models.ParseDecisionRoles(tok); ok {
			roles = models.AddRoles(roles, rs...)
		} else {
			titles = append(titles, tok)
		}
	}
	return strings.TrimSpace(item[:open]), strings.Join(titles, ", "), roles, true
}

// splitContacts splits a list of people at commas, "and", "&", "、", and at
// "和"/"及" right after a closing bracket (inside Chinese names they are
// ordinary characters). Commas inside brackets separate roles, not people.
func splitContacts(s string) []string {
	s = strings.TrimSpace(s)
	var out []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '(' || r == '（':
			depth++
		case r == ')' || r == '）':
			if depth > 0 {
				depth--
			}
		}
		if depth == 0 {
			switch {
			case r == ',' || r == '，' || r == '、' || r == '&' || r == '+':
				flush()
				continue
			case (r == '和' || r == '及') && i > 0 && (rs[i-1] == ')' || rs[i-1] == '）'):
				flush()
				continue
			case r == ' ' && hasWordAt(rs, i+1, "and "):
				flush()
				i += len("and")
				continue
			}
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

func hasWordAt(rs []rune, i int, w string) bool {
	wr := []rune(w)
	if i+len(wr) > len(rs) {
		return false
	}
	return strings.EqualFold(string(rs[i:i+len(wr)]), w)
}

// ParseMinutes reads a duration typed in a form: a number of minutes
// ("45") or with its unit ("45 min", "1.5 h", "半小时"), as the decimal
// text of the minutes.
func ParseMinutes(s string) (string, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 24*60 {
			return "", false
		}
		return strconv.Itoa(n), true
	}
	m, ok := parseDuration(s)
	if !ok {
		return "", false
	}
	return strconv.Itoa(m), true
}

// The words of a duration's unit, and of half an hour.
var (
	minuteWords   = words("duration", "minutes")
	hourWords     = words("duration", "hours")
	halfHourWords = words("duration", "half_hour")
)

// parseDuration reads "30 min", "1h", "1.5 hours", "45分钟", "半小时", "2小时".
func parseDuration(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
	if slices.Contains(halfHourWords, s) {
		return 30, true
	}
	i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	if i <= 0 {
		return 0, false
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n <= 0 || n > 24*60 {
		return 0, false
	}
	switch unit := strings.TrimSpace(s[i:]); {
	case slices.Contains(minuteWords, unit):
	case slices.Contains(hourWords, unit):
		n *= 60
	default:
		return 0, false
	}
	m := int(n + 0.5)
	if m < 1 || m > 24*60 {
		return 0, false
	}
	return m, true
}

// ParseContacts reads people met as typed in a form: "Li (buyer)",
// "王经理(决策者)、李工", "Wang and Zhou (user)". ok is false when a bracket
// holds something that is not a role, or no name is given.
func ParseContacts(s string) ([]Contact, bool) {
	if rest, ok := cutLead(s, contactLeads); ok {
		s = rest
	}
	p := readContacts(s, s)
	return p.Contacts, p.Kind == KindContact
}
