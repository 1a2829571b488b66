package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Field names a field of a record in an error, so the front end can say
// which one in the user's language.
type Field string

// Fields that errors name.
const (
	FieldClientName    Field = "client_name"
	FieldIndustry      Field = "industry"
	FieldAddress       Field = "address"
	FieldSize          Field = "size"
	FieldSource        Field = "source"
	FieldNotes         Field = "notes"
	FieldContactName   Field = "contact_name"
	FieldTitle         Field = "title"
	FieldPhone         Field = "phone"
	FieldPlace         Field = "place"
	FieldTalkingPoints Field = "talking_points"
	FieldClientView    Field = "client_view"
	FieldNextStep      Field = "next_step"
	FieldWords         Field = "words"
	FieldAnswer        Field = "answer"
	FieldCaption       Field = "caption"
)

// Limits of stored fields, in characters. Long texts stop well short of
// Telegram's 4096-character message, so a record still fits in one.
const (
	MaxNameLen  = 200  // client names
	MaxShortLen = 100  // industry, source, contact name and title
	MaxPlaceLen = 300  // address, place
	MaxTextLen  = 1000 // talking points, views, next step, notes, words, answers
	MaxSizeLen  = 50   // client size, phone
)

// CheckText refuses a text longer than max characters, naming the field.
func CheckText(f Field, s string, max int) error { return checkLen(f, s, max) }

func checkLen(f Field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, "err_field_long", map[string]any{"Field": f, "Len": n, "Max": max})
	}
	return nil
}

// Validate checks a client card before it is stored.
func (c *Client) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if NameKey(c.Name) == "" {
		return Errorf(EINVALID, "err_client_name_empty", nil)
	}
	return CheckFields(ClientFields, c)
}

// Validate checks a contact before it is stored.
func (c *Contact) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if Fold(c.Name) == "" {
		return Errorf(EINVALID, "err_contact_name_empty", nil)
	}
	return CheckFields(ContactFields, c)
}

// Validate checks a visit before it is stored.
func (v *Visit) Validate() error {
	if v.ClientID == 0 {
		return Errorf(EINVALID, "err_visit_no_client", nil)
	}
	return CheckFields(VisitFields, v)
}

// CheckNextVisit questions a next-visit date that is not after now.
func CheckNextVisit(at, now time.Time) error {
	if !at.After(now) {
		return Errorf(EINVALID, "err_next_visit_past", map[string]any{"At": at})
	}
	return nil
}

// CheckVisitTime refuses a visit time ahead of now: a visit is logged once
// it took place (a later meeting is the next visit).
func CheckVisitTime(at, now time.Time) error {
	if at.After(now) {
		return Errorf(EINVALID, "err_visit_time_ahead", map[string]any{"At": at})
	}
	return nil
}

// Validate checks an objection before it is stored.
func (o *Objection) Validate() error {
	if o.ClientID == 0 {
		return Errorf(EINVALID, "err_objection_no_client", nil)
	}
	if o.Category == "" {
		return Errorf(EINVALID, "err_category_unknown", map[string]any{"Value": ""})
	}
	return CheckFields(ObjectionFields, o)
}

// Attachment kinds.
const (
	AttachPhoto    = "photo"
	AttachVoice    = "voice"
	AttachDocument = "document"
	AttachVideo    = "video"
)

// AttachmentKinds lists every attachment kind.
var AttachmentKinds = []string{AttachPhoto, AttachVoice, AttachDocument, AttachVideo}

// MaxFileIDLen bounds stored Telegram file ids and file names.
const MaxFileIDLen = 200

// CheckAttachment checks a file before it is attached to a visit.
func CheckAttachment(a *Attachment) error {
	if a.FileID == "" || len(a.FileID) > MaxFileIDLen {
		return Errorf(EINVALID, "err_attachment_bad", nil)
	}
	if utf8.RuneCountInString(a.FileName) > MaxFileIDLen {
		a.FileName = string([]rune(a.FileName)[:MaxFileIDLen])
	}
	return checkLen(FieldCaption, a.Caption, MaxCaptionLen)
}

// MaxCaptionLen is Telegram's limit for a caption.
const MaxCaptionLen = 1024

// CheckInWindow is how long after saving a visit a location or file sent
// on its own still attaches to it.
const CheckInWindow = 15 * time.Minute

// UndoWindow is how long /undo can take back an entry.
const UndoWindow = 24 * time.Hour

// SeesTeam reports whether u sees everything of a team: its managers (and
// admins) do; reps see their own part only.
func (u *User) SeesTeam(teamID int64) bool { return u.RoleIn(teamID).AtLeast(RoleManager) }

// CanEditClient is who may change a card's fields and grade: the team's
// managers and the client's owner.
func (u *User) CanEditClient(c *Client) bool {
	return u.SeesTeam(c.TeamID) || u.RoleIn(c.TeamID) != RoleNone && c.OwnerID == u.ID
}
