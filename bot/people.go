package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/outbox"
	"salesbot/models"
)

// join uses an invite code: /join CODE, /start CODE or the t.me link.
func (b *Bot) join(ctx context.Context, r *Request) error {
	code := strings.TrimSpace(r.Args)
	if code == "" {
		r.say("usage_join", nil)
		return nil
	}
	return b.useInvite(ctx, r, code, false)
}

// useInvite uses a code; confirmed is set when the member pressed "yes" to
// the change of role the code makes.
func (b *Bot) useInvite(ctx context.Context, r *Request, code string, confirmed bool) error {
	res, err := b.store.UseInvite(ctx, code, r.Profile, confirmed)
	if err != nil {
		return err
	}
	user, inv := res.User, res.Invite
	data := map[string]any{"Team": inv.TeamName, "Name": user.Name, "Role": b.roleName(r, inv.Role), "Was": b.roleName(r, res.Was)}
	switch res.Outcome {
	case models.JoinAlready:
		r.say("invite_already_member", data)
		return nil
	case models.JoinConfirm:
		if confirmed {
			break
		}
		r.reply(r.t("invite_confirm", data), [][]outbox.Button{{
			{Text: r.t("invite_confirm_yes", data), Data: "jn:y:" + inv.Code},
			{Text: r.t("invite_confirm_no", data), Data: "jn:n"},
		}})
		return nil
	}
	r.User = user
	if user.Lang != "" {
		r.Lang = user.Lang
	}
	r.say(map[models.JoinOutcome]string{models.JoinNew: "joined", models.JoinRejoin: "rejoined", models.JoinConfirm: "role_changed_by_invite"}[res.Outcome], data)
	if res.Outcome == models.JoinNew {
		r.reply(b.helpText(r.Lang, user), nil)
	}
	// Tell whoever made the invite, in their language.
	if inviter, err := b.store.User(ctx, inv.CreatedBy); err == nil && inviter.Active && inviter.ChatID != 0 {
		lang := inviter.Lang
		r.out = append(r.out, outbox.Message{ChatID: inviter.ChatID, Text: b.cat.T(lang, "joined_notify",
			map[string]any{"Name": user.Name, "Team": inv.TeamName, "Role": roleKeys.label(b.cat, lang, inv.Role)})})
	}
	return nil
}

// cbJoin is the answer to "this invite changes your role — go ahead?".
func (b *Bot) cbJoin(ctx context.Context, r *Request, payload string) error {
	answer, code, _ := strings.Cut(payload, ":")
	switch {
	case answer == "n" && code == "":
		r.say("invite_confirm_declined", nil)
		r.editLast(r.MessageID)
		return nil
	case answer == "y" && len(code) == models.InviteCodeLen:
		first := len(r.out)
		if err := b.useInvite(ctx, r, code, true); err != nil {
			return err
		}
		// The question turns into the answer (not into the note to the
		// inviter queued after it).
		if len(r.out) > first && r.MessageID != 0 {
			r.out[first].EditMessageID = r.MessageID
		}
		return nil
	}
	r.say("button_stale", nil)
	return nil
}

// teamFor resolves the team a command acts on: the named one, or the
// user's entries team. Only teams the user may see are found (admins see
// every team): a name of any other team is answered exactly like a name
// that does not exist, and the answer lists only the user's own teams.
func (b *Bot) teamFor(ctx context.Context, r *Request, name string) (*models.Team, error) {
	if name != "" {
		t, err := b.store.TeamByName(ctx, name)
		if err == nil && (r.User.IsAdmin || r.User.RoleIn(t.ID) != models.RoleNone) {
			return t, nil
		}
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return nil, err
		}
		return nil, models.Errorf(models.ENOTFOUND, "err_team_not_found", map[string]any{"Name": name, "Teams": b.visibleTeamNames(ctx, r)})
	}
	if id := r.User.PrimaryTeam(); id != 0 {
		return b.store.Team(ctx, id)
	}
	names := b.visibleTeamNames(ctx, r)
	if names == "" {
		return nil, models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	return nil, models.Errorf(models.EINVALID, "err_need_team", map[string]any{"Teams": names})
}

// managedTeamFor is teamFor for what only the team's managers may do (and
// admins): a team the user is only a rep of is refused.
func (b *Bot) managedTeamFor(ctx context.Context, r *Request, name string) (*models.Team, error) {
	team, err := b.teamFor(ctx, r, name)
	if err != nil {
		return nil, err
	}
	if !r.User.CanManage(team.ID) {
		return nil, models.Errorf(models.EFORBIDDEN, "err_not_your_team", nil)
	}
	return team, nil
}

