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

// historyPage is how many timeline items /history shows at once.
const historyPage = 10

// cmdHistory is /history CLIENT: the client's timeline, newest first.
func (b *Bot) cmdHistory(ctx context.Context, r *Request) error {
	c, err := b.clientNamed(ctx, r, strings.TrimSpace(r.Args), clientArg{Prefix: "hn:", Usage: "usage_history", Cols: 1})
	if c == nil || err != nil {
		return err
	}
	return b.historyPage(ctx, r, c, 0, 0)
}

// cbHistory pages the timeline in place: "h:CLIENT:PAGE".
func (b *Bot) cbHistory(ctx context.Context, r *Request, payload string) error {
	id, p, ok := cbID(payload)
	page, err := strconv.Atoi(p)
	if !ok || err != nil || page < 0 {
		r.say("button_stale", nil)
		return nil
	}
	return b.historyOf(ctx, r, id, page, r.MessageID)
}

// cbHistoryNew opens the timeline as a new message: "hn:CLIENT" (the
// card's and the client lists' buttons).
func (b *Bot) cbHistoryNew(ctx context.Context, r *Request, payload string) error {
	id, _, ok := cbID(payload)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	return b.historyOf(ctx, r, id, 0, 0)
}

// accessLine is an owner change or share as /history and /team history
// show it (client names the client, for the team's view).
func (b *Bot) accessLine(ctx context.Context, r *Request, a *storage.AccessChange, client string) string {
	data := map[string]any{"At": r.time(a.At), "By": b.userName(ctx, r, a.ActorID), "Client": client}
	key := "history_owner"
	switch {
	case a.IsShare && a.Shared:
		key, data["Name"] = "history_shared", b.userName(ctx, r, a.UserID)
	case a.IsShare:
		key, data["Name"] = "history_unshared", b.userName(ctx, r, a.UserID)
	default:
		data["From"], data["To"] = b.userName(ctx, r, a.FromID), b.userName(ctx, r, a.ToID)
	}
	return r.t(key, data)
}

// teamHistory is /team history [TEAM]: the team's membership changes,
// reassignments and shares, newest first (managers of the team).
func (b *Bot) teamHistory(ctx context.Context, r *Request, name string) error {
	team, err := b.managedTeamFor(ctx, r, name)
	if err != nil {
		return err
	}
	changes, err := b.store.TeamChanges(ctx, team.ID, teamHistoryLimit)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		r.say("team_history_empty", map[string]any{"Team": team.Name})
		return nil
	}
	lines := []string{r.t("team_history_header", map[string]any{"Team": team.Name, "N": len(changes)})}
	for _, c := range changes {
		if c.Access != nil {
			lines = append(lines, b.accessLine(ctx, r, c.Access, c.Client))
			continue
		}
		e := c.Member
		data := map[string]any{"At": r.time(e.At), "By": b.userName(ctx, r, e.ActorID), "Name": b.userName(ctx, r, e.UserID),
			"Role": b.roleName(r, e.Role), "To": b.userName(ctx, r, e.ToID), "Clients": e.Clients, "FollowUps": e.FollowUps}
		if key, ok := memberEventKeys.key(e.Action); ok {
			lines = append(lines, r.t(key, data))
		}
	}
	r.reply(strings.Join(lines, "\n"), nil)
	return nil
}

// teamHistoryLimit is how many changes /team history shows.
const teamHistoryLimit = 30

func (b *Bot) historyOf(ctx context.Context, r *Request, id int64, page, editID int) error {
	c, err := b.buttonClient(ctx, r, id)
	if c == nil || err != nil {
		return err
	}
	return b.historyPage(ctx, r, c, page, editID)
}

func (b *Bot) historyPage(ctx context.Context, r *Request, c *models.Client, page, editID int) error {
	items, total, err := b.store.ClientHistory(ctx, r.User, c.ID, page*historyPage, historyPage)
	if err != nil {
		return err
	}
	if total == 0 {
		r.say("history_empty", map[string]any{"Client": c.Name})
		return nil
	}
	pages := (total + historyPage - 1) / historyPage
	if page >= pages {
		r.say("button_stale", nil)
		return nil
	}
	lines := []string{r.t("history_header", map[string]any{"Client": c.Name, "Page": page + 1, "Pages": pages, "Total": total})}
	var visits []shownVisit
	for i, it := range items {
		switch {
		case it.Visit != nil:
			// Numbered: the visit's button shows all of it.
			visits = append(visits, shownVisit{i + 1, it.Visit.ID})
			lines = append(lines, fmt.Sprintf("%d. ", i+1)+r.t("history_visit", map[string]any{"Line": b.visitLine(ctx, r, it.Visit, true)}))
		case it.Objection != nil:
			o := it.Objection
			lines = append(lines, r.t("history_objection", map[string]any{"At": r.time(o.At), "Rep": b.userName(ctx, r, o.RepID), "Line": objectionText(r, o)}))
		case it.Stage != nil:
			s := it.Stage
			lines = append(lines, r.t("history_stage", map[string]any{"At": r.time(s.At), "Who": b.userName(ctx, r, s.UserID),
				"From": r.stage(s.From), "To": r.stage(s.To)}))
		case it.Access != nil:
			lines = append(lines, b.accessLine(ctx, r, it.Access, ""))
		}
	}
	var nav []outbox.Button
	if page > 0 {
		nav = append(nav, outbox.Button{Text: r.t("btn_prev", nil), Data: fmt.Sprintf("h:%d:%d", c.ID, page-1)})
	}
	if page+1 < pages {
		nav = append(nav, outbox.Button{Text: r.t("btn_next", nil), Data: fmt.Sprintf("h:%d:%d", c.ID, page+1)})
	}
	rows := grid(visitButtons(r, visits), 5)
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	r.reply(strings.Join(lines, "\n"), rows)
	r.editLast(editID)
	return nil
}
