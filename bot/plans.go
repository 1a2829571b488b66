package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/models"
)

// planWeekArg reads the week word of /plan: next (下周) or this (本周).
func planWeekArg(c *Catalogue, args string, now time.Time, loc *time.Location) (models.Week, string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	this := models.WeekOf(now, loc)
	switch w, _ := c.wordOf(first, wordPlanNext, wordPlanThis); w {
	case wordPlanNext:
		return this.Next(), strings.TrimSpace(rest), true
	case wordPlanThis:
		return this, strings.TrimSpace(rest), true
	}
	return this, args, false
}

func (b *Bot) planTeam(ctx context.Context, r *Request) (*models.Team, error) {
	id := r.User.PrimaryTeam()
	if id == 0 {
		return nil, models.Errorf(models.ENOTFOUND, "plan_no_team", nil)
	}
	return b.store.Team(ctx, id)
}

// /plan — this and next week's plan with status; /plan next|this [items]
// adds planned visits (the form without items).
func (b *Bot) cmdPlan(ctx context.Context, r *Request) error {
	team, err := b.planTeam(ctx, r)
	if err != nil {
		return err
	}
	loc := team.Location()
	week, rest, named := planWeekArg(r.cat, r.Args, r.Now, loc)
	if !named && strings.TrimSpace(r.Args) != "" {
		// Items without a week word are for next week: plans are made ahead.
		week, rest = models.WeekOf(r.Now, loc).Next(), r.Args
	} else if !named {
		return b.showPlans(ctx, r, team)
	}
	if strings.TrimSpace(rest) == "" {
		return b.StartForm(ctx, r, "plan", map[string]string{"week": week.Monday, "team": strconv.FormatInt(team.ID, 10)})
	}
	clients, err := b.store.ClientNames(ctx, r.User, []int64{team.ID})
	if err != nil {
		return err
	}
	items, bad, badText := quick.ParsePlanItems(rest, clients)
	if bad != 0 {
		if t, ok := quick.BadTimeIn(badText); ok {
			return models.Errorf(models.EINVALID, "plan_time_impossible", map[string]any{"N": bad, "Item": badText, "Input": t})
		}
		if d, ok := dates.ParseWeekday(badText); ok {
			// a day and nothing else: the client is what is missing
			return models.Errorf(models.EINVALID, "plan_no_client", map[string]any{"N": bad, "Item": badText, "Day": r.language().Weekday(d)})
		}
		return models.Errorf(models.EINVALID, "plan_bad_item", map[string]any{"N": bad, "Item": badText})
	}
	if err := models.CheckCount("err_too_many_plan_items", len(items), models.MaxPlanItems); err != nil {
		return err
	}
	return b.savePlan(ctx, r, team, week, items)
}

// savePlan stores parsed items (creating cards for new clients) and
// confirms with Undo and Add-another buttons.
func (b *Bot) savePlan(ctx context.Context, r *Request, team *models.Team, week models.Week, items []quick.PlanItem) error {
	newNames := map[string]bool{}
	for _, it := range items {
		if it.ClientID == 0 {
			// A teammate's client is not a new card: say whose it is.
			if err := b.hiddenClient(ctx, r, []int64{team.ID}, it.Client); err != nil {
				return err
			}
			newNames[models.NameKey(it.Client)] = true
		}
	}
	if err := models.CheckCount("err_too_many_new_clients", len(newNames), models.MaxNewClientsPerMessage); err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	today := models.CivilDate(r.Now, team.Location())
	for i, it := range items {
		if day := week.Day(models.WeekdayIndex(it.Weekday)); models.PlanDayPast(day, today) {
			return models.Errorf(models.EINVALID, "plan_day_past", map[string]any{"N": i + 1, "Client": it.Client, "Day": p.day(day)})
		}
	}
	var (
		rows    []models.PlannedVisit
		created []string
		saved   []models.PlannedVisit
	)
	// The new cards and the planned visits are one write: all or nothing.
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		rows, created = rows[:0], created[:0]
		made := map[string]int64{}
		for i := range items {
			it := &items[i]
			if it.ClientID == 0 {
				key := models.NameKey(it.Client)
				id, ok := made[key]
				if !ok {
					// A visit planned to a new prospect opens its card.
					c := &models.Client{TeamID: team.ID, Name: it.Client, OwnerID: r.User.ID}
					if err := b.store.CreateClient(ctx, c); err != nil {
						return err
					}
					id, made[key] = c.ID, c.ID
					created = append(created, c.Name)
				}
				it.ClientID = id
			}
			rows = append(rows, models.PlannedVisit{TeamID: team.ID, RepID: r.User.ID, ClientID: it.ClientID,
				Day: week.Day(models.WeekdayIndex(it.Weekday)), Purpose: it.Purpose})
		}
		var err error
		saved, err = b.store.AddPlannedVisits(ctx, rows)
		return err
	})
	if err != nil {
		return err
	}
	var lines []string
	lo, hi := saved[0].ID, saved[0].ID
	for i, s := range saved {
		lines = append(lines, p.t("plan_item_pending", map[string]any{"Day": p.day(s.Day), "Client": items[i].Client, "Purpose": s.Purpose}))
		lo, hi = min(lo, s.ID), max(hi, s.ID)
	}
	_, num := week.ISO()
	text := r.t("plan_saved", map[string]any{"Num": num, "Items": strings.Join(lines, "\n")})
	if len(created) > 0 {
		text += "\n" + r.t("plan_saved_new", map[string]any{"Names": r.list(created)})
	}
	r.reply(text, [][]outbox.Button{{
		{Text: r.t("plan_add_another", nil), Data: "pl:a:" + week.Monday},
		{Text: r.t("plan_undo", nil), Data: fmt.Sprintf("pl:u:%d-%d", lo, hi)},
	}})
	return nil
}

