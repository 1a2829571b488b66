package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// A rep's departure moves their clients in three taps: the new owner, the
// scope (all, or one grade), confirm. The buttons carry ids only
// ("ra:TEAM:FROM:TO[:SCOPE[:ok]]"); every tap checks them again.

// offerReassign asks the manager who should take a departing member's
// clients and open follow-ups, if they have any.
func (b *Bot) offerReassign(ctx context.Context, r *Request, team *models.Team, from *models.User) error {
	h, err := b.store.HoldingsOf(ctx, team.ID, from.ID)
	if err != nil {
		return err
	}
	if h.TotalClients() == 0 && h.FollowUps == 0 {
		return nil
	}
	members, err := b.store.Members(ctx, team.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Name": from.Name, "Team": team.Name, "Clients": h.TotalClients(), "FollowUps": h.FollowUps}
	var rows [][]outbox.Button
	var row []outbox.Button
	for _, m := range members {
		if !m.Active || m.User.ID == from.ID {
			continue
		}
		row = append(row, outbox.Button{Text: m.User.Name, Data: fmt.Sprintf("ra:%d:%d:%d", team.ID, from.ID, m.User.ID)})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		r.say("reassign_nobody", data)
		return nil
	}
	r.reply(r.t("reassign_ask", data), rows)
	return nil
}

// reassignPayload is a parsed "ra:" button.
type reassignPayload struct {
	team, from, to int64
	// scope is "" (not chosen yet), "*" (all) or a grade letter.
	scope   string
	confirm bool
}

// parseReassign reads "TEAM:FROM:TO[:SCOPE[:ok]]" strictly: positive ids,
// a known scope, nothing else.
func parseReassign(payload string) (reassignPayload, bool) {
	parts := strings.Split(payload, ":")
	if len(parts) < 3 || len(parts) > 5 {
		return reassignPayload{}, false
	}
	var ids [3]int64
	for i := range ids {
		id, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil || id <= 0 || strconv.FormatInt(id, 10) != parts[i] {
			return reassignPayload{}, false
		}
		ids[i] = id
	}
	p := reassignPayload{team: ids[0], from: ids[1], to: ids[2]}
	if len(parts) >= 4 {
		p.scope = parts[3]
		if p.scope != "*" && !validGrade(models.Grade(p.scope)) {
			return reassignPayload{}, false
		}
	}
	if len(parts) == 5 {
		if parts[4] != "ok" {
			return reassignPayload{}, false
		}
		p.confirm = true
	}
	return p, p.from != p.to
}

func (p reassignPayload) data(scope string, ok bool) string {
	s := fmt.Sprintf("ra:%d:%d:%d", p.team, p.from, p.to)
	if scope != "" {
		s += ":" + scope
	}
	if ok {
		s += ":ok"
	}
	return s
}

// cbReassign handles the three taps.
func (b *Bot) cbReassign(ctx context.Context, r *Request, payload string) error {
	if payload == "x" {
		r.say("reassign_cancelled", nil)
		r.editLast(r.MessageID)
		return nil
	}
	p, ok := parseReassign(payload)
	if !ok || !r.User.CanManage(p.team) {
		r.say("button_stale", nil)
		return nil
	}
	team, err := b.store.Team(ctx, p.team)
	if err != nil {
		r.say("button_stale", nil)
		return nil
	}
	from, fromOK := b.teamMember(ctx, p.team, p.from, false)
	to, toOK := b.teamMember(ctx, p.team, p.to, true)
	if !fromOK || !toOK {
		r.say("button_stale", nil)
		return nil
	}
	h, err := b.store.HoldingsOf(ctx, p.team, p.from)
	if err != nil {
		return err
	}
	data := map[string]any{"Name": from.Name, "To": to.Name, "Team": team.Name, "Clients": h.TotalClients(), "FollowUps": h.FollowUps}
	switch {
	case p.scope == "":
		rows := [][]outbox.Button{{{Text: r.t("reassign_all", data), Data: p.data("*", false)}}}
		var row []outbox.Button
		for _, g := range models.Grades {
			if n := h.Clients[g]; n > 0 {
				row = append(row, outbox.Button{Text: r.t("reassign_grade", map[string]any{"Grade": string(g), "N": n}), Data: p.data(string(g), false)})
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		rows = append(rows, []outbox.Button{{Text: r.t("reassign_cancel", nil), Data: "ra:x"}})
		r.reply(r.t("reassign_scope", data), rows)
		r.editLast(r.MessageID)
		return nil
	case p.scope != "*" && h.Clients[models.Grade(p.scope)] == 0:
		// Not a choice the scope step could have offered (or moved already).
		r.say("button_stale", nil)
		return nil
	case !p.confirm:
		data["Grade"], data["N"] = p.scopeGrade(), h.Clients[models.Grade(p.scope)]
		r.reply(r.t("reassign_confirm", data), [][]outbox.Button{{
			{Text: r.t("reassign_yes", nil), Data: p.data(p.scope, true)},
			{Text: r.t("reassign_cancel", nil), Data: "ra:x"},
		}})
		r.editLast(r.MessageID)
		return nil
	}
	ra := storage.Reassignment{TeamID: p.team, FromID: p.from, ToID: p.to, ActorID: r.User.ID}
	if p.scope != "*" {
		ra.Grade = models.Grade(p.scope)
	}
	moved, err := b.store.Reassign(ctx, ra)
	if err != nil {
		return err
	}
	data["Clients"], data["FollowUps"] = moved.Clients, moved.FollowUps
	r.say("reassign_done", data)
	r.editLast(r.MessageID)
	b.tellNewOwner(r, to, data)
	return nil
}

func (p reassignPayload) scopeGrade() string {
	if p.scope == "*" {
		return ""
	}
	return p.scope
}

// tellNewOwner lets the new owner know, in their language.
func (b *Bot) tellNewOwner(r *Request, to *models.User, data map[string]any) {
	if to.ID == r.User.ID || to.ChatID == 0 {
		return
	}
	d := map[string]any{"By": r.User.Name}
	for k, v := range data {
		d[k] = v
	}
	r.out = append(r.out, outbox.Message{ChatID: to.ChatID, Text: b.cat.T(to.Lang, "reassign_notify", d)})
}

// teamMember loads a user who is a member of the team (an active one when
// active is set).
func (b *Bot) teamMember(ctx context.Context, teamID, userID int64, active bool) (*models.User, bool) {
	u, err := b.store.User(ctx, userID)
	if err != nil {
		return nil, false
	}
	m, ok := u.Membership(teamID)
	return u, ok && (m.Active || !active)
}

// cutOwner reads "/client NAME owner @rep" as (NAME, "@rep").
func (c *Catalogue) cutOwner(args string) (name, who string, ok bool) {
	for _, w := range c.wordsOf(wordClientOwner) {
		sep := " " + w + " "
		if i := strings.LastIndex(strings.ToLower(args), sep); i > 0 {
			name, who = strings.TrimSpace(args[:i]), strings.TrimSpace(args[i+len(sep):])
			return name, who, name != "" && who != ""
		}
	}
	return "", "", false
}

// clientAndMember reads "/client NAME <action> @rep" for a manager: the
// client the manager may see and manage (nil, nil when clientNamed has
// answered), its team, and the active member of that team named by who.
// forbiddenKey answers someone who does not manage the client's team.
func (b *Bot) clientAndMember(ctx context.Context, r *Request, name, who, forbiddenKey string) (*models.Client, *models.Team, *models.User, error) {
	c, err := b.clientNamed(ctx, r, name, clientArg{Prefix: "c:v:", Usage: "usage_client", Cols: 2})
	if c == nil || err != nil {
		return nil, nil, nil, err
	}
	if !r.User.CanManage(c.TeamID) {
		return nil, nil, nil, models.Errorf(models.EFORBIDDEN, forbiddenKey, map[string]any{"Client": c.Name, "Who": strings.TrimPrefix(who, "@")})
	}
	team, err := b.store.Team(ctx, c.TeamID)
	if err != nil {
		return nil, nil, nil, err
	}
	to, err := b.store.UserByHandle(ctx, c.TeamID, strings.TrimPrefix(who, "@"))
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return nil, nil, nil, models.Errorf(models.ENOTFOUND, "err_user_not_found", map[string]any{"Name": who, "Team": team.Name})
		}
		return nil, nil, nil, err
	}
	if m, ok := to.Membership(c.TeamID); !ok || !m.Active {
		return nil, nil, nil, models.Errorf(models.ECONFLICT, "err_member_inactive", map[string]any{"Name": to.Name, "Team": team.Name})
	}
	return c, team, to, nil
}

// clientOwner is /client NAME owner @rep: a manager hands one client (and
// its open follow-ups) to another member of the client's team.
func (b *Bot) clientOwner(ctx context.Context, r *Request, name, who string) error {
	c, team, to, err := b.clientAndMember(ctx, r, name, who, "err_owner_managers_only")
	if c == nil || err != nil {
		return err
	}
	if c.OwnerID == to.ID {
		r.say("owner_same", map[string]any{"Client": c.Name, "Name": to.Name})
		return nil
	}
	moved, err := b.store.Reassign(ctx, storage.Reassignment{TeamID: c.TeamID, FromID: c.OwnerID, ToID: to.ID, ActorID: r.User.ID, ClientID: c.ID})
	if err != nil {
		return err
	}
	data := map[string]any{"Client": c.Name, "To": to.Name, "FollowUps": moved.FollowUps, "Name": b.userName(ctx, r, c.OwnerID), "Clients": 1, "Team": team.Name}
	r.say("owner_ok", data)
	b.tellNewOwner(r, to, data)
	return nil
}
