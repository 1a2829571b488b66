package bot

import (
	"encoding/json"
	"strings"
	"time"

	"salesbot/internal/quick"
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