// cbPlan handles the plan confirmation's buttons.
func (b *Bot) cbPlan(ctx context.Context, r *Request, payload string) error {
	action, value, _ := strings.Cut(payload, ":")
	switch action {
	case "u":
		a, z, _ := strings.Cut(value, "-")
		lo, err1 := strconv.ParseInt(a, 10, 64)
		hi, err2 := strconv.ParseInt(z, 10, 64)
		if err1 != nil || err2 != nil || hi < lo || hi-lo > 100 {
			r.say("button_stale", nil)
			return nil
		}
		ids := make([]int64, 0, hi-lo+1)
		for id := lo; id <= hi; id++ {
			ids = append(ids, id)
		}
		n, err := b.store.DeletePlannedVisits(ctx, r.User.ID, ids)
		if err != nil {
			return err
		}
		if n == 0 {
			r.say("plan_undo_none", nil)
			return nil
		}
		r.say("plan_undone", map[string]any{"N": n})
		r.editLast(r.MessageID)
		return nil
	case "a":
		team, err := b.planTeam(ctx, r)
		if err != nil {
			return err
		}
		// Only a week the button could have offered: this week or next
		// (a past or far week would show a plan as missed or never due).
		this := models.WeekOf(r.Now, team.Location())
		if value != this.Monday && value != this.Next().Monday {
			r.say("button_stale", nil)
			return nil
		}
		return b.StartForm(ctx, r, "plan", map[string]string{"week": value, "team": strconv.FormatInt(team.ID, 10)})
	}
	r.say("button_stale", nil)
	return nil
}

// planForm asks client, day and purpose of one planned visit.
func (b *Bot) planForm() *Form {
	week := func(st *FormState) models.Week { return models.Week{Monday: st.Get("week")} }
	teamID := func(st *FormState) int64 { id, _ := strconv.ParseInt(st.Get("team"), 10, 64); return id }
	return &Form{
		Kind: "plan",
		Steps: []*Step{
			{
				ID: "client",
				Prompt: func(r *Request, st *FormState) string {
					_, n := week(st).ISO()
					return r.t("plan_ask_client", map[string]any{"Num": n})
				},
				Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
					cs, err := b.store.RecentClients(ctx, r.User, 8)
					if err != nil {
						return nil, err
					}
					var out []Choice
					for _, c := range cs {
						if c.TeamID == teamID(st) {
							out = append(out, Choice{Label: c.Name, Value: "id:" + strconv.FormatInt(c.ID, 10)})
						}
					}
					return out, nil
				},
				Text: true,
				Parse: func(ctx context.Context, r *Request, st *FormState, answer string) error {
					if id, ok := strings.CutPrefix(answer, "id:"); ok {
						// An id is a button's answer; a typed or forged one
						// of a client the user may not see is no way in.
						cid, _ := strconv.ParseInt(id, 10, 64)
						c, err := b.store.Client(ctx, r.User, cid)
						if models.ErrorCode(err) == models.ENOTFOUND || err == nil && c.TeamID != teamID(st) {
							return models.Errorf(models.EINVALID, "form_choose", nil)
						}
						if err != nil {
							return err
						}
						st.Set("client_id", id)
						st.Set("client", c.Name)
						return nil
					}
					name := strings.TrimSpace(answer)
					if models.NameKey(name) == "" {
						return models.Errorf(models.EINVALID, "plan_client_empty", nil)
					}
					st.Set("client_id", "")
					st.Set("client", name)
					c, err := b.store.ClientByName(ctx, r.User, teamID(st), name)
					switch {
					case err == nil:
						st.Set("client_id", strconv.FormatInt(c.ID, 10))
						st.Set("client", c.Name)
					case models.ErrorCode(err) != models.ENOTFOUND:
						return err
					}
					return nil
				},
			},
			{
				ID:      "day",
				Prompt:  func(r *Request, _ *FormState) string { return r.t("plan_ask_day", nil) },
				Columns: 4,
				Text:    true,
				Choices: func(_ context.Context, r *Request, st *FormState) ([]Choice, error) {
					p := b.reportText(r.Lang, time.UTC)
					var out []Choice
					for _, d := range week(st).Days() {
						out = append(out, Choice{Label: p.day(d), Value: d})
					}
					return out, nil
				},
				Parse: func(_ context.Context, _ *Request, st *FormState, answer string) error {
					if week(st).Contains(answer) {
						st.Set("day", answer)
						return nil
					}
					if d, ok := dates.ParseWeekday(answer); ok {
						st.Set("day", week(st).Day(models.WeekdayIndex(d)))
						return nil
					}
					return models.Errorf(models.EINVALID, "plan_bad_day", nil)
				},
			},
			{
				ID:       "purpose",
				Prompt:   func(r *Request, _ *FormState) string { return r.t("plan_ask_purpose", nil) },
				Text:     true,
				Optional: true,
			},
		},
		Done: func(ctx context.Context, r *Request, st *FormState) error {
			team, err := b.store.Team(ctx, teamID(st))
			if err != nil {
				return err
			}
			it := quick.PlanItem{Weekday: models.Weekday(st.Get("day")), Client: st.Get("client"), Purpose: st.Get("purpose")}
			it.ClientID, _ = strconv.ParseInt(st.Get("client_id"), 10, 64)
			return b.savePlan(ctx, r, team, week(st), []quick.PlanItem{it})
		},
	}
}