// visibleTeamNames names the teams a user may see: every team for an
// admin, else their active teams.
func (b *Bot) visibleTeamNames(ctx context.Context, r *Request) string {
	u := r.User
	var names []string
	if u.IsAdmin {
		teams, err := b.store.Teams(ctx)
		if err != nil {
			return ""
		}
		for _, t := range teams {
			names = append(names, t.Name)
		}
	} else {
		for _, m := range u.ActiveMemberships() {
			names = append(names, m.TeamName)
		}
	}
	return r.list(names)
}

// /invite [rep|manager] [team]
func (b *Bot) cmdInvite(ctx context.Context, r *Request) error {
	role := models.RoleRep
	rest := r.Args
	if first, tail, _ := strings.Cut(rest, " "); first != "" {
		if parsed, ok := r.cat.parseRole(first); ok {
			role, rest = parsed, strings.TrimSpace(tail)
		} else if r.User.PrimaryTeam() != 0 && !b.teamVisible(ctx, r, rest) {
			// Not a role and not a team: most likely a mistyped role.
			return models.Errorf(models.EINVALID, "err_role_unknown", map[string]any{"Value": first})
		}
	}
	team, err := b.managedTeamFor(ctx, r, rest)
	if err != nil {
		return err
	}
	inv, err := b.store.CreateInvite(ctx, team.ID, role, r.User.ID, b.cfg.InviteTTL)
	if err != nil {
		return err
	}
	link := fmt.Sprintf("https://t.me/%s?start=%s", b.cfg.BotUsername, inv.Code)
	r.say("invite_created", map[string]any{"Team": team.Name, "Role": b.roleName(r, role),
		"Until": r.time(inv.ExpiresAt), "Code": inv.Code, "Link": link})
	return nil
}

// teamVisible reports whether name is a team the user may see.
func (b *Bot) teamVisible(ctx context.Context, r *Request, name string) bool {
	t, err := b.store.TeamByName(ctx, name)
	return err == nil && (r.User.IsAdmin || r.User.RoleIn(t.ID) != models.RoleNone)
}

// /team [name], /team use NAME
func (b *Bot) cmdTeam(ctx context.Context, r *Request) error {
	if first, rest, _ := strings.Cut(r.Args, " "); r.cat.wordIs(wordTeamUse, first) {
		return b.useTeam(ctx, r, strings.TrimSpace(rest))
	} else if r.cat.wordIs(wordTeamHistory, first) {
		return b.teamHistory(ctx, r, strings.TrimSpace(rest))
	}
	if r.Args == "" && r.User.PrimaryTeam() == 0 && !r.User.IsAdmin {
		r.say("team_none", nil)
		return nil
	}
	team, err := b.teamFor(ctx, r, r.Args)
	if err != nil {
		return err
	}
	members, err := b.store.Members(ctx, team.ID)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		r.say("team_empty", map[string]any{"Team": team.Name})
		return nil
	}
	lines := []string{r.t("team_header", map[string]any{"Team": team.Name, "Count": len(members)})}
	for i, m := range members {
		data := map[string]any{"N": i + 1, "Name": m.User.Name, "Username": m.User.Username, "Role": b.roleName(r, m.Role)}
		if !m.Active {
			lines = append(lines, r.t("team_line_inactive", data))
			continue
		}
		seen := r.t("never", nil)
		if !m.User.LastSeen.IsZero() {
			seen = r.time(m.User.LastSeen)
		}
		data["LastSeen"] = seen
		lines = append(lines, r.t("team_line", data))
	}
	if r.User.IsAdmin {
		given, err := b.store.GivenUpUpdates(ctx, r.Now.Add(-7*24*time.Hour), 100)
		if err != nil {
			return err
		}
		if len(given) > 0 {
			lines = append(lines, "", r.t("team_gave_up", map[string]any{"Count": len(given)}))
			for _, g := range given[:min(len(given), 5)] {
				lines = append(lines, r.t("team_gave_up_line", map[string]any{"At": r.time(g.At), "Chat": g.ChatID, "Why": g.Why}))
			}
		}
	}
	if line := b.entriesTeamLine(r); line != "" {
		lines = append(lines, "", line)
	}
	r.reply(strings.Join(lines, "\n"), nil)
	return nil
}

