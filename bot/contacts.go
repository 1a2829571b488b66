package bot

// A client's contacts are changed from the card: a button per contact
// opens it ("ct:s:ID"), with a button per field (the contact form asks that
// one step again, "ct:f:ID:step") and Delete, which asks first ("ct:d:ID",
// then "ct:D:ID" or "ct:n:ID"). A deleted contact leaves the card's list;
// the visits that met it keep naming it.

import (
	"context"
	"fmt"

	"salesbot/internal/outbox"
	"salesbot/models"
)

// contactButtons are the card's buttons opening its contacts, for those
// who may change the card.
func contactButtons(r *Request, c *models.Client, contacts []models.Contact) []outbox.Button {
	if !r.User.CanEditClient(c) {
		return nil
	}
	var bs []outbox.Button
	for _, ct := range contacts {
		bs = append(bs, outbox.Button{Text: "👤 " + clip(ct.Name, 20), Data: fmt.Sprintf("ct:s:%d", ct.ID)})
	}
	return bs
}

// cbContact handles a contact's buttons.
func (b *Bot) cbContact(ctx context.Context, r *Request, payload string) error {
	action, id, arg, ok := cbAction(payload)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	ct, err := b.store.Contact(ctx, r.User, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		r.say("contact_gone", nil)
		return nil
	}
	if err != nil {
		return err
	}
	c, err := b.buttonClient(ctx, r, ct.ClientID)
	if c == nil || err != nil {
		return err
	}
	if !r.User.CanEditClient(c) {
		r.say("client_not_yours", map[string]any{"Client": c.Name})
		return nil
	}
	label := r.person(ct.Name, ct.Title, ct.Roles)
	if ct.Phone != "" {
		label += " · " + ct.Phone
	}
	switch action {
	case "s":
		var bs []outbox.Button
		for _, step := range editSteps(models.ContactFields) {
			bs = append(bs, outbox.Button{Text: r.t("btn_contact_f_"+step, nil), Data: fmt.Sprintf("ct:f:%d:%s", ct.ID, step)})
		}
		rows := append(grid(bs, 4), []outbox.Button{{Text: r.t("btn_contact_delete", nil), Data: fmt.Sprintf("ct:d:%d", ct.ID)}})
		r.reply(r.t("contact_shown", map[string]any{"Contact": label, "Client": c.Name}), rows)
		return nil
	case "f":
		if !isEditStep(models.ContactFields, arg) {
			r.say("button_stale", nil)
			return nil
		}
		st := &FormState{}
		contactDrafts.store(st, &contactDraft{EditID: ct.ID, ClientID: c.ID, Contact: *ct, Roles: ct.Roles})
		r.reply(r.t("contact_editing", map[string]any{"Field": r.t("btn_contact_f_"+arg, nil), "Contact": ct.Name}), nil)
		r.editLast(r.MessageID)
		return b.AskStep(ctx, r, "contact", arg, st)
	case "d":
		n, err := b.store.ContactVisits(ctx, ct.ID)
		if err != nil {
			return err
		}
		r.reply(r.t("contact_delete_q", map[string]any{"Contact": label, "Client": c.Name, "Name": ct.Name, "N": n}), [][]outbox.Button{{
			{Text: r.t("btn_contact_delete_yes", nil), Data: fmt.Sprintf("ct:D:%d", ct.ID)},
			{Text: r.t("btn_contact_keep", nil), Data: fmt.Sprintf("ct:n:%d", ct.ID)},
		}})
		r.editLast(r.MessageID)
		return nil
	case "D":
		gone, err := b.store.DeleteContact(ctx, ct.ID)
		if err != nil {
			return err
		}
		if !gone {
			r.say("contact_gone", nil)
			return nil
		}
		r.reply(r.t("contact_deleted", map[string]any{"Contact": label, "Client": c.Name}), nil)
		r.editLast(r.MessageID)
		return b.showCard(ctx, r, c)
	case "n":
		r.reply(r.t("contact_kept", map[string]any{"Contact": label}), nil)
		r.editLast(r.MessageID)
		return nil
	}
	r.say("button_stale", nil)
	return nil
}

// contactEdited saves the one field an Edit button asked again.
func (b *Bot) contactEdited(ctx context.Context, r *Request, c *models.Client, d *contactDraft) error {
	if !r.User.CanEditClient(c) {
		r.say("client_not_yours", map[string]any{"Client": c.Name})
		return nil
	}
	ct := d.Contact
	ct.ID, ct.ClientID, ct.Roles = d.EditID, c.ID, d.Roles
	if err := b.store.UpdateContact(ctx, &ct); err != nil {
		return err
	}
	r.say("contact_updated", map[string]any{"Contact": r.person(ct.Name, ct.Title, ct.Roles), "Client": c.Name})
	return b.showCard(ctx, r, c)
}
