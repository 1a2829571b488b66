package bot

import (
	"context"
	"fmt"
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
	user, inv, err := b.store.Join(ctx, code, r.Profile)
	if err != nil {
		return err
	}
	r.User = user
	if user.Lang != "" {
		r.Lang = user.Lang
	}
	r.say("joined", map[string]any{"Team": inv.TeamName, "Name": user.Name, "Role": b.roleName(r, inv.Role)})
	r.reply(b.helpText(r.Lang, user.Role()), nil)
	// Tell whoever made the invite, in their language.
	if inviter, err := b.store.User(ctx, inv.CreatedBy); err == nil && inviter.Active && inviter.ChatID != 0 {
		lang := inviter.Lang
		r.out = append(r.out, outbox.Message{ChatID: inviter.ChatID, Text: b.cat.T(lang, "joined_notify",
			map[string]any{"Name": user.Name, "Team": inv.TeamName, "Role": roleKeys.label(b.cat, lang, inv.Role)})})
	}
	return nil
}

// teamFor resolves the team a management command acts on: the named one,
// or the user's first team. Admins without a team must name one.
func (b *Bot) teamFor(ctx context.Context, r *Request, name string) (*models.Team, error) {
	if name != "" {
		t, err := b.store.TeamByName(ctx, name)
		if err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				return nil, models.Errorf(models.ENOTFOUND, "err_team_not_found", map[string]any{"Name": name, "Teams": b.allTeamNames(ctx)})
			}
			return nil, err
		}
		return t, nil
	}
	if id := r.User.PrimaryTeam(); id != 0 {
		return b.store.Team(ctx, id)
	}
	names := b.allTeamNames(ctx)
	if names == "" {
		return nil, models.Errorf(models.ENOTFOUND, "err_no_teams", nil)
	}
	return nil, models.Errorf(models.EINVALID, "err_need_team", map[string]any{"Teams": names})
}

func (b *Bot) allTeamNames(ctx context.Context) string {
	teams, err := b.store.Teams(ctx)
	if err != nil {
		return ""
	}
	names := make([]string, len(teams))
	for i, t := range teams {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// /invite [rep|manager] [team]
func (b *Bot) cmdInvite(ctx context.Context, r *Request) error {
	role := models.RoleRep
	rest := r.Args
	if first, tail, _ := strings.Cut(rest, " "); first != "" {
		if parsed, ok := models.ParseRole(first); ok {
			role, rest = parsed, strings.TrimSpace(tail)
		} else if r.User.PrimaryTeam() != 0 && !b.teamExists(ctx, rest) {
			// Not a role and not a team: most likely a mistyped role.
			return models.Errorf(models.EINVALID, "err_role_unknown", map[string]any{"Value": first})
		}
	}
	team, err := b.teamFor(ctx, r, rest)
	if err != nil {
		return err
	}
	if !r.User.CanManage(team.ID) {
		r.say("err_not_your_team", nil)
		return nil
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

func (b *Bot) teamExists(ctx context.Context, name string) bool {
	_, err := b.store.TeamByName(ctx, name)
	return err == nil
}

// /team [name]
func (b *Bot) cmdTeam(ctx context.Context, r *Request) error {
	if r.Args == "" && r.User.PrimaryTeam() == 0 && !r.User.IsAdmin {
		r.say("team_none", nil)
		return nil
	}
	team, err := b.teamFor(ctx, r, r.Args)
	if err != nil {
		return err
	}
	if r.User.RoleIn(team.ID) == models.RoleNone {
		r.say("err_not_your_team", nil)
		return nil
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
		if !m.User.Active {
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
	r.reply(strings.Join(lines, "\n"), nil)
	return nil
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
// manages (every team, for admins), first team first.
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
			return members[n-1].User, teams[0], nil
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

// managedTeams lists the teams a user may manage, their own first.
func (b *Bot) managedTeams(ctx context.Context, u *models.User) ([]*models.Team, error) {
	var out []*models.Team
	seen := map[int64]bool{}
	for _, m := range u.Memberships {
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
		if parsed, ok := models.ParseRole(fields[len(fields)-1]); ok {
			role = parsed
			who = strings.Join(fields[:len(fields)-1], " ")
		}
	}
	u, team, err := b.memberArg(ctx, r, who)
	if err != nil {
		return err
	}
	if !r.User.CanManage(team.ID) {
		r.say("err_not_your_team", nil)
		return nil
	}
	if u.ID == r.User.ID {
		r.say("err_self", nil)
		return nil
	}
	if err := b.store.AddMember(ctx, team.ID, u.ID, role); err != nil {
		return err
	}
	r.say("promote_ok", map[string]any{"Name": u.Name, "Role": b.roleName(r, role), "Team": team.Name})
	return nil
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
	if !r.User.CanManage(team.ID) {
		r.say("err_not_your_team", nil)
		return nil
	}
	if u.ID == r.User.ID {
		r.say("err_self", nil)
		return nil
	}
	if err := b.store.SetActive(ctx, u.ID, false); err != nil {
		return err
	}
	r.say("deactivate_ok", map[string]any{"Name": u.Name, "Team": team.Name})
	return nil
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
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || strings.EqualFold(name, "local") {
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
