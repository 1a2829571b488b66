package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"salesbot/internal/storage"
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

// entryTeam is the team an entry is written to: the one chosen (team),
// else the user's team for new entries (writeTeam).
func (b *Bot) entryTeam(r *Request, team int64) (int64, error) {
	if team != 0 {
		return team, nil
	}
	return b.writeTeam(r)
}

// visibleTeams are the teams whose clients the user may look at: their own,
// or every team for an admin.
func (b *Bot) visibleTeams(ctx context.Context, r *Request) ([]int64, error) {
	var ids []int64
	for _, m := range r.User.ActiveMemberships() {
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

// refuseHidden refuses a name that is exactly a teammate's client the
// user may not see (h), saying who owns it and offering to ask a manager
// to share it (the AskShare button, see renderError). Names in teams the
// user is not in are never looked at (storage.LookupClient).
func (b *Bot) refuseHidden(ctx context.Context, r *Request, h *storage.HiddenClient) error {
	// The ask-to-share button works for this client only: a forged id
	// would otherwise answer with any teammate's client's name.
	if err := b.store.SaveShownList(ctx, r.User.ID, shownAskShare, []int64{h.ClientID}); err != nil {
		return err
	}
	return models.Errorf(models.EFORBIDDEN, "client_owned_by", map[string]any{"Client": h.Name, "Owner": h.OwnerName, askShareData: h.ClientID})
}

// hiddenClient refuses a name that is exactly a teammate's client the user
// may not see (refuseHidden), for names read without lookupClient.
func (b *Bot) hiddenClient(ctx context.Context, r *Request, teams []int64, name string) error {
	h, err := b.store.HiddenClientNamed(ctx, r.User, teams, name)
	if err != nil || h == nil {
		return err
	}
	return b.refuseHidden(ctx, r, h)
}

// lookupClient reads a typed client name in teams among the clients the
// user may see, in one indexed read when the name is a client's; the same
// name on a teammate's client the user may not see is refused with who
// owns it (refuseHidden), so it is neither created twice nor a way in.
func (b *Bot) lookupClient(ctx context.Context, r *Request, teams []int64, name string) (*storage.ClientLookup, error) {
	l, err := b.store.LookupClient(ctx, r.User, teams, name)
	if err != nil {
		return nil, err
	}
	if l.Hidden != nil {
		return nil, b.refuseHidden(ctx, r, l.Hidden)
	}
	return l, nil
}

// canSee is storage's one client-visibility rule for the request's user.
func (b *Bot) canSee(ctx context.Context, r *Request, c *models.Client) (bool, error) {
	return b.store.CanSeeClient(ctx, r.User, c)
}

// visibleClient loads a client by id for the user, ENOTFOUND when it is
// gone or not theirs to see (the same answer, so ids reveal nothing).
func (b *Bot) visibleClient(ctx context.Context, r *Request, id int64) (*models.Client, error) {
	c, err := b.store.Client(ctx, r.User, id)
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
// objection is logged in (lookupClient): the client of that name, or the
// close ones.
func (b *Bot) matchForWrite(ctx context.Context, r *Request, teamID int64, name string) (*models.Client, []models.NameMatch, error) {
	l, close, err := b.lookupForWrite(ctx, r, teamID, name)
	if l == nil || err != nil {
		return nil, nil, err
	}
	return l.Exact, close, nil
}

// lookupForWrite is matchForWrite with what the lookup told about the
// client of that name (its open deals).
func (b *Bot) lookupForWrite(ctx context.Context, r *Request, teamID int64, name string) (*storage.ClientLookup, []models.NameMatch, error) {
	l, err := b.lookupClient(ctx, r, []int64{teamID}, name)
	if err != nil || l.Exact != nil {
		return l, nil, err
	}
	_, close := models.MatchClient(name, l.Candidates, closeLimit)
	return l, close, nil
}

// findClient looks for a typed client name among the clients the user may
// see (for /client, /history, /objections).
func (b *Bot) findClient(ctx context.Context, r *Request, name string) (*models.Client, []*models.Client, error) {
	teams, err := b.visibleTeams(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	// The same name can exist in two of an admin's teams: the lowest
	// team's is taken.
	l, err := b.lookupClient(ctx, r, teams, name)
	if err != nil || l.Exact != nil {
		if l != nil {
			return l.Exact, nil, err
		}
		return nil, nil, err
	}
	// Candidates from the name index, never the teams' whole client list.
	_, close := models.MatchClient(name, l.Candidates, closeLimit)
	out := make([]*models.Client, len(close))
	for i, m := range close {
		out[i] = m.Client
	}
	return nil, out, nil
}

// clientArg is how a command that takes a client name (/client, /history,
// /objections) offers clients as buttons: each sends Prefix+ID; without a
// name, the user's recent clients, Cols to a row, under the Usage text.
type clientArg struct {
	Prefix string
	Usage  string
	Cols   int
}

// clientNamed finds a client typed in a command among those the user may
// see. When the name is not one client it answers itself (recent clients
// for no name, "did you mean" buttons, or "not found") and returns nil.
func (b *Bot) clientNamed(ctx context.Context, r *Request, name string, arg clientArg) (*models.Client, error) {
	if name == "" {
		recent, err := b.store.RecentClients(ctx, r.User, 6)
		if err != nil {
			return nil, err
		}
		r.reply(r.t(arg.Usage, nil), clientButtons(recent, arg.Cols, clientName, arg.Prefix))
		return nil, nil
	}
	if err := tooLong(name, models.MaxNameLen); err != nil {
		return nil, err
	}
	c, near, err := b.findClient(ctx, r, name)
	if err != nil || c != nil {
		return c, err
	}
	if len(near) > 0 {
		r.reply(r.t("client_did_you_mean", map[string]any{"Name": name}), clientButtons(near, 1, r.clientLabel, arg.Prefix))
		return nil, nil
	}
	r.say("client_not_found", map[string]any{"Name": name})
	return nil, nil
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
	return parseCanonicalID(s)
}

// cbAction splits a button's payload "ACTION:ID[:ARG]".
func cbAction(payload string) (action string, id int64, arg string, ok bool) {
	action, rest, _ := strings.Cut(payload, ":")
	id, arg, ok = cbID(rest)
	return action, id, arg, ok
}

// cbID reads the numeric id of a button's payload ("42" or "42:x").
func cbID(payload string) (int64, string, bool) {
	head, rest, _ := strings.Cut(payload, ":")
	id, ok := parseCanonicalID(head)
	return id, rest, ok
}

func (b *Bot) recentClientChoices(ctx context.Context, r *Request, _ *FormState) ([]Choice, error) {
	recent, err := b.store.RecentClients(ctx, r.User, 6)
	if err != nil {
		return nil, err
	}
	var cs []Choice
	for _, c := range recent {
		if r.User.RoleIn(c.TeamID) != models.RoleNone {
			cs = append(cs, Choice{c.Name, idValue(c.ID)})
		}
	}
	return cs, nil
}

// clientChoice is the client part of a visit or objection draft: an
// existing client, a new name (once NewClient is confirmed), or a typed
// name close to existing clients waiting for a pick (Typed, Candidates).
type clientChoice struct {
	TeamID     int64   `json:"team,omitempty"`
	ClientID   int64   `json:"client,omitempty"`
	ClientName string  `json:"client_name,omitempty"`
	NewClient  bool    `json:"new_client,omitempty"`
	Typed      string  `json:"typed,omitempty"`
	Candidates []int64 `json:"candidates,omitempty"`
	// found is what the name lookup that chose the client told about it,
	// in this request only (never stored): the card as read in this
	// update's transaction and its open deals.
	found *storage.ClientLookup
}

func (cc *clientChoice) set(id int64, name string, teamID int64) {
	cc.ClientID, cc.ClientName, cc.TeamID, cc.NewClient = id, name, teamID, id == 0
	cc.Typed, cc.Candidates, cc.found = "", nil, nil
}

// lookedUp is what this request's name lookup told about the chosen
// client, nil when it was chosen otherwise (a button, an earlier message).
func (cc *clientChoice) lookedUp() *storage.ClientLookup {
	if f := cc.found; f != nil && f.Exact != nil && f.Exact.ID == cc.ClientID && cc.ClientID != 0 {
		return f
	}
	return nil
}

// setClientFunc records a draft's client (a draft may do more than
// clientChoice.set, e.g. forget contacts of the previous client).
type setClientFunc func(id int64, name string, teamID int64)

// resolveClient reads a client answer for a visit or objection: a button
// ("id:N") picks that client; a typed name is matched in the team: the
// same name is that client, a close one is asked about (jump, with
// cc.Typed and cc.Candidates set), a new one becomes a new client.
func (b *Bot) resolveClient(ctx context.Context, r *Request, answer string, cc *clientChoice, set setClientFunc) (jump bool, err error) {
	if id, ok := parseID(answer); ok {
		// An id is only a button's answer: one of the close clients this
		// draft offered, or a client the user may see (their recent ones).
		// A typed or forged id of anyone else's client is no way in.
		c, err := b.store.Client(ctx, r.User, id)
		if err != nil {
			return false, models.Errorf(models.EINVALID, "form_choose", nil)
		}
		offered := slices.Contains(cc.Candidates, id)
		if !offered {
			if seen, err := b.canSee(ctx, r, c); err != nil {
				return false, err
			} else if !seen {
				return false, models.Errorf(models.EINVALID, "form_choose", nil)
			}
		}
		set(c.ID, c.Name, c.TeamID)
		return false, nil
	}
	name := strings.TrimSpace(answer)
	if models.NameKey(name) == "" {
		return false, models.Errorf(models.EINVALID, "err_client_name_empty", nil)
	}
	if err := models.CheckText(models.FieldClientName, name, models.MaxNameLen); err != nil {
		return false, err
	}
	if cc.TeamID, err = b.entryTeam(r, cc.TeamID); err != nil {
		return false, err
	}
	l, near, err := b.lookupForWrite(ctx, r, cc.TeamID, name)
	if err != nil {
		return false, err
	}
	switch {
	case l.Exact != nil:
		set(l.Exact.ID, l.Exact.Name, l.Exact.TeamID)
		cc.found = l
	case len(near) > 0:
		ids := make([]int64, len(near))
		for i, m := range near {
			ids[i] = m.Client.ID
		}
		cc.Typed, cc.Candidates = name, ids
		return true, nil
	default:
		set(0, name, cc.TeamID)
	}
	return false, nil
}

// settleClient makes sure a draft's client is known before it is saved
// (a quick entry may name none, or a name close to several): it asks the
// form's "client" or "client_pick" step instead, and reports asked. store
// writes the draft to st before a step is asked; a caller that goes on to
// ask a step of its own stores the draft first.
func (b *Bot) settleClient(ctx context.Context, r *Request, st *FormState, kind string, cc *clientChoice, set setClientFunc, store func()) (asked bool, err error) {
	if cc.ClientID != 0 || cc.NewClient {
		return false, nil
	}
	if cc.ClientName == "" {
		r.say(needClientKeys.label(r.cat, r.Lang, kind), nil)
		return true, b.AskStep(ctx, r, kind, "client", st)
	}
	jump, err := b.resolveClient(ctx, r, cc.ClientName, cc, set)
	if err != nil {
		return true, err
	}
	if jump {
		store()
		return true, b.AskStep(ctx, r, kind, "client_pick", st)
	}
	return false, nil
}

// clientSteps ask for the client of a visit or objection draft: a recent
// client's button or a typed name matched against the team ("client",
// prompt by promptKey, or by typeKey when the user has no recent client to
// tap), then, for a name close to several clients, which one
// ("client_pick", reached by a jump). choice finds the draft's client.
func clientSteps[R, D any](b *Bot, drafts draftStore[R, D], promptKey, typeKey string, choice func(*D) (*clientChoice, setClientFunc)) []*Step {
	return []*Step{
		{ID: "client", Text: true, Columns: 2,
			Prompt: func(r *Request, st *FormState) string {
				if len(st.Choices) == 0 {
					return r.t(typeKey, nil)
				}
				return r.t(promptKey, nil)
			},
			Choices: b.recentClientChoices,
			Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
				return drafts.update(st, func(d *D) error {
					cc, set := choice(d)
					jump, err := b.resolveClient(ctx, r, a, cc, set)
					if jump {
						st.Jump = "client_pick"
					}
					return err
				})
			}},
		{ID: "client_pick", When: never, Columns: 1,
			Prompt: func(r *Request, st *FormState) string {
				cc, _ := choice(drafts.of(st))
				return r.t("visit_q_client_pick", map[string]any{"Name": cc.Typed})
			},
			Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
				cc, _ := choice(drafts.of(st))
				return b.candidateChoices(ctx, r, cc.Typed, cc.Candidates)
			},
			Parse: func(ctx context.Context, r *Request, st *FormState, a string) error {
				return drafts.update(st, func(d *D) error {
					cc, set := choice(d)
					return b.pickClient(ctx, r, a, cc, set)
				})
			}},
	}
}

// candidateChoices offers the close clients and "new client".
func (b *Bot) candidateChoices(ctx context.Context, r *Request, typed string, ids []int64) ([]Choice, error) {
	byID, err := b.store.ClientsByID(ctx, r.User, ids) // one read, not one a candidate
	if err != nil {
		return nil, err
	}
	var cs []Choice
	for _, id := range ids {
		if c := byID[id]; c != nil { // else deleted (or hidden) meanwhile
			cs = append(cs, Choice{r.clientLabel(c), idValue(c.ID)})
		}
	}
	return append(cs, Choice{r.t("visit_new_client", map[string]any{"Name": typed}), "new"}), nil
}

// pickClient reads the client_pick step: one of the close names' buttons,
// or "new" for the name as typed.
func (b *Bot) pickClient(ctx context.Context, r *Request, a string, cc *clientChoice, set setClientFunc) error {
	if a == "new" {
		set(0, cc.Typed, cc.TeamID)
		return nil
	}
	_, err := b.resolveClient(ctx, r, a, cc, set)
	return err
}
