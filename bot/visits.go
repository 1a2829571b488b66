package bot

// A visit is logged in one of two ways that share one draft (visitdraft.go):
// the quick command "/visit CLIENT; part; ..." (this file, with saving and
// undo) and the form (visitform.go). Both end in the confirmation, whose
// Edit buttons ask one form step again (visitconfirm.go).

import (
	"context"
	"strings"
	"time"

	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// cmdVisit is /visit: without text the form, with text the quick entry.
func (b *Bot) cmdVisit(ctx context.Context, r *Request) error {
	team, err := b.writeTeam(r)
	if err != nil {
		return err
	}
	if strings.TrimSpace(r.Args) == "" {
		return startForm(ctx, b, r, "visit", visitDrafts, &visitDraft{clientChoice: clientChoice{TeamID: team}})
	}
	if err := tooLong(r.Args, MaxMessageLen); err != nil {
		return err
	}
	parsed, found, err := b.parseQuickVisit(ctx, r, team)
	if parsed == nil || err != nil {
		return err
	}
	if parsed.BadTime != "" {
		// "tomorrow 26:00": refused whole, as /remind does, rather than
		// saved now with the time kept as a note.
		r.say("err_visit_time_impossible", map[string]any{"Input": parsed.BadTime})
		return nil
	}
	d := draftFromQuick(parsed)
	d.TeamID = team
	if found != nil && found.Exact != nil {
		// The client as the unseparated line's lookup read it (a hidden
		// one is looked up again by name, and refused, in finishVisit).
		d.setClient(found.Exact.ID, found.Exact.Name, found.Exact.TeamID)
		d.found = found
	}
	if err := d.check(); err != nil {
		return err
	}
	return b.finishVisit(ctx, r, &FormState{Kind: "visit"}, d)
}

// visitDone is the visit form's Done: it saves the form's draft.
func (b *Bot) visitDone(ctx context.Context, r *Request, st *FormState) error {
	return b.finishVisit(ctx, r, st, visitDrafts.of(st))
}

// finishVisit saves draft d, first asking (through the form's steps) what
// it still lacks: the client, a choice between close names, the deal, or
// a next visit that is not in the past. d is stored in st only when a step
// is asked: a visit saved at once never writes its draft out.
func (b *Bot) finishVisit(ctx context.Context, r *Request, st *FormState, d *visitDraft) error {
	ask := func(step string) error {
		visitDrafts.store(st, d)
		return b.AskStep(ctx, r, "visit", step, st)
	}
	if asked, err := b.settleClient(ctx, r, st, "visit", &d.clientChoice, d.setClient, func() { visitDrafts.store(st, d) }); asked || err != nil {
		return err
	}
	if asked, err := b.settleDeal(ctx, r, d, ask); asked || err != nil {
		return err
	}
	if err := models.CheckVisitTime(d.at(r.Now), r.Now); err != nil {
		d.At = nil
		b.renderError(r, err)
		return ask("when")
	}
	if d.NextAt != nil && !d.NextAt.After(r.Now) {
		past := *d.NextAt
		d.NextAt = nil
		r.say("err_next_visit_past", map[string]any{"At": r.time(past)})
		return ask("next")
	}
	if err := d.check(); err != nil {
		return err
	}
	if d.Drop {
		r.say("visit_again_dropped", map[string]any{"Client": d.ClientName})
		return nil
	}
	if d.EditID == 0 && !d.Again && b.mayDouble(d, r.Now) {
		v := d.record()
		v.RepID, v.At = r.User.ID, d.at(r.Now)
		met := make([]string, len(d.Contacts))
		for i, c := range d.Contacts {
			met[i] = c.Name
		}
		same, err := b.store.SameVisit(ctx, r.User, &v, met)
		if err != nil {
			return err
		}
		if same != nil {
			d.SameAt = &same.At
			return ask("again")
		}
	}
	return b.saveVisit(ctx, r, d)
}

// mayDouble reports whether the draft's visit may double an earlier one,
// so that SameVisit must look: not when the card read in this request says
// the client's newest visit is older than the window (or none).
func (b *Bot) mayDouble(d *visitDraft, now time.Time) bool {
	if l := d.lookedUp(); l != nil {
		return models.MayDouble(l.Exact.LastVisitAt, d.at(now))
	}
	return d.ClientID != 0
}

func (b *Bot) saveVisit(ctx context.Context, r *Request, d *visitDraft) error {
	in := &storage.NewVisit{Visit: d.record(), Attachments: d.Attachments}
	in.Visit.RepID = r.User.ID
	if d.ClientID == 0 {
		team, err := b.entryTeam(r, d.TeamID)
		if err != nil {
			return err
		}
		// A new visit asks for the new client's grade (askGrade below): the
		// card is created as asked, so the question goes out once.
		in.NewClient = &models.Client{TeamID: team, Name: d.ClientName, OwnerID: r.User.ID, GradeAsked: d.EditID == 0}
	}
	for _, c := range d.Contacts {
		in.Contacts = append(in.Contacts, models.Contact{ID: c.ID, Name: c.Name, Title: c.Title, Roles: c.Roles})
	}
	var (
		saved *storage.SavedVisit
		err   error
	)
	if d.EditID != 0 {
		saved, err = b.store.UpdateVisit(ctx, in)
	} else {
		saved, err = b.store.SaveVisit(ctx, in)
	}
	if err != nil {
		return err
	}
	b.visitConfirmation(ctx, r, d, saved)
	if saved.Visit.ClientCreated && d.EditID == 0 && saved.Client.Grade == models.GradeNone {
		askGrade(r, saved.Client)
	}
	return nil
}

// ownVisit loads a live visit of the user for an Edit or Undo button; a
// visit that is gone or someone else's answers "button_stale".
func (b *Bot) ownVisit(ctx context.Context, r *Request, id int64) (*models.Visit, bool, error) {
	v, err := b.store.Visit(ctx, r.User, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, v.RepID == r.User.ID, nil
}

// parseQuickVisit reads /visit's one-message form. A line without ";" is
// read from the end of the known client name it starts with ("小米 见了张工
// 谈判"); if it names no known client but holds parts, the user is shown
// the line with ";" to send instead and nil is returned — never a new
// client named after the whole line. The known names are the line's
// prefixes that are clients' names (quick.NamePrefixes, one indexed read:
// the work is the line, not the team); the lookup of the one read as the
// client is returned with it, so the draft needs no second one.
func (b *Bot) parseQuickVisit(ctx context.Context, r *Request, team int64) (*quick.Visit, *storage.ClientLookup, error) {
	if !strings.ContainsAny(r.Args, ";；\n") {
		found, err := b.store.LookupClientNames(ctx, r.User, []int64{team}, quick.NamePrefixes(r.Args))
		if err != nil {
			return nil, nil, err
		}
		// A teammate's client the user may not see is known too: the line
		// is read as a visit to it and refused as "/visit NAME; ..." is
		// (resolveClient), rather than offered with ";".
		names := make([]string, 0, len(found))
		for _, l := range found {
			if l.Exact != nil {
				names = append(names, l.Exact.Name)
			} else {
				names = append(names, l.Hidden.Name)
			}
		}
		u := quick.ParseUnseparated(r.Args, names, r.Now, r.Loc)
		if u.Visit != nil {
			return u.Visit, found[models.NameKey(u.Visit.Client)], nil
		}
		if u.BadTime != "" {
			r.say("err_visit_time_impossible", map[string]any{"Input": u.BadTime})
			return nil, nil, nil
		}
		if u.Suggest != "" {
			r.say("visit_separate_parts", map[string]any{"Suggest": "/visit " + u.Suggest})
			return nil, nil, nil
		}
	}
	return quick.ParseVisit(r.Args, r.Now, r.Loc), nil, nil
}