// showPlans lists this and next week's planned visits with their status.
func (b *Bot) showPlans(ctx context.Context, r *Request, team *models.Team) error {
	this := models.WeekOf(r.Now, team.Location())
	var blocks []string
	for i, w := range []models.Week{this, this.Next()} {
		rw, err := b.reports.RepWeek(ctx, team, r.User.ID, w)
		if err != nil {
			return err
		}
		label := r.t("plan_label_this", nil)
		if i == 1 {
			label = r.t("plan_label_next", nil)
		}
		blocks = append(blocks, b.planBlock(r, rw, label))
	}
	blocks = append(blocks, r.t("plan_hint", nil))
	for _, m := range packMessages(blocks, MaxMessageLen-96) {
		r.reply(m, nil)
	}
	return nil
}

func (b *Bot) planBlock(r *Request, rw *models.RepWeekly, label string) string {
	p := b.reportText(r.Lang, rw.Loc)
	wd := p.weekData(rw.Week)
	wd["Label"] = label
	lines := []string{p.t("plan_week_header", wd)}
	if len(rw.Plan.Items) == 0 {
		lines = append(lines, r.t("plan_empty", nil))
	}
	for _, it := range rw.Plan.Items {
		data := map[string]any{"Day": p.day(it.Planned.Day), "Client": rw.Clients[it.Planned.ClientID], "Purpose": it.Planned.Purpose}
		key := "plan_item_pending"
		switch {
		case it.Status == models.PlanDone:
			key, data["Visited"] = "plan_item_done", p.day(it.Visit.Day)
		case it.Status == models.PlanMissed:
			key = "plan_item_missed"
		case it.Overdue:
			key = "plan_item_overdue"
		}
		lines = append(lines, p.t(key, data))
	}
	if rw.Plan.Planned > 0 || len(rw.Plan.Unplanned) > 0 {
		lines = append(lines, p.t("plan_progress", map[string]any{"Done": rw.Plan.Done, "Planned": rw.Plan.Planned, "Unplanned": len(rw.Plan.Unplanned)}))
	}
	return strings.Join(lines, "\n")
}

// /me: the user's own week: visits, plan, objections.
func (b *Bot) cmdMe(ctx context.Context, r *Request) error {
	team, err := b.planTeam(ctx, r)
	if err != nil {
		return err
	}
	w := models.WeekOf(r.Now, team.Location())
	rw, err := b.reports.RepWeek(ctx, team, r.User.ID, w)
	if err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	wd := p.weekData(w)
	wd["Name"] = r.User.Name
	lines := []string{p.t("me_header", wd)}
	if len(rw.Visits) == 0 {
		lines = append(lines, p.t("me_no_visits", nil))
	} else {
		lines = append(lines, p.t("me_visits", map[string]any{"Count": len(rw.Visits)}))
		for _, v := range rw.Visits {
			lines = append(lines, p.t("me_visit_line", map[string]any{"Day": p.day(models.CivilDate(v.At, p.loc)), "Time": p.clock(v.At),
				"Client": v.Client, "Stage": p.stage(v.Stage), "Attitude": p.attitude(v.Attitude)}))
		}
	}
	blocks := []string{strings.Join(lines, "\n"), b.planBlock(r, rw, r.t("plan_label_this", nil))}
	if len(rw.Objections) > 0 {
		ol := []string{p.t("me_objections", map[string]any{"Count": len(rw.Objections)})}
		for _, o := range rw.Objections {
			ol = append(ol, p.t("digest_objection_line", map[string]any{"Client": o.Client, "Category": p.category(o.Category),
				"Words": squeeze(o.Words, 120), "Resolved": o.Resolved}))
		}
		blocks = append(blocks, strings.Join(ol, "\n"))
	}
	for _, m := range packMessages(blocks, MaxMessageLen-96) {
		r.reply(m, nil)
	}
	return nil
}
