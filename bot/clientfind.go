package bot

import (
	"context"
	"strconv"
	"strings"

	"salesbot/models"
)

// closeLimit is how many "did you mean" clients the bot offers.
const closeLimit = 3

// writeTeam is the team a new visit, objection or client goes to: the
// user's first team.
func (b *Bot) writeTeam(r *Request) (int64, error) {
	if id := r.User.PrimaryTeam(); id != 0 {
		return id, nil
	}
	return 0, models.Errorf(models.EINVALID, "err_no_team_to_log", nil)
}

// visibleTeams are the teams whose clients the user may look at: their own,
// or every team for an admin.
func (b *Bot) visibleTeams(ctx context.Context, r *Request) ([]int64, error) {
	var ids []int64
	for _, m := range r.User.Memberships {
		ids = append(ids, m.TeamID)
	}
	if r.User.IsAdmin {
		teams, err := b.store.Teams(ctx)
		if err != nil {
			return nil, err
		}
		ids = ids[:0]
		for _, t := range teams {
			ids = append(ids, t.ID)
		}
	}
	return ids, nil
}

// canSee applies models.User.CanSeeClient, looking up the rep's own entries
// only when the role alone does not decide.
func (b *Bot) canSee(ctx context.Context, r *Request, c *models.Client) (bool, error) {
	if r.User.CanSeeClient(c, false) {
		return true, nil
	}
	if r.User.RoleIn(c.TeamID) == models.RoleNone {
		return false, nil
	}
	own, err := b.store.HasEntries(ctx, r.User.ID, c.ID)
	if err != nil {
		return false, err
	}
	return r.User.CanSeeClient(c, own), nil
}

// visibleClient loads a client by id for the user, ENOTFOUND when it is
// gone or not theirs to see (the same answer, so ids reveal nothing).
func (b *Bot) visibleClient(ctx context.Context, r *Request, id int64) (*models.Client, error) {
	c, err := b.store.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := b.canSee(ctx, r, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, models.Errorf(models.ENOTFOUND, "err_client_gone", nil)
	}
	return c, nil
}

// matchForWrite looks for a typed client name in the team a visit or
// objection is logged in: all the team's clients count, so a teammate's
// client is not created twice.
func (b *Bot) matchForWrite(ctx context.Context, teamID int64, name string) (*models.Client, []models.NameMatch, error) {
	all, err := b.store.ClientNames(ctx, []int64{teamID})
	if err != nil {
		return nil, nil, err
	}
	exact, close := models.MatchClient(name, all, closeLimit)
	return exact, close, nil
}

// findClient looks for a typed client name among the clients the user may
// see (for /client, /history, /objections).
func (b *Bot) findClient(ctx context.Context, r *Request, name string) (*models.Client, []*models.Client, error) {
	teams, err := b.visibleTeams(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	all, err := b.store.ClientNames(ctx, teams)
	if err != nil {
		return nil, nil, err
	}
	key := models.NameKey(name)
	var exact []*models.Client
	for _, c := range all {
		if models.NameKey(c.Name) == key {
			exact = append(exact, c)
		}
	}
	// The same name can exist in two of an admin's teams: the user's own
	// team first.
	for _, c := range exact {
		if ok, err := b.canSee(ctx, r, c); err != nil {
			return nil, nil, err
		} else if ok {
			return c, nil, nil
		}
	}
	_, close := models.MatchClient(name, all, len(all))
	var out []*models.Client
	for _, m := range close {
		if len(out) == closeLimit {
			break
		}
		if ok, err := b.canSee(ctx, r, m.Client); err != nil {
			return nil, nil, err
		} else if ok {
			out = append(out, m.Client)
		}
	}
	return nil, out, nil
}

// clientLabel is a client as a button or line shows it: "Acme Corp (B, proposal / quote)".
func (r *Request) clientLabel(c *models.Client) string {
	var bits []string
	if c.Grade != models.GradeNone {
		bits = append(bits, string(c.Grade))
	}
	if c.Stage != models.StageNone {
		bits = append(bits, r.stage(c.Stage))
	}
	if len(bits) == 0 {
		return c.Name
	}
	return r.t("client_label", map[string]any{"Name": c.Name, "Bits": strings.Join(bits, r.t("label_sep", nil))})
}

// idValue and parseID carry ids in form choices ("id:42").
func idValue(id int64) string { return "id:" + strconv.FormatInt(id, 10) }

func parseID(v string) (int64, bool) {
	s, ok := strings.CutPrefix(v, "id:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// cbID reads the numeric id of a button's payload ("42" or "42:x").
func cbID(payload string) (int64, string, bool) {
	head, rest, _ := strings.Cut(payload, ":")
	id, err := strconv.ParseInt(head, 10, 64)
	return id, rest, err == nil && id > 0
}
