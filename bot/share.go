package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"salesbot/internal/outbox"
	"salesbot/models"
)

// Sharing: a rep sees the clients they own or that a manager shared
// with them (or all, when the team's "shared" setting is on). A
// rep who names a teammate's client is told who owns it, with a button
// that asks the team's managers to share it ("as:CLIENT"); each manager
// gets a Share button ("sh:CLIENT:REP"). /client NAME share @rep and
// /client NAME unshare @rep do the same by hand.

// shownAskShare is the shown list holding the client of the rep's last
// "is a client of …" answer: the only one its button may ask for.
const shownAskShare = "askshare"

// askShareData is the key, in a refusal's data, of the client a rep may
// ask a manager to share with them (renderError adds the button).
const askShareData = "AskShare"

// askShareButtons is the button under "NAME belongs to OWNER".
func askShareButtons(r *Request, clientID int64) [][]outbox.Button {
	return [][]outbox.Button{{{Text: r.t("btn_ask_share", nil), Data: fmt.Sprintf("as:%d", clientID)}}}
}

// cbAskShare: a rep asks the managers of a teammate's client's team to
// share it. Only a client of the rep's own team that they may not see
// is a valid payload; anything else is a stale button.
func (b *Bot) cbAskShare(ctx context.Context, r *Request, payload string) error {
	ids, ok := parseIDs(payload, 1)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	shown, _, err := b.store.ShownList(ctx, r.User.ID, shownAskShare)
	if err != nil {
		return err
	}
	if !slices.Contains(shown, ids[0]) {
		r.say("button_stale", nil)
		return nil
	}
	h, err := b.store.HiddenClient(ctx, r.User, ids[0])
	if err != nil {
		return err
	}
	if h == nil {
		r.say("button_stale", nil)
		return nil
	}
	members, err := b.store.Members(ctx, h.TeamID)
	if err != nil {
		return err
	}
	asked := 0
	for _, m := range members {
		if !m.Active || !m.Role.AtLeast(models.RoleManager) || m.User.ChatID == 0 || m.User.ID == r.User.ID {
			continue
		}
		data := map[string]any{"Rep": r.User.Name, "Client": h.Name, "Owner": h.OwnerName}
		r.out = append(r.out, outbox.Message{ChatID: m.User.ChatID, Text: b.cat.T(m.User.Lang, "share_request", data),
			Buttons: [][]outbox.Button{{{Text: b.cat.T(m.User.Lang, "btn_share_with", data), Data: fmt.Sprintf("sh:%d:%d", h.ClientID, r.User.ID)}}}})
		asked++
	}
	if asked == 0 {
		r.say("share_no_manager", map[string]any{"Client": h.Name})
		return nil
	}
	r.say("share_asked", map[string]any{"Client": h.Name, "N": asked})
	r.editLast(r.MessageID)
	return nil
}

// cbShare: a manager's Share button. The client must be one the manager
// manages and the rep an active member of its team.
func (b *Bot) cbShare(ctx context.Context, r *Request, payload string) error {
	ids, ok := parseIDs(payload, 2)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	c, err := b.store.Client(ctx, r.User, ids[0])
	if err != nil || !r.User.CanManage(c.TeamID) {
		r.say("button_stale", nil)
		return nil
	}
	to, ok := b.teamMember(ctx, c.TeamID, ids[1], true)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	return b.share(ctx, r, c, to, true, r.MessageID)
}

// share gives (or takes back) one rep's view of a client and tells both;
// edit, when set, is the pressed button's message that the answer replaces.
func (b *Bot) share(ctx context.Context, r *Request, c *models.Client, to *models.User, on bool, edit int) error {
	data := map[string]any{"Client": c.Name, "Name": to.Name, "By": r.User.Name}
	if !on {
		removed, err := b.store.UnshareClient(ctx, r.User, c.ID, to.ID)
		if err != nil {
			return err
		}
		if !removed {
			r.say("unshare_none", data)
			return nil
		}
		r.say("unshare_done", data)
		return nil
	}
	if seen, err := b.store.CanSeeClient(ctx, to, c); err != nil {
		return err
	} else if seen && c.OwnerID == to.ID {
		r.say("owner_same", data)
		return nil
	}
	added, err := b.store.ShareClient(ctx, r.User, c.ID, to.ID)
	if err != nil {
		return err
	}
	if !added {
		r.say("share_already", data)
		return nil
	}
	r.say("share_done", data)
	r.editLast(edit)
	if to.ChatID != 0 && to.ID != r.User.ID {
		r.out = append(r.out, outbox.Message{ChatID: to.ChatID, Text: b.cat.T(to.Lang, "share_notify", data)})
	}
	return nil
}

// cutShare reads "/client NAME share @rep" (or unshare) as the word, NAME
// and "@rep": the last share word with something on both sides.
func cutShare(c *Catalogue, args string) (on bool, name, who string, ok bool) {
	fields := strings.Fields(args)
	for i := len(fields) - 2; i > 0; i-- {
		if w, found := c.wordOf(fields[i], wordClientShare, wordClientUnshare); found {
			return w == wordClientShare, strings.Join(fields[:i], " "), strings.Join(fields[i+1:], " "), true
		}
	}
	return false, "", "", false
}

// clientShare is /client NAME share|unshare @rep, for the client's managers.
func (b *Bot) clientShare(ctx context.Context, r *Request, on bool, name, who string) error {
	c, _, to, err := b.clientAndMember(ctx, r, name, who, "err_share_managers_only")
	if c == nil || err != nil {
		return err
	}
	return b.share(ctx, r, c, to, on, 0)
}

// sharedOwner is how renderError offers the ask-to-share button: the
// refusal carries the client's id under askShareData.
func sharedOwner(de *models.Error) (int64, bool) {
	id, ok := de.Data[askShareData].(int64)
	return id, ok
}
