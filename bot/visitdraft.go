package bot

import (
	"strings"
	"time"

	"salesbot/internal/quick"
	"salesbot/models"
)

// visitDraft is a visit being logged or edited, kept in the form state, so
// a restart mid-form loses nothing. The quick command fills one too and
// asks, through the same form steps, only what it lacks. The visit's own
// fields (models.VisitFields) live in Visit; the rest is what the form
// keeps besides.
type visitDraft struct {
	Visit  models.Visit `json:"-"`
	EditID int64        `json:"edit,omitempty"`
	// Quick: from "/visit CLIENT; ..."; the confirmation shows how each
	// part was read.
	Quick bool `json:"quick,omitempty"`
	clientChoice
	Contacts []draftContact `json:"contacts,omitempty"`
	Lat      *float64       `json:"lat,omitempty"`
	Lon      *float64       `json:"lon,omitempty"`
	Live     bool           `json:"live,omitempty"`
	// At is when the visit took place, nil for now (a new visit) or as
	// stored (an edit).
	At          *time.Time          `json:"at,omitempty"`
	NextAt      *time.Time          `json:"next_at,omitempty"`
	NoFollowUp  bool                `json:"no_follow_up,omitempty"`
	Attachments []models.Attachment `json:"attachments,omitempty"`
	Parts       []quick.Part        `json:"parts,omitempty"`
	// RevisitDays is the team's interval, looked up for the next-visit step,
	// and RuleAt the follow-up the one-week rule would make for a visit now
	// (the team's working hours applied).
	RevisitDays int        `json:"revisit_days,omitempty"`
	RuleAt      *time.Time `json:"rule_at,omitempty"`
	// SameAt is the time of the visit this one would double (the "log it
	// again?" question); Again is its Yes, Drop its No.
	SameAt *time.Time `json:"same_at,omitempty"`
	Again  bool       `json:"again,omitempty"`
	Drop   bool       `json:"drop,omitempty"`
	// Offered is the client whose contacts the form has offered (its only
	// contact chosen already), so a contact taken off is not put back.
	Offered int64 `json:"offered,omitempty"`
	// DealID is the client's open deal the visit is for (0: none);
	// DealAsked says it is settled (chosen, the only one, or "no deal").
	DealID    int64 `json:"deal,omitempty"`
	DealAsked bool  `json:"deal_asked,omitempty"`
}

type draftContact struct {
	ID    int64                 `json:"id,omitempty"`
	Name  string                `json:"name"`
	Title string                `json:"title,omitempty"`
	Roles []models.DecisionRole `json:"roles,omitempty"`
}

// visitDrafts keeps the visit form's draft.
var visitDrafts = draftStore[models.Visit, visitDraft]{"v", models.VisitFields, func(d *visitDraft) *models.Visit { return &d.Visit }}

// record is the visit to save: the draft's fields and what the form keeps
// beside them (the next visit, a check-in's point).
func (d *visitDraft) record() models.Visit {
	v := d.Visit
	v.ID, v.ClientID = d.EditID, d.ClientID
	v.Lat, v.Lon, v.LiveLocation = d.Lat, d.Lon, d.Live
	v.NextVisitAt, v.NoFollowUp = d.NextAt, d.NoFollowUp
	v.DealID = d.DealID
	if d.At != nil {
		v.At = *d.At
	}
	return v
}

// at is when the visit took place: its time, or now.
func (d *visitDraft) at(now time.Time) time.Time {
	if d.At != nil {
		return *d.At
	}
	return now
}

// setClient points the draft at another client; contacts picked from the
// old one stay as names, so nothing typed is lost.
func (d *visitDraft) setClient(id int64, name string, teamID int64) {
	if id != d.ClientID || id == 0 {
		for i := range d.Contacts {
			d.Contacts[i].ID = 0
		}
		// Another client's deals are asked about again.
		d.DealID, d.DealAsked = 0, false
	}
	d.clientChoice.set(id, name, teamID)
}

func (d *visitDraft) addContact(c draftContact) {
	for i := range d.Contacts {
		have := &d.Contacts[i]
		if c.ID != 0 && have.ID == c.ID || c.ID == 0 && models.Fold(have.Name) == models.Fold(c.Name) {
			have.Roles = models.AddRoles(have.Roles, c.Roles...)
			if have.Title == "" {
				have.Title = c.Title
			}
			return
		}
	}
	d.Contacts = append(d.Contacts, c)
}

// removeContact takes a chosen contact off the list: the client's contact
// id, or (id 0) the person typed as name. It reports whether one was.
func (d *visitDraft) removeContact(id int64, name string) bool {
	for i, c := range d.Contacts {
		if id != 0 && c.ID == id || id == 0 && c.ID == 0 && c.Name == name {
			d.Contacts = append(d.Contacts[:i], d.Contacts[i+1:]...)
			return true
		}
	}
	return false
}

// check refuses fields longer than they can be stored, naming the field.
func (d *visitDraft) check() error {
	if err := models.CheckText(models.FieldClientName, d.ClientName, models.MaxNameLen); err != nil {
		return err
	}
	if err := models.CheckFields(models.VisitFields, &d.Visit); err != nil {
		return err
	}
	for _, c := range d.Contacts {
		if err := models.CheckText(models.FieldContactName, c.Name, models.MaxShortLen); err != nil {
			return err
		}
	}
	return nil
}

func draftFromQuick(q *quick.Visit) *visitDraft {
	d := &visitDraft{Visit: q.Visit, Quick: true, clientChoice: clientChoice{ClientName: strings.TrimSpace(q.Client)},
		NextAt: q.NextVisitAt, NoFollowUp: q.NoFollowUp, Parts: q.Parts}
	d.Visit.Notes = strings.Join(q.Notes, "\n")
	if !q.At.IsZero() {
		at := q.At
		d.At = &at
	}
	for _, c := range q.Contacts {
		d.addContact(draftContact{Name: c.Name, Title: c.Title, Roles: c.Roles})
	}
	return d
}

func draftFromVisit(v *models.Visit, c *models.Client, contacts []models.Contact) *visitDraft {
	d := &visitDraft{Visit: *v, EditID: v.ID, clientChoice: clientChoice{TeamID: v.TeamID, ClientID: v.ClientID, ClientName: c.Name},
		Lat: v.Lat, Lon: v.Lon, Live: v.LiveLocation, NextAt: v.NextVisitAt, NoFollowUp: v.NoFollowUp,
		DealID: v.DealID, DealAsked: true}
	at := v.At
	d.At = &at
	for _, ct := range contacts {
		d.Contacts = append(d.Contacts, draftContact{ID: ct.ID, Name: ct.Name, Title: ct.Title, Roles: ct.Roles})
	}
	return d
}