// entriesTeamLine says which team new entries go to, for someone in
// several teams ("" for one team: nothing to choose).
func (b *Bot) entriesTeamLine(r *Request) string {
	active := r.User.ActiveMemberships()
	if len(active) < 2 {
		return ""
	}
	m, _ := r.User.Membership(r.User.PrimaryTeam())
	return r.t("team_entries_go_to", map[string]any{"Team": m.TeamName, "Other": active[len(active)-1].TeamName})
}

// useTeam is /team use NAME: the team the user's new entries go to.
func (b *Bot) useTeam(ctx context.Context, r *Request, name string) error {
	if name == "" {
		r.say("usage_team_use", map[string]any{"Teams": b.visibleTeamNames(ctx, r)})
		return nil
	}
	for _, m := range r.User.ActiveMemberships() {
		if strings.EqualFold(strings.TrimSpace(m.TeamName), name) {
			if err := b.store.SetCurrentTeam(ctx, r.User.ID, m.TeamID); err != nil {
				return err
			}
			r.User.CurrentTeamID = m.TeamID
			r.say("team_use_ok", map[string]any{"Team": m.TeamName})
			return nil
		}
	}
	names := make([]string, 0, len(r.User.Memberships))
	for _, m := range r.User.ActiveMemberships() {
		names = append(names, m.TeamName)
	}
	return models.Errorf(models.ENOTFOUND, "err_team_use_unknown", map[string]any{"Name": name, "Teams": strings.Join(names, ", ")})
}

// /newteam NAME
func (b *Bot) cmdNewTeam(ctx context.Context, r *Request) error {
	if r.Args == "" {
		r.say("usage_newteam", nil)
		return nil
	}
	tz := b.cfg.DefaultTZ
	if tz == "" {
		tz = "UTC"
	}
	team, err := b.store.CreateTeam(ctx, r.Args, tz)
	if err != nil {
		return err
	}
	r.say("newteam_ok", map[string]any{"Name": team.Name, "TZ": team.TZ})
	return nil
}

