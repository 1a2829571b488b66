package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

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
	lines = append(lines, b.visitDealLines(ctx, r, s)...)
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

// visitSummary lists a saved visit's fields (form and edits): the shown
// fields of models.VisitFields, except the client, the stage and the next
// visit, which lines of their own state; the place says how it is known.
func (b *Bot) visitSummary(r *Request, d *visitDraft, s *storage.SavedVisit) []string {
	v := s.Visit
	lines := shownLines(r, visitKeys, models.VisitFields, v, func(f *models.FieldSpec[models.Visit]) (string, bool) {
		switch f.Name {
		case models.FieldClient, models.FieldStage, models.FieldNextVisit, models.FieldDeal:
			return "", true
		case models.FieldContacts:
			met := make([]draftContact, len(s.Contacts))
			for i, c := range s.Contacts {
				met[i] = draftContact{Name: c.Name, Title: c.Title, Roles: c.Roles}
			}
			return metLine(r, met), true
		case models.FieldPlace:
			return placeLine(r, v.Place, v.Lat != nil, v.LiveLocation), true
		}
		return "", false
	})
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
		return fieldLine(r, r.t(visitKeys.label(string(models.FieldPlace)), nil), place)
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
		if later, err := b.store.LaterVisit(ctx, r.User, s.Visit); err == nil && later != nil {
			return r.t("followup_later_visit", map[string]any{"At": r.time(later.At)})
		}
		return r.t("followup_none", nil)
	case s.Visit.NextVisitAt == nil:
		days := b.revisitDays(ctx, r, s.Visit.TeamID)
		return r.t("followup_rule", map[string]any{"At": r.time(f.DueAt), "Days": days})
	}
	return r.t("followup_at", map[string]any{"At": r.time(f.DueAt)})
}

// showVisit shows every part of a stored visit (from a card's or the
// history's visit buttons); its rep gets Edit, and Undo within the window.
func (b *Bot) showVisit(ctx context.Context, r *Request, v *models.Visit, mine bool) error {
	c, err := b.buttonClient(ctx, r, v.ClientID)
	if c == nil || err != nil {
		return err
	}
	contacts, err := b.store.VisitContacts(ctx, r.User, v)
	if err != nil {
		return err
	}
	atts, err := b.store.Attachments(ctx, v.ID)
	if err != nil {
		return err
	}
	lines := []string{r.t("visit_shown", map[string]any{"Client": c.Name, "At": r.time(v.At), "Rep": b.userName(ctx, r, v.RepID)})}
	lines = append(lines, shownLines(r, visitKeys, models.VisitFields, v, func(f *models.FieldSpec[models.Visit]) (string, bool) {
		switch f.Name {
		case models.FieldClient:
			return "", true
		case models.FieldContacts:
			met := make([]draftContact, len(contacts))
			for i, ct := range contacts {
				met[i] = draftContact{Name: ct.Name, Title: ct.Title, Roles: ct.Roles}
			}
			return metLine(r, met), true
		case models.FieldPlace:
			return placeLine(r, v.Place, v.Lat != nil, v.LiveLocation), true
		case models.FieldDeal:
			if v.DealID == 0 {
				return "", true
			}
			title := "?"
			if d, err := b.store.Deal(ctx, r.User, v.DealID); err == nil {
				title = d.Title
			}
			return labelled(r, visitKeys, f, title), true
		}
		return "", false
	})...)
	if len(atts) > 0 {
		lines = append(lines, r.t("sum_attachments", map[string]any{"N": len(atts)}))
	}
	var buttons [][]outbox.Button
	if mine {
		id := strconv.FormatInt(v.ID, 10)
		row := []outbox.Button{{Text: r.t("btn_edit", nil), Data: "v:e:" + id}}
		if r.Now.Sub(v.CreatedAt) <= models.UndoWindow {
			row = append(row, outbox.Button{Text: r.t("btn_undo", nil), Data: "v:u:" + id})
		}
		buttons = [][]outbox.Button{row}
	}
	r.reply(strings.Join(lines, "\n"), buttons)
	return nil
}

// cbVisit handles "v:s:ID" (show it all), "v:e:ID" (edit menu), "v:f:ID:STEP" (edit a field),
// "v:u:ID" (undo: asks first), "v:y:ID" (undo it) and "v:k:ID" (keep it).
func (b *Bot) cbVisit(ctx context.Context, r *Request, action string, id int64, field string) error {
	v, mine, err := b.ownVisit(ctx, r, id)
	if err != nil {
		return err
	}
	if action == "s" && v != nil && (mine || r.User.SeesTeam(v.TeamID)) {
		return b.showVisit(ctx, r, v, mine)
	}
	if !mine {
		r.say("button_stale", nil)
		return nil
	}
	switch action {
	case "e":
		r.reply(r.t("visit_edit_which", nil), editButtons(r, visitKeys, editSteps(models.VisitFields), 2, fmt.Sprintf("v:f:%d:", id)))
		return nil
	case "f":
		if !isEditStep(models.VisitFields, field) {
			r.say("button_stale", nil)
			return nil
		}
		c, err := b.store.Client(ctx, r.User, v.ClientID)
		if err != nil {
			return err
		}
		contacts, err := b.store.VisitContacts(ctx, r.User, v)
		if err != nil {
			return err
		}
		st := &FormState{}
		visitDrafts.store(st, draftFromVisit(v, c, contacts))
		r.reply(r.t("visit_editing", map[string]any{"Field": r.t(visitKeys.label(field), nil), "Client": c.Name}), nil)
		r.editLast(r.MessageID)
		return b.AskStep(ctx, r, "visit", field, st)
	case "u":
		return b.askUndoVisit(ctx, r, v.ID)
	case "y":
		return b.undoVisit(ctx, r, v, r.MessageID)
	case "k":
		c, err := b.store.Client(ctx, r.User, v.ClientID)
		if err != nil {
			return err
		}
		keepEntry(r, "undo_kept_visit", map[string]any{"Client": c.Name, "At": r.time(v.At)})
		return nil
	}
	r.say("button_stale", nil)
	return nil
}

// A confirmation echoes what was typed and how it was read; long texts are
// shown shortened (they are stored whole), so the message stays within
// Telegram's limit.
const (
	echoLen    = 60
	readingLen = 300
)

// readField says how a part was read: "stage: demo / trial".
func readField(r *Request, f models.Field, value string) string {
	return r.t("read_field", map[string]any{"Field": r.fieldNoun(f), "Value": value})
}

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
				met = append(met, r.person(c.Name, c.Title, c.Roles))
			}
			reading = r.t("read_contact", map[string]any{"Met": r.list(met)})
		case quick.KindNextVisit:
			reading = readField(r, models.FieldNextVisit, r.time(p.At))
		case quick.KindWhen:
			reading = readField(r, models.FieldWhen, r.time(p.At))
		case quick.KindNoFollowUp:
			reading = r.t("read_no_follow_up", nil)
		default:
			// A field of models.VisitFields, read by its keyword or value.
			if f := models.FieldNamed(models.VisitFields, string(p.Kind)); f != nil && f.Set != nil {
				v := models.Visit{}
				f.Set(&v, p.Value)
				reading = readField(r, f.Name, fieldValue(r, f, &v))
				break
			}
			reason := p.Reason
			if reason == "" {
				reason = quick.ReasonUnknown
			}
			reading = readNoteKeys.label(r.cat, r.Lang, reason)
		}
		lines = append(lines, r.t("read_line", map[string]any{"Text": clip(p.Text, echoLen), "Reading": clip(reading, readingLen)}))
	}
	return lines
}
