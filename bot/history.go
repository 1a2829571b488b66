package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"salesbot/internal/outbox"
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

func (b *Bot) historyOf(ctx context.Context, r *Request, id int64, page, editID int) error {
	c, err := b.buttonClient(ctx, r, id)
	if c == nil || err != nil {
		return err
	}
	return b.historyPage(ctx, r, c, page, editID)
}

func (b *Bot) historyPage(ctx context.Context, r *Request, c *models.Client, page, editID int) error {
	repID := int64(0)
	if !r.User.SeesTeam(c.TeamID) {
		repID = r.User.ID
	}
	items, total, err := b.store.ClientHistory(ctx, c.ID, repID, page*historyPage, historyPage)
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