// memberArg finds the member a management command names: @username, name,
// or the number shown by /team. It looks in the teams the acting user
// manages (every team, for admins), entries team first.
func (b *Bot) memberArg(ctx context.Context, r *Request, who string) (*models.User, *models.Team, error) {
	teams, err := b.managedTeams(ctx, r.User)
	if err != nil {
		return nil, nil, err
	}
	if len(teams) == 0 {
		return nil, nil, models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	who = strings.TrimPrefix(strings.TrimSpace(who), "@")
	if n, err := strconv.Atoi(who); err == nil {
		// Numbers refer to the /team list of the first team.
		members, err := b.store.Members(ctx, teams[0].ID)
		if err != nil {
			return nil, nil, err
		}
		if n >= 1 && n <= len(members) {
			u, err := b.store.User(ctx, members[n-1].User.ID) // with memberships
			if err != nil {
				return nil, nil, err
			}
			return u, teams[0], nil
		}
	}
	for _, team := range teams {
		u, err := b.store.UserByHandle(ctx, team.ID, who)
		if err == nil {
			return u, team, nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return nil, nil, err
		}
	}
	return nil, nil, models.Errorf(models.ENOTFOUND, "err_user_not_found", map[string]any{"Name": who, "Team": teams[0].Name})
}

// managedTeams lists the teams a user may manage, their entries team first.
func (b *Bot) managedTeams(ctx context.Context, u *models.User) ([]*models.Team, error) {
	var out []*models.Team
	seen := map[int64]bool{}
	ms := u.ActiveMemberships()
	slices.SortStableFunc(ms, func(a, c models.Membership) int {
		return cmpBool(c.TeamID == u.PrimaryTeam(), a.TeamID == u.PrimaryTeam())
	})
	for _, m := range ms {
		if u.CanManage(m.TeamID) {
			t, err := b.store.Team(ctx, m.TeamID)
			if err != nil {
				return nil, err
			}
			out, seen[t.ID] = append(out, t), true
		}
	}
	if u.IsAdmin {
		all, err := b.store.Teams(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			if !seen[t.ID] {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// /promote NAME [manager|rep]
func (b *Bot) cmdPromote(ctx context.Context, r *Request) error {
	fields := strings.Fields(r.Args)
	if len(fields) == 0 {
		r.say("usage_promote", nil)
		return nil
	}
	role := models.RoleManager
	who := r.Args
	if len(fields) > 1 {
		if parsed, ok := r.cat.parseRole(fields[len(fields)-1]); ok {
			role = parsed
			who = strings.Join(fields[:len(fields)-1], " ")
		}
	}
	u, team, err := b.memberArg(ctx, r, who)
	if err != nil {
		return err
	}
	if err := models.CheckMemberChange(r.User, u, team.ID, models.MemberChange{Role: role}); err != nil {
		return withTeam(err, team)
	}
	if err := b.store.SetMemberRole(ctx, team.ID, u.ID, r.User.ID, role); err != nil {
		return err
	}
	r.say("promote_ok", map[string]any{"Name": u.Name, "Role": b.roleName(r, role), "Team": team.Name})
	return nil
}

// withTeam adds the team's name to a membership rule's error.
func withTeam(err error, team *models.Team) error {
	var de *models.Error
	if errors.As(err, &de) {
		data := map[string]any{"Team": team.Name}
		for k, v := range de.Data {
			data[k] = v
		}
		if role, ok := data["Role"].(models.Role); ok {
			data["Role"] = string(role)
		}
		return models.Errorf(de.Code, de.Key, data)
	}
	return err
}

// /deactivate NAME
func (b *Bot) cmdDeactivate(ctx context.Context, r *Request) error {
	if r.Args == "" {
		r.say("usage_deactivate", nil)
		return nil
	}
	u, team, err := b.memberArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if err := models.CheckMemberChange(r.User, u, team.ID, models.MemberChange{Deactivate: true}); err != nil {
		return withTeam(err, team)
	}
	if err := b.store.DeactivateMember(ctx, team.ID, u.ID, r.User.ID); err != nil {
		return err
	}
	r.say("deactivate_ok", map[string]any{"Name": u.Name, "Team": team.Name})
	return b.offerReassign(ctx, r, team, u)
}

// /lang [LANG]; without an argument it offers a button per language.
func (b *Bot) cmdLang(ctx context.Context, r *Request) error {
	if r.Args == "" {
		var row []outbox.Button
		for _, lang := range b.cat.Languages() {
			row = append(row, outbox.Button{Text: b.cat.Language(lang).Name, Data: "lang:" + lang})
		}
		r.reply(r.t("lang_choose", nil), [][]outbox.Button{row})
		return nil
	}
	lang, ok := b.cat.Match(r.Args)
	if !ok {
		r.say("err_lang_unknown", nil)
		return nil
	}
	return b.setLang(ctx, r, lang)
}

func (b *Bot) setLang(ctx context.Context, r *Request, lang string) error {
	if err := b.store.SetUserLang(ctx, r.User.ID, lang); err != nil {
		return err
	}
	r.Lang = lang
	r.say("lang_set", nil)
	return nil
}

// /tz [Area/City]
func (b *Bot) cmdTZ(ctx context.Context, r *Request) error {
	if r.Args == "" {
		r.say("tz_show", map[string]any{"TZ": r.Loc.String(), "Now": r.time(r.Now)})
		return nil
	}
	name := strings.TrimSpace(r.Args)
	loc, ok := models.ParseZone(name)
	if !ok {
		return models.Errorf(models.EINVALID, "err_tz_unknown", map[string]any{"Value": name})
	}
	if err := b.store.SetUserTZ(ctx, r.User.ID, loc.String()); err != nil {
		return err
	}
	r.Loc = loc
	r.say("tz_set", map[string]any{"TZ": loc.String(), "Now": r.time(r.Now)})
	return nil
}

// cbLang is the /lang buttons.
func (b *Bot) cbLang(ctx context.Context, r *Request, payload string) error {
	if lang, ok := b.cat.Match(payload); !ok || lang != payload {
		r.say("button_stale", nil)
		return nil
	}
	if err := b.setLang(ctx, r, payload); err != nil {
		return err
	}
	// Turn the question into the answer so the chat reads as a record.
	r.editLast(r.MessageID)
	return nil
}

// seenTeams lists the teams a user may see: every team for an admin, else
// their active teams.
func (b *Bot) seenTeams(ctx context.Context, u *models.User) ([]*models.Team, error) {
	if u.IsAdmin {
		return b.store.Teams(ctx)
	}
	var out []*models.Team
	for _, m := range u.ActiveMemberships() {
		t, err := b.store.Team(ctx, m.TeamID)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
